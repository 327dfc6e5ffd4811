# lab.sh - shared helpers to build nfsim scenario worlds as network namespaces and record what the
# real kernel does with each query. Source it from scenarios/NN-name/build.sh (bash):
#
#   . "$(dirname "$0")/../../scripts/lab/lab.sh"
#   lab_init nfs01                       # namespace prefix (unique per scenario); cleanup on EXIT
#   lab_host docker-host; lab_host ctr   # namespace nfs01-docker-host, ... (lo up, ip_forward=0, rp_filter=0)
#   lab_veth client eth0 02:00:00:00:01:02  docker-host eth0 02:00:00:00:01:0f   # veth pair, fixed MACs
#   lab_bridge docker-host docker0 02:42:ac:11:00:01  # bridge device (up)
#   lab_port docker-host docker0 veth0a1b2c3          # enslave IF to bridge
#   lab_addr docker-host eth0 10.211.55.15/24
#   lab_route docker-host default via 10.211.55.1     # args as for `ip route add`
#   lab_sysctl docker-host net.ipv4.ip_forward=0 ...
#   lab_iptables docker-host <<'EOF' ... EOF          # iptables-restore (nf_tables backend)
#   lab_x HOST CMD...                                 # run any command in HOST's namespace
#   lab_listen ctr tcp 172.17.0.2 80                  # python3 listener, logs every connection/datagram
#   lab_listen ctr udp 172.17.0.3 38908 172.16.13.13 56789   # a connected UDP socket (nc -u), logs what it receives
#   lab_outside r eth2 02:00:0a:00:02:01              # HOST:IF with no link: the veth peer of a helper namespace
#                                                     # "$LAB_PREFIX-x-r-eth2" standing for the outside world
#   lab_phase world                                   # capture HOST folders into $LAB_SCEN/world (+topology)
#   lab_query [-c COMMENT] [-e EXPECT] "PACKET" SENDER tcp|udp SRC SPORT DST DPORT [LEN]   (udp: LEN = IP total length)
#   lab_query [-c COMMENT] [-e EXPECT] "PACKET" SENDER icmp SRC DST ID SEQ [TYPE]   (TYPE 8 echo request = default, 0 echo reply)
#   lab_query [-w SECONDS] "PACKET" SENDER l2 DEV SMAC DMAC OPTS tcp|udp|icmp ARGS...  a crafted frame sent on DEV of
#             SENDER (a host or an outside helper "x-HOST-IF") from an AF_PACKET socket: the packet arrives at
#             layer 2 at the link's other end; OPTS = ttl=N,tos=N,len=N,flags=SA,df=0|1 (lab.py send l2)
#   lab_finish                                        # kernel/world.json + queries (expect lines from the kernel)
#   lab_reset                                         # between phases: restart listeners, wait out half-open TCP,
#                                                     # conntrack -F, zero rule counters in every host
#   ...apply the fix...; lab_phase world-fixed; lab_query ...; lab_finish   (kernel/world-fixed.json, queries-fixed)
# lab_query -c adds a comment line above the query, -e overrides the expect line derived from the kernel
# (delivered if a listener/echo/SYN-ACK shows delivery, else the first drop). The queries file also gets
# "# kernel: ..." lines summarising every delivery, drop and answer the kernel showed for that query.
#
# Variables: LAB_PREFIX, LAB_SCEN (scenario dir, default: the directory of $0), LAB_TMP (scratch),
# LAB_HOSTS (hosts in creation order), LAB_CAPTURE (path of scripts/capture.sh).
# Namespaces are always named "$LAB_PREFIX-HOST" (outside helpers "$LAB_PREFIX-x-HOST-IF"); the EXIT trap
# deletes exactly those (by name), stops the processes started here (by pid), removes the private trace
# instance and unmounts the private tracefs.
#
# Recording method (what lab_query does, one query at a time, nothing else of ours is sending):
#  1. tcpdump -i any -n -tt -l ip  in every namespace of the world (IPv4 only: ARP, IPv6/ND, MLD are
#     deliberately not recorded). Lines give host, interface, direction and a summary -> "seen"
#     (dir "out" = Out; "in" = In, and also P/B/M = frames received for another MAC/broadcast/multicast,
#     e.g. on a bridge port).
#  2. A private tracefs mount ($LAB_TMP/tracefs) with a private instance instances/nfsim-$LAB_PREFIX-$$
#     (never the global buffer), trace_clock=mono, events skb:kfree_skb with the filter
#     `protocol == 2048` (IPv4 only; locally generated packets dropped before __ip_local_out carry
#     protocol 0 and are therefore not seen - none of our queries hit that case) and
#     net:netif_receive_skb (to learn the device that received the dropped skb). Tracing is on only during
#     the query window (send + 1.2 s for answers).
#  3. kfree_skb carries no netns. Each drop is mapped to a host this way: the last netif_receive_skb of
#     the same skbaddr names the receiving device; the host is the namespace whose tcpdump saw an IPv4
#     packet arrive on a device of that name closest to that moment, within 1 ms (observed offsets
#     between the trace clock and tcpdump's timestamps are a few microseconds). A drop with no receive event is
#     a locally generated packet and is attributed to the sending host, when the sending process (or a
#     softirq thread) freed it; other processes' local drops are noise from other namespaces. A drop whose device saw no packet
#     of ours is noise from other namespaces on the machine and is discarded. Every drop records `via`.
#  4. Deliveries: lines the listeners (scripts/lab/lab.py listen) logged during the query; for ICMP echo
#     the host that emitted the echo reply. Answers: IPv4 packets that came back to the sending host on
#     the interface the probe left through (tcpdump), written like the `answer=` syntax.
#  5. After all queries of a phase: iptables-save -c and conntrack -L of every host ("counters",
#     "conntrack" in the JSON).
#  6. Rule path ("rulePath" per query and host): lab_phase adds to every host a native nftables table
#     `ip nfsim_trace` whose prerouting and output chains (priority -500, before raw) only `meta nftrace set 1`
#     (iptables-save does not show it, the ruleset under test is untouched) and starts `xtables-monitor
#     --trace` in every host for the phase; each query keeps the lines written during its window. Every
#     traced packet of a host is one entry: its header where the host first saw it and the rules (table,
#     chain, position in the chain from `nft -a` handles, iptables-save text, verdict) and policies it hit.
#  7. nstat ("nstat" per query and host): `nstat -asz` before the send and after the window; the non-zero
#     deltas of the IPv4, ICMP, TCP and UDP counters.
# Outside senders: an `arrive HOST:IF` packet whose source no modelled neighbour owns is a crafted frame
# (lab.py send l2), sent from an AF_PACKET socket of the far end of HOST:IF's link (the modelled neighbour,
# or the helper namespace of an interface with no link, see lab_outside), so its stack never sees it.
# Drops inside a helper namespace (it drops all IPv4 it receives: it is the sink) are not evidence.
# Probes: TCP = one connect() from a fixed SRC:SPORT with a 0.9 s timeout (one SYN, no retransmission),
# closed with RST (SO_LINGER 0) after 0.3 s when it connected; UDP = one datagram; ICMP = one echo request
# with the given id/seq from a raw socket (waits 1 s for the reply).

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
LAB_CAPTURE="$LAB_DIR/../capture.sh"
LAB_PY="$LAB_DIR/lab.py"
LAB_HOSTS=""
LAB_PIDS=""
LAB_LISTENERS=""
LAB_LINKS=""
LAB_BRIDGE_LINES=""
LAB_PHASE=""
LAB_QN=0
LAB_TRACE=""
LAB_TFS=""
LAB_HELPERS=""
LAB_MONITORS=""
# the helper's side of an outside link (never a MAC the lab gives a modelled interface: those are 02:5e:00:...)
LAB_OUTSIDE_MAC=02:5e:ff:ff:ff:01

lab_log() { echo "[lab $LAB_PREFIX] $*" >&2; }
lab_die() { echo "[lab $LAB_PREFIX] ERROR: $*" >&2; exit 1; }

lab_ns() { echo "$LAB_PREFIX-$1"; }
lab_x() { local h=$1; shift; ip netns exec "$(lab_ns "$h")" "$@"; }

lab_init() {
  LAB_PREFIX=$1
  [ -n "$LAB_PREFIX" ] || lab_die "lab_init PREFIX"
  LAB_SCEN=${LAB_SCEN:-$(cd "$(dirname "$0")" && pwd)}
  LAB_TMP=$(mktemp -d "/tmp/nfsim-lab-$LAB_PREFIX.XXXXXX")
  trap lab_cleanup EXIT
  trap 'exit 1' INT TERM
  # leftovers of an earlier run of this same scenario (our prefix only)
  local n
  for n in $(ip netns list | awk '{print $1}' | grep "^$LAB_PREFIX-" || true); do
    ip netns del "$n" 2>/dev/null || true
  done
  lab_trace_setup
}

lab_cleanup() {
  local p h
  set +e
  trap - EXIT INT TERM
  for p in $LAB_PIDS; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.2
  for p in $LAB_PIDS; do kill -KILL "$p" 2>/dev/null; done
  for h in $LAB_HOSTS $LAB_HELPERS; do ip netns del "$(lab_ns "$h")" 2>/dev/null; done
  if [ -n "$LAB_TRACE" ] && [ -d "$LAB_TRACE" ]; then
    echo 0 > "$LAB_TRACE/tracing_on" 2>/dev/null
    echo 0 > "$LAB_TRACE/events/skb/kfree_skb/enable" 2>/dev/null
    echo 0 > "$LAB_TRACE/events/net/netif_receive_skb/enable" 2>/dev/null
    rmdir "$LAB_TRACE" 2>/dev/null
  fi
  [ -n "$LAB_TFS" ] && umount "$LAB_TFS" 2>/dev/null
  [ -n "$LAB_TMP" ] && [ -z "${LAB_KEEP_TMP:-}" ] && rm -rf "$LAB_TMP"
  return 0
}

lab_trace_setup() {
  LAB_TFS="$LAB_TMP/tracefs"
  mkdir -p "$LAB_TFS"
  mount -t tracefs nodev "$LAB_TFS" || lab_die "cannot mount tracefs"
  LAB_TRACE="$LAB_TFS/instances/nfsim-$LAB_PREFIX-$$"
  mkdir "$LAB_TRACE" || lab_die "cannot create trace instance"
  echo 0 > "$LAB_TRACE/tracing_on"
  echo mono > "$LAB_TRACE/trace_clock"
  echo 2048 > "$LAB_TRACE/buffer_size_kb"
  echo 'protocol == 2048' > "$LAB_TRACE/events/skb/kfree_skb/filter"
  echo 1 > "$LAB_TRACE/events/skb/kfree_skb/enable"
  echo 1 > "$LAB_TRACE/events/net/netif_receive_skb/enable"
}

lab_host() {
  local h=$1 ns
  ns=$(lab_ns "$h")
  ip netns add "$ns" || lab_die "netns add $ns"
  LAB_HOSTS="$LAB_HOSTS $h"
  ip -n "$ns" link set lo up
  # (tcp_synack_retries=0: a SYN/ACK that was not acknowledged is not sent again into a later query's window;
  # igmp_link_local_mcast_reports=0: no IGMP reports of the interfaces' own groups, which would pass OUTPUT and
  # POSTROUTING, move counters and make conntrack entries at times of their own)
  lab_x "$h" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.tcp_synack_retries=0 net.ipv4.igmp_link_local_mcast_reports=0 >/dev/null
  # Conntrack entries must not expire during a run (nfsim does not model timeouts, and `conntrack -L` is read
  # at the end): an unreplied UDP entry lives 30 s, a reset TCP one 10 s. Timing only, per namespace.
  lab_x "$h" sysctl -qew $LAB_CT_TIMEOUTS >/dev/null 2>&1 || true
}

LAB_CT_TIMEOUTS="net.netfilter.nf_conntrack_udp_timeout=3600 net.netfilter.nf_conntrack_udp_timeout_stream=3600
  net.netfilter.nf_conntrack_icmp_timeout=3600 net.netfilter.nf_conntrack_generic_timeout=3600
  net.netfilter.nf_conntrack_tcp_timeout_syn_sent=3600 net.netfilter.nf_conntrack_tcp_timeout_syn_recv=3600
  net.netfilter.nf_conntrack_tcp_timeout_close=3600 net.netfilter.nf_conntrack_tcp_timeout_time_wait=3600
  net.netfilter.nf_conntrack_tcp_timeout_fin_wait=3600 net.netfilter.nf_conntrack_tcp_timeout_close_wait=3600
  net.netfilter.nf_conntrack_tcp_timeout_last_ack=3600 net.netfilter.nf_conntrack_tcp_timeout_max_retrans=3600
  net.netfilter.nf_conntrack_tcp_timeout_unacknowledged=3600"

# lab_outside HOST IF MAC: HOST:IF has no link in the topology. It is created as one end of a veth pair whose
# other end, "outside", is in a helper namespace "$LAB_PREFIX-x-HOST-IF" that stands for everything behind
# the interface: it answers ARP for every address (proxy_arp, no delay, a default route through another
# device), so what HOST sends out of IF leaves as on the real host, and it drops every IPv4 packet it
# receives (a native nftables table at prerouting: it never answers, forwards or resets) after its capture
# saw it. Packets "from outside" are sent from it with lab_query ... l2.
lab_outside() {
  local h=$1 ifc=$2 mac=$3 x ns
  x="x-$1-$2"
  ns=$(lab_ns "$x")
  ip netns add "$ns" || lab_die "netns add $ns"
  LAB_HELPERS="$LAB_HELPERS $x"
  ip -n "$ns" link set lo up
  lab_x "$x" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  ip -n "$(lab_ns "$h")" link add "$ifc" address "$mac" type veth peer name outside netns "$ns" address "$LAB_OUTSIDE_MAC" \
    || lab_die "veth $h:$ifc (outside)"
  ip -n "$(lab_ns "$h")" link set "$ifc" up
  # (a veth pair inside the helper stands in for a dummy device, which this kernel may lack)
  ip -n "$ns" link add far type veth peer name far-end || lab_die "far device in $ns"
  ip -n "$ns" link set far-end up
  ip -n "$ns" link set far up
  ip -n "$ns" link set outside up
  ip -n "$ns" route add default dev far || lab_die "route in $ns"
  # arp_process(): a proxy answer needs forwarding on the device, a unicast route out of another device,
  # and proxy_delay 0 to be sent at once (else pneigh_enqueue() delays it up to 0.8 s)
  lab_x "$x" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv4.igmp_link_local_mcast_reports=0 net.ipv4.conf.outside.rp_filter=0 net.ipv4.conf.outside.proxy_arp=1 net.ipv4.neigh.outside.proxy_delay=0 >/dev/null \
    || lab_die "sysctl in $ns"
  lab_x "$x" nft -f - <<'NFT' || lab_die "nft in $ns"
table ip nfsim_outside {
  chain pre { type filter hook prerouting priority -500; policy drop; }
}
NFT
}

# lab_veth HOSTA IFA MACA HOSTB IFB MACB
lab_veth() {
  ip -n "$(lab_ns "$1")" link add "$2" address "$3" type veth peer name "$5" netns "$(lab_ns "$4")" address "$6" \
    || lab_die "veth $1:$2 $4:$5"
  ip -n "$(lab_ns "$1")" link set "$2" up
  ip -n "$(lab_ns "$4")" link set "$5" up
  LAB_LINKS="${LAB_LINKS}link $1:$2 $4:$5
"
}

# lab_bridge HOST BR MAC
lab_bridge() {
  ip -n "$(lab_ns "$1")" link add "$2" address "$3" type bridge || lab_die "bridge $1:$2"
  ip -n "$(lab_ns "$1")" link set "$2" up
}

# lab_port HOST BR IF
lab_port() { ip -n "$(lab_ns "$1")" link set "$3" master "$2" || lab_die "port $1:$2 $3"; }

lab_addr() { ip -n "$(lab_ns "$1")" addr add "$3" dev "$2" || lab_die "addr $*"; }
lab_route() { local h=$1; shift; ip -n "$(lab_ns "$h")" route add "$@" || lab_die "route $h $*"; }
lab_sysctl() { local h=$1; shift; lab_x "$h" sysctl -qw "$@" >/dev/null || lab_die "sysctl $h $*"; }
lab_iptables() { lab_x "$1" iptables-restore || lab_die "iptables-restore on $1"; }

# lab_listen HOST tcp|udp ADDR PORT
# lab_listen HOST udp ADDR PORT PEER PEERPORT: a connected UDP socket (like `nc -u PEER PEERPORT`)
lab_listen() {
  local h=$1 proto=$2 addr=$3 port=$4 log i all=l
  mkdir -p "$LAB_TMP/listen"
  log="$LAB_TMP/listen/$h@$proto-$addr-$port.log"
  : >> "$log"
  [ $# -ge 6 ] && all=a
  # started directly (not through a shell function) so that $! is the listener itself
  ip netns exec "$(lab_ns "$h")" python3 "$LAB_PY" listen "$proto" "$addr" "$port" "$log" "${@:5}" &
  LAB_PIDS="$LAB_PIDS $!"
  LAB_LISTENERS="$LAB_LISTENERS $h,$proto,$addr,$port,$!"
  for i in $(seq 50); do
    if lab_x "$h" ss -H${all}ntu "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.1
  done
  lab_die "listener $h $proto $addr:$port did not start"
}

# wait until no IPv6 address is tentative (stable captures)
lab_settle() {
  local i h t
  for i in $(seq 40); do
    t=0
    for h in $LAB_HOSTS; do
      ip -n "$(lab_ns "$h")" -6 addr show | grep -q tentative && t=1
    done
    [ $t = 0 ] && return 0
    sleep 0.1
  done
}

# lab_reset: forget the previous phase's dynamic state: restart the listeners (drops half-open
# connections that would otherwise retransmit SYN/ACKs into the next phase), flush conntrack, zero counters
lab_reset() {
  local h t l old a p pid
  old=$LAB_LISTENERS
  LAB_LISTENERS=""
  for l in $old; do
    IFS=, read -r h t a p pid <<<"$l"
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  done
  # half-open (SYN-RECV) request sockets outlive their closed listener until their timer fires;
  # try ss -K, then wait (bounded) until no TCP socket but listeners is left in any host
  local i busy
  for h in $LAB_HOSTS; do lab_x "$h" ss -K -Htan 'state syn-recv' >/dev/null 2>&1 || true; done
  for i in $(seq 160); do
    busy=0
    for h in $LAB_HOSTS; do
      if lab_x "$h" ss -Htan 'state syn-recv or state established or state syn-sent' 2>/dev/null | grep -q .; then busy=1; fi
    done
    [ $busy = 0 ] && break
    sleep 0.1
  done
  [ $busy = 0 ] || lab_log "warning: TCP sockets of the previous phase are still open"
  for l in $old; do
    IFS=, read -r h t a p pid <<<"$l"
    lab_listen "$h" "$t" "$a" "$p"
  done
  for h in $LAB_HOSTS; do
    lab_x "$h" conntrack -F >/dev/null 2>&1
    for t in raw mangle nat filter; do lab_x "$h" iptables -t $t -Z 2>/dev/null; done
  done
}

# lab_phase NAME: start a phase (world / world-fixed): capture every host into $LAB_SCEN/NAME
lab_phase() {
  LAB_PHASE=$1
  LAB_QN=0
  mkdir -p "$LAB_TMP/$LAB_PHASE"
  lab_settle
  local out="$LAB_SCEN/$LAB_PHASE" h
  rm -rf "$out"
  mkdir -p "$out"
  for h in $LAB_HOSTS; do
    sh "$LAB_CAPTURE" --netns "$(lab_ns "$h")" --name "$h" --dir "$out" || lab_die "capture $h"
  done
  {
    echo "# links between hosts (veth pairs), written by scripts/lab/lab.sh"
    printf '%s' "$LAB_LINKS"
  } > "$out/topology"
  lab_log "captured $out"
  lab_trace_rules
}

# lab_trace_rules: (after the capture) the nftrace table in every host, the rule handles of the phase's
# rulesets (rule positions for the trace) and one `xtables-monitor --trace` per host for the whole phase
lab_trace_rules() {
  local h m i
  lab_monitors_stop
  # (rulesets loaded by iptables-legacy are not nftables: no rule path then, and none is recorded)
  iptables -V 2>/dev/null | grep -q nf_tables || { lab_log "iptables is not the nf_tables backend: no rule path is recorded"; return 0; }
  command -v xtables-monitor >/dev/null 2>&1 || { lab_log "no xtables-monitor: no rule path is recorded"; return 0; }
  for h in $LAB_HOSTS; do
    lab_x "$h" nft -f - <<'NFT' || lab_die "nftrace table in $h"
table ip nfsim_trace
delete table ip nfsim_trace
table ip nfsim_trace {
  chain pre { type filter hook prerouting priority -500; meta nftrace set 1; }
  chain out { type filter hook output priority -500; meta nftrace set 1; }
}
NFT
    lab_x "$h" nft -j -a list ruleset > "$LAB_TMP/$LAB_PHASE/nft-$h.json" 2>/dev/null || echo '{}' > "$LAB_TMP/$LAB_PHASE/nft-$h.json"
    m="$LAB_TMP/$LAB_PHASE/xtmon-$h.txt"
    : > "$m"
    ip netns exec "$(lab_ns "$h")" xtables-monitor --trace >> "$m" 2>&1 &
    LAB_PIDS="$LAB_PIDS $!"
    LAB_MONITORS="$LAB_MONITORS $!"
  done
  # subscribed once its netlink socket is bound (then events queue even before it reads)
  for m in $LAB_MONITORS; do
    for i in $(seq 50); do
      if [ -d "/proc/$m" ] && ls -l "/proc/$m/fd" 2>/dev/null | grep -q 'socket:'; then break; fi
      sleep 0.05
    done
  done
  sleep 0.2
}

lab_monitors_stop() {
  local p
  for p in $LAB_MONITORS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  LAB_MONITORS=""
}

# nstat counters (absolute, history untouched) of every host into DIR/nstatSUFFIX-HOST.json
lab_nstat() {
  local h
  for h in $LAB_HOSTS; do lab_x "$h" nstat -asz --json > "$1/nstat$2-$h.json" 2>/dev/null || echo '{}' > "$1/nstat$2-$h.json"; done
}

# lab_query [-c COMMENT] [-e EXPECT] [-w SECONDS] PACKET SENDER PROTO ARGS...
lab_query() {
  local comment="" expect="" wait=1.2
  while [ $# -gt 0 ]; do
    case "$1" in
      -c) comment=$2; shift 2 ;;
      -e) expect=$2; shift 2 ;;
      -w) wait=$2; shift 2 ;;
      *) break ;;
    esac
  done
  local packet=$1 sender=$2 proto=$3; shift 3
  LAB_QN=$((LAB_QN + 1))
  local q="$LAB_TMP/$LAB_PHASE/q$(printf %02d $LAB_QN)" h pids="" i f
  mkdir -p "$q"
  [ -n "$comment" ] && printf '%s\n' "$comment" > "$q/comment.txt"
  [ -n "$expect" ] && printf '%s\n' "$expect" > "$q/expect.txt"
  for h in $LAB_HOSTS $LAB_HELPERS; do
    ip netns exec "$(lab_ns "$h")" tcpdump -i any -n -tt -l ip > "$q/tcpdump-$h.txt" 2> "$q/tcpdump-$h.err" &
    pids="$pids $!"
  done
  LAB_PIDS="$LAB_PIDS $pids"
  for h in $LAB_HOSTS $LAB_HELPERS; do
    for i in $(seq 50); do grep -q listening "$q/tcpdump-$h.err" 2>/dev/null && break; sleep 0.1; done
  done
  # listener log offsets
  for f in "$LAB_TMP"/listen/*.log; do [ -e "$f" ] && wc -c < "$f" > "$f.off"; done
  local off
  off=$(python3 "$LAB_PY" monooffset)
  lab_nstat "$q" 0
  for h in $LAB_HOSTS; do
    f="$LAB_TMP/$LAB_PHASE/xtmon-$h.txt"
    [ -e "$f" ] && wc -c < "$f" > "$q/xtmon-$h.off"
  done
  echo > "$LAB_TRACE/trace"
  echo 1 > "$LAB_TRACE/tracing_on"
  lab_x "$sender" python3 "$LAB_PY" send "$proto" "$@" > "$q/sender.json" 2> "$q/sender.err"
  sleep "$wait"
  echo 0 > "$LAB_TRACE/tracing_on"
  cat "$LAB_TRACE/trace" > "$q/trace.txt"
  sleep 0.2
  lab_nstat "$q" 1
  for i in $pids; do kill -TERM "$i" 2>/dev/null; done
  for i in $pids; do wait "$i" 2>/dev/null || true; done
  for h in $LAB_HOSTS; do
    f="$LAB_TMP/$LAB_PHASE/xtmon-$h.txt"
    [ -e "$q/xtmon-$h.off" ] || continue
    tail -c +"$(( $(cat "$q/xtmon-$h.off") + 1 ))" "$f" > "$q/xtmon-$h.txt"
    cp "$LAB_TMP/$LAB_PHASE/nft-$h.json" "$q/nft-$h.json"
  done
  for f in "$LAB_TMP"/listen/*.log; do
    [ -e "$f" ] || continue
    tail -c +"$(( $(cat "$f.off") + 1 ))" "$f" > "$q/listen-$(basename "$f" .log)"
  done
  local result
  result=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("result",""))' "$q/sender.json" 2>/dev/null)
  python3 - "$q/meta.json" "$packet" "$sender" "$proto" "$off" "$result" "$LAB_HELPERS" "$@" <<'PY'
import json, sys
out, packet, sender, proto, off, result, helpers = sys.argv[1:8]
json.dump({"packet": packet, "sender": sender, "proto": proto, "monooffset": off, "result": result,
           "helpers": helpers.split(), "args": sys.argv[8:]}, open(out, "w"))
PY
  python3 "$LAB_PY" analyse "$q" > "$q/result.json" || lab_die "analyse $q"
  lab_log "query $LAB_QN: $packet"
  python3 - "$q/result.json" <<'PY' >&2
import json, sys
r = json.load(open(sys.argv[1]))
print("    sender: %s" % r["sender"]["result"])
for d in r["drops"]: print("    drop: %s %s at %s  [%s]" % (d["host"], d["reason"], d["location"], d.get("summary", d["via"])))
for d in r["delivered"]: print("    delivered: %s %s" % (d["host"], d.get("socket", "")))
for a in r["answers"]: print("    answer: %s" % a)
PY
}

# lab_finish: after the phase's queries, record counters/conntrack and write kernel/PHASE.json + queries file
lab_finish() {
  local fin="$LAB_TMP/$LAB_PHASE/final" h qfile
  lab_monitors_stop
  mkdir -p "$fin" "$LAB_SCEN/kernel"
  for h in $LAB_HOSTS; do
    lab_x "$h" iptables-save -c > "$fin/iptables-save-$h" 2>/dev/null
    lab_x "$h" conntrack -L > "$fin/conntrack-$h" 2>/dev/null
  done
  if [ "$LAB_PHASE" = world ]; then qfile="$LAB_SCEN/queries"; else qfile="$LAB_SCEN/queries-${LAB_PHASE#world-}"; fi
  python3 "$LAB_PY" finish "$LAB_SCEN/kernel/$LAB_PHASE.json" "$qfile" "$LAB_TMP/$LAB_PHASE"/q* \
    || lab_die "finish $LAB_PHASE"
  lab_log "wrote $LAB_SCEN/kernel/$LAB_PHASE.json and $qfile"
}
