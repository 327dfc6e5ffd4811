#!/usr/bin/env bash
# verify test world: a router whose uplink has no link in the topology (the outside world is a helper
# namespace, lab_outside), published ports DNATed to a server, a listener on the router itself, an INPUT
# chain with a user chain, MASQUERADE out of the uplink. The packets arrive from outside (crafted frames sent
# on the helper's side of the uplink) and leave toward it. Run as root: bash build.sh   (namespaces nfvo-*,
# removed on exit). Writes world/, queries and kernel/world.json.
#   outside (helper) -- (eth0 198.51.100.1) r (eth1 10.0.2.1) -- srv 10.0.2.2
set -euo pipefail
. "$(dirname "$0")/../../../scripts/lab/lab.sh"
lab_init nfvo

lab_host r
lab_host srv
lab_veth r eth1 02:00:0a:00:02:01  srv eth0 02:00:0a:00:02:02
lab_outside r eth0 02:00:c6:33:64:01
lab_addr r eth0 198.51.100.1/24
lab_addr r eth1 10.0.2.1/24
lab_addr srv eth0 10.0.2.2/24
lab_route r default via 198.51.100.254
lab_route srv default via 10.0.2.1
lab_sysctl r net.ipv4.ip_forward=1

lab_iptables r <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 198.51.100.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80
-A PREROUTING -d 198.51.100.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.0.2.2:53
-A POSTROUTING -s 10.0.2.0/24 -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:IN-UPLINK - [0:0]
-A INPUT -i eth0 -j IN-UPLINK
-A IN-UPLINK -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A IN-UPLINK -p tcp -m tcp --dport 23 -j DROP
-A IN-UPLINK -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -o eth1 -m conntrack --ctstate DNAT -j ACCEPT
-A FORWARD -i eth1 -o eth0 -j ACCEPT
COMMIT
RULES

lab_listen r tcp 0.0.0.0 22
lab_listen srv tcp 0.0.0.0 80
lab_listen srv udp 0.0.0.0 53

lab_phase world
OUT="x-r-eth0 l2 outside 02:5e:ff:ff:ff:01 02:00:c6:33:64:01"
lab_query -c "a published TCP port: DNAT to the server, whose SYN/ACK leaves by the uplink" \
  "arrive r:eth0 tcp 203.0.113.5:40000 > 198.51.100.1:8080 flags S" $OUT ttl=64,tos=0,df=1,flags=S tcp 203.0.113.5 40000 198.51.100.1 8080
lab_query -c "ssh on the router itself" \
  "arrive r:eth0 tcp 203.0.113.5:40001 > 198.51.100.1:22 flags S" $OUT ttl=64,tos=0,df=1,flags=S tcp 203.0.113.5 40001 198.51.100.1 22
lab_query -c "telnet is dropped in the user chain" \
  "arrive r:eth0 tcp 203.0.113.5:40002 > 198.51.100.1:23 flags S" $OUT ttl=64,tos=0,df=1,flags=S tcp 203.0.113.5 40002 198.51.100.1 23
lab_query -c "a published UDP port: DNAT to the server's DNS" \
  "arrive r:eth0 udp 203.0.113.5:5000 > 198.51.100.1:5353 len 39" $OUT ttl=64,tos=0,df=0,len=39 udp 203.0.113.5 5000 198.51.100.1 5353
lab_query -c "nothing listens: ICMP port unreachable goes back out of the uplink" \
  "arrive r:eth0 udp 203.0.113.5:5001 > 198.51.100.1:9999 len 39" $OUT ttl=64,tos=0,df=0,len=39 udp 203.0.113.5 5001 198.51.100.1 9999
lab_query -c "the server talks to the outside: masqueraded" \
  -e "expect forwarded host=r" "local srv udp 10.0.2.2:5002 > 203.0.113.7:53 len 39" srv udp 10.0.2.2 5002 203.0.113.7 53
lab_finish
