#!/usr/bin/env python3
"""End-to-end session for scenario 09 (session-check.sh).
  session.py server MODE          MODE: any (bind 0.0.0.0, sendto), bound (bind 172.16.13.13),
                                  pktinfo (bind 0.0.0.0, recvmsg IP_PKTINFO, reply with ipi_spec_dst)
  session.py client PEER PORT LPORT   connected UDP socket (like nc -u), sends one line, waits 1 s
"""
import socket, struct, sys, select
IP_PKTINFO = 8  # linux/in.h (not exported by Python 3.11)

def server(mode):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("172.16.13.13" if mode == "bound" else "0.0.0.0", 56789))
    if mode == "pktinfo":
        s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    print("listening", s.getsockname(), flush=True)
    while True:
        data, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(12))
        dst = None
        for lvl, typ, d in anc:
            if lvl == socket.IPPROTO_IP and typ == IP_PKTINFO:
                ifindex, spec, addr = struct.unpack("=i4s4s", d[:12])
                dst = socket.inet_ntoa(addr)
        print("server: request from %s:%d%s" % (peer + ((" to " + dst) if dst else "",)), flush=True)
        if mode == "pktinfo":
            pi = struct.pack("=i4s4s", 0, socket.inet_aton(dst), socket.inet_aton("0.0.0.0"))
            s.sendmsg([b"pong\n"], [(socket.IPPROTO_IP, IP_PKTINFO, pi)], 0, peer)
        else:
            s.sendto(b"pong\n", peer)

def client(peer, port, lport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(lport)))
    s.connect((peer, int(port)))
    s.send(b"ping\n")
    r, _, _ = select.select([s], [], [], 1.0)
    if not r:
        print("client %s: no answer within 1 s" % (s.getsockname(),)); return
    try:
        data, src = s.recvfrom(2048)
        print("client %s: answer %r from %s:%d" % ((s.getsockname(), data) + src))
    except OSError as e:
        print("client %s: %s" % (s.getsockname(), e.strerror))

if __name__ == "__main__":
    {"server": server, "client": client}[sys.argv[1]](*sys.argv[2:])
