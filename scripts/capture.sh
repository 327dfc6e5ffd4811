#!/bin/sh
# capture.sh - record a host's packet-path state for nfsim (read-only; POSIX sh, tested with dash).
#
# Copy this file to the host you want to analyse and run it as root (no Node needed there):
#
#   sh capture.sh > host.bundle                 # this host, one bundle on stdout
#   sh capture.sh --netns web --netns db        # two network namespaces, one bundle
#   sh capture.sh --all-netns                   # every namespace listed by `ip netns list`
#   sh capture.sh --netns nfs01-ctr --name ctr --dir world
#                                               # world layout: world/ctr/<kind> files
#
# Options (stable interface, reused by scripts/lab/lab.sh and every scenarios/*/build.sh):
#   --netns NAME   capture network namespace NAME via `ip netns exec NAME ...` (repeatable);
#                  the host is called NAME.
#   --all-netns    capture every namespace in `ip netns list` (not the calling namespace).
#   --name HOST    name of the captured host when exactly one host is captured
#                  (default: `hostname` without --netns, NAME with --netns NAME).
#   --dir OUT      instead of a bundle on stdout write the world layout (docs/world-layout.md):
#                  OUT/HOST/<kind>, one file per section kind; OUT may already hold other hosts
#                  (only the captured host's folder is rewritten). Absent tools produce no file.
#   -h, --help     this text.
#
# Bundle format (docs/world-layout.md):
#   #nfsim-bundle v1
#   #nfsim-host NAME
#   #nfsim-section KIND exit=N cmd=COMMAND     (or: #nfsim-section KIND absent cmd=COMMAND)
#   ...command output (stdout only; a line that would start with "#nfsim-" is written as "# nfsim-")...
#
# Sections (KIND = command): ip-link = ip -d link show; ip-addr = ip addr show;
#   ip-route = ip route show table all; ip6-route = ip -6 route show table all;
#   ip-rule = ip rule show; ip6-rule = ip -6 rule show; sysctl = sysctl -a (stderr dropped);
#   iptables-save = iptables-save -c; ip6tables-save = ip6tables-save -c; ss = ss -ltnupa;
#   conntrack = conntrack -L; ipset = ipset save.
# Only read-only commands are run. stderr of the commands is dropped. A tool that is not installed
# never makes the script fail: its section is recorded `absent` with the shell's message.
# Exit status: 0 on success, 2 on a usage error.

set -u

usage() { sed -n '2,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; }

NETNS_LIST=""
ALL_NETNS=0
NAME=""
OUTDIR=""
NL='
'

while [ $# -gt 0 ]; do
  case "$1" in
    --netns) [ $# -ge 2 ] || { echo "capture.sh: --netns needs a name" >&2; exit 2; }
             NETNS_LIST="$NETNS_LIST$2$NL"; shift 2 ;;
    --netns=*) NETNS_LIST="$NETNS_LIST${1#--netns=}$NL"; shift ;;
    --all-netns) ALL_NETNS=1; shift ;;
    --name) [ $# -ge 2 ] || { echo "capture.sh: --name needs a value" >&2; exit 2; }
            NAME="$2"; shift 2 ;;
    --name=*) NAME="${1#--name=}"; shift ;;
    --dir) [ $# -ge 2 ] || { echo "capture.sh: --dir needs a directory" >&2; exit 2; }
           OUTDIR="$2"; shift 2 ;;
    --dir=*) OUTDIR="${1#--dir=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "capture.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$ALL_NETNS" = 1 ]; then
  if ! command -v ip >/dev/null 2>&1; then
    echo "capture.sh: --all-netns needs the ip command" >&2; exit 2
  fi
  NETNS_LIST="$NETNS_LIST$(ip netns list 2>/dev/null | awk '{print $1}')$NL"
fi

# count hosts
NHOSTS=0
if [ -n "$(printf '%s' "$NETNS_LIST" | tr -d '\n')" ]; then
  NHOSTS=$(printf '%s' "$NETNS_LIST" | awk 'NF{n++} END{print n+0}')
else
  NHOSTS=1
fi
if [ -n "$NAME" ] && [ "$NHOSTS" -ne 1 ]; then
  echo "capture.sh: --name renames a single host, but $NHOSTS hosts are captured" >&2; exit 2
fi
if [ "$ALL_NETNS" = 1 ] && [ "$NHOSTS" -eq 1 ] && [ -z "$(printf '%s' "$NETNS_LIST" | tr -d '\n')" ]; then
  echo "capture.sh: --all-netns: no namespaces found" >&2; exit 2
fi

TMP=$(mktemp "${TMPDIR:-/tmp}/nfsim-capture.XXXXXX") || { echo "capture.sh: mktemp failed" >&2; exit 1; }
trap 'rm -f "$TMP"' EXIT
trap 'exit 1' INT TERM HUP

# emit LINE... : bundle output goes to stdout, or nowhere in --dir mode
emit() { [ -n "$OUTDIR" ] || printf '%s\n' "$1"; }

# section KIND NS COMMAND...   (NS empty = the current namespace)
section() {
  kind=$1; ns=$2; shift 2
  cmd="$*"
  tool=$1
  if ! command -v "$tool" >/dev/null 2>&1 || { [ -n "$ns" ] && ! command -v ip >/dev/null 2>&1; }; then
    if ! command -v "$tool" >/dev/null 2>&1; then msg="$tool: command not found"; else msg="ip: command not found"; fi
    if [ -n "$OUTDIR" ]; then
      echo "capture.sh: $HOSTNAME_: $kind absent ($msg)" >&2
    else
      emit "#nfsim-section $kind absent cmd=$cmd"
      emit "$msg"
    fi
    return 0
  fi
  if [ -n "$ns" ]; then
    ip netns exec "$ns" "$@" >"$TMP" 2>/dev/null
  else
    "$@" >"$TMP" 2>/dev/null
  fi
  rc=$?
  if [ -n "$OUTDIR" ]; then
    cp "$TMP" "$OUTDIR/$HOSTNAME_/$kind"
    [ "$rc" -eq 0 ] || echo "capture.sh: $HOSTNAME_: $kind: '$cmd' exited $rc" >&2
  else
    emit "#nfsim-section $kind exit=$rc cmd=$cmd"
    # every line newline-terminated; never let output forge a marker line
    awk '{ if (substr($0, 1, 7) == "#nfsim-") $0 = "# " substr($0, 2); print }' "$TMP"
  fi
}

KINDS="ip-link ip-addr ip-route ip6-route ip-rule ip6-rule sysctl iptables-save ip6tables-save ss conntrack ipset"

capture_host() {
  ns=$1
  HOSTNAME_=$2
  if [ -n "$OUTDIR" ]; then
    mkdir -p "$OUTDIR/$HOSTNAME_" || { echo "capture.sh: cannot create $OUTDIR/$HOSTNAME_" >&2; exit 1; }
    for k in $KINDS; do rm -f "$OUTDIR/$HOSTNAME_/$k"; done
  fi
  emit "#nfsim-host $HOSTNAME_"
  section ip-link "$ns" ip -d link show
  section ip-addr "$ns" ip addr show
  section ip-route "$ns" ip route show table all
  section ip6-route "$ns" ip -6 route show table all
  section ip-rule "$ns" ip rule show
  section ip6-rule "$ns" ip -6 rule show
  section sysctl "$ns" sysctl -a
  section iptables-save "$ns" iptables-save -c
  section ip6tables-save "$ns" ip6tables-save -c
  section ss "$ns" ss -ltnupa
  section conntrack "$ns" conntrack -L
  section ipset "$ns" ipset save
}

if [ -n "$OUTDIR" ]; then
  mkdir -p "$OUTDIR" || { echo "capture.sh: cannot create $OUTDIR" >&2; exit 1; }
fi

emit "#nfsim-bundle v1"
if [ -z "$(printf '%s' "$NETNS_LIST" | tr -d '\n')" ]; then
  h=$NAME
  if [ -z "$h" ]; then
    h=$(hostname 2>/dev/null || uname -n 2>/dev/null || cat /proc/sys/kernel/hostname 2>/dev/null)
    [ -n "$h" ] || h=localhost
  fi
  capture_host "" "$h"
else
  # iterate over the newline-separated list without word splitting on spaces
  printf '%s' "$NETNS_LIST" | awk 'NF' >"$TMP.list"
  while IFS= read -r ns <&3; do
    [ -n "$ns" ] || continue
    if [ -n "$NAME" ]; then h=$NAME; else h=$ns; fi
    capture_host "$ns" "$h"
  done 3<"$TMP.list"
  rm -f "$TMP.list"
fi
exit 0
