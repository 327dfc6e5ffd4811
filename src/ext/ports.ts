/** Shared pieces of the port matches (tcp, udp, sctp, dccp, multiport). */
import type { BuildContext, OptionValue } from './types.js';
import { fail, formatPortRange, parsePortRange } from './helpers.js';

export interface PortSel {
  range: [number, number];
  invert: boolean;
}

/** iptables 1.8.9 accepts a reversed range (`60000:29`, never matches; 1.8.11 refuses it): kept with a warning. */
export function portOpt(o: OptionValue | undefined, proto: string, ctx?: BuildContext): PortSel | undefined {
  if (!o) return undefined;
  const range = parsePortRange(o.values[0], proto, true);
  if (range[0] > range[1]) ctx?.warn?.(`port range ${o.values[0]} has start > end: it never matches`, 'iptables 1.8.9 accepts it, iptables 1.8.11 refuses it');
  return { range, invert: o.invert };
}

/** Print `[!] --NAME a[:b]` unless the selection is the full range and not inverted (libxt_tcp/udp save). */
export function savePort(name: string, p: PortSel | undefined): string {
  if (!p) return '';
  if (p.range[0] === 0 && p.range[1] === 65535 && !p.invert) return '';
  return `${p.invert ? ' !' : ''} --${name} ${formatPortRange(p.range)}`;
}

export function portIn(p: PortSel | undefined, port: number | undefined): boolean {
  if (!p) return true;
  if (port === undefined) return false;
  return (port >= p.range[0] && port <= p.range[1]) !== p.invert;
}

export function requireProto(ctx: BuildContext, names: string[], what: string): void {
  const p = ctx.protocol;
  if (!p || p.invert || !names.includes(p.value))
    fail(`${what} requires '-p ${names[0]}'`, `the kernel refuses a ${what} match on a rule without ${names.map((n) => '-p ' + n).join(' or ')}`);
}

export function describePort(what: string, p: PortSel | undefined): string {
  if (!p) return '';
  return `${p.invert ? 'not ' : ''}${what} ${formatPortRange(p.range)}`;
}
