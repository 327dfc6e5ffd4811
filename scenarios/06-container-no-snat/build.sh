#!/usr/bin/env bash
# Scenario 06: a container can ping its host but no other host on the LAN (no SNAT for 172.16.94.0/24).
# Namespaces nfs06-*: ctr -- docker-host (docker0 bridge 172.16.94.1/24, eth0 192.168.1.10/24)
# -- LAN with peer (192.168.1.20) and lan-gw (192.168.1.1, the peer's default gateway, no route to
# 172.16.94.0/24). dockerd runs with "iptables": false, so it wrote no rules at all.
# Captures world/, records kernel/world.json + queries; adds the SNAT rule, captures world-fixed/,
# records kernel/world-fixed.json + queries-fixed. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs06
# quiet-wait wrapper around lab_query (see ../09-udp-reply-wrong-source/lib.sh)
. "$(dirname "$0")/../09-udp-reply-wrong-source/lib.sh"

lab_host docker-host
lab_host ctr
lab_host peer
lab_host lan-gw

# LAN 192.168.1.0/24: a small switch (bridge "lan" inside lan-gw) joins docker-host, peer and lan-gw
lab_bridge lan-gw lan 02:00:c0:a8:01:01
lab_addr lan-gw lan 192.168.1.1/24
lab_veth docker-host eth0 52:54:00:3a:11:0a  lan-gw swp1 02:00:c0:a8:01:f1
lab_veth peer eth0 52:54:00:3a:11:14  lan-gw swp2 02:00:c0:a8:01:f2
lab_port lan-gw lan swp1
lab_port lan-gw lan swp2
lab_addr docker-host eth0 192.168.1.10/24
lab_addr peer eth0 192.168.1.20/24
lab_route docker-host default via 192.168.1.1
lab_route peer default via 192.168.1.1
# the LAN router routes between its own networks only; it has never heard of 172.16.94.0/24
lab_sysctl lan-gw net.ipv4.ip_forward=1

# docker0 (bip 172.16.94.1/24) with the container's veth
lab_bridge docker-host docker0 02:42:7b:c1:5e:01
lab_addr docker-host docker0 172.16.94.1/24
lab_veth ctr eth0 02:42:ac:10:5e:02  docker-host veth8c21f3a 9a:6e:2f:41:07:c3
lab_port docker-host docker0 veth8c21f3a
lab_addr ctr eth0 172.16.94.2/24
lab_route ctr default via 172.16.94.1

# dockerd (--iptables=false) still turns forwarding on; it adds no NAT and no filter rules
lab_sysctl docker-host net.ipv4.ip_forward=1
lab_iptables docker-host <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
RULES

# an ssh daemon on the peer (for the TCP check)
lab_listen peer tcp 0.0.0.0 22

queries() {
  lab_query -c "container pings its own gateway (docker0 address of the host)" \
    "local ctr icmp 172.16.94.2 > 172.16.94.1 type echo-request id 601 seq 1" ctr icmp 172.16.94.2 172.16.94.1 601 1
  lab_query -c "container pings the host's LAN address (weak host model: delivered locally, no forwarding)" \
    "local ctr icmp 172.16.94.2 > 192.168.1.10 type echo-request id 602 seq 1" ctr icmp 172.16.94.2 192.168.1.10 602 1
  lab_query -c "container pings another LAN host: the request is forwarded with its private source" \
    "local ctr icmp 172.16.94.2 > 192.168.1.20 type echo-request id 603 seq 1" ctr icmp 172.16.94.2 192.168.1.20 603 1
  lab_query -e "expect dropped reason=IP_INNOROUTES at=ip_error host=lan-gw answer=icmp 192.168.1.1 > 192.168.1.20 type 3 code 0" -c "the peer pings the container: traffic to 172.16.94.2 follows the peer's default route to lan-gw" \
    "local peer icmp 192.168.1.20 > 172.16.94.2 type echo-request id 604 seq 1" peer icmp 192.168.1.20 172.16.94.2 604 1
  lab_query -c "container opens ssh to the peer" \
    "local ctr tcp 172.16.94.2:40022 > 192.168.1.20:22 flags S" ctr tcp 172.16.94.2 40022 192.168.1.20 22
}

lab_phase world
queries
lab_finish

# the fix: source NAT for the container network to the host's LAN address
lab_reset
lab_x docker-host iptables -t nat -A POSTROUTING -s 172.16.94.0/24 -j SNAT --to-source 192.168.1.10
lab_phase world-fixed
queries
lab_finish
