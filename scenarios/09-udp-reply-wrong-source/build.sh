#!/usr/bin/env bash
# Scenario 09: "UDP works over TCP only": a 0.0.0.0-bound UDP server on a multi-homed host answers a
# container from the wrong source address.
# docker-host: eth0 172.16.13.13/24 (LAN peer 172.16.13.20), docker0 172.17.0.1/16, Docker's rules.
# ctr 172.17.0.3 runs `nc -u 172.16.13.13 56789` (connected UDP socket, source port 38908);
# peer runs `nc -u 172.16.13.13 56789` too (source port 41000).
# world: the server is bound to 0.0.0.0:56789 and answers with sendto() (routing picks the source).
# world-fixed: the server is bound to 172.16.13.13:56789.
# world-fixed-pktinfo: bound to 0.0.0.0:56789 again, answering with IP_PKTINFO (source = the request's
# destination address).
# Namespaces nfs09-*. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs09
. "$(dirname "$0")/lib.sh"

lab_host docker-host
lab_host ctr
lab_host peer

lab_veth peer eth0 52:54:00:10:0d:14  docker-host eth0 52:54:00:10:0d:0d
lab_addr docker-host eth0 172.16.13.13/24
lab_addr peer eth0 172.16.13.20/24
lab_bridge docker-host docker0 02:42:9b:3e:77:01
lab_addr docker-host docker0 172.17.0.1/16
lab_veth ctr eth0 02:42:ac:11:00:03  docker-host veth1e0c9d4 2a:f1:6c:08:93:5e
lab_port docker-host docker0 veth1e0c9d4
lab_addr ctr eth0 172.17.0.3/16
lab_route ctr default via 172.17.0.1
lab_sysctl docker-host net.ipv4.ip_forward=1

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

# the clients: nc -u 172.16.13.13 56789 (connected UDP sockets)
nfs_nc ctr 38908 172.16.13.13 56789
nfs_nc peer 41000 172.16.13.13 56789

requests() { # SERVER-SOCKET-ADDRESS
  lab_query -c "the container's nc sends a line to the host's LAN address" \
    "local ctr udp 172.17.0.3:38908 > 172.16.13.13:56789" ctr udpconn ctr:38908
  lab_query -c "the LAN peer's nc sends a line" \
    "local peer udp 172.16.13.20:41000 > 172.16.13.13:56789" peer udpconn peer:41000
}

# ---- world: server bound to 0.0.0.0:56789, replies with sendto() without choosing the source
lab_listen docker-host udp 0.0.0.0 56789
lab_phase world
requests
lab_query -c "the server's sendto() reply to the container: routing toward 172.17.0.3 (docker0) picks source 172.17.0.1" \
  -e "expect dropped reason=NO_SOCKET at=__udp4_lib_rcv host=ctr answer=icmp 172.17.0.3 > 172.17.0.1 type 3 code 3" \
  "local docker-host udp 0.0.0.0:56789 > 172.17.0.3:38908" docker-host udp 0.0.0.0 56789 172.17.0.3 38908
lab_query -c "the server's sendto() reply to the LAN peer: routing toward 172.16.13.20 (eth0) picks source 172.16.13.13" \
  "local docker-host udp 0.0.0.0:56789 > 172.16.13.20:41000" docker-host udp 0.0.0.0 56789 172.16.13.20 41000
lab_finish

# ---- world-fixed: the server binds the address its clients use
lab_reset
nfs_unlisten docker-host udp 0.0.0.0 56789
lab_listen docker-host udp 172.16.13.13 56789
lab_phase world-fixed
requests
lab_query -c "the reply to the container now leaves from 172.16.13.13:56789, the socket's own address" \
  "local docker-host udp 172.16.13.13:56789 > 172.17.0.3:38908" docker-host udp 172.16.13.13 56789 172.17.0.3 38908
lab_query -c "the reply to the LAN peer" \
  "local docker-host udp 172.16.13.13:56789 > 172.16.13.20:41000" docker-host udp 172.16.13.13 56789 172.16.13.20 41000
lab_finish

# ---- world-fixed-pktinfo: 0.0.0.0-bound again, replies carry IP_PKTINFO with the request's destination
lab_reset
nfs_unlisten docker-host udp 172.16.13.13 56789
lab_listen docker-host udp 0.0.0.0 56789
lab_phase world-fixed-pktinfo
requests
lab_query -c "sendmsg() with IP_PKTINFO ipi_spec_dst=172.16.13.13 (recvmsg told the server the request's destination)" \
  "local docker-host udp 172.16.13.13:56789 > 172.17.0.3:38908" docker-host udppktinfo 172.16.13.13 56789 172.17.0.3 38908
lab_query -c "the same for the LAN peer" \
  "local docker-host udp 172.16.13.13:56789 > 172.16.13.20:41000" docker-host udppktinfo 172.16.13.13 56789 172.16.13.20 41000
lab_finish
