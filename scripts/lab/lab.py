#!/usr/bin/env python3
"""nfsim lab helper (used by scripts/lab/lab.sh; see the method description at the top of lab.sh).

Subcommands (run inside a namespace with `ip netns exec` where it matters):
  listen tcp|udp ADDR PORT LOGFILE         listener; logs one JSON line per received connection/datagram
  send tcp SRC SPORT DST DPORT             one TCP connect (single SYN: 0.9 s timeout), closes with RST
  send udp SRC SPORT DST DPORT [LEN]       one UDP datagram from SRC:SPORT (LEN: IP total length)
  send icmp SRC DST ID SEQ [TYPE]         one ICMP echo request (TYPE 0: reply) with id/seq (raw socket; SRC
                                           0.0.0.0 = route)
  (tcp, udp, icmp: an optional last argument so:ttl=N,tos=N,mark=N,len=N,payload=HEX sets the socket's TTL,
   TOS and SO_MARK, and the ICMP length / UDP payload bytes)
  send l2 DEV SMAC DMAC OPTS PROTO ARGS... one crafted Ethernet+IPv4 frame from an AF_PACKET socket on DEV (the
                                           sender's stack never sees it); PROTO ARGS as above (tcp|udp SRC SPORT
                                           DST DPORT, icmp SRC DST ID SEQ TYPE); OPTS = comma list of ttl=, tos=,
                                           len= (IP total length), flags= (TCP, e.g. SA), df=0|1, payload=HEX
  monooffset                               print CLOCK_REALTIME - CLOCK_MONOTONIC (seconds)
  analyse QUERYDIR                         turn one query's raw evidence into a JSON object (stdout)
  finish OUT.json QUERIESOUT QDIR...       assemble kernel/<world>.json and a queries file
"""
import json, os, re, select, socket, struct, sys, time


def now():
    return time.time()


def cmd_listen(proto, addr, port, log, peer=None, pport=None):
    port = int(port)
    f = open(log, "a", buffering=1)
    if proto == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(16)
        kept = []
        while True:
            c, peer = s.accept()
            f.write(json.dumps({"t": now(), "proto": "tcp", "local": "%s:%d" % c.getsockname(),
                                "socket": "tcp:%s:%d" % (addr, port), "peer": "%s:%d" % peer}) + "\n")
            # kept open: a close() would send a FIN into the probe's window (the probe ends it with RST)
            kept.append(c)
            kept = [k for k in kept if k.fileno() >= 0][-256:]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        if peer is not None:
            s.connect((peer, int(pport)))   # a connected socket only accepts datagrams from its peer
        while True:
            try:
                data, src = s.recvfrom(65535)
            except OSError:
                continue   # an ICMP error reported on the connected socket (ECONNREFUSED ...): no delivery
            f.write(json.dumps({"t": now(), "proto": "udp", "socket": "udp:%s:%d" % (addr, port),
                                "peer": "%s:%d" % src, "len": len(data)}) + "\n")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


TCP_FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}


def ip4(a):
    return socket.inet_aton(a)


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def l2_frame(smac, dmac, opts, proto, a):
    """Ethernet + IPv4 + TCP/UDP/ICMP with correct checksums (no options): the packet of the spec."""
    ttl = int(opts.get("ttl", 64))
    tos = int(opts.get("tos", 0))
    df = opts.get("df", "1") == "1"
    payload = bytes.fromhex(opts["payload"]) if opts.get("payload") else None
    opt = b""
    if proto in ("tcp", "udp"):
        src, sport, dst, dport = a[0], int(a[1]), a[2], int(a[3])
        hl = 20 if proto == "tcp" else 8
        flags = sum(TCP_FLAG_BITS[c] for c in opts.get("flags", "S") if c in TCP_FLAG_BITS)
        room = int(opts.get("len", 0)) - 40
        if proto == "tcp" and flags & 0x02 and room >= 4:
            # a SYN's length is its options: Linux's own (MSS, SACK permitted, timestamps, NOP, window scale)
            # when they fit, else MSS padded with NOPs
            if room >= 20:
                opt = struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" + struct.pack("!BBII", 8, 10, 1, 0) + b"\x01" + b"\x03\x03\x07"
            else:
                opt = struct.pack("!BBH", 2, 4, 1460) + b"\x01" * ((min(room, 40) // 4) * 4 - 4)
            hl += len(opt)
    else:
        src, dst, ident, seq = a[0], a[1], int(a[2]), int(a[3])
        itype = int(a[4]) if len(a) > 4 else 8
        hl = 8
    total = int(opts.get("len", 0)) or (20 + hl + (len(payload) if payload is not None else 0))
    n = max(0, total - 20 - hl)
    if payload is None:
        payload = (b"nfsim-probe" * (n // 11 + 1))[:n]
    payload = payload[:n].ljust(n, b"\0")
    pnum = {"tcp": 6, "udp": 17, "icmp": 1}[proto]
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, pnum, hl + n)
    if proto == "tcp":
        ack = 1 if flags & 0x10 else 0
        hdr = struct.pack("!HHIIBBHHH", sport, dport, 1000, ack, (hl // 4) << 4, flags, 64240, 0, 0) + opt
        c = csum(pseudo + hdr + payload)
        l4 = hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload
    elif proto == "udp":
        hdr = struct.pack("!HHHH", sport, dport, 8 + n, 0)
        c = csum(pseudo + hdr + payload) or 0xFFFF
        l4 = hdr[:6] + struct.pack("!H", c) + payload
    else:
        hdr = struct.pack("!BBHHH", itype, 0, 0, ident, seq)
        l4 = struct.pack("!BBHHH", itype, 0, csum(hdr + payload), ident, seq) + payload
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(l4), 0x4e46, 0x4000 if df else 0, ttl, pnum, 0, ip4(src), ip4(dst))
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return mac_bytes(dmac) + mac_bytes(smac) + b"\x08\x00" + iph + l4


def split_sockopts(a):
    """A socket probe's optional last argument so:ttl=N,tos=N,mark=N,len=N,payload=HEX (the spec's values the
    socket must carry) → (the other arguments, {key: value})."""
    if a and a[-1].startswith("so:"):
        return list(a[:-1]), dict(kv.split("=", 1) for kv in a[-1][3:].split(",") if "=" in kv)
    return list(a), {}


def apply_sockopts(s, so):
    if "ttl" in so:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(so["ttl"], 0))
    if "tos" in so:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(so["tos"], 0))
    if "mark" in so:
        s.setsockopt(socket.SOL_SOCKET, 36, int(so["mark"], 0))   # SO_MARK


def sized_payload(so, n, default):
    """n bytes: the spec's payload, else `default`, zero-padded or cut."""
    data = bytes.fromhex(so["payload"]) if "payload" in so else default
    return data[:n].ljust(n, b"\0")


def cmd_send(proto, *a):
    res = {"proto": proto, "pid": os.getpid()}
    a, so = split_sockopts(a) if proto != "l2" else (a, {})
    if proto == "l2":
        dev, smac, dmac, optstr, l4 = a[0], a[1], a[2], a[3], a[4]
        opts = dict(kv.split("=", 1) for kv in optstr.split(",") if "=" in kv)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        try:
            s.bind((dev, 0))
            s.send(l2_frame(smac, dmac, opts, l4, a[5:]))
            res["result"] = "sent"
        except OSError as e:
            res["result"] = e.strerror
        s.close()
        print(json.dumps(res))
        return
    if proto == "tcp":
        src, sport, dst, dport = a[0], int(a[1]), a[2], int(a[3])
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        apply_sockopts(s, so)
        s.bind((src, sport))
        s.setblocking(False)
        err = s.connect_ex((dst, dport))
        if err not in (0, 115):
            res["result"] = os.strerror(err)
        else:
            _, w, _ = select.select([], [s], [], 0.9)
            if not w:
                res["result"] = "timeout"
            else:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                res["result"] = "connected" if e == 0 else os.strerror(e)
                if e == 0:
                    res["local"] = "%s:%d" % s.getsockname()
                    time.sleep(0.3)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif proto == "udp":
        src, sport, dst, dport = a[0], int(a[1]), a[2], int(a[3])
        # LEN (optional, the IP total length): payload LEN - 28 bytes; without it "nfsim-probe" (39 bytes)
        payload = sized_payload(so, max(0, int(a[4]) - 28), b"n" * 65536) if len(a) > 4 else b"nfsim-probe"
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        apply_sockopts(s, so)
        s.bind((src, sport))
        try:
            s.sendto(payload, (dst, dport))
            res["result"] = "sent"
        except OSError as e:
            res["result"] = e.strerror
        s.close()
    elif proto == "icmp":
        src, dst, ident, seq = a[0], a[1], int(a[2]), int(a[3])
        itype = int(a[4]) if len(a) > 4 else 8   # 8 = echo request, 0 = echo reply (sent as is)
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        # ICMP_FILTER (SOL_RAW=255, option 1): a bit set = type not delivered to this raw socket.
        # Echo-request probes only listen for echo reply and errors; echo-reply probes listen to nothing,
        # so closing the probe socket never purges queued packets (no QUEUE_PURGE noise).
        keep = (1 << 0) | (1 << 3) | (1 << 5) | (1 << 11) | (1 << 12) if itype == 8 else 0
        s.setsockopt(255, 1, struct.pack("I", 0xFFFFFFFF & ~keep))
        apply_sockopts(s, so)
        if src != "0.0.0.0":
            s.bind((src, 0))
        # 56 bytes after the 8-byte header (84 in all, as ping sends), or what the spec's length leaves
        payload = sized_payload(so, max(0, int(so.get("len", 84)) - 28), b"nfsim-echo-probe")
        hdr = struct.pack("!BBHHH", itype, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", itype, 0, csum(hdr + payload), ident, seq) + payload
        try:
            s.sendto(pkt, (dst, 0))
            res["result"] = "sent"
            end = time.time() + (1.0 if itype == 8 else 0.0)
            while True:
                left = end - time.time()
                if left <= 0:
                    break
                r, _, _ = select.select([s], [], [], left)
                if not r:
                    break
                data, peer = s.recvfrom(65535)
                ihl = (data[0] & 0xF) * 4
                t, c = data[ihl], data[ihl + 1]
                if t == 0:
                    i2, q2 = struct.unpack("!HH", data[ihl + 4:ihl + 8])
                    if i2 == ident and q2 == seq:
                        res["result"] = "echo-reply from %s" % peer[0]
                        break
                elif t in (3, 11, 12, 5):
                    res["result"] = "icmp type %d code %d from %s" % (t, c, peer[0])
                    break
        except OSError as e:
            res["result"] = e.strerror
        s.close()
    print(json.dumps(res))


# ---------------------------------------------------------------- analysis

TD = re.compile(r"^(\d+\.\d+)\s+(\S+)\s+(In|Out|M|B|P)\s+(IP .*)$")
TR = re.compile(r"^\s*(.*?)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+(\S+):\s+(.*)$")


def short_summary(s):
    m = re.match(r"^(IP \S+ > \S+: Flags \[[^\]]*\])", s)
    if m:
        return m.group(1)
    m = re.match(r"^(IP \S+ > \S+: ICMP .*?)(, length \d+)?$", s)
    if m:
        return m.group(1)
    m = re.match(r"^(IP \S+ > \S+: UDP)", s)
    if m:
        return m.group(1)
    return s


def answer_of(summary):
    """'IP a.p > b.q: Flags [S.]' -> 'tcp a:p > b:q flags SA'; ICMP -> 'icmp a > b type T code C'."""
    m = re.match(r"^IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): Flags \[([^\]]*)\]", summary)
    if m:
        fl = m.group(5)
        f = "".join(ch for ch in "SFRP" if ch in fl) + ("A" if "." in fl else "")
        return "tcp %s:%s > %s:%s flags %s" % (m.group(1), m.group(2), m.group(3), m.group(4), f)
    m = re.match(r"^IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): UDP", summary)
    if m:
        return "udp %s:%s > %s:%s" % m.groups()
    m = re.match(r"^IP (\S+) > (\S+): ICMP (.*)$", summary)
    if m:
        a, b, rest = m.groups()
        tc = None
        if rest.startswith("echo reply"):
            tc = (0, 0)
        elif rest.startswith("echo request"):
            tc = (8, 0)
        elif "port" in rest and "unreachable" in rest:
            tc = (3, 3)
        elif "protocol" in rest and "unreachable" in rest:
            tc = (3, 2)
        elif "host" in rest and "unreachable" in rest and "prohibited" not in rest:
            tc = (3, 1)
        elif "net" in rest and "unreachable" in rest:
            tc = (3, 0)
        elif "need to frag" in rest:
            tc = (3, 4)
        elif "time exceeded" in rest:
            tc = (11, 0)
        elif "host" in rest and "prohibited" in rest:
            tc = (3, 10)
        elif "admin" in rest or "administratively prohibited" in rest:
            tc = (3, 13)
        if tc:
            return "icmp %s > %s type %d code %d" % (a, b, tc[0], tc[1])
        return "icmp %s > %s %s" % (a, b, rest)
    return summary


XT_PACKET = re.compile(r"^PACKET: \d+ ([0-9a-f]+) (.*)$")
XT_TRACE = re.compile(r"^\s*TRACE: \d+ ([0-9a-f]+) ([^:\s]+):([^:\s]+):(rule|policy|return):(\S*)\s*(.*)$")
TCP_WORDS = {"SYN": "S", "ACK": "A", "RST": "R", "FIN": "F", "PSH": "P", "URG": "U"}
TRACE_TABLE = "nfsim_trace"


def packet_header(text):
    """An xtables-monitor PACKET line -> a short summary (devices, addresses, ports, TCP flags)."""
    kv = dict(re.findall(r"(\w+)=(\S*)", text))
    words = set(re.findall(r"(?<![=\w])([A-Z]{3})(?![=\w])", text))
    flags = "".join(TCP_WORDS[w] for w in ("SYN", "FIN", "RST", "PSH", "URG", "ACK") if w in words)
    where = " ".join("%s=%s" % (k, kv[k]) for k in ("IN", "OUT") if kv.get(k))
    if "SPORT" in kv:
        s = "%s:%s > %s:%s" % (kv.get("SRC"), kv["SPORT"], kv.get("DST"), kv.get("DPORT"))
        s = ("tcp %s flags %s" % (s, flags)) if flags else ("udp " + s)
    else:
        s = "ip %s > %s" % (kv.get("SRC"), kv.get("DST"))
    return (s + " " + where).strip(), flags


def rule_positions(path):
    """(table, chain, handle) -> 1-based position in the chain, from `nft -j -a list ruleset`."""
    pos, count = {}, {}
    try:
        items = json.load(open(path)).get("nftables", [])
    except (OSError, ValueError):
        return pos
    for it in items:
        r = it.get("rule")
        if not r or r.get("family") != "ip":
            continue
        k = (r["table"], r["chain"])
        count[k] = count.get(k, 0) + 1
        pos[(r["table"], r["chain"], r.get("handle"))] = count[k]
    return pos


# nftables verdict codes that xtables-monitor prints as numbers (include/uapi/linux/netfilter/nf_tables.h)
NFT_VERDICTS = {"0xffffffff": "CONTINUE", "0xfffffffe": "BREAK", "0xfffffffd": "JUMP", "0xfffffffc": "GOTO", "0xfffffffb": "RETURN"}


def ip_ident(text):
    """The IP header's ID and length from a PACKET line: they stay with a packet through NAT."""
    kv = dict(re.findall(r"(\w+)=(\S*)", text))
    return (kv.get("ID"), kv.get("LEN"))


def rule_path(trace_file, nft_json):
    """One host's xtables-monitor --trace lines -> its traced packets in order, each with the rules and
    policies of the ruleset under test it went through (the nfsim_trace table itself left out). A packet
    starts where the nfsim_trace table marked it (prerouting or output); later lines with its trace id
    belong to it until it is marked again. The trace id hashes skb->skb_iif too (nft_trace_init()), so it
    changes when a bridge passes a frame up to its own stack: lines with an unknown id continue the latest
    packet with the same IP ID and length."""
    pos = rule_positions(nft_json)
    packets, current, header = [], {}, {}
    try:
        lines = open(trace_file).read().splitlines()
    except OSError:
        return []
    for line in lines:
        m = XT_PACKET.match(line)
        if m:
            header[m.group(1)] = m.group(2)
            continue
        m = XT_TRACE.match(line)
        if not m:
            continue
        tid, table, chain, kind, what, text = m.groups()
        if table == TRACE_TABLE:
            if kind == "rule":
                summ, flags = packet_header(header.get(tid, ""))
                current[tid] = {"packet": summ, "flags": flags, "steps": [], "_ident": ip_ident(header.get(tid, ""))}
                packets.append(current[tid])
            continue
        p = current.get(tid)
        if p is None:
            ident = ip_ident(header.get(tid, ""))
            p = next((x for x in reversed(packets) if x["_ident"] == ident and ident[0] is not None), None)
            if p is None:
                summ, flags = packet_header(header.get(tid, ""))
                p = {"packet": summ, "flags": flags, "steps": [], "_ident": ident}
                packets.append(p)
            current[tid] = p
        if kind == "policy":
            p["steps"].append({"table": table, "chain": chain, "policy": what})
        elif kind == "rule":
            handle, _, verdict = what.partition(":")
            verdict = NFT_VERDICTS.get(verdict, verdict)
            try:
                handle = int(handle, 16)
            except ValueError:
                handle = None
            text = re.sub(r"^-4 -t \S+ ", "", text.strip())
            p["steps"].append({"table": table, "chain": chain, "rule": pos.get((table, chain, handle)),
                               "verdict": verdict, "text": text})
        # (kind == "return": the end of a user chain; nfsim's trace marks it too, neither is compared)
    for p in packets:
        del p["_ident"]
    return [p for p in packets if p["steps"]]


def nstat_delta(before, after):
    """Non-zero deltas of the IPv4/ICMP/TCP/UDP counters between two `nstat -asz --json` dumps."""
    def load(f):
        try:
            return json.load(open(f)).get("kernel", {})
        except (OSError, ValueError):
            return {}
    a, b = load(before), load(after)
    out = {}
    for k in sorted(b):
        if re.match(r"^(Ip6|Icmp6|Udp6|UdpLite6|Ip6Ext|Sctp|Mptcp)", k):
            continue
        d = b[k] - a.get(k, 0)
        if d:
            out[k] = d
    return out


def normalise_meta(meta):
    """An l2 probe's meta as the transport probe it carries (proto and args as for `send tcp|udp|icmp`)."""
    if meta["proto"] == "l2":
        a = meta["args"]
        meta = dict(meta, proto=a[4], args=a[5:], l2=True)
    return meta


def cmd_analyse(qdir):
    meta = normalise_meta(json.load(open(os.path.join(qdir, "meta.json"))))
    helpers = set(meta.get("helpers") or [])
    off = float(meta["monooffset"])
    # tcpdump lines per host
    seen = []
    for fn in sorted(os.listdir(qdir)):
        if not fn.startswith("tcpdump-"):
            continue
        host = fn[len("tcpdump-"):-len(".txt")]
        for line in open(os.path.join(qdir, fn)):
            m = TD.match(line.rstrip("\n"))
            if not m:
                continue
            t, iface, d, summ = m.groups()
            # tcpdump -i any direction letters: In, Out, P (frame for another host's MAC, e.g. on a bridge
            # port), B (broadcast), M (multicast): everything but Out was received on that interface
            d = "out" if d == "Out" else "in"
            seen.append({"t": float(t), "host": host, "iface": iface, "dir": d, "summary": short_summary(summ)})
    seen.sort(key=lambda x: x["t"])
    # trace: kfree_skb (IPv4 only via filter) and netif_receive_skb (for the ingress device)
    events = []
    for line in open(os.path.join(qdir, "trace.txt")):
        if line.startswith("#"):
            continue
        m = TR.match(line)
        if not m:
            continue
        task, ts, ev, rest = m.groups()
        t = float(ts) + off
        pid = int(task.rsplit("-", 1)[1]) if re.search(r"-\d+$", task) else -1
        if ev == "kfree_skb":
            kv = dict(re.findall(r"(\w+)=(\S+)", rest))
            r = re.search(r"reason: (\S+)", rest)
            loc = kv.get("location", "?").split("+")[0]
            events.append({"t": t, "ev": "drop", "skb": kv.get("skbaddr"), "proto": kv.get("protocol"), "pid": pid,
                           "softirq": task.startswith("ksoftirqd/"),
                           "location": loc, "reason": r.group(1) if r else "?"})
        elif ev == "netif_receive_skb":
            kv = dict(re.findall(r"(\w+)=(\S+)", rest))
            events.append({"t": t, "ev": "rx", "skb": kv.get("skbaddr"), "dev": kv.get("dev")})
    events.sort(key=lambda e: e["t"])
    drops = []
    discarded = []
    last_rx = {}
    try:
        sender_pid = json.load(open(os.path.join(qdir, "sender.json"))).get("pid")
    except (OSError, ValueError):
        sender_pid = None
    for e in events:
        if e["ev"] == "rx":
            last_rx[e["skb"]] = e
            continue
        if e["proto"] not in ("2048",):
            continue
        rx = last_rx.get(e["skb"])
        host, via, pkt = None, None, None
        if rx:
            # hosts that saw an inbound IPv4 packet on that device close before the receive event
            cands = [s for s in seen if s["iface"] == rx["dev"] and s["dir"] == "in"
                     and abs(s["t"] - rx["t"]) <= 0.001]   # observed offsets are a few microseconds
            if cands:
                best = min(cands, key=lambda s: abs(s["t"] - rx["t"]))
                host = best["host"]
                via = "received on %s:%s (netif_receive_skb dev=%s, nearest tcpdump In line, %+.3f ms)" % (
                    host, rx["dev"], rx["dev"], (best["t"] - rx["t"]) * 1000)
                pkt = best["summary"]
            else:
                discarded.append({"reason": e["reason"], "location": e["location"], "dev": rx["dev"]})
                continue
            if host in helpers:
                # the outside helper drops every IPv4 packet it receives: the sink, not evidence
                discarded.append({"reason": e["reason"], "location": e["location"], "host": host,
                                  "why": "received by the outside helper"})
                continue
        if host is None:
            # no receive event: a locally generated packet, dropped in its own host — when the sending process
            # (or a softirq thread) freed it; other namespaces' local drops on the machine are noise
            if sender_pid is not None and e["pid"] != sender_pid and not e["softirq"]:
                discarded.append({"reason": e["reason"], "location": e["location"], "pid": e["pid"]})
                continue
            if meta.get("l2"):
                # the probe came from an AF_PACKET socket: a locally generated packet was made by some host's
                # stack in answer (which one the event does not say); no host is recorded
                d = {"reason": e["reason"], "location": e["location"],
                     "via": "no receive event: generated by a host of the world in answer to a frame from outside"}
                drops.append(d)
                continue
            host = meta["sender"]
            via = (via + "; " if via else "") + "no receive event: locally generated on the sending host"
        d = {"host": host, "reason": e["reason"], "location": e["location"], "via": via}
        if pkt:
            d["summary"] = pkt  # the packet seen arriving just before (most likely the dropped one)
        drops.append(d)
    # deliveries: listener log lines written during the query
    delivered = []
    for fn in sorted(os.listdir(qdir)):
        if not fn.startswith("listen-"):
            continue
        host = fn[len("listen-"):].split("@")[0]
        for line in open(os.path.join(qdir, fn)):
            line = line.strip()
            if not line:
                continue
            j = json.loads(line)
            delivered.append({"host": host, "socket": j["socket"], "peer": j["peer"]})
    # ICMP echo: the host that originated the echo reply (Out without an earlier In of that reply)
    if meta["proto"] == "tcp" and not delivered:
        # the SYN reached a listener but the handshake did not complete (accept() never returned):
        # the host that emitted the SYN/ACK of the probe's flow (Out, no In of it) got it
        sport, dport = meta["args"][1], meta["args"][3]
        pat = re.compile(r"^IP \S+\.(\d+) > \S+\.%s: Flags \[S\.\]" % sport)
        inhosts = {s["host"] for s in seen if pat.search(s["summary"]) and s["dir"] == "in"}
        for s in seen:
            m = pat.search(s["summary"])
            if m and s["dir"] == "out" and s["host"] not in inhosts and s["host"] != meta["sender"]:
                port = m.group(1)
                socks = [fn.split("@", 1)[1] for fn in os.listdir(qdir)
                         if fn.startswith("listen-%s@tcp-" % s["host"]) and fn.endswith("-" + port)]
                d = {"host": s["host"], "via": "SYN/ACK emitted by this host (handshake not completed)"}
                if socks:
                    _, addr, p = socks[0].rsplit("-", 2)
                    d["socket"] = "tcp:%s:%s" % (addr, p)
                delivered.append(d)
                break
    if meta["proto"] == "icmp" and len(meta["args"]) > 4 and meta["args"][4] == "0":
        # an echo reply sent as the probe: it ends where it was last seen arriving (no later Out there)
        ident = meta["args"][2]
        pat = re.compile(r"ICMP echo reply, id %s," % ident)
        last = None
        for s in seen:
            if pat.search(s["summary"]) and s["host"] != meta["sender"]:
                last = s
        if last and last["dir"] == "in" and not any(d["host"] == last["host"] for d in drops):
            delivered.append({"host": last["host"], "socket": "icmp:echo-reply",
                              "via": "last host that received the echo reply"})
    elif meta["proto"] == "icmp":
        ident = meta["args"][2]
        pat = re.compile(r"ICMP echo reply, id %s," % ident)
        # the host that emitted the echo reply: it has Out lines of the reply and no In line of it
        # (a forwarding or bridging host has both); a reply on lo means a local ping
        inhosts = {s["host"] for s in seen if pat.search(s["summary"]) and s["dir"] == "in" and s["iface"] != "lo"}
        for s in seen:
            if pat.search(s["summary"]) and s["host"] not in inhosts and (s["dir"] == "out" or s["iface"] == "lo"):
                if not any(d["host"] == s["host"] for d in delivered):
                    delivered.append({"host": s["host"], "socket": "icmp:echo",
                                      "via": "echo reply emitted by this host"})
    # answers: what came back to the sending host on the interface the probe left through
    answers = []
    sender = meta["sender"]
    first_out = next((s for s in seen if s["host"] == sender and s["dir"] == "out"), None)
    if first_out:
        for s in seen:
            if s["host"] == sender and s["dir"] == "in" and s["iface"] == first_out["iface"] and s["t"] >= first_out["t"]:
                answers.append(answer_of(s["summary"]))
    # rule paths and counter deltas of the hosts of the world (helpers have neither)
    rulepath, nstat = {}, {}
    for fn in sorted(os.listdir(qdir)):
        if fn.startswith("xtmon-") and fn.endswith(".txt"):
            host = fn[len("xtmon-"):-len(".txt")]
            pk = rule_path(os.path.join(qdir, fn), os.path.join(qdir, "nft-%s.json" % host))
            if pk and meta["packet"].startswith("arrive") and not meta.get("l2") and host == sender:
                # an `arrive` packet sent by the socket of the modelled neighbour: its way out of that host is
                # not part of the simulated path (the packet starts on the far side of the link)
                if pk[0]["steps"][0]["chain"] in ("OUTPUT", "POSTROUTING"):
                    pk[0]["senderOutput"] = True
            rulepath[host] = pk
        elif fn.startswith("nstat0-") and fn.endswith(".json"):
            host = fn[len("nstat0-"):-len(".json")]
            nstat[host] = nstat_delta(os.path.join(qdir, fn), os.path.join(qdir, "nstat1-%s.json" % host))
    out = {"packet": meta["packet"], "drops": drops, "delivered": delivered,
           "seen": [{k: s[k] for k in ("host", "iface", "dir", "summary")} for s in seen],
           "answers": answers, "discarded_noise": discarded, "sender": {"host": sender, "cmd": " ".join([meta["proto"]] + meta["args"]),
                                          "result": meta.get("result")}}
    if rulepath:
        out["rulePath"] = rulepath
    if nstat:
        out["nstat"] = nstat
    print(json.dumps(out))


def expect_of(q):
    """Derive an expect line for the query's own packet from the kernel evidence."""
    res = (q.get("sender") or {}).get("result") or ""
    if q["delivered"]:
        d = q["delivered"][0]
        s = "expect delivered host=%s" % d["host"]
        if d.get("socket", "").startswith(("tcp:", "udp:")):
            s += " socket=%s" % d["socket"]
        return s
    if q["drops"]:
        d = q["drops"][0]
        return "expect dropped reason=%s at=%s host=%s" % (d["reason"], d["location"], d["host"])
    return "expect unknown  # kernel: no drop, no delivery (sender: %s)" % res


def kernel_summary(q):
    """Comment lines for the queries file: everything the kernel was seen doing for this query."""
    out = []
    for d in q["delivered"]:
        out.append("delivered on %s%s%s" % (d["host"], " to " + d["socket"] if d.get("socket") else "",
                                           " from " + d["peer"] if d.get("peer") else ""))
    for d in q["drops"]:
        out.append("dropped on %s: %s at %s%s" % (d["host"], d["reason"], d["location"],
                                                 " [" + d["summary"] + "]" if d.get("summary") else ""))
    for a in q["answers"]:
        out.append("answer back at the sender: %s" % a)
    if not out:
        out.append("nothing observed (sender: %s)" % (q.get("sender") or {}).get("result"))
    return out


def cmd_finish(out, qout, *qdirs):
    kernel = open("/proc/sys/kernel/osrelease").read().strip()
    ipt = os.popen("iptables -V").read().strip()
    queries = []
    for d in qdirs:
        queries.append(json.load(open(os.path.join(d, "result.json"))))
    counters, conntrack = {}, {}
    cdir = os.path.join(os.path.dirname(qdirs[0]) if qdirs else ".", "final")
    if os.path.isdir(cdir):
        for fn in sorted(os.listdir(cdir)):
            if fn.startswith("iptables-save-"):
                counters[fn[len("iptables-save-"):]] = open(os.path.join(cdir, fn)).read()
            elif fn.startswith("conntrack-"):
                conntrack[fn[len("conntrack-"):]] = open(os.path.join(cdir, fn)).read()
    with open(out, "w") as f:
        json.dump({"kernel": kernel, "iptables": ipt, "queries": queries, "counters": counters,
                   "conntrack": conntrack}, f, indent=2)
        f.write("\n")
    if qout:
        with open(qout, "w") as f:
            f.write("# Generated by build.sh from what the kernel did (kernel/%s); comments come from build.sh.\n"
                    % os.path.basename(out))
            for d, q in zip(qdirs, queries):
                c = os.path.join(d, "comment.txt")
                if os.path.exists(c):
                    for line in open(c).read().strip().splitlines():
                        f.write("# %s\n" % line)
                for line in kernel_summary(q):
                    f.write("# kernel: %s\n" % line)
                f.write(q["packet"] + "\n")
                ov = os.path.join(d, "expect.txt")
                f.write((open(ov).read().strip() if os.path.exists(ov) else expect_of(q)) + "\n")


if __name__ == "__main__":
    c, a = sys.argv[1], sys.argv[2:]
    if c == "listen":
        cmd_listen(*a)
    elif c == "send":
        cmd_send(*a)
    elif c == "monooffset":
        print("%.6f" % (time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_MONOTONIC)))
    elif c == "analyse":
        cmd_analyse(*a)
    elif c == "finish":
        cmd_finish(*a)
    else:
        sys.exit("unknown subcommand " + c)
