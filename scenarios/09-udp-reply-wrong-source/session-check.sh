#!/usr/bin/env bash
# End-to-end cross-check of scenario 09 (not part of the world/ captures): the same three hosts, a
# real request/response server (session.py server any|bound|pktinfo) and nc-like connected clients.
# Writes kernel/session-check.txt: what each client got, tcpdump on the host, UdpNoPorts in ctr,
# conntrack on the host. Namespaces nfs09s-*; removed on exit. Run as root: bash session-check.sh
set -euo pipefail
cd "$(dirname "$0")"
H=nfs09s-docker-host C=nfs09s-ctr P=nfs09s-peer
OUT=kernel/session-check.txt
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; for n in $H $C $P; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in $H $C $P; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
ip -n $P link add eth0 address 52:54:00:10:0d:14 type veth peer name eth0 netns $H address 52:54:00:10:0d:0d
ip -n $H addr add 172.16.13.13/24 dev eth0; ip -n $P addr add 172.16.13.20/24 dev eth0
ip -n $H link add docker0 address 02:42:9b:3e:77:01 type bridge
ip -n $H addr add 172.17.0.1/16 dev docker0
ip -n $C link add eth0 address 02:42:ac:11:00:03 type veth peer name veth1e0c9d4 netns $H address 2a:f1:6c:08:93:5e
ip -n $H link set veth1e0c9d4 master docker0
ip -n $C addr add 172.17.0.3/16 dev eth0
for x in "$H eth0" "$H docker0" "$H veth1e0c9d4" "$C eth0" "$P eth0"; do set -- $x; ip -n $1 link set $2 up; done
ip -n $C route add default via 172.17.0.1
ip netns exec $H sysctl -qw net.ipv4.ip_forward=1
# stateful rule so that conntrack is active on the host (Docker's ruleset has one)
ip netns exec $H iptables -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
: > $OUT
echo "# session-check.sh on $(uname -r)" >> $OUT
for mode in any bound pktinfo; do
  ip netns exec $H conntrack -F >/dev/null 2>&1 || true
  ip netns exec $H python3 session.py server $mode > /tmp/nfs09s-server.$$ 2>&1 &
  sp=$!; PIDS="$PIDS $sp"; sleep 0.5
  ip netns exec $H tcpdump -i any -n -l udp or icmp > /tmp/nfs09s-cap.$$ 2>/dev/null &
  tp=$!; PIDS="$PIDS $tp"; sleep 1
  before=$(ip netns exec $C nstat -az UdpNoPorts | awk '/UdpNoPorts/{print $2}')
  c1=$(ip netns exec $C python3 session.py client 172.16.13.13 56789 38908)
  c2=$(ip netns exec $P python3 session.py client 172.16.13.13 56789 41000)
  after=$(ip netns exec $C nstat -az UdpNoPorts | awk '/UdpNoPorts/{print $2}')
  sleep 0.3; kill $tp $sp; wait $tp $sp 2>/dev/null || true
  { echo; echo "## server mode: $mode"; cat /tmp/nfs09s-server.$$; echo "$c1"; echo "$c2"
    echo "ctr UdpNoPorts: $before -> $after"
    echo "--- tcpdump -i any on docker-host"; sed 's/^[0-9:.]* //' /tmp/nfs09s-cap.$$
    echo "--- conntrack -L on docker-host"; ip netns exec $H conntrack -L 2>/dev/null; } >> $OUT
  rm -f /tmp/nfs09s-server.$$ /tmp/nfs09s-cap.$$
done
cat $OUT
