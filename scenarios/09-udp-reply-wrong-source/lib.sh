# scenarios/09-udp-reply-wrong-source/lib.sh - additions to scripts/lab/lab.sh used by scenarios 06-10
# (source after lab.sh and lab_init).
#
#  nfs_quiet_wait: lab_query is wrapped so that a query starts only when no other lab world (namespaces
#    named nfsNN-*, other than ours) exists: kfree_skb is machine-wide, and another world's drops
#    (e.g. NEIGH_FAILED of a host without neighbour) were attributed to our sender. Waits at most 90 s.
#  nfs_nc HOST LPORT PEER PPORT: `nc -u PEER PPORT` from source port LPORT: a connected UDP socket,
#    its received datagrams are logged as lab deliveries (socket udp:LOCALADDR:LPORT).
#  lab_query ... SENDER udpconn HOST:LPORT   -> the nc socket of HOST sends one datagram (send(), not sendto)
#  lab_query ... SENDER udppktinfo SRC SPORT DST DPORT -> sendmsg with IP_PKTINFO spec_dst=SRC from a
#    socket bound to 0.0.0.0:SPORT
NFS_PY9="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/udp9.py"

nfs_quiet_wait() {
  local i others
  for i in $(seq 450); do
    others=$(ip netns list | awk '{print $1}' | grep '^nfs[0-9]*-' | grep -v "^$LAB_PREFIX-" || true)
    [ -z "$others" ] && return 0
    [ "$i" = 1 ] && lab_log "waiting for other lab worlds to finish: $(echo $others)"
    sleep 0.2
  done
  lab_log "WARNING: other lab worlds still present, recording anyway: $(echo $others)"
}
eval "$(declare -f lab_query | sed '1s/^lab_query/nfs_lab_query_orig/')"
lab_query() { nfs_quiet_wait; nfs_lab_query_orig "$@"; }

# lab.py wrapper: the send subcommand gains udpconn/udppktinfo, everything else is lab.py itself
NFS_LAB_PY_ORIG=$LAB_PY
nfs_wrap_py() {
  local w="$LAB_TMP/labwrap.py"
  cat > "$w" <<PY
import json, os, subprocess, sys
a = sys.argv[1:]
if len(a) >= 2 and a[0] == "send" and a[1] == "udpconn":
    host, port = a[2].split(":")
    os.execvp("python3", ["python3", "$NFS_PY9", "kick", "$LAB_TMP/nc-%s-%s.fifo" % (host, port)])
if len(a) >= 2 and a[0] == "send" and a[1] == "udppktinfo":
    os.execvp("python3", ["python3", "$NFS_PY9", "pktinfo"] + a[2:])
os.execvp("python3", ["python3", "$NFS_LAB_PY_ORIG"] + a)
PY
  LAB_PY=$w
}
nfs_wrap_py

nfs_nc() {
  local h=$1 lport=$2 peer=$3 pport=$4 log fifo
  mkdir -p "$LAB_TMP/listen"
  log="$LAB_TMP/listen/$h@udp-connected-$lport.log"
  fifo="$LAB_TMP/nc-$h-$lport.fifo"
  : >> "$log"
  rm -f "$fifo"; mkfifo "$fifo"
  ip netns exec "$(lab_ns "$h")" python3 "$NFS_PY9" nc "$lport" "$peer" "$pport" "$log" "$fifo" 2>>"$LAB_TMP/nc-$h-$lport.err" &
  LAB_PIDS="$LAB_PIDS $!"
  NFS_NC_PIDS="${NFS_NC_PIDS:-} $!"
  sleep 0.3
}
# stop the nc processes (lab_reset restarts only lab listeners)
nfs_nc_stop() {
  local p
  for p in ${NFS_NC_PIDS:-}; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  NFS_NC_PIDS=""
}

# nfs_unlisten HOST PROTO ADDR PORT: stop one lab listener for good (it is not restarted by lab_reset)
nfs_unlisten() {
  local l keep="" h t a p pid
  for l in $LAB_LISTENERS; do
    IFS=, read -r h t a p pid <<<"$l"
    if [ "$h,$t,$a,$p" = "$1,$2,$3,$4" ]; then
      kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    else
      keep="$keep $l"
    fi
  done
  LAB_LISTENERS=$keep
}
