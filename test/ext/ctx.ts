/** Test helpers: build extension args from option text and a MatchContext with stubbed host queries. */
import type { BuildContext, CtView, Extension, HostQueries, MatchContext, OptionValue } from '../../src/ext/types.js';
import type { Packet } from '../../src/model/packet.js';
import { parseIpv4 } from '../../src/model/addr.js';

export function opts(ext: Extension, text: string): OptionValue[] {
  const toks = text.split(' ').filter(Boolean);
  const out: OptionValue[] = [];
  let inv = false;
  for (let i = 0; i < toks.length; i++) {
    if (toks[i] === '!') { inv = true; continue; }
    const name = toks[i].slice(2);
    const spec = ext.options.find((o) => o.name === name || o.aliases?.includes(name));
    if (!spec) throw new Error(`no option ${name} in ${ext.name}`);
    out.push({ name: spec.name, invert: inv, values: toks.slice(i + 1, i + 1 + spec.args), col: 1 });
    i += spec.args;
    inv = false;
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function build<T = any>(ext: Extension, text: string, ctx: Partial<BuildContext> = {}): T {
  return ext.build(opts(ext, text), { family: 4, table: 'filter', chain: 'FORWARD', ...ctx }) as T;
}

export const ip = (s: string) => parseIpv4(s)!;

export function pkt(p: Partial<Packet> = {}): Packet {
  return { src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: 6, sport: 40000, dport: 80, tcpFlags: 0x02, ttl: 64, tos: 0, length: 60, df: true, mark: 0, ...p };
}

export function ct(c: Partial<CtView> = {}): CtView {
  return { state: 'NEW', reply: false, snat: false, dnat: false, status: [], mark: 0, zone: 0, orig: { src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: 6, sport: 40000, dport: 80 }, ...c };
}

export function host(h: Partial<HostQueries> = {}): HostQueries {
  return { addrType: () => 'UNICAST', ipset: () => undefined, ...h };
}

export function mctx(c: Partial<MatchContext> = {}): MatchContext {
  let st: unknown;
  return {
    pkt: pkt(),
    family: 4,
    hook: 'FORWARD',
    table: 'filter',
    ct: ct(),
    host: host(),
    state: { get: <T>() => st as T | undefined, set: <T>(v: T) => void (st = v) },
    ...c,
  };
}
