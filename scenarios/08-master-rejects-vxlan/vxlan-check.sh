#!/usr/bin/env bash
# Cross-check of scenario 08 with real VXLAN devices (flannel.1 as flanneld configures it: VNI 1,
# dstport 8472, nolearning, static fdb + neighbour entries), not part of the world/ captures.
# The master pings the node's flannel.1 address 10.244.1.0 through the tunnel, before and after the fix.
# Writes kernel/vxlan-check.txt (tcpdump of the master's eth0, counters, conntrack).
# Namespaces nfs08v-*; removed on exit. Run as root: bash vxlan-check.sh
set -euo pipefail
cd "$(dirname "$0")"
M=nfs08v-master N=nfs08v-node
OUT=kernel/vxlan-check.txt
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; ip netns del $M 2>/dev/null || true; ip netns del $N 2>/dev/null || true; }
trap cleanup EXIT
ip netns del $M 2>/dev/null || true; ip netns del $N 2>/dev/null || true
ip netns add $M; ip netns add $N
ip -n $M link set lo up; ip -n $N link set lo up
ip -n $M link add eth0 address 52:54:00:7a:0c:0a type veth peer name eth0 netns $N address 52:54:00:7a:0c:0b
ip -n $M addr add 192.168.122.10/24 dev eth0; ip -n $N addr add 192.168.122.11/24 dev eth0
ip -n $M link set eth0 up; ip -n $N link set eth0 up
vx() { # NS LOCAL MAC ADDR PEERNET PEERADDR PEERMAC PEERIP
  ip -n $1 link add flannel.1 type vxlan id 1 local $2 dev eth0 dstport 8472 nolearning
  ip -n $1 link set flannel.1 address $3 mtu 1450 up
  ip -n $1 addr add $4/32 dev flannel.1
  ip -n $1 route add $5 via $6 dev flannel.1 onlink
  ip -n $1 neigh add $6 lladdr $7 dev flannel.1 nud permanent
  bridge -n $1 fdb append $7 dev flannel.1 dst $8
}
vx $M 192.168.122.10 ca:fe:00:00:00:0a 10.244.0.0 10.244.1.0/24 10.244.1.0 ca:fe:00:00:00:0b 192.168.122.11
vx $N 192.168.122.11 ca:fe:00:00:00:0b 10.244.1.0 10.244.0.0/24 10.244.0.0 ca:fe:00:00:00:0a 192.168.122.10
rules() {
cat <<RULES
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
$1
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
RULES
}
run() { # TITLE
  local cap=$(mktemp)
  ip netns exec $M tcpdump -i eth0 -n -l udp or icmp > "$cap" 2>/dev/null &
  local tp=$!; PIDS="$PIDS $tp"; sleep 1
  { echo "## $1"; echo "\$ echo request 10.244.0.0 > 10.244.1.0 id $2 (scripts/lab/lab.py send icmp, in $M)"
    ip netns exec $M python3 ../../scripts/lab/lab.py send icmp 10.244.0.0 10.244.1.0 $2 1 2>&1 || true; } >> $OUT
  sleep 0.5; kill $tp; wait $tp 2>/dev/null || true
  { echo "--- tcpdump -i eth0 on the master"; sed 's/^[0-9:.]* //' "$cap"
    echo "--- iptables-save -c (master, filter INPUT)"; ip netns exec $M iptables-save -c | grep -- '-A INPUT'
    echo "--- conntrack -L (master)"; ip netns exec $M conntrack -L 2>/dev/null; echo; } >> $OUT
  rm -f "$cap"
}
: > $OUT
echo "# vxlan-check.sh on $(uname -r), $(iptables -V)" >> $OUT
rules "" | ip netns exec $M iptables-restore
run "world: the RHEL ruleset on the master" 811
ip netns exec $M conntrack -F >/dev/null 2>&1 || true
rules "-A INPUT -p udp -m udp --dport 8472 -j ACCEPT" | ip netns exec $M iptables-restore
run "world-fixed: 8472 accepted before the REJECT" 812
cat $OUT
