import type { MatchExtension } from '../types.js';
import { portSet, valuesWhere, maybeInvert } from '../../space/helpers.js';
import * as I from '../../space/intervals.js';
import { TCP_FLAGS } from '../../model/packet.js';
import { fail, opt, parseUInt } from '../helpers.js';
import { describePort, portIn, portOpt, requireProto, savePort, type PortSel } from '../ports.js';

export interface TcpArgs {
  sport?: PortSel;
  dport?: PortSel;
  flags?: { mask: number; comp: number; invert: boolean };
  option?: { value: number; invert: boolean };
}

/** libxt_tcp flag names, in the order print_tcpf scans them. */
const FLAG_NAMES: [string, number][] = [
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ALL', 0x3f], ['NONE', 0],
];

function parseFlags(s: string): number {
  let bits = 0;
  for (const f of s.split(',')) {
    const e = FLAG_NAMES.find(([n]) => n === f.toUpperCase());
    if (!e) fail(`Unknown TCP flag \`${f}'`, 'flags are FIN, SYN, RST, PSH, ACK, URG, ALL, NONE');
    bits |= e[1];
  }
  return bits;
}

export function printTcpFlags(flags: number): string {
  const out: string[] = [];
  let f = flags;
  while (f) {
    const e = FLAG_NAMES.find(([, v]) => (f & v) !== 0)!;
    out.push(e[0]);
    f &= ~e[1];
  }
  return out.length ? out.join(',') : 'NONE';
}

export const tcp: MatchExtension<TcpArgs> = {
  kind: 'match',
  name: 'tcp',
  families: [4, 6],
  options: [
    { name: 'sport', aliases: ['source-port'], args: 1, invertible: true },
    { name: 'dport', aliases: ['destination-port'], args: 1, invertible: true },
    { name: 'tcp-flags', args: 2, invertible: true, excludes: ['syn'] },
    { name: 'syn', args: 0, invertible: true, excludes: ['tcp-flags'] },
    { name: 'tcp-option', args: 1, invertible: true },
  ],
  build(opts, ctx) {
    requireProto(ctx, ['tcp'], 'TCP match');
    const a: TcpArgs = {};
    for (const o of opts) {
      if (o.name === 'sport') a.sport = portOpt(o, 'tcp', ctx);
      else if (o.name === 'dport') a.dport = portOpt(o, 'tcp', ctx);
      else if (o.name === 'tcp-flags') a.flags = { mask: parseFlags(o.values[0]), comp: parseFlags(o.values[1]), invert: o.invert };
      else if (o.name === 'syn') a.flags = { mask: 0x17, comp: 0x02, invert: o.invert };
      else if (o.name === 'tcp-option') a.option = { value: parseUInt(o.values[0], 255, 'TCP option'), invert: o.invert };
    }
    void opt;
    return a;
  },
  save(a) {
    let s = savePort('sport', a.sport) + savePort('dport', a.dport);
    if (a.option) s += `${a.option.invert ? ' !' : ''} --tcp-option ${a.option.value}`;
    if (a.flags && (a.flags.mask !== 0 || a.flags.invert))
      s += `${a.flags.invert ? ' !' : ''} --tcp-flags ${printTcpFlags(a.flags.mask)} ${printTcpFlags(a.flags.comp)}`;
    return s;
  },
  describe(a) {
    const parts = [describePort('TCP source port', a.sport), describePort('TCP destination port', a.dport)];
    if (a.flags) parts.push(`${a.flags.invert ? 'not ' : ''}TCP flags ${printTcpFlags(a.flags.mask)} = ${printTcpFlags(a.flags.comp)}`);
    if (a.option) parts.push(`${a.option.invert ? 'without' : 'with'} TCP option ${a.option.value}`);
    return parts.filter(Boolean).join(', ') || 'TCP';
  },
  space(a) {
    const f = a.flags;
    return {
      constraint: {
        proto: I.single(6),
        ...(a.sport && { sport: portSet(a.sport.range, a.sport.invert) }),
        ...(a.dport && { dport: portSet(a.dport.range, a.dport.invert) }),
        ...(f && { flags: valuesWhere(255, (v) => ((v & f.mask) === f.comp) !== f.invert) }),
      },
      exact: !a.option,
    };
  },
  match(a, { pkt }) {
    if (pkt.proto !== 6) return false;
    if (!portIn(a.sport, pkt.sport) || !portIn(a.dport, pkt.dport)) return false;
    if (a.flags) {
      const f = pkt.tcpFlags ?? 0;
      if (((f & a.flags.mask) === a.flags.comp) === a.flags.invert) return false;
    }
    if (a.option) return { unsupported: 'tcp --tcp-option: TCP options are not modelled' };
    return true;
  },
};
void TCP_FLAGS;
