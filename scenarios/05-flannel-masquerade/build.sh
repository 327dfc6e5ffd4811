#!/usr/bin/env bash
# Scenario 05: Docker's "-A POSTROUTING -s 10.1.15.0/24 ! -o docker0 -j MASQUERADE" on a flannel node
# masquerades pod-to-pod traffic leaving through flannel0. flannel0 (a TUN device in flannel's UDP
# backend) is modelled as a veth pair between the nodes carrying the overlay routes; proxy_arp on both
# ends stands in for the TUN device having no ARP.
#   pod1 10.1.15.2 -- node1 (docker0 10.1.15.1/24, flannel0 10.1.15.0/16) == node2 (flannel0
#   10.1.20.0/16, docker0 10.1.20.1/24) -- pod2 10.1.20.2
# Run as root: bash build.sh   (namespaces nfs05-*, removed on exit)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs05

lab_host pod1
lab_host node1
lab_host node2
lab_host pod2

lab_veth node1 flannel0 02:00:0a:01:0f:00  node2 flannel0 02:00:0a:01:14:00
lab_addr node1 flannel0 10.1.15.0/16
lab_addr node2 flannel0 10.1.20.0/16

lab_bridge node1 docker0 02:42:0a:01:0f:01
lab_addr node1 docker0 10.1.15.1/24
lab_veth pod1 eth0 02:42:0a:01:0f:02  node1 veth2e4f6a8 ce:15:2e:4f:6a:08
lab_port node1 docker0 veth2e4f6a8
lab_addr pod1 eth0 10.1.15.2/24
lab_route pod1 default via 10.1.15.1

lab_bridge node2 docker0 02:42:0a:01:14:01
lab_addr node2 docker0 10.1.20.1/24
lab_veth pod2 eth0 02:42:0a:01:14:02  node2 veth7b9d1f3 ce:20:7b:9d:1f:03
lab_port node2 docker0 veth7b9d1f3
lab_addr pod2 eth0 10.1.20.2/24
lab_route pod2 default via 10.1.20.1

for node in node1 node2; do
  lab_sysctl $node net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.ipv4.conf.flannel0.proxy_arp=1
done

# Docker with bip from flannel's subnet.env and the default --ip-masq=true, plus flanneld's FORWARD rules
for node in node1 node2; do
  sub=10.1.15.0/24; [ $node = node2 ] && sub=10.1.20.0/24
  lab_iptables $node <<RULES
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s $sub ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A FORWARD -s 10.1.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FORWARD -d 10.1.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES
done

lab_listen pod2 tcp 10.1.20.2 8080

queries() {
  lab_query -c "pod1 connects to pod2's service; the listener logs the peer address it sees" \
    "local pod1 tcp 10.1.15.2:43000 > 10.1.20.2:8080 flags S" pod1 tcp 10.1.15.2 43000 10.1.20.2 8080
  lab_query -c "pod1 pings pod2 (look at the source address seen on node2:flannel0 and pod2:eth0)" \
    "local pod1 icmp 10.1.15.2 > 10.1.20.2 type echo-request id 5001 seq 1" pod1 icmp 10.1.15.2 10.1.20.2 5001 1
}

lab_phase world
queries
lab_finish

# the fix: keep Docker's masquerade for traffic leaving the overlay only
lab_reset
lab_x node1 iptables -t nat -R POSTROUTING 1 -s 10.1.15.0/24 ! -d 10.1.0.0/16 ! -o docker0 -j MASQUERADE
lab_x node2 iptables -t nat -R POSTROUTING 1 -s 10.1.20.0/24 ! -d 10.1.0.0/16 ! -o docker0 -j MASQUERADE
lab_phase world-fixed
queries
lab_finish
