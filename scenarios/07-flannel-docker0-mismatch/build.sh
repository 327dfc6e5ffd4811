#!/usr/bin/env bash
# Scenario 07: after a power loss docker0 and flannel disagree.
# node-a: flannel lease 10.1.15.0/24, but docker0 came back as 10.1.20.1/24 (container ctr 10.1.20.2).
# node-b: lease 10.1.16.0/24, docker0 10.1.16.1/24, container pod-b 10.1.16.2.
# Flannel backend host-gw: each node routes the other's lease via the other's LAN address.
# Flannel (v0.10-era, --ip-masq) rules in POSTROUTING/FORWARD; dockerd --ip-masq=false.
# Captures world/ and, after docker0/containers are put back into 10.1.15.0/24, world-fixed/.
# Namespaces nfs07-*. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs07
# quiet-wait wrapper around lab_query (see ../09-udp-reply-wrong-source/lib.sh)
. "$(dirname "$0")/../09-udp-reply-wrong-source/lib.sh"

lab_host node-a
lab_host node-b
lab_host ctr
lab_host pod-b

# the node LAN 192.168.50.0/24 (one cable between the two nodes)
lab_veth node-a eth0 52:54:00:50:00:0b  node-b eth0 52:54:00:50:00:0c
lab_addr node-a eth0 192.168.50.11/24
lab_addr node-b eth0 192.168.50.12/24

# docker0 bridges and containers
lab_bridge node-a docker0 02:42:1e:0a:01:01
lab_veth ctr eth0 02:42:0a:01:14:02  node-a veth5d1c0e2 d6:21:7c:55:90:1e
lab_port node-a docker0 veth5d1c0e2
lab_bridge node-b docker0 02:42:3c:0a:01:01
lab_veth pod-b eth0 02:42:0a:01:10:02  node-b vethb7a24f1 5e:80:33:c2:4d:7a
lab_port node-b docker0 vethb7a24f1
lab_addr node-b docker0 10.1.16.1/24
lab_addr pod-b eth0 10.1.16.2/24
lab_route pod-b default via 10.1.16.1

# the incident: node-a's docker0 came back in 10.1.20.0/24, its container too
lab_addr node-a docker0 10.1.20.1/24
lab_addr ctr eth0 10.1.20.2/24
lab_route ctr default via 10.1.20.1

# flannel host-gw routes: the other node's lease via its LAN address
lab_route node-a 10.1.16.0/24 via 192.168.50.12 dev eth0
lab_route node-b 10.1.15.0/24 via 192.168.50.11 dev eth0
lab_sysctl node-a net.ipv4.ip_forward=1
lab_sysctl node-b net.ipv4.ip_forward=1

# rules: dockerd (--ip-masq=false: no MASQUERADE of its own) + flanneld --ip-masq (lease in the 3rd rule)
rules() { # LEASE
cat <<RULES
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 10.1.0.0/16 -d 10.1.0.0/16 -j RETURN
-A POSTROUTING -s 10.1.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE
-A POSTROUTING ! -s 10.1.0.0/16 -d $1 -j RETURN
-A POSTROUTING ! -s 10.1.0.0/16 -d 10.1.0.0/16 -j MASQUERADE
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
-A FORWARD -s 10.1.0.0/16 -j ACCEPT
-A FORWARD -d 10.1.0.0/16 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
RULES
}
rules 10.1.15.0/24 | lab_iptables node-a
rules 10.1.16.0/24 | lab_iptables node-b

# a UDP service in the remote container, and the container on node-a waiting for its answer
lab_listen pod-b udp 0.0.0.0 9125
lab_listen ctr udp 0.0.0.0 40007

queries() { # CTR_IP
  local c=$1
  lab_query ${E1:+-e "$E1"} -c "a container on node-b pings this node's lease 10.1.15.0/24 (where the other nodes send it)" \
    "local pod-b icmp 10.1.16.2 > 10.1.15.2 type echo-request id 701 seq 1" pod-b icmp 10.1.16.2 10.1.15.2 701 1
  lab_query -c "node-a's container pings the remote container (request and reply)" \
    "local ctr icmp $c > 10.1.16.2 type echo-request id 702 seq 1" ctr icmp $c 10.1.16.2 702 1
  lab_query -c "node-a's container pings node-b's LAN address (the operator's check)" \
    "local ctr icmp $c > 192.168.50.12 type echo-request id 703 seq 1" ctr icmp $c 192.168.50.12 703 1
  lab_query -c "node-a's container sends a UDP request to the remote container" \
    "local ctr udp $c:40007 > 10.1.16.2:9125" ctr udp $c 40007 10.1.16.2 9125
  lab_query ${E5:+-e "$E5"} -c "the remote container's UDP reply to it" \
    "local pod-b udp 10.1.16.2:9125 > $c:40007" pod-b udp 10.1.16.2 9125 $c 40007
}

E1="expect dropped reason=IP_INNOROUTES at=ip_error host=node-a answer=icmp 192.168.50.11 > 10.1.16.2 type 3 code 0"
E5="expect dropped reason=IP_INNOROUTES at=ip_error host=node-b answer=icmp 10.1.16.1 > 10.1.16.2 type 3 code 0"
lab_phase world
queries 10.1.20.2
lab_finish

# the fix: docker0 back to the flannel lease (bip from /run/flannel/subnet.env), containers recreated in it
lab_reset
ip -n "$(lab_ns node-a)" addr flush dev docker0
lab_addr node-a docker0 10.1.15.1/24
ip -n "$(lab_ns ctr)" addr flush dev eth0
lab_addr ctr eth0 10.1.15.2/24
lab_route ctr default via 10.1.15.1
E1=""; E5=""
lab_phase world-fixed
queries 10.1.15.2
lab_finish
