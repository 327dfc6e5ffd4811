import type { MatchExtension } from '../types.js';
import { fail } from '../helpers.js';

export interface MacArgs {
  /** lower-case aa:bb:cc:dd:ee:ff; for a redacted dump the text as written (XX:XX:XX:XX:XX:XX). */
  mac: string;
  redacted: boolean;
  invert: boolean;
}

export const mac: MatchExtension<MacArgs> = {
  kind: 'match',
  name: 'mac',
  families: [4, 6],
  options: [{ name: 'mac-source', args: 1, invertible: true, required: true }],
  build(opts, ctx) {
    if (!['PREROUTING', 'INPUT', 'FORWARD'].includes(ctx.chain) && ['OUTPUT', 'POSTROUTING'].includes(ctx.chain))
      fail('mac match is only valid in PREROUTING, INPUT and FORWARD', 'the kernel refuses it in OUTPUT/POSTROUTING');
    const o = opts[0];
    const v = o.values[0];
    if (/^([xX]{2}:){5}[xX]{2}$/.test(v)) return { mac: v, redacted: true, invert: o.invert };
    const parts = v.split(':');
    if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) fail('Invalid MAC address specified.', 'six hex bytes aa:bb:cc:dd:ee:ff', o);
    return { mac: parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':'), redacted: false, invert: o.invert };
  },
  save: (a) => `${a.invert ? ' !' : ''} --mac-source ${a.mac}`,
  describe: (a) => `source MAC ${a.invert ? 'not ' : ''}${a.mac}${a.redacted ? ' (redacted in the dump)' : ''}`,
  reads: () => ['ingress'],
  match(a, { pkt }) {
    if (a.redacted) return { unsupported: 'MAC address was redacted in the dump' };
    if (!pkt.srcMac) return { unsupported: 'source MAC of the packet is unknown' };
    return (pkt.srcMac.toLowerCase() === a.mac) !== a.invert;
  },
};
