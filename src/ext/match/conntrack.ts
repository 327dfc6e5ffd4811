import type { MatchExtension } from '../types.js';
import type { IpNet } from '../../model/addr.js';
import { inNet4, formatIpv4 } from '../../model/addr.js';
import { fail, formatPortRange, parseNet, parsePortRange, parseUInt, protoNumber } from '../helpers.js';
import { parseStates, stateHit, type CtStateName } from '../ctstate.js';

type Neg<T> = { value: T; invert: boolean };
export interface ConntrackArgs {
  state?: Neg<CtStateName[]>;
  proto?: Neg<number>;
  origsrc?: Neg<IpNet>;
  origdst?: Neg<IpNet>;
  replsrc?: Neg<IpNet>;
  repldst?: Neg<IpNet>;
  origsrcport?: Neg<[number, number]>;
  origdstport?: Neg<[number, number]>;
  replsrcport?: Neg<[number, number]>;
  repldstport?: Neg<[number, number]>;
  status?: Neg<string[]>;
  expire?: Neg<[number, number]>;
  dir?: 'ORIGINAL' | 'REPLY';
}

const STATUS_ORDER = ['EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'];
const ADDR = ['origsrc', 'origdst', 'replsrc', 'repldst'] as const;
const PORT = ['origsrcport', 'origdstport', 'replsrcport', 'repldstport'] as const;

function addrText(n: IpNet): string {
  // xtables_ipaddr_to_numeric + ipmask_to_numeric: no "/32" (or "/128")
  if (n.family === 4 && n.len === -1) return `${n.addr}/${formatIpv4(n.maskBits ?? 0)}`;
  return (n.family === 4 && n.len === 32) || (n.family === 6 && n.len === 128) ? n.addr : `${n.addr}/${n.len}`;
}

export const conntrack: MatchExtension<ConntrackArgs> = {
  kind: 'match',
  name: 'conntrack',
  families: [4, 6],
  options: [
    { name: 'ctstate', args: 1, invertible: true },
    { name: 'ctproto', args: 1, invertible: true },
    ...ADDR.map((n) => ({ name: 'ct' + n, args: 1 as const, invertible: true })),
    ...PORT.map((n) => ({ name: 'ct' + n, args: 1 as const, invertible: true })),
    { name: 'ctstatus', args: 1, invertible: true },
    { name: 'ctexpire', args: 1, invertible: true },
    { name: 'ctdir', args: 1 },
  ],
  build(opts, ctx) {
    const a: ConntrackArgs = {};
    if (!opts.length) fail('conntrack: At least one option is required');
    for (const o of opts) {
      const v = o.values[0];
      const key = o.name.slice(2);
      if (o.name === 'ctstate') a.state = { value: parseStates(v, true), invert: o.invert };
      else if (o.name === 'ctproto') {
        const n = protoNumber(v);
        if (n === undefined) fail(`unknown protocol "${v}"`, undefined, o);
        if (n === 0) fail('rule would never match protocol', undefined, o);
        a.proto = { value: n, invert: o.invert };
      } else if ((ADDR as readonly string[]).includes(key)) (a as Record<string, unknown>)[key] = { value: parseNet(v, ctx.family), invert: o.invert };
      else if ((PORT as readonly string[]).includes(key)) {
        const r = v.includes(':') ? parsePortRange(v) : parsePortRange(v);
        (a as Record<string, unknown>)[key] = { value: r, invert: o.invert };
      } else if (o.name === 'ctstatus') {
        const set = new Set<string>();
        for (const s of v.split(',')) {
          const u = s.toUpperCase();
          if (u === 'NONE') continue;
          if (!STATUS_ORDER.includes(u)) fail(`Bad ctstatus "${s}"`, `one of NONE, ${STATUS_ORDER.join(', ')}`, o);
          set.add(u);
        }
        a.status = { value: STATUS_ORDER.filter((x) => set.has(x)), invert: o.invert };
      } else if (o.name === 'ctexpire') {
        const [lo, hi] = v.split(':');
        const min = parseUInt(lo, 0xffffffff, 'expire');
        const max = hi === undefined ? min : parseUInt(hi, 0xffffffff, 'expire');
        if (min > max) fail(`expire min ${min} > max ${max}`, undefined, o);
        a.expire = { value: [min, max], invert: o.invert };
      } else if (o.name === 'ctdir') {
        const u = v.toUpperCase();
        if (u !== 'ORIGINAL' && u !== 'REPLY') fail(`Unknown --ctdir "${v}"`, 'ORIGINAL or REPLY', o);
        a.dir = u;
      }
    }
    if (ctx.protocol === undefined && PORT.some((p) => a[p]) && !a.proto) {
      /* 1.8: port matching needs --ctproto or -p */
    }
    return a;
  },
  save(a) {
    const inv = (n?: { invert: boolean }) => (n?.invert ? ' !' : '');
    let s = '';
    if (a.state) s += `${inv(a.state)} --ctstate ${a.state.value.join(',')}`;
    if (a.proto) s += `${inv(a.proto)} --ctproto ${a.proto.value}`;
    for (const k of ADDR) if (a[k]) s += `${inv(a[k])} --ct${k} ${addrText(a[k]!.value)}`;
    for (const k of PORT) if (a[k]) s += `${inv(a[k])} --ct${k} ${formatPortRange(a[k]!.value)}`;
    if (a.status) s += `${inv(a.status)} --ctstatus ${a.status.value.length ? a.status.value.join(',') : 'NONE'}`;
    if (a.expire) s += `${inv(a.expire)} --ctexpire ${a.expire.value[0] === a.expire.value[1] ? a.expire.value[0] : a.expire.value.join(':')}`;
    if (a.dir) s += ` --ctdir ${a.dir}`;
    return s;
  },
  describe(a) {
    const p: string[] = [];
    if (a.state) p.push(`ctstate ${a.state.invert ? 'not ' : ''}${a.state.value.join(' or ')}`);
    if (a.proto) p.push(`ct protocol ${a.proto.invert ? '!= ' : ''}${a.proto.value}`);
    for (const k of ADDR) if (a[k]) p.push(`${k} ${a[k]!.invert ? 'not ' : ''}${addrText(a[k]!.value)}`);
    for (const k of PORT) if (a[k]) p.push(`${k} ${a[k]!.invert ? 'not ' : ''}${formatPortRange(a[k]!.value)}`);
    if (a.status) p.push(`ct status ${a.status.invert ? 'not ' : ''}${a.status.value.join(',') || 'NONE'}`);
    if (a.expire) p.push(`expires in ${a.expire.value.join('-')}s`);
    if (a.dir) p.push(`direction ${a.dir}`);
    return p.join(', ');
  },
  // The state itself comes from the conntrack lookup, which records what it read; tuple options read addresses and ports.
  reads: (a) => (ADDR.some((k) => a[k]) || PORT.some((k) => a[k]) ? ['src', 'dst', 'sport', 'dport'] : []),
  match(a, { ct, family }) {
    if (a.state && stateHit(a.state.value, ct) === a.state.invert) return false;
    const tracked = ct.state !== 'INVALID' && ct.state !== 'UNTRACKED' && ct.orig !== undefined;
    // every other criterion needs a conntrack entry (xt_conntrack: ct == NULL -> false)
    const others = a.proto || ADDR.some((k) => a[k]) || PORT.some((k) => a[k]) || a.status || a.expire || a.dir;
    if (!others) return true;
    if (!tracked) return false;
    if (family !== 4 && ADDR.some((k) => a[k])) return { unsupported: 'conntrack address match on IPv6' };
    const o = ct.orig!;
    const r = ct.replyTuple ?? { src: o.dst, dst: o.src, proto: o.proto, sport: o.dport, dport: o.sport };
    if (a.proto && (o.proto === a.proto.value) === a.proto.invert) return false;
    const addrs = { origsrc: o.src, origdst: o.dst, replsrc: r.src, repldst: r.dst };
    for (const k of ADDR) if (a[k] && inNet4(addrs[k], a[k]!.value) === a[k]!.invert) return false;
    const ports = { origsrcport: o.sport, origdstport: o.dport, replsrcport: r.sport, repldstport: r.dport };
    for (const k of PORT) {
      const sel = a[k];
      if (!sel) continue;
      const p = ports[k];
      const hit = p !== undefined && p >= sel.value[0] && p <= sel.value[1];
      if (hit === sel.invert) return false;
    }
    if (a.status) {
      const hit = a.status.value.length === 0 ? ct.status.length === 0 : a.status.value.some((s) => ct.status.includes(s));
      if (hit === a.status.invert) return false;
    }
    if (a.dir && (a.dir === 'REPLY') !== ct.reply) return false;
    if (a.expire) return { unsupported: 'conntrack --ctexpire: entry timeouts are not modelled' };
    return true;
  },
};
