#!/usr/bin/env python3
"""nfsim lab helper (used by scripts/lab/lab.sh; see the method description at the top of lab.sh).

Subcommands (run inside a namespace with `ip netns exec` where it matters):
  listen tcp|udp ADDR PORT LOGFILE         listener; logs one JSON line per received connection/datagram
  send tcp SRC SPORT DST DPORT             one TCP connect (single SYN: 0.9 s timeout), closes with RST
  send udp SRC SPORT DST DPORT             one UDP datagram from SRC:SPORT
  send icmp SRC DST ID SEQ                 one ICMP echo request with id/seq (raw socket; SRC 0.0.0.0 = route)
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
        while True:
            c, peer = s.accept()
            f.write(json.dumps({"t": now(), "proto": "tcp", "local": "%s:%d" % c.getsockname(),
                                "socket": "tcp:%s:%d" % (addr, port), "peer": "%s:%d" % peer}) + "\n")
            c.close()
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


def cmd_send(proto, *a):
    res = {"proto": proto, "pid": os.getpid()}
    if proto == "tcp":
        src, sport, dst, dport = a[0], int(a[1]), a[2], int(a[3])
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
        try:
            s.sendto(b"nfsim-probe", (dst, dport))
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
        if src != "0.0.0.0":
            s.bind((src, 0))
        payload = b"nfsim-echo-probe" + b"\0" * 40
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


def cmd_analyse(qdir):
    meta = json.load(open(os.path.join(qdir, "meta.json")))
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
        if host is None:
            # no receive event: a locally generated packet, dropped in its own host — when the sending process
            # (or a softirq thread) freed it; other namespaces' local drops on the machine are noise
            if sender_pid is not None and e["pid"] != sender_pid and not e["softirq"]:
                discarded.append({"reason": e["reason"], "location": e["location"], "pid": e["pid"]})
                continue
            outs = [s for s in seen if s["dir"] == "out" and s["t"] <= e["t"] + 0.002]
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
    out = {"packet": meta["packet"], "drops": drops, "delivered": delivered,
           "seen": [{k: s[k] for k in ("host", "iface", "dir", "summary")} for s in seen],
           "answers": answers, "discarded_noise": discarded, "sender": {"host": sender, "cmd": " ".join([meta["proto"]] + meta["args"]),
                                          "result": meta.get("result")}}
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
