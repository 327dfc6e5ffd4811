#!/usr/bin/env bash
# Scenario 04: pods reach the remote node's docker0 address but not its pods: a security tool reset
# net.ipv4.ip_forward=0 on node2. Plain routed pod networks (flannel host-gw style, no VXLAN):
#   pod1 10.244.1.2 -- node1 (docker0 10.244.1.1/24, eth0 192.168.50.11) -- node2 (eth0 192.168.50.12,
#   docker0 10.244.2.1/24) -- pod2 10.244.2.2; each node routes the other's pod subnet via its address.
# Run as root: bash build.sh   (namespaces nfs04-*, removed on exit)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs04

lab_host pod1
lab_host node1
lab_host node2
lab_host pod2

lab_veth node1 eth0 02:00:c0:a8:32:0b  node2 eth0 02:00:c0:a8:32:0c
lab_addr node1 eth0 192.168.50.11/24
lab_addr node2 eth0 192.168.50.12/24

lab_bridge node1 docker0 02:42:0a:f4:01:01
lab_addr node1 docker0 10.244.1.1/24
lab_veth pod1 eth0 02:42:0a:f4:01:02  node1 veth5d1e0a2 ce:11:5d:1e:0a:02
lab_port node1 docker0 veth5d1e0a2
lab_addr pod1 eth0 10.244.1.2/24
lab_route pod1 default via 10.244.1.1

lab_bridge node2 docker0 02:42:0a:f4:02:01
lab_addr node2 docker0 10.244.2.1/24
lab_veth pod2 eth0 02:42:0a:f4:02:02  node2 veth9a7b3c4 ce:22:9a:7b:3c:02
lab_port node2 docker0 veth9a7b3c4
lab_addr pod2 eth0 10.244.2.2/24
lab_route pod2 default via 10.244.2.1

lab_route node1 10.244.2.0/24 via 192.168.50.12 dev eth0
lab_route node2 10.244.1.0/24 via 192.168.50.11 dev eth0

lab_sysctl node1 net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
# the incident: the hardening tool wrote ip_forward=0 on node2
lab_sysctl node2 net.ipv4.ip_forward=0 net.bridge.bridge-nf-call-iptables=1

# both nodes: Docker (bip = the node's flannel subnet, --ip-masq=false) + flanneld's rules
for node in node1 node2; do
  sub=10.244.1.0/24; [ $node = node2 ] && sub=10.244.2.0/24
  lab_iptables $node <<RULES
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A DOCKER -i docker0 -j RETURN
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s $sub -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d $sub -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d $sub -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
:FLANNEL-FWD - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
COMMIT
RULES
done

lab_listen pod2 tcp 10.244.2.2 8080

queries() {
  lab_query -c "pod1 pings node2's docker0 address: local delivery on node2, no forwarding needed there" \
    "local pod1 icmp 10.244.1.2 > 10.244.2.1 type echo-request id 4001 seq 1" pod1 icmp 10.244.1.2 10.244.2.1 4001 1
  lab_query -c "pod1 pings pod2: node2 must forward from eth0 to docker0" \
    "local pod1 icmp 10.244.1.2 > 10.244.2.2 type echo-request id 4002 seq 1" pod1 icmp 10.244.1.2 10.244.2.2 4002 1
  lab_query -c "pod1 connects to the service in pod2" \
    "local pod1 tcp 10.244.1.2:45000 > 10.244.2.2:8080 flags S" pod1 tcp 10.244.1.2 45000 10.244.2.2 8080
}

lab_phase world
queries
lab_finish

# the fix: forwarding back on (and persisted in /etc/sysctl.d so the tool does not undo it)
lab_reset
lab_sysctl node2 net.ipv4.ip_forward=1
lab_phase world-fixed
queries
lab_finish
