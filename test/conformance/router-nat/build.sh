#!/usr/bin/env bash
# Engine conformance world: a router with DNAT, MASQUERADE, a FORWARD policy DROP, REJECT and no default
# route, between a client, a server and an external host. Every probe is a single packet and its answers
# (UDP, ICMP echo, a TCP SYN that is rejected), so the kernel's counters after the queries are exactly what
# nfsim must count (UDP probes carry 11 bytes: `len 39`). Run as root: bash build.sh   (namespaces nfcr-*, removed on exit)
#   client 10.0.1.2 -- (eth0 10.0.1.1) r (eth1 10.0.2.1) -- srv 10.0.2.2
#                                       r (eth2 198.51.100.1) -- ext 198.51.100.254
set -euo pipefail
. "$(dirname "$0")/../../../scripts/lab/lab.sh"
lab_init nfcr

lab_host client
lab_host r
lab_host srv
lab_host ext

lab_veth client eth0 02:00:0a:00:01:02  r eth0 02:00:0a:00:01:01
lab_veth r eth1 02:00:0a:00:02:01  srv eth0 02:00:0a:00:02:02
lab_veth r eth2 02:00:c6:33:64:01  ext eth0 02:00:c6:33:64:fe
lab_addr client eth0 10.0.1.2/24
lab_addr r eth0 10.0.1.1/24
lab_addr r eth1 10.0.2.1/24
lab_addr r eth2 198.51.100.1/24
lab_addr srv eth0 10.0.2.2/24
lab_addr ext eth0 198.51.100.254/24
lab_route client default via 10.0.1.1
lab_route srv default via 10.0.2.1
lab_sysctl r net.ipv4.ip_forward=1

lab_iptables r <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.1.1/32 -p udp -m udp --dport 8053 -j DNAT --to-destination 10.0.2.2:53
-A POSTROUTING -s 10.0.1.0/24 -o eth2 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:FWD-IN - [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -j FWD-IN
-A FWD-IN -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset
-A FWD-IN -p udp -m udp --dport 123 -j DROP
-A FWD-IN -d 10.0.2.2/32 -p udp -m multiport --dports 53,54 -j ACCEPT
-A FWD-IN -d 10.0.2.2/32 -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A FWD-IN -o eth2 -j ACCEPT
-A FWD-IN -p udp -j REJECT --reject-with icmp-host-prohibited
COMMIT
RULES

lab_listen srv udp 0.0.0.0 53
lab_listen ext udp 0.0.0.0 53

lab_phase world
lab_query -c "allowed UDP to the server" "local client udp 10.0.1.2:5000 > 10.0.2.2:53 len 39" client udp 10.0.1.2 5000 10.0.2.2 53
lab_query -c "allowed, but nothing listens: ICMP port unreachable comes back RELATED" "local client udp 10.0.1.2:5001 > 10.0.2.2:54 len 39" client udp 10.0.1.2 5001 10.0.2.2 54
lab_query -c "ping the server: the echo reply is ESTABLISHED on r" "local client icmp 10.0.1.2 > 10.0.2.2 type echo-request id 301 seq 1" client icmp 10.0.1.2 10.0.2.2 301 1
lab_query -c "ssh is rejected with a reset that impersonates the server" -e "expect rejected with=tcp-reset host=r answer=tcp 10.0.2.2:22 > 10.0.1.2:40000 flags RA" "local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags S" client tcp 10.0.1.2 40000 10.0.2.2 22
lab_query -c "DNAT of a published port" "local client udp 10.0.1.2:5002 > 10.0.1.1:8053 len 39" client udp 10.0.1.2 5002 10.0.1.1 8053
lab_query -c "MASQUERADE toward the outside" "local client udp 10.0.1.2:5003 > 198.51.100.254:53 len 39" client udp 10.0.1.2 5003 198.51.100.254 53
lab_query -c "ping the outside: masqueraded, the reply is de-NATed" "local client icmp 10.0.1.2 > 198.51.100.254 type echo-request id 302 seq 1" client icmp 10.0.1.2 198.51.100.254 302 1
lab_query -c "NTP is dropped by a rule" "local client udp 10.0.1.2:5004 > 10.0.2.2:123 len 39" client udp 10.0.1.2 5004 10.0.2.2 123
lab_query -c "other UDP to a host r has no route to: no route, ICMP net unreachable" "local client udp 10.0.1.2:5005 > 203.0.113.9:53 len 39" client udp 10.0.1.2 5005 203.0.113.9 53
lab_query -c "other UDP to the server: rejected host-prohibited" -e "expect rejected with=icmp-host-prohibited host=r answer=icmp 10.0.1.1 > 10.0.1.2 type 3 code 10" "local client udp 10.0.1.2:5006 > 10.0.2.2:99 len 39" client udp 10.0.1.2 5006 10.0.2.2 99
lab_finish
