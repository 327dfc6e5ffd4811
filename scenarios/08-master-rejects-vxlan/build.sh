#!/usr/bin/env bash
# Scenario 08: the Kubernetes master cannot reach pods on the nodes (flannel VXLAN, UDP 8472).
# master (RHEL 7 iptables-services ruleset ending INPUT/FORWARD with REJECT icmp-host-prohibited)
# and node, one LAN 192.168.122.0/24. The VXLAN datagrams are sent with plain UDP sockets (no vxlan
# device): the outer UDP/IP header is all that the hosts' netfilter rules look at. A UDP socket bound to
# 0.0.0.0:8472 on each host stands in for the kernel's VXLAN socket of flannel.1.
# Captures world/, then inserts the 8472 ACCEPT before the REJECT and captures world-fixed/.
# Namespaces nfs08-*. Run as root: bash build.sh
set -euo pipefail
. "$(dirname "$0")/../../scripts/lab/lab.sh"
lab_init nfs08
# quiet-wait wrapper around lab_query (see ../09-udp-reply-wrong-source/lib.sh)
. "$(dirname "$0")/../09-udp-reply-wrong-source/lib.sh"

lab_host master
lab_host node

lab_veth master eth0 52:54:00:7a:0c:0a  node eth0 52:54:00:7a:0c:0b
lab_addr master eth0 192.168.122.10/24
lab_addr node eth0 192.168.122.11/24

# /etc/sysconfig/iptables on the master: the RHEL default plus the Kubernetes control-plane ports
# the administrator opened (inserted above the final REJECT)
master_rules() { # EXTRA-INPUT-RULE
cat <<RULES
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 6443 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 2379:2380 -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 10250 -j ACCEPT
$1
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
RULES
}
master_rules "" | lab_iptables master
lab_iptables node <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
RULES

# stand-ins for the VXLAN sockets (flannel.1, dstport 8472) and the API server
lab_listen master udp 0.0.0.0 8472
lab_listen node udp 0.0.0.0 8472
lab_listen master tcp 0.0.0.0 6443

queries() { # EXPECT-FOR-THE-NODE'S-VXLAN-DATAGRAM
  lab_query -c "master -> pod on the node: the encapsulated packet (outer UDP, source port = flow hash)" \
    "local master udp 192.168.122.10:41872 > 192.168.122.11:8472" master udp 192.168.122.10 41872 192.168.122.11 8472
  lab_query -c "the pod's answer, encapsulated by the node: its own flow hash as source port, dport 8472" \
    -e "$1" \
    "local node udp 192.168.122.11:52617 > 192.168.122.10:8472" node udp 192.168.122.11 52617 192.168.122.10 8472
  lab_query -c "the operator's check: the master pings the node" \
    "local master icmp 192.168.122.10 > 192.168.122.11 type echo-request id 801 seq 1" master icmp 192.168.122.10 192.168.122.11 801 1
  lab_query -c "the node pings the master" \
    "local node icmp 192.168.122.11 > 192.168.122.10 type echo-request id 802 seq 1" node icmp 192.168.122.11 192.168.122.10 802 1
  lab_query -c "the kubelet on the node reaches the API server" \
    "local node tcp 192.168.122.11:40443 > 192.168.122.10:6443 flags S" node tcp 192.168.122.11 40443 192.168.122.10 6443
}

lab_phase world
queries "expect rejected reason=NETFILTER_DROP at=nft_do_chain host=master answer=icmp 192.168.122.10 > 192.168.122.11 type 3 code 10"
lab_finish

# the fix: accept VXLAN before the final REJECT (iptables -I INPUT 8 -p udp -m udp --dport 8472 -j ACCEPT)
lab_reset
master_rules "-A INPUT -p udp -m udp --dport 8472 -j ACCEPT" | lab_iptables master
lab_phase world-fixed
queries "expect delivered host=master socket=udp:0.0.0.0:8472"
lab_finish
