/**
 * Random small worlds for the diff properties: a router r (LAN eth0, servers on eth1, uplink eth2, forwarding
 * on, a few listeners) and optionally a server b behind eth1, with a handful of rules over the five tables
 * (ports, prefixes, ctstate, interfaces; REJECT/DROP/ACCEPT/DNAT/SNAT/MASQUERADE), and random packets drawn
 * from the whole header space at every ingress point.
 */
import fc from 'fast-check';
import type { World } from '../../src/model/host.js';
import type { IngressPoint } from '../../src/space/classes.js';
import { host, world } from '../engine/build.js';

export type Table = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';

export interface RuleDesc {
  table: Table;
  chain: string;
  /** the rule after `-A CHAIN` */
  spec: string;
}

export interface WorldDesc {
  withB: boolean;
  rules: RuleDesc[];
}

const CHAINS: Record<Table, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Addresses the worlds use, and prefixes around them. */
export const ADDRS = ['10.0.1.1', '10.0.1.7', '10.0.2.1', '10.0.2.2', '198.51.100.1', '198.51.100.254', '203.0.113.9', '127.0.0.1'];
const PREFIXES = ['10.0.1.0/24', '10.0.2.0/24', '10.0.0.0/16', '10.0.2.2/32', '198.51.100.0/24', '203.0.113.0/25', '0.0.0.0/1'];
const IFACES = ['eth0', 'eth1', 'eth2'];

const inputSide = (chain: string) => ['PREROUTING', 'INPUT', 'FORWARD'].includes(chain);
const outputSide = (chain: string) => ['OUTPUT', 'POSTROUTING', 'FORWARD'].includes(chain);

function targetArb(table: Table, chain: string, narrow = false): fc.Arbitrary<string> {
  const basic = ['ACCEPT', 'DROP'];
  if (table === 'filter') return fc.constantFrom(...basic, 'REJECT', 'REJECT --reject-with icmp-host-prohibited', 'REJECT --reject-with tcp-reset');
  if (table === 'nat') {
    // (a DNAT in the world frees the destination of every changed rule's region: too many classes for a narrowed test)
    if ((chain === 'PREROUTING' || chain === 'OUTPUT') && narrow) return fc.constantFrom('ACCEPT', 'RETURN');
    if (chain === 'PREROUTING' || chain === 'OUTPUT') return fc.constantFrom('ACCEPT', 'RETURN', 'DNAT --to-destination 10.0.2.2', 'DNAT --to-destination 10.0.1.7');
    if (chain === 'POSTROUTING') return fc.constantFrom('ACCEPT', 'MASQUERADE', 'SNAT --to-source 198.51.100.1', 'SNAT --to-source 10.0.2.1');
    return fc.constantFrom('ACCEPT', 'SNAT --to-source 10.0.1.1');
  }
  return fc.constantFrom(...basic);
}

/** Protocol and port matches; `-p` comes first as iptables-save prints it. */
const protoArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constant('-p icmp'),
  fc.constant('-p icmp -m icmp --icmp-type 8'),
  fc.record({ p: fc.constantFrom('tcp', 'udp'), dport: fc.option(fc.constantFrom('22', '53', '80', '1024:65535', '8080'), { nil: undefined }), sport: fc.option(fc.constantFrom('53', '1024:65535'), { nil: undefined }), inv: fc.boolean() }).map(({ p, dport, sport, inv }) => {
    let s = `-p ${p} -m ${p}`;
    if (sport) s += ` --sport ${sport}`;
    if (dport) s += `${inv ? ' !' : ''} --dport ${dport}`;
    return sport || dport ? s : `-p ${p}`;
  }),
  fc.constant('-p tcp -m tcp --tcp-flags SYN,RST,ACK SYN'),
  fc.constant('-p tcp -m multiport --dports 22,80,443'),
);

/** Destinations of narrowed rules. */
const NARROW_DST = ['10.0.1.1/32', '10.0.2.0/24', '10.0.2.2/32', '203.0.113.0/25', '198.51.100.1/32'];

/**
 * A random rule of a valid chain and target. `narrow`: always with a protocol and a (not inverted) destination
 * prefix, which keeps the region a change of it can affect, and so the diff's run time, small.
 */
export function ruleArb(opts: { narrow?: boolean } = {}): fc.Arbitrary<RuleDesc> {
  return fc
    .constantFrom(...(Object.keys(CHAINS) as Table[]))
    .chain((table) => fc.constantFrom(...CHAINS[table]).map((chain) => ({ table, chain })))
    .chain(({ table, chain }) =>
      fc
        .record({
          src: fc.option(fc.record({ inv: fc.boolean(), p: fc.constantFrom(...PREFIXES) }), { nil: undefined, freq: 2 }),
          dst: opts.narrow ? fc.record({ inv: fc.constant(false), p: fc.constantFrom(...NARROW_DST) }) : fc.option(fc.record({ inv: fc.boolean(), p: fc.constantFrom(...PREFIXES) }), { nil: undefined, freq: 2 }),
          inIf: fc.option(fc.record({ inv: fc.boolean(), i: fc.constantFrom(...IFACES) }), { nil: undefined, freq: 2 }),
          outIf: fc.option(fc.record({ inv: fc.boolean(), i: fc.constantFrom(...IFACES) }), { nil: undefined, freq: 2 }),
          proto: opts.narrow ? protoArb.filter((x) => x !== '') : protoArb,
          state: fc.option(fc.constantFrom('NEW', 'RELATED,ESTABLISHED', 'INVALID', 'DNAT'), { nil: undefined, freq: 3 }),
          target: targetArb(table, chain, opts.narrow),
        })
        .map((r) => {
          const parts: string[] = [];
          if (r.src) parts.push(`${r.src.inv ? '! ' : ''}-s ${r.src.p}`);
          if (r.dst) parts.push(`${r.dst.inv ? '! ' : ''}-d ${r.dst.p}`);
          if (r.inIf && inputSide(chain)) parts.push(`${r.inIf.inv ? '! ' : ''}-i ${r.inIf.i}`);
          if (r.outIf && outputSide(chain)) parts.push(`${r.outIf.inv ? '! ' : ''}-o ${r.outIf.i}`);
          if (r.proto) parts.push(r.proto);
          if (r.state) parts.push(`-m conntrack --ctstate ${r.state}`);
          // the kernel refuses a TCP reset for a rule that does not select tcp (ipt_REJECT checkentry)
          parts.push(`-j ${r.target.includes('tcp-reset') && !r.proto.startsWith('-p tcp') ? 'REJECT' : r.target}`);
          return { table, chain, spec: parts.join(' ') };
        }),
    );
}

export const worldDescArb: fc.Arbitrary<WorldDesc> = fc.record({ withB: fc.boolean(), rules: fc.array(ruleArb(), { maxLength: 6 }) });
/** Worlds whose rules are all narrowed (ruleArb({ narrow: true })). */
export const narrowWorldDescArb: fc.Arbitrary<WorldDesc> = fc.record({ withB: fc.boolean(), rules: fc.array(ruleArb({ narrow: true }), { maxLength: 6 }) });

export function iptablesSave(rules: readonly RuleDesc[]): string {
  const out: string[] = [];
  for (const t of ['raw', 'mangle', 'nat', 'filter', 'security'] as Table[]) {
    const mine = rules.filter((r) => r.table === t);
    if (!mine.length && t !== 'filter') continue;
    out.push(`*${t}`);
    for (const c of CHAINS[t].concat(t === 'nat' ? [] : [])) out.push(`:${c} ACCEPT [0:0]`);
    for (const r of mine) out.push(`-A ${r.chain} ${r.spec}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

const FWD = { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.forwarding': 1, 'net.ipv4.conf.eth0.forwarding': 1, 'net.ipv4.conf.eth1.forwarding': 1, 'net.ipv4.conf.eth2.forwarding': 1 };

export function buildWorld(d: WorldDesc): World {
  const r = host('r', {
    ifaces: { eth0: ['10.0.1.1/24'], eth1: ['10.0.2.1/24'], eth2: ['198.51.100.1/24'] },
    routes: ['default via 198.51.100.254 dev eth2'],
    sysctl: FWD,
    iptables: iptablesSave(d.rules),
    sockets: [
      { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 22 } },
      { proto: 'udp', state: 'UNCONN', local: { addr: '10.0.1.1', port: 53 } },
    ],
  });
  if (!d.withB) return world([r]);
  const b = host('b', {
    ifaces: { eth0: ['10.0.2.2/24'] },
    routes: ['default via 10.0.2.1 dev eth0'],
    sockets: [
      { proto: 'tcp', state: 'LISTEN', local: { addr: '0.0.0.0', port: 80 } },
      { proto: 'tcp', state: 'LISTEN', local: { addr: '10.0.2.2', port: 8080 } },
    ],
  });
  return world([r, b], [['r:eth1', 'b:eth0']]);
}

const u32 = fc.integer({ min: 0, max: 0xffffffff }).map((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'));
const addrArb = fc.oneof({ arbitrary: fc.constantFrom(...ADDRS), weight: 3 }, { arbitrary: fc.constantFrom('10.0.1.', '10.0.2.', '198.51.100.').chain((p) => fc.integer({ min: 0, max: 255 }).map((x) => p + x)), weight: 2 }, { arbitrary: u32, weight: 1 });
const portArb = fc.oneof(fc.constantFrom(22, 53, 80, 443, 1024, 8080), fc.integer({ min: 0, max: 65535 }));
const FLAGS = ['S', 'A', 'F', 'R', 'P', 'U'];

export interface PacketDesc {
  at: number;
  proto: 'tcp' | 'udp' | 'icmp' | '47';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: string[];
  icmp: [number, number];
  ttl: number;
}

export const packetArb: fc.Arbitrary<PacketDesc> = fc.record({
  at: fc.nat(),
  proto: fc.constantFrom('tcp', 'tcp', 'udp', 'icmp', '47'),
  src: addrArb,
  dst: addrArb,
  sport: portArb,
  dport: portArb,
  flags: fc.oneof(fc.constant<string[]>(['S']), fc.constant<string[]>(['A']), fc.subarray(FLAGS)),
  icmp: fc.oneof(fc.constantFrom<[number, number]>([8, 0], [0, 0], [3, 3], [11, 0]), fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 15 }))),
  ttl: fc.oneof(fc.constant(64), fc.integer({ min: 0, max: 255 })),
});

/** A packet spec at one of the ingress points (a local sender's source is one of its host's addresses, or unbound). */
export function packetText(p: PacketDesc, points: readonly IngressPoint[], w: World): string {
  const pt = points[p.at % points.length];
  let src = p.src;
  if (pt.kind === 'local') {
    const own = ['0.0.0.0', ...w.hosts.find((h) => h.name === pt.host)!.interfaces.flatMap((i) => i.addresses.filter((a) => a.family === 4 && a.local.addr !== '127.0.0.1').map((a) => a.local.addr))];
    src = own[p.sport % own.length];
  }
  const ttl = p.ttl === 64 ? '' : ` ttl ${p.ttl}`;
  if (p.proto === 'icmp') return `${pt.label} icmp ${src} > ${p.dst} type ${p.icmp[0]} code ${p.icmp[1]}${ttl}`;
  if (p.proto === '47') return `${pt.label} 47 ${src} > ${p.dst}${ttl}`;
  const flags = p.proto === 'tcp' ? ` flags ${p.flags.join('') || 'none'}` : '';
  return `${pt.label} ${p.proto} ${src}:${p.sport} > ${p.dst}:${p.dport}${flags}${ttl}`;
}
