import type { RejectWith, TargetExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface RejectArgs {
  with: RejectWith;
}

/** ipt_REJECT / ip6t_REJECT names (canonical first) and their accepted aliases. */
const V4: [RejectWith, string[]][] = [
  ['icmp-net-unreachable', ['net-unreach']],
  ['icmp-host-unreachable', ['host-unreach']],
  ['icmp-proto-unreachable', ['proto-unreach']],
  ['icmp-port-unreachable', ['port-unreach']],
  ['icmp-net-prohibited', ['net-prohib']],
  ['icmp-host-prohibited', ['host-prohib']],
  ['tcp-reset', ['tcp-rst']],
  ['icmp-admin-prohibited', ['admin-prohib']],
];
const V6: [RejectWith, string[]][] = [
  ['icmp6-no-route', ['no-route']],
  ['icmp6-adm-prohibited', ['adm-prohibited']],
  ['icmp6-addr-unreachable', ['addr-unreach']],
  ['icmp6-port-unreachable', ['port-unreach']],
  ['icmp6-policy-fail', ['policy-fail']],
  ['icmp6-reject-route', ['reject-route']],
  ['tcp-reset', ['tcp-rst']],
];

export const REJECT: TargetExtension<RejectArgs> = {
  kind: 'target',
  name: 'REJECT',
  families: [4, 6],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  options: [{ name: 'reject-with', args: 1 }],
  build(opts, ctx) {
    const table = ctx.family === 4 ? V4 : V6;
    let w: RejectWith = ctx.family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
    const o = opts[0];
    if (o) {
      const v = o.values[0];
      const e = table.find(([n, al]) => n === v || al.includes(v));
      if (!e) {
        if (ctx.family === 4 && (v === 'icmp-echo-reply' || v === 'echo-reply')) fail('REJECT --reject-with echo-reply is no longer supported', undefined, o);
        fail(`unknown reject type "${v}"`, `one of ${table.map(([n]) => n).join(', ')}`, o);
      }
      w = e[0];
    }
    if (w === 'tcp-reset' && (!ctx.protocol || ctx.protocol.invert || ctx.protocol.value !== 'tcp'))
      fail('REJECT --reject-with tcp-reset needs -p tcp', 'the kernel refuses TCP_RESET for non-tcp rules (ipt_REJECT checkentry)', o);
    return { with: w };
  },
  save: (a) => ` --reject-with ${a.with}`,
  describe: (a) => `reject with ${a.with}`,
  apply: (a) => ({ verdict: 'drop', effects: [{ kind: 'reject', with: a.with }] }),
};
