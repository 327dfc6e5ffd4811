#!/usr/bin/env bash
# Scenario 03: no return route. source (192.144.52.10) -- gw (.253 on both subnets) -- target
# (eth1 192.144.152.20). target's default route points to its management network (eth0, mgmt-gw
# 10.0.0.1) and it lacks "192.144.52.0/24 via 192.144.152.253 dev eth1".
# Run as root: bash build.sh   (namespaces nfs03-*, removed on exit)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs03

lab_host source
lab_host gw
lab_host target
lab_host mgmt-gw

lab_veth source eth0 02:00:c0:90:34:0a  gw eth0 02:00:c0:90:34:fd
lab_veth target eth1 02:00:c0:90:98:14  gw eth1 02:00:c0:90:98:fd
lab_veth target eth0 02:00:0a:00:00:14  mgmt-gw eth0 02:00:0a:00:00:01
lab_addr source eth0 192.144.52.10/24
lab_addr gw eth0 192.144.52.253/24
lab_addr gw eth1 192.144.152.253/24
lab_addr target eth1 192.144.152.20/24
lab_addr target eth0 10.0.0.20/24
lab_addr mgmt-gw eth0 10.0.0.1/24
lab_route source default via 192.144.52.253
lab_route target default via 10.0.0.1
lab_sysctl gw net.ipv4.ip_forward=1
lab_sysctl mgmt-gw net.ipv4.ip_forward=1

# a service on the target
lab_listen target tcp 0.0.0.0 22

lab_phase world
lab_query -c "ping from the source subnet: the request reaches the target" \
  "local source icmp 192.144.52.10 > 192.144.152.20 type echo-request id 3001 seq 1" source icmp 192.144.52.10 192.144.152.20 3001 1
lab_query -c "the target's echo reply follows its default route (eth0 -> mgmt-gw), which has no route to 192.144.52.0/24" \
  "local target icmp 192.144.152.20 > 192.144.52.10 type echo-reply id 3001 seq 1" target icmp 192.144.152.20 192.144.52.10 3001 1 0
lab_query -c "ssh from the source: the SYN is delivered, the SYN/ACK is lost the same way" \
  "local source tcp 192.144.52.10:50022 > 192.144.152.20:22 flags S" source tcp 192.144.52.10 50022 192.144.152.20 22
lab_finish

# the fix: the missing return route
lab_reset
lab_route target 192.144.52.0/24 via 192.144.152.253 dev eth1
lab_phase world-fixed
lab_query -c "ping from the source subnet" \
  "local source icmp 192.144.52.10 > 192.144.152.20 type echo-request id 3001 seq 1" source icmp 192.144.52.10 192.144.152.20 3001 1
lab_query -c "the echo reply now leaves through eth1 via 192.144.152.253 and reaches source; sent on its own, no ping socket waits for it there, so ping_rcv frees it (NO_SOCKET): it arrived." \
  "local target icmp 192.144.152.20 > 192.144.52.10 type echo-reply id 3001 seq 1" target icmp 192.144.152.20 192.144.52.10 3001 1 0
lab_query -c "ssh from the source" \
  "local source tcp 192.144.52.10:50022 > 192.144.152.20:22 flags S" source tcp 192.144.52.10 50022 192.144.152.20 22
lab_finish
