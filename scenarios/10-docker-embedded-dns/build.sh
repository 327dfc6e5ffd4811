#!/usr/bin/env bash
# Scenario 10: Docker's embedded DNS (127.0.0.11) fails in a container on a user-defined network.
# docker-host: eth0 192.168.29.10/24, br-3f6a9c2b1d07 172.18.0.1/16 (user-defined network), docker0
# 172.17.0.1/16 (no containers); a managed FORWARD rule rejecting UDP 53 sits above Docker's rules.
# ctr 172.18.0.2 (resolv.conf: nameserver 127.0.0.11) with the nat rules dockerd's resolver writes into
# the container's namespace; "dockerd" = UDP 127.0.0.11:41287 and TCP 127.0.0.11:37711 listeners inside
# that namespace (bound directly: 127.0.0.11 is covered by the local route 127.0.0.0/8 on lo, Docker
# adds no address). dns = the upstream resolver 192.168.29.2 from the host's /etc/resolv.conf.
# Namespaces nfs10-*. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs10
. "$(dirname "$0")/../09-udp-reply-wrong-source/lib.sh"

BR=br-3f6a9c2b1d07
lab_host docker-host
lab_host ctr
lab_host dns

lab_veth dns eth0 52:54:00:1d:29:02  docker-host eth0 52:54:00:1d:29:0a
lab_addr docker-host eth0 192.168.29.10/24
lab_addr dns eth0 192.168.29.2/24
lab_bridge docker-host docker0 02:42:c4:19:8e:01
lab_addr docker-host docker0 172.17.0.1/16
lab_bridge docker-host $BR 02:42:5a:0b:3f:01
lab_addr docker-host $BR 172.18.0.1/16
lab_veth ctr eth0 02:42:ac:12:00:02  docker-host veth7b2e91c 86:4d:1a:e2:30:5f
lab_port docker-host $BR veth7b2e91c
lab_addr ctr eth0 172.18.0.2/16
lab_route ctr default via 172.18.0.1
lab_sysctl docker-host net.ipv4.ip_forward=1

host_rules() { # FIX-RULE
cat <<RULES
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.18.0.0/16 ! -o $BR -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i $BR -j RETURN
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
$1
-A FORWARD -p udp -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o $BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o $BR -j DOCKER
-A FORWARD -i $BR ! -o $BR -j ACCEPT
-A FORWARD -i $BR -o $BR -j ACCEPT
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i $BR ! -o $BR -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o $BR -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES
}
host_rules "" | lab_iptables docker-host

# what libnetwork's resolver (resolver_unix.go setupIPTable) writes into the container's namespace
lab_iptables ctr <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER_OUTPUT - [0:0]
:DOCKER_POSTROUTING - [0:0]
-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT
-A POSTROUTING -d 127.0.0.11/32 -j DOCKER_POSTROUTING
-A DOCKER_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 127.0.0.11:37711
-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41287
-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p tcp -m tcp --sport 37711 -j SNAT --to-source :53
-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p udp -m udp --sport 41287 -j SNAT --to-source :53
COMMIT
RULES

# dockerd's resolver sockets inside the container namespace, the application's resolver socket,
# dockerd's upstream socket (also in the container namespace), the upstream DNS server
lab_listen ctr udp 127.0.0.11 41287
lab_listen ctr tcp 127.0.0.11 37711
lab_listen ctr udp 0.0.0.0 45000
lab_listen ctr udp 0.0.0.0 50123
lab_listen dns udp 0.0.0.0 53

queries() { # EXPECT-UPSTREAM [EXPECT-UPSTREAM-ANSWER]
  lab_query -c "the application's query to the embedded DNS: nat OUTPUT DNATs 127.0.0.11:53 to dockerd's 127.0.0.11:41287" \
    "local ctr udp 0.0.0.0:45000 > 127.0.0.11:53" ctr udp 0.0.0.0 45000 127.0.0.11 53
  lab_query -c "dockerd answers from 127.0.0.11:41287; conntrack undoes the DNAT (source becomes 127.0.0.11:53)" \
    "local ctr udp 127.0.0.11:41287 > 127.0.0.1:45000" ctr udp 127.0.0.11 41287 127.0.0.1 45000
  lab_query -c "DNS over TCP to the embedded DNS (DNAT to 127.0.0.11:37711)" \
    "local ctr tcp 0.0.0.0:45001 > 127.0.0.11:53 flags S" ctr tcp 0.0.0.0 45001 127.0.0.11 53
  lab_query -c "dockerd forwards the query upstream from inside the container namespace (source 172.18.0.2): it crosses the host's FORWARD" \
    ${1:+-e "$1"} \
    "local ctr udp 0.0.0.0:50123 > 192.168.29.2:53" ctr udp 0.0.0.0 50123 192.168.29.2 53
  lab_query ${2:+-e "$2"} -c "the upstream server's answer to the host's masqueraded address" \
    "local dns udp 192.168.29.2:53 > 192.168.29.10:50123" dns udp 192.168.29.2 53 192.168.29.10 50123
}

lab_phase world
queries "expect rejected reason=NETFILTER_DROP at=nft_do_chain host=docker-host answer=icmp 172.18.0.1 > 172.18.0.2 type 3 code 3" \
  "expect dropped reason=NO_SOCKET at=__udp4_lib_rcv host=docker-host answer=icmp 192.168.29.10 > 192.168.29.2 type 3 code 3"
lab_finish

# the fix: let the containers' DNS to the upstream resolver through, above the managed REJECT
lab_reset
host_rules "-A FORWARD -s 172.18.0.0/16 -d 192.168.29.2/32 -p udp -m udp --dport 53 -j ACCEPT" | lab_iptables docker-host
lab_phase world-fixed
queries ""
lab_finish
