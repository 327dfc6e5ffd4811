#!/usr/bin/env bash
# Scenario 02: someone flushed nat POSTROUTING on Docker host A; its container pings host B.
# Hosts: ctr (172.17.0.2) -- host-a (docker0 172.17.0.1/16, eth0 192.168.1.10) -- LAN switch in the
# router gw (br-lan 192.168.1.1) -- host-b (192.168.1.20, default via 192.168.1.1).
# Run as root: bash build.sh   (namespaces nfs02-*, removed on exit)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs02

lab_host ctr
lab_host host-a
lab_host gw
lab_host host-b

# LAN: the router's built-in switch br-lan with one port per host
lab_bridge gw br-lan 02:00:c0:a8:01:01
lab_addr gw br-lan 192.168.1.1/24
lab_veth host-a eth0 02:00:c0:a8:01:0a  gw lan1 02:00:c0:a8:01:f1
lab_veth host-b eth0 02:00:c0:a8:01:14  gw lan2 02:00:c0:a8:01:f2
lab_port gw br-lan lan1
lab_port gw br-lan lan2
lab_sysctl gw net.ipv4.ip_forward=1
lab_addr host-a eth0 192.168.1.10/24
lab_addr host-b eth0 192.168.1.20/24
lab_route host-a default via 192.168.1.1
lab_route host-b default via 192.168.1.1

# host-a: Docker with one container
lab_bridge host-a docker0 02:42:3b:91:d0:01
lab_addr host-a docker0 172.17.0.1/16
lab_veth ctr eth0 02:42:ac:11:00:02  host-a veth8c1d2e4 a2:5e:17:0c:9b:31
lab_port host-a docker0 veth8c1d2e4
lab_addr ctr eth0 172.17.0.2/16
lab_route ctr default via 172.17.0.1
lab_sysctl host-a net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

# Docker's rules on host-a, after `iptables -t nat -F POSTROUTING` (both MASQUERADE rules gone)
lab_iptables host-a <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
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
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES

# host-b: also a Docker host, but its daemon uses bip 172.18.0.1/16: no route to 172.17.0.0/16
lab_bridge host-b docker0 02:42:7e:20:44:01
lab_addr host-b docker0 172.18.0.1/16
lab_sysctl host-b net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
lab_iptables host-b <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.18.0.0/16 ! -o docker0 -j MASQUERADE
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
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES

lab_phase world
lab_query -c "the container pings host B (echo request leaves host-a with source 172.17.0.2)" \
  "local ctr icmp 172.17.0.2 > 192.168.1.20 type echo-request id 2001 seq 1" ctr icmp 172.17.0.2 192.168.1.20 2001 1
lab_query -c "B's echo reply to 172.17.0.2 (B has no route for it: default route to the router gw)" \
  "local host-b icmp 192.168.1.20 > 172.17.0.2 type echo-reply id 2001 seq 1" host-b icmp 192.168.1.20 172.17.0.2 2001 1 0
lab_finish

# the fix: restore Docker's POSTROUTING rules (restart dockerd, or re-add them)
lab_reset
lab_x host-a iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
lab_phase world-fixed
lab_query -c "the container pings host B (MASQUERADE: the request leaves as 192.168.1.10)" \
  "local ctr icmp 172.17.0.2 > 192.168.1.20 type echo-request id 2001 seq 1" ctr icmp 172.17.0.2 192.168.1.20 2001 1
lab_query -c "B's echo reply now goes to 192.168.1.10; host-a un-NATs it to 172.17.0.2 and forwards it to ctr. Sent on its own, no ping socket waits for it in ctr any more, so ctr's ping_rcv frees it (NO_SOCKET): it arrived." \
  "local host-b icmp 192.168.1.20 > 192.168.1.10 type echo-reply id 2001 seq 1" host-b icmp 192.168.1.20 192.168.1.10 2001 1 0
lab_finish
