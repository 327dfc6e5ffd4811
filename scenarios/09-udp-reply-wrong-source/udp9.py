#!/usr/bin/env python3
"""Scenario 09/10 helpers (not in scripts/lab): python3 sockets with exact control.

  udp9.py nc LOCALPORT PEER PEERPORT LOGFILE CTLFIFO
      `nc -u PEER PEERPORT` with source port LOCALPORT: one CONNECTED UDP socket (bound 0.0.0.0:LOCALPORT,
      connect()ed to PEER:PEERPORT). Logs every datagram it receives (JSON lines in the lab listener
      format) and sends one datagram through the connected socket each time a line is written to CTLFIFO.
      Errors reported on the socket (ICMP port unreachable -> ECONNREFUSED) are logged too.
  udp9.py kick CTLFIFO              make the nc process send one datagram; prints a lab-style result
  udp9.py pktinfo SRC SPORT DST DPORT
      the IP_PKTINFO server reply: a socket bound to 0.0.0.0:SPORT (SO_REUSEADDR) sends one datagram
      with sendmsg() and an IP_PKTINFO control message whose ipi_spec_dst = SRC (the address the
      request was sent to, as recvmsg() reported it)
"""
import errno, json, os, socket, struct, sys, time

def cmd_nc(lport, peer, pport, log, fifo):
    f = open(log, "a", buffering=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(lport)))
    s.connect((peer, int(pport)))
    local = "%s:%d" % s.getsockname()
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    ctl = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    import select
    while True:
        r, _, _ = select.select([s, ctl], [], [], 1.0)
        if ctl in r:
            data = os.read(ctl, 4096)
            if not data:
                os.close(ctl)
                ctl = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            for _ in data.decode().split("\n")[:-1]:
                try:
                    s.send(b"nfsim-nc-probe")
                except OSError as e:
                    sys.stderr.write("nc: send: %s\n" % e.strerror)
        if s in r:
            try:
                data, src = s.recvfrom(65535)
                f.write(json.dumps({"t": time.time(), "proto": "udp", "socket": "udp:%s" % local,
                                    "peer": "%s:%d" % src, "len": len(data)}) + "\n")
            except OSError as e:
                # an ICMP error queued on the connected socket (ECONNREFUSED etc.): not a delivery
                sys.stderr.write("nc: %s\n" % e.strerror)

def cmd_kick(fifo):
    fd = os.open(fifo, os.O_WRONLY)
    os.write(fd, b"send\n")
    os.close(fd)
    print(json.dumps({"proto": "udp", "result": "sent"}))

def cmd_pktinfo(src, sport, dst, dport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sport)))
    # struct in_pktinfo { int ipi_ifindex; struct in_addr ipi_spec_dst; struct in_addr ipi_addr; }
    # IP_PKTINFO = 8 (linux/in.h; not exported by Python 3.11's socket module)
    pi = struct.pack("=i4s4s", 0, socket.inet_aton(src), socket.inet_aton("0.0.0.0"))
    res = {"proto": "udp"}
    try:
        s.sendmsg([b"nfsim-pktinfo-reply"], [(socket.IPPROTO_IP, 8, pi)], 0, (dst, int(dport)))
        res["result"] = "sent"
    except OSError as e:
        res["result"] = e.strerror
    print(json.dumps(res))

if __name__ == "__main__":
    c, a = sys.argv[1], sys.argv[2:]
    {"nc": cmd_nc, "kick": cmd_kick, "pktinfo": cmd_pktinfo}[c](*a)
