#!/usr/bin/env bash
# Scenario 01: published port dead from outside, fine from the host (forwarding off).
# Builds client -- docker-host (docker0 bridge) -- ctr as namespaces nfs01-*, captures world/,
# runs the queries on the kernel (kernel/world.json, queries), enables forwarding, captures
# world-fixed/ and records kernel/world-fixed.json, queries-fixed. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs01

lab_host client
lab_host docker-host
lab_host ctr

# LAN 10.211.55.0/24
lab_veth client eth0 02:00:0a:d3:37:02  docker-host eth0 02:00:0a:d3:37:0f
lab_addr client eth0 10.211.55.2/24
lab_addr docker-host eth0 10.211.55.15/24
lab_route client default via 10.211.55.1
lab_route docker-host default via 10.211.55.1

# docker0 bridge with the container's veth as a port
lab_bridge docker-host docker0 02:42:5e:8a:1c:01
lab_addr docker-host docker0 172.17.0.1/16
lab_veth ctr eth0 02:42:ac:11:00:02  docker-host veth3f2a1b7 7a:3c:11:9e:40:b2
lab_port docker-host docker0 veth3f2a1b7
lab_addr ctr eth0 172.17.0.2/16
lab_route ctr default via 172.17.0.1

# the incident: forwarding is off (all / default / every interface)
lab_sysctl docker-host net.ipv4.ip_forward=0 net.bridge.bridge-nf-call-iptables=1

# Docker's rules (as dockerd writes them, iptables-nft)
lab_iptables docker-host <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:80
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
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES

# nginx in the container
lab_listen ctr tcp 172.17.0.2 80

queries() {
  lab_query -c "LAN client opens a connection to the published port" \
    "arrive docker-host:eth0 tcp 10.211.55.2:61471 > 10.211.55.15:80 flags S" client tcp 10.211.55.2 61471 10.211.55.15 80
  lab_query -c "curl http://10.211.55.15/ on the Docker host itself (nat OUTPUT DNAT, local output)" \
    "local docker-host tcp 0.0.0.0:40000 > 10.211.55.15:80 flags S" docker-host tcp 0.0.0.0 40000 10.211.55.15 80
  lab_query -c "the operator's check: the host itself answers ping from the LAN" \
    "arrive docker-host:eth0 icmp 10.211.55.2 > 10.211.55.15 type echo-request id 4711 seq 1" client icmp 10.211.55.2 10.211.55.15 4711 1
}

lab_phase world
queries
lab_finish

# the fix: enable forwarding (writing a changed ip_forward copies it to all interfaces)
lab_reset
lab_sysctl docker-host net.ipv4.ip_forward=1
lab_phase world-fixed
queries
lab_finish
