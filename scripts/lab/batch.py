#!/usr/bin/env python3
"""nfsim batch lab: many worlds side by side on this kernel, one probe round at a time.

  batch.py SPEC.json OUT.json

SPEC: {"labdir": ".../scripts/lab", "gap": 0.02, "settle": 0.8, "counters": true, "jobs": 2,
       "worlds": [{"id": "7", "prefix": "nfc123b0-7", "hosts": ["h1", "h2"], "build": "<lab.sh lines>",
                   "devs": {"k7h1e0": "h1", ...},            # device name -> host (names unique in the batch)
                   "listeners": [{"host": "h2", "proto": "tcp", "addr": "0.0.0.0", "port": 80,
                                  "peer": null, "pport": null}],
                   "queries": [{"packet": "...", "sender": "h1", "proto": "tcp|udp|icmp",
                                "args": [...as for lab.py send...], "len": 39}]}]}

Every world is built with scripts/lab/lab.sh in its own namespaces ("$prefix-$host"). This one process then
holds every listener (sockets opened inside each namespace with setns), one AF_PACKET capture socket per
namespace (like `tcpdump -i any`), and sends the probes itself: round r sends query r of every world, one
world after the other `gap` seconds apart, waits `settle` seconds, then closes the probes (TCP with RST) and
reads the private trace instance (skb:kfree_skb, net:netif_receive_skb). Evidence is attributed to a world by
the receiving device (device names are unique in the batch), and to a probe by time (the probes of a round
never overlap: each world's window runs from its send to the next send). What the kernel did per query is
written in the KernelQuery shape of kernel/world.json (scripts/lab/lab.py analyse), plus the sender's result
(errno name for a failed system call).

Cleanup (also on errors, SIGINT, SIGTERM, SIGHUP): namespaces deleted by name (only the ones listed in SPEC),
sockets closed, trace instance removed, private tracefs unmounted.
"""
import ctypes, errno, json, os, re, selectors, signal, socket, struct, subprocess, sys, tempfile, time

CLONE_NEWNET = 0x40000000
SO_TIMESTAMPNS = 35
libc = ctypes.CDLL(None, use_errno=True)
MY_PID = os.getpid()


def mono():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class NetnsSwitch:
    """Enter a named namespace for socket creation (sockets stay in the namespace they were made in)."""

    def __init__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def enter(self, ns):
        fd = os.open("/run/netns/%s" % ns, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                e = ctypes.get_errno()
                raise OSError(e, "setns %s: %s" % (ns, os.strerror(e)))
        finally:
            os.close(fd)

    def leave(self):
        if libc.setns(self.home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")


class Lab:
    def __init__(self, spec):
        self.spec = spec
        self.tmp = tempfile.mkdtemp(prefix="nfsim-batch-")
        self.namespaces = []
        self.socks = []
        self.udp_servers = {}  # (world, host, addr, port) -> unconnected UDP listener socket
        self.tfs = None
        self.trace = None
        self.sel = selectors.DefaultSelector()
        self.ns = NetnsSwitch()
        self.records = []      # capture records
        self.deliveries = []   # listener events
        self.rt_off = time.clock_gettime(time.CLOCK_REALTIME) - mono()

    # ------------------------------------------------------------ setup / cleanup
    def trace_setup(self):
        self.tfs = os.path.join(self.tmp, "tracefs")
        os.mkdir(self.tfs)
        subprocess.run(["mount", "-t", "tracefs", "nodev", self.tfs], check=True)
        self.trace = os.path.join(self.tfs, "instances", "nfsim-batch-%d" % MY_PID)
        os.mkdir(self.trace)
        w = lambda f, v: open(os.path.join(self.trace, f), "w").write(v)
        w("tracing_on", "0")
        w("trace_clock", "mono")
        w("buffer_size_kb", "16384")
        # every free is traced (kfree_skb of any protocol, consume_skb): a receive event only describes the
        # skb at that address until it is freed; drops are then IPv4 only (protocol 2048)
        w("events/skb/kfree_skb/enable", "1")
        w("events/skb/consume_skb/enable", "1")
        w("events/net/netif_receive_skb/enable", "1")

    def cleanup(self):
        # a second signal must not cut the cleanup short (namespaces would be left behind)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
        self.socks = []
        for n in self.namespaces:
            subprocess.run(["ip", "netns", "del", n], stderr=subprocess.DEVNULL)
        self.namespaces = []
        if self.trace and os.path.isdir(self.trace):
            for f, v in (("tracing_on", "0"), ("events/skb/kfree_skb/enable", "0"), ("events/skb/consume_skb/enable", "0"), ("events/net/netif_receive_skb/enable", "0")):
                try:
                    open(os.path.join(self.trace, f), "w").write(v)
                except OSError:
                    pass
            try:
                os.rmdir(self.trace)
            except OSError:
                pass
            self.trace = None
        if self.tfs:
            subprocess.run(["umount", self.tfs], stderr=subprocess.DEVNULL)
            self.tfs = None
        subprocess.run(["rm", "-rf", self.tmp])

    def build(self):
        """Build every world (a few at a time); a world whose build fails is reported and left out."""
        labdir = self.spec["labdir"]
        jobs = max(1, int(self.spec.get("jobs", 2)))
        pending = list(self.spec["worlds"])
        running = []
        errors = {}
        for w in self.spec["worlds"]:
            self.namespaces += ["%s-%s" % (w["prefix"], h) for h in w["hosts"]]
        while pending or running:
            while pending and len(running) < jobs:
                w = pending.pop(0)
                script = 'set -euo pipefail\n. "%s/lab.sh"\nLAB_PREFIX=%s\n%s\n' % (labdir, w["prefix"], w["build"])
                p = subprocess.Popen(["bash", "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                running.append((w, p))
            w, p = running.pop(0)
            _, err = p.communicate()
            if p.returncode != 0:
                errors[w["id"]] = err.strip().splitlines()[-8:]
        return errors

    def open_world(self, w):
        """Listeners and a capture socket in every namespace of the world."""
        for h in w["hosts"]:
            ns = "%s-%s" % (w["prefix"], h)
            self.ns.enter(ns)
            try:
                cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
                cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                cap.setblocking(False)
                self.socks.append(cap)
                self.sel.register(cap, selectors.EVENT_READ, ("cap", w["id"], h))
                for l in w["listeners"]:
                    if l["host"] != h:
                        continue
                    if l["proto"] == "tcp":
                        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                        s.bind((l["addr"], l["port"]))
                        s.listen(64)
                    else:
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                        s.bind((l["addr"], l["port"]))
                        if l.get("peer"):
                            s.connect((l["peer"], int(l["pport"])))
                        else:
                            self.udp_servers[(w["id"], h, l["addr"], l["port"])] = s
                    s.setblocking(False)
                    self.socks.append(s)
                    self.sel.register(s, selectors.EVENT_READ, ("lst", w["id"], h, "%s:%s:%d" % (l["proto"], l["addr"], l["port"]), l["proto"]))
            finally:
                self.ns.leave()

    # ------------------------------------------------------------ event loop
    def serve(self, until):
        while True:
            left = until - mono()
            if left <= 0:
                return
            for key, _ in self.sel.select(left):
                d = key.data
                s = key.fileobj
                if d[0] == "cap":
                    self.read_capture(s, d[1], d[2])
                elif d[0] == "lst":
                    self.read_listener(s, d)

    def read_capture(self, s, wid, host):
        while True:
            try:
                data, addr = s.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            if addr[1] != 0x0800:
                continue
            rec = parse_ip(data)
            if rec is None:
                continue
            # the time it was read, not skb->tstamp: TCP stamps its packets with a CLOCK_MONOTONIC departure
            # time that a packet socket reports as if it were real time. Reading follows each send closely.
            rec.update({"t": mono(), "world": wid, "host": host, "iface": addr[0],
                        "dir": "out" if addr[2] == socket.PACKET_OUTGOING else "in"})
            self.records.append(rec)

    def read_listener(self, s, d):
        _, wid, host, name, proto = d
        while True:
            try:
                if proto == "tcp":
                    # kept open until the lab ends: a close() now would send a FIN into the probe's time
                    c, peer = s.accept()
                    self.socks.append(c)
                else:
                    _, peer = s.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue   # an ICMP error reported on a connected UDP socket: no delivery
            self.deliveries.append({"t": mono(), "world": wid, "host": host, "socket": name, "peer": "%s:%d" % peer})

    # ------------------------------------------------------------ probes
    def send(self, w, q):
        ns = "%s-%s" % (w["prefix"], q["sender"])
        a = q["args"]
        res = {"proto": q["proto"]}
        keep = None
        self.ns.enter(ns)
        try:
            if q["proto"] == "tcp":
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setblocking(False)
                try:
                    s.bind((a[0], int(a[1])))
                    e = s.connect_ex((a[2], int(a[3])))
                except OSError as x:
                    e = x.errno
                if e in (0, errno.EINPROGRESS):
                    keep = ("tcp", s)
                else:
                    res["result"] = res["error"] = errno.errorcode.get(e, str(e))
                    s.close()
            elif q["proto"] == "udp" and self.server_socket(w, q):
                # a datagram from a server's port is sent by that server socket (as nfsim reads such a packet:
                # a reply), not by a second socket bound beside it that would take the server's traffic
                try:
                    data = b"n" * max(0, int(q.get("len") or 39) - 28)
                    if a[0] != "0.0.0.0":
                        # from the given address (IP_PKTINFO's ipi_spec_dst), not the one routing would choose
                        pkt = struct.pack("i4s4s", 0, socket.inet_aton(a[0]), b"\0" * 4)
                        self.server_socket(w, q).sendmsg([data], [(socket.IPPROTO_IP, 8, pkt)], 0, (a[2], int(a[3])))
                    else:
                        self.server_socket(w, q).sendto(data, (a[2], int(a[3])))
                    res["result"] = "sent"
                except OSError as x:
                    res["result"] = res["error"] = errno.errorcode.get(x.errno, str(x.errno))
            elif q["proto"] == "udp":
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((a[0], int(a[1])))
                    s.sendto(b"n" * max(0, int(q.get("len") or 39) - 28), (a[2], int(a[3])))
                    res["result"] = "sent"
                except OSError as x:
                    res["result"] = res["error"] = errno.errorcode.get(x.errno, str(x.errno))
                s.close()
            else:
                src, dst, ident, seq = a[0], a[1], int(a[2]), int(a[3])
                itype = int(a[4]) if len(a) > 4 else 8
                s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                # ICMP_FILTER as lab.py: echo requests listen for echo reply and errors, echo replies for nothing
                allow = (1 << 0) | (1 << 3) | (1 << 5) | (1 << 11) | (1 << 12) if itype == 8 else 0
                s.setsockopt(255, 1, struct.pack("I", 0xFFFFFFFF & ~allow))
                payload = b"nfsim-echo-probe" + b"\0" * 40
                hdr = struct.pack("!BBHHH", itype, 0, 0, ident, seq)
                pkt = struct.pack("!BBHHH", itype, 0, csum(hdr + payload), ident, seq) + payload
                try:
                    if src != "0.0.0.0":
                        s.bind((src, 0))
                    s.sendto(pkt, (dst, 0))
                    res["result"] = "sent"
                    keep = ("icmp", s)
                except OSError as x:
                    res["result"] = res["error"] = errno.errorcode.get(x.errno, str(x.errno))
                    s.close()
        finally:
            self.ns.leave()
        return res, keep

    def syn_recv(self, w):
        """Per host of the world, the (local port, remote port) of its half-open connections (SYN_RECV request
        sockets in /proc/net/tcp): which listener a SYN reached, also when a REDIRECT or DNAT hid its port."""
        out = {}
        for h in w["hosts"]:
            self.ns.enter("%s-%s" % (w["prefix"], h))
            try:
                with open("/proc/self/net/tcp") as f:
                    rows = [l.split() for l in f.read().splitlines()[1:]]
            except OSError:
                rows = []
            finally:
                self.ns.leave()
            out[h] = [(int(r[1].split(":")[1], 16), int(r[2].split(":")[1], 16)) for r in rows if len(r) > 3 and r[3] == "03"]
        return out

    def server_socket(self, w, q):
        """The unconnected UDP listener of the sending host on the probe's source port (its address or any)."""
        a = q["args"]
        for addr in (a[0], "0.0.0.0"):
            s = self.udp_servers.get((w["id"], q["sender"], addr, int(a[1])))
            if s is not None:
                return s
        if a[0] == "0.0.0.0":
            return next((s for (wid, h, _, port), s in self.udp_servers.items() if wid == w["id"] and h == q["sender"] and port == int(a[1])), None)
        return None

    def close_probe(self, keep, res):
        kind, s = keep
        if kind == "tcp":
            e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            try:
                s.getpeername()
                connected = True
            except OSError:
                connected = False
            res["result"] = "connected" if connected and e == 0 else (errno.errorcode.get(e, str(e)) if e else "timeout")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            s.setblocking(False)
            while True:
                try:
                    data, peer = s.recvfrom(65535)
                except OSError:
                    break
                ihl = (data[0] & 0xF) * 4
                t, c = data[ihl], data[ihl + 1]
                res.setdefault("received", []).append("icmp type %d code %d from %s" % (t, c, peer[0]))
        s.close()

    def read_trace(self):
        with open(os.path.join(self.trace, "trace")) as f:
            text = f.read()
        open(os.path.join(self.trace, "trace"), "w").write("")
        events = []
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            m = TR.match(line)
            if not m:
                continue
            task, ts, ev, rest = m.groups()
            pid = int(task.rsplit("-", 1)[1]) if "-" in task else 0
            softirq = task.startswith("ksoftirqd/")
            kv = dict(re.findall(r"(\w+)=(\S+)", rest))
            if ev == "kfree_skb":
                r = re.search(r"reason: (\S+)", rest)
                events.append({"t": float(ts), "ev": "drop" if kv.get("protocol") == "2048" else "free", "skb": kv.get("skbaddr"),
                               "pid": pid, "softirq": softirq, "location": kv.get("location", "?").split("+")[0],
                               "reason": r.group(1) if r else "?"})
            elif ev == "consume_skb":
                events.append({"t": float(ts), "ev": "free", "skb": kv.get("skbaddr")})
            elif ev == "netif_receive_skb":
                events.append({"t": float(ts), "ev": "rx", "skb": kv.get("skbaddr"), "dev": kv.get("dev")})
        events.sort(key=lambda e: e["t"])
        return events

    def run(self):
        out = {"kernel": open("/proc/sys/kernel/osrelease").read().strip(),
               "iptables": subprocess.run(["iptables", "-V"], capture_output=True, text=True).stdout.strip(), "worlds": []}
        self.trace_setup()
        errors = self.build()
        for w in self.spec["worlds"]:
            if w["id"] in errors:
                continue
            try:
                self.open_world(w)
            except OSError as e:
                errors[w["id"]] = ["opening the sockets of the world: %s" % e]
        worlds = [w for w in self.spec["worlds"] if w["id"] not in errors]
        devmap = {}
        for w in worlds:
            for d, h in w["devs"].items():
                devmap[d] = (w["id"], h)
        results = {w["id"]: [] for w in worlds}
        gap = float(self.spec.get("gap", 0.02))
        settle = float(self.spec.get("settle", 0.8))
        open(os.path.join(self.trace, "tracing_on"), "w").write("1")
        rounds = max([len(w["queries"]) for w in worlds] + [0])
        self.serve(mono() + 0.05)
        for r in range(rounds):
            self.records = []
            self.deliveries = []
            sends = []
            # each probe lives `settle` seconds (below the 1 s SYN retransmission timeout), then its socket is
            # closed (TCP with RST); what happens after its close is not its evidence
            def close_due(now):
                for s in sends:
                    if s["keep"] and s["close"] <= now:
                        if s["keep"][0] == "tcp":
                            s["synrecv"] = self.syn_recv(s["world"])
                        s["closed"] = mono()
                        self.close_probe(s["keep"], s["res"])
                        s["keep"] = None
            for w in worlds:
                if r >= len(w["queries"]):
                    continue
                q = w["queries"][r]
                t = mono()
                res, keep = self.send(w, q)
                sends.append({"t": t, "close": t + settle, "closed": t + settle, "world": w, "q": q, "res": res, "keep": keep})
                self.serve(t + gap)
                close_due(mono())
            while any(s["keep"] for s in sends):
                self.serve(min(s["close"] for s in sends if s["keep"]))
                close_due(mono())
            self.serve(max([s["close"] for s in sends] + [mono()]) + 0.05)
            events = self.read_trace()
            for i, s in enumerate(sends):
                end = sends[i + 1]["t"] if i + 1 < len(sends) else s["closed"]
                results[s["world"]["id"]].append(analyse(s, min(end, s["closed"]), s["closed"], events, self.records, self.deliveries, devmap, sends))
        open(os.path.join(self.trace, "tracing_on"), "w").write("0")
        for w in self.spec["worlds"]:
            rec = {"id": w["id"]}
            if w["id"] in errors:
                rec["error"] = "\n".join(errors[w["id"]])
            else:
                rec["queries"] = results[w["id"]]
                if self.spec.get("counters"):
                    rec["counters"], rec["conntrack"] = {}, {}
                    for h in w["hosts"]:
                        ns = "%s-%s" % (w["prefix"], h)
                        rec["counters"][h] = subprocess.run(["ip", "netns", "exec", ns, "iptables-save", "-c"], capture_output=True, text=True).stdout
                        rec["conntrack"][h] = subprocess.run(["ip", "netns", "exec", ns, "conntrack", "-L"], capture_output=True, text=True).stdout
            out["worlds"].append(rec)
        return out


RECEIVE_PATH = ("ip_rcv", "ip_error", "ip_local_deliver")
TR = re.compile(r"^\s*(.*?)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+(\S+):\s+(.*)$")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def parse_ip(d):
    if len(d) < 20 or d[0] >> 4 != 4:
        return None
    ihl = (d[0] & 0xF) * 4
    proto = d[9]
    rec = {"proto": proto, "src": socket.inet_ntoa(d[12:16]), "dst": socket.inet_ntoa(d[16:20]), "len": struct.unpack("!H", d[2:4])[0]}
    p = d[ihl:]
    if proto == 6 and len(p) >= 14:
        rec["sport"], rec["dport"] = struct.unpack("!HH", p[:4])
        fl = p[13]
        rec["flags"] = "".join(c for c, b in (("S", 2), ("F", 1), ("R", 4), ("P", 8)) if fl & b) + ("A" if fl & 16 else "")
    elif proto == 17 and len(p) >= 4:
        rec["sport"], rec["dport"] = struct.unpack("!HH", p[:4])
    elif proto == 1 and len(p) >= 8:
        rec["type"], rec["code"] = p[0], p[1]
        rec["id"], rec["seq"] = struct.unpack("!HH", p[4:8])
    return rec


def background(r):
    return r["proto"] not in (1, 6, 17) or r["dst"].split(".")[0] in [str(n) for n in range(224, 240)] or r["dst"] == "255.255.255.255"


def summary(r):
    if r["proto"] == 6:
        return "tcp %s:%d > %s:%d flags %s" % (r["src"], r.get("sport", 0), r["dst"], r.get("dport", 0), r.get("flags", ""))
    if r["proto"] == 17:
        return "udp %s:%d > %s:%d" % (r["src"], r.get("sport", 0), r["dst"], r.get("dport", 0))
    if r["proto"] == 1:
        extra = " id %d seq %d" % (r["id"], r["seq"]) if r.get("type") in (0, 8) else ""
        return "icmp %s > %s type %d code %d%s" % (r["src"], r["dst"], r.get("type", -1), r.get("code", -1), extra)
    return "proto %d %s > %s" % (r["proto"], r["src"], r["dst"])


def analyse(s, end, t_close, events, records, deliveries, devmap, sends):
    """The kernel's answer to one probe: what its world showed between its send and the next send."""
    w, q = s["world"], s["q"]
    wid, t0 = w["id"], s["t"]
    sender = q["sender"]
    allseen = sorted((x for x in records if x["world"] == wid and t0 <= x["t"] < t_close), key=lambda x: x["t"])
    # the worlds' own background traffic (IGMP reports of a bridge, multicast) is not part of any probe
    seen = [x for x in allseen if not background(x)]
    # drops: by receiving device when it is one of ours; lo and locally generated skbs by time
    drops, last_rx = [], {}
    # A TCP probe's client answers the SYN/ACK with an ACK (nfsim follows the SYN and its answer only): drops
    # of that ACK on the sender are not evidence. It is generated while the SYN/ACK is received: after the
    # first receive event on one of the sender's devices (over lo: after the second, the first being the SYN).
    sender_devs = {d for d, o in devmap.items() if o == (wid, sender)}
    answer_rx, lo_rx = None, []
    for e in events:
        if e["ev"] == "rx" and t0 <= e["t"] < t_close:
            if e["dev"] in sender_devs and answer_rx is None:
                answer_rx = e
            if e["dev"] == "lo":
                lo_rx.append(e)
    if q["proto"] == "tcp" and answer_rx is None and len(lo_rx) >= 2:
        answer_rx = lo_rx[1]
    for e in events:
        if e["ev"] == "rx":
            last_rx[e["skb"]] = e
            continue
        if e["ev"] == "free":
            last_rx.pop(e["skb"], None)
            continue
        rx = last_rx.pop(e["skb"], None)
        if not (t0 <= e["t"] < t_close):
            continue
        if e["location"].startswith("igmp"):
            continue   # an IGMP report of the world's own interfaces: probes are TCP, UDP and ICMP
        # a receive event before the probe was sent belongs to an earlier skb at the same address (slab reuse)
        if rx and (e["t"] - rx["t"] > 0.2 or rx["t"] < t0):
            rx = None
        host = None
        if rx and rx["dev"] != "lo":
            owner = devmap.get(rx["dev"])
            if owner is not None and owner[0] != wid:
                continue   # another world's packet
            if owner is not None:
                near = [x for x in allseen if x["iface"] == rx["dev"] and x["dir"] == "in" and rx["t"] - 0.005 <= x["t"] <= rx["t"] + 0.5]
                if near and all(background(x) for x in near):
                    continue   # the world's own IGMP and the like
                if not near:
                    if e["location"].startswith(RECEIVE_PATH):
                        # received but never captured: a multicast copy looped back to its own sender
                        # (dev_loopback_xmit(): PACKET_LOOPBACK, which packet sockets skip), e.g. an IGMP report
                        continue
                    # no IPv4 packet arrived there then: the receive event belonged to an earlier skb at the same
                    # address (ARP, IPv6 neighbour discovery ... are freed unseen: the drop filter is IPv4 only)
                    owner = None
            if owner is None:
                rx = None
            else:
                host = owner[1]
                via = "received on %s:%s" % (host, rx["dev"])
        if host is None:
            # lo, or no receive event (locally generated): the probe whose window holds the event, when this
            # process (the sending system call, and the softirq run at its end) or a softirq thread ran it
            if not (t0 <= e["t"] < end) or not (e["pid"] == MY_PID or e["softirq"]):
                continue
            if rx:
                # lo carries a host's packets to itself: the host of this world whose capture saw a packet
                # arrive on lo next (records carry the time they were read), else the probe's sender
                los = [x for x in allseen if x["iface"] == "lo" and x["dir"] == "in" and x["t"] >= rx["t"] - 0.005]
                host = los[0]["host"] if los else sender
                via = "received on %s:lo" % host
            elif e["location"].startswith(RECEIVE_PATH):
                continue   # a receive-path drop without a receive event of ours (a looped-back multicast copy)
            else:
                via = "locally generated (no receive event)"
        if e["location"].startswith(("packet_rcv", "tpacket_rcv")):
            continue   # our own capture sockets
        if e["reason"] == "QUEUE_PURGE":
            continue   # a probe socket closed with packets still queued (skb_queue_purge_reason)
        if q["proto"] == "tcp" and answer_rx is not None and e["t"] > answer_rx["t"] and (
                (rx is None and host is None) or (host == sender and rx is not None and rx["dev"] == "lo" and len(lo_rx) >= 3 and rx["t"] >= lo_rx[2]["t"])):
            continue   # the client's ACK
        if q["proto"] == "tcp" and answer_rx is not None and answer_rx["dev"] != "lo" and rx is not None and rx["t"] > answer_rx["t"] and rx["skb"] != answer_rx["skb"]:
            continue   # received after the answer reached the client: the client's ACK on its way to the server
        d = {"reason": e["reason"], "location": e["location"], "via": via}
        if host:
            d["host"] = host
        drops.append(d)
    delivered = [{"host": d["host"], "socket": d["socket"], "peer": d["peer"]} for d in deliveries
                 if d["world"] == wid and t0 <= d["t"]]
    if q["proto"] == "tcp" and not delivered:
        # the SYN reached a listener but accept() never returned: the host that emitted the SYN/ACK
        sport = int(q["args"][1])
        synack = [x for x in seen if x["proto"] == 6 and x.get("flags") == "SA" and x.get("dport") == sport]
        inhosts = {x["host"] for x in synack if x["dir"] == "in"}
        for x in synack:
            # (over lo the sender is its own server: its SYN/ACK goes out and comes in on lo)
            if x["dir"] == "out" and ((x["host"] not in inhosts and x["host"] != sender) or (x["iface"] == "lo" and x["host"] == sender)):
                d = {"host": x["host"], "via": "SYN/ACK emitted by this host (handshake not completed)"}
                # the listener's port: its half-open connection from the probe's port, else the SYN/ACK's port
                half = [lp for lp, rp in s.get("synrecv", {}).get(x["host"], []) if rp == sport]
                port = half[0] if len(half) == 1 else x["sport"]
                lst = [l for l in w["listeners"] if l["host"] == x["host"] and l["proto"] == "tcp" and l["port"] == port]
                if lst:
                    d["socket"] = "tcp:%s:%d" % (lst[0]["addr"], lst[0]["port"])
                delivered.append(d)
                break
        if not delivered and not synack:
            # no SYN/ACK anywhere: a listener whose SYN/ACK has no route back drops the request without a
            # trace (tcp_conn_request: route_req fails, drop_and_free): the SYN ends where it was last received,
            # not passed on and not dropped, at a listener of its port
            syns = [x for x in seen if x["proto"] == 6 and x.get("flags") == "S" and x.get("sport") == sport]
            last = syns[-1] if syns else None
            if last and last["dir"] == "in" and not any(d.get("host") == last["host"] for d in drops):
                lst = [l for l in w["listeners"] if l["host"] == last["host"] and l["proto"] == "tcp" and l["port"] == last["dport"] and l["addr"] in ("0.0.0.0", last["dst"])]
                if lst:
                    delivered.append({"host": last["host"], "socket": "tcp:%s:%d" % (lst[0]["addr"], lst[0]["port"]),
                                      "via": "SYN received by a listener, no SYN/ACK sent"})
    if q["proto"] == "icmp":
        ident = int(q["args"][2])
        itype = int(q["args"][4]) if len(q["args"]) > 4 else 8
        replies = [x for x in seen if x["proto"] == 1 and x.get("type") == 0 and x.get("id") == ident]
        if itype == 0:
            last = None
            for x in replies:
                if x["host"] != sender:
                    last = x
            if last and last["dir"] == "in" and not any(d.get("host") == last["host"] for d in drops):
                delivered.append({"host": last["host"], "socket": "icmp:echo-reply", "via": "last host that received the echo reply"})
        else:
            # the host that emitted the echo reply: its first record of the reply goes out (a forwarding host
            # receives it first; a reply that comes back to its emitter by a hairpin is seen out, then in)
            first = {}
            for x in replies:
                first.setdefault(x["host"], x)
            for x in first.values():
                if x["dir"] == "out" or x["iface"] == "lo":
                    if not any(d["host"] == x["host"] for d in delivered):
                        delivered.append({"host": x["host"], "socket": "icmp:echo", "via": "echo reply emitted by this host"})
            if not replies:
                # no reply left anywhere (icmp_reply() found no route back): the request ends in the host that
                # received it last, did not pass it on and did not drop it
                reqs = [x for x in seen if x["proto"] == 1 and x.get("type") == 8 and x.get("id") == ident]
                last = reqs[-1] if reqs else None
                if last and last["dir"] == "in" and not any(d.get("host") == last["host"] for d in drops):
                    delivered.append({"host": last["host"], "socket": "icmp:echo", "via": "echo request received, no reply sent"})
    # answers: what came back to the sender on the interface the probe left through (not the probe itself)
    answers = []
    first_out = next((x for x in seen if x["host"] == sender and x["dir"] == "out"), None)
    ports = {p: br for p, (h, br) in w.get("ports", {}).items() if h == sender}
    if first_out:
        probe = summary(first_out)
        # on the interface it left by; when that is a bridge, as received on its ports (before br_netfilter's
        # PREROUTING translates it or drops it: the frame then never reaches the bridge device)
        back = [x for x in seen if x["host"] == sender and x["dir"] == "in" and x["t"] >= first_out["t"]]
        def flow(x):
            return (x["proto"], x.get("sport"), x.get("dport"), x.get("type"), x.get("id"))
        # a frame that the bridge passes on through another of its ports was not for this host
        passed = [x for x in seen if x["host"] == sender and x["dir"] == "out" and ports.get(x["iface"]) == first_out["iface"]]
        on_ports = [x for x in back if ports.get(x["iface"]) == first_out["iface"]
                    and not any(flow(o) == flow(x) and o["iface"] != x["iface"] and o["t"] >= x["t"] for o in passed)]
        for x in on_ports or [x for x in back if x["iface"] == first_out["iface"]]:
            sm = summary(x)
            # answers travel toward the probe's source port (TCP, UDP) or are ICMP other than the probe's own
            # type: the probe itself coming back (a DNAT hairpin) is not an answer, nor the listener's FIN
            # after accept(): SYN/ACK, RST, ICMP errors, echo replies, UDP replies are
            if x["proto"] in (6, 17) and (x["proto"] != first_out["proto"] or x.get("dport") != first_out.get("sport")):
                continue
            if x["proto"] == 1 and first_out["proto"] == 1 and x.get("type") == first_out.get("type"):
                continue
            if sm != probe and not (x["proto"] == 6 and not set(x.get("flags", "")) & set("SR")):
                answers.append(sm)
    return {"packet": q["packet"], "drops": drops, "delivered": delivered, "answers": answers,
            "seen": [{"host": x["host"], "iface": x["iface"], "dir": x["dir"], "summary": summary(x)} for x in seen],
            "sender": {"host": sender, "result": s["res"].get("result"), "error": s["res"].get("error"),
                       "received": s["res"].get("received", [])}}


def main():
    spec = json.load(open(sys.argv[1]))
    lab = Lab(spec)

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        out = lab.run()
    finally:
        lab.cleanup()
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
