/**
 * Deterministic generator of kube-proxy-shaped iptables-save dumps (iptables mode), for benchmarks and
 * scale tests. The text is what `iptables-save` prints for the rules kube-proxy installs: KUBE-SERVICES →
 * KUBE-SVC-* (one `statistic --mode random` rule per endpoint, the last unconditional) → KUBE-SEP-*
 * (KUBE-MARK-MASQ for hairpin, then DNAT), KUBE-MARK-MASQ, KUBE-POSTROUTING and the filter KUBE-* chains.
 * Chain names use kube-proxy's hash: first 16 chars of base32(sha256(key)).
 */
import { createHash } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(buf: Buffer): string {
  let bits = 0, value = 0, out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}
export function kubeHash(prefix: string, key: string): string {
  return prefix + base32(createHash('sha256').update(key).digest()).slice(0, 16);
}

/** What iptables-save prints for `--probability 1/n` (fixed point 2^31, %.11f). */
export function probabilityText(n: number): string {
  return (Math.round(0x80000000 / n) / 0x80000000).toFixed(11);
}

export interface KubeGenOptions {
  /** Approximate number of rules (`-A` lines) to produce. */
  rules: number;
  /** Endpoints per service cycle through 1..maxEndpoints (deterministic). Default 5. */
  maxEndpoints?: number;
  /** Every k-th service has no endpoints (REJECT in filter). Default 20. */
  noEndpointsEvery?: number;
}

const ip = (n: number) => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** Returns the dump text and the exact rule count. */
export function generateKubeProxyDump(opts: KubeGenOptions): { text: string; rules: number; services: number } {
  const maxEp = opts.maxEndpoints ?? 5;
  const noEpEvery = opts.noEndpointsEvery ?? 20;
  const natChains: string[] = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS'];
  const nat: string[] = [];
  const filterRules: string[] = [];
  let count = 0;
  const push = (arr: string[], l: string) => { arr.push(l); count++; };

  push(nat, '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  push(nat, '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  push(nat, '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  push(nat, '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
  push(nat, '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN');
  push(nat, '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0');
  push(nat, '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  push(filterRules, '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD');
  push(filterRules, '-A INPUT -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
  push(filterRules, '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  push(filterRules, '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  push(filterRules, '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT');
  push(filterRules, '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');

  const svcRules: string[] = [];
  const chainRules: string[] = [];
  let s = 0;
  while (count < opts.rules) {
    const ns = `ns${s % 97}`;
    const name = `svc-${s}`;
    const portName = s % 3 === 0 ? 'http' : s % 3 === 1 ? 'grpc' : 'metrics';
    const port = 80 + (s % 50) * 100 + (s % 3);
    const proto = s % 11 === 10 ? 'udp' : 'tcp';
    const spn = `${ns}/${name}:${portName}`;
    const clusterIp = ip(((10 << 24) | (96 << 16)) + 10 + s);
    const noEp = noEpEvery > 0 && s % noEpEvery === noEpEvery - 1;
    if (noEp) {
      push(filterRules, `-A KUBE-SERVICES -d ${clusterIp}/32 -p ${proto} -m comment --comment "${spn} has no endpoints" -m ${proto} --dport ${port} -j REJECT --reject-with icmp-port-unreachable`);
      s++;
      continue;
    }
    const svc = kubeHash('KUBE-SVC-', spn + proto);
    natChains.push(svc);
    push(svcRules, `-A KUBE-SERVICES -d ${clusterIp}/32 -p ${proto} -m comment --comment "${spn} cluster IP" -m ${proto} --dport ${port} -j ${svc}`);
    push(chainRules, `-A ${svc} ! -s 10.244.0.0/16 -d ${clusterIp}/32 -p ${proto} -m comment --comment "${spn} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`);
    const n = 1 + (s % maxEp);
    for (let e = 0; e < n; e++) {
      const pod = ip(((10 << 24) | (244 << 16)) + ((s * 7 + e * 131) % 65000) + 2);
      const tport = 8000 + (s % 1000);
      const sep = kubeHash('KUBE-SEP-', `${spn}${proto}${pod}:${tport}`);
      natChains.push(sep);
      const last = e === n - 1;
      push(chainRules, `-A ${svc} -m comment --comment "${spn} -> ${pod}:${tport}"${last ? '' : ` -m statistic --mode random --probability ${probabilityText(n - e)}`} -j ${sep}`);
      push(chainRules, `-A ${sep} -s ${pod}/32 -m comment --comment "${spn}" -j KUBE-MARK-MASQ`);
      push(chainRules, `-A ${sep} -p ${proto} -m comment --comment "${spn}" -m ${proto} -j DNAT --to-destination ${pod}:${tport}`);
    }
    s++;
  }
  push(svcRules, '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');

  // iptables-save (legacy) prints built-in chains first, then user chains sorted by name, and the rules
  // grouped by chain in that order
  const emit = (table: string, builtins: string[], user: string[], rules: string[]) => {
    const byChain = new Map<string, string[]>();
    for (const r of rules) {
      const c = r.slice(3, r.indexOf(' ', 3));
      let l = byChain.get(c);
      if (!l) byChain.set(c, (l = []));
      l.push(r);
    }
    const order = [...builtins, ...[...new Set(user)].sort()];
    out.push('# Generated by iptables-save v1.8.9 (legacy) on Thu Jan  1 00:00:00 1970', `*${table}`);
    for (const c of builtins) out.push(`:${c} ACCEPT [0:0]`);
    for (const c of order.slice(builtins.length)) out.push(`:${c} - [0:0]`);
    for (const c of order) out.push(...(byChain.get(c) ?? []));
    out.push('COMMIT', '# Completed on Thu Jan  1 00:00:00 1970');
  };
  const out: string[] = [];
  emit('filter', ['INPUT', 'FORWARD', 'OUTPUT'], ['KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-SERVICES'], filterRules);
  emit('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], natChains, [...nat, ...svcRules, ...chainRules]);
  return { text: out.join('\n') + '\n', rules: count, services: s };
}
