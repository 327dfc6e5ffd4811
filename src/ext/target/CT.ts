import type { TargetExtension } from '../types.js';
import { fail, parseUInt, saveString } from '../helpers.js';

export interface CtArgs {
  notrack: boolean;
  helper?: string;
  ctevents?: string[];
  expevents?: string[];
  zone?: { value: number; dir?: 'orig' | 'reply'; mark: boolean };
  timeout?: string;
}

const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'];

export const CT: TargetExtension<CtArgs> = {
  kind: 'target',
  name: 'CT',
  families: [4, 6],
  tables: ['raw'],
  hooks: ['PREROUTING', 'OUTPUT'],
  options: [
    { name: 'notrack', args: 0 },
    { name: 'helper', args: 1 },
    { name: 'ctevents', args: 1 },
    { name: 'expevents', args: 1 },
    { name: 'zone-orig', args: 1, excludes: ['zone', 'zone-reply'] },
    { name: 'zone-reply', args: 1, excludes: ['zone', 'zone-orig'] },
    { name: 'zone', args: 1, excludes: ['zone-orig', 'zone-reply'] },
    { name: 'timeout', args: 1 },
  ],
  build(opts) {
    const a: CtArgs = { notrack: false };
    for (const o of opts) {
      const v = o.values[0];
      switch (o.name) {
        case 'notrack': a.notrack = true; break;
        case 'helper': a.helper = v; break;
        case 'ctevents':
        case 'expevents': {
          const list = v.split(',');
          for (const e of list) if (!(o.name === 'ctevents' ? CT_EVENTS : ['new']).includes(e)) fail(`Unknown event type "${e}"`, undefined, o);
          if (o.name === 'ctevents') a.ctevents = list; else a.expevents = list;
          break;
        }
        case 'zone':
        case 'zone-orig':
        case 'zone-reply': {
          const dir = o.name === 'zone-orig' ? 'orig' : o.name === 'zone-reply' ? 'reply' : undefined;
          if (v === 'mark') a.zone = { value: 0, dir, mark: true };
          else a.zone = { value: parseUInt(v, 0xffff, 'zone'), dir, mark: false };
          break;
        }
        case 'timeout': a.timeout = v; break;
      }
    }
    if (a.notrack && (a.helper || a.ctevents || a.expevents || a.zone || a.timeout)) fail('CT: You cannot use other options together with --notrack');
    return a;
  },
  save(a) {
    if (a.notrack) return ' --notrack';
    let s = '';
    if (a.helper) s += ` --helper ${a.helper}`;
    if (a.ctevents) s += ` --ctevents ${CT_EVENTS.filter((e) => a.ctevents!.includes(e)).join(',')}`;
    if (a.expevents) s += ` --expevents ${a.expevents.join(',')}`;
    if (a.zone && (a.zone.mark || a.zone.value)) s += ` --zone${a.zone.dir ? '-' + a.zone.dir : ''} ${a.zone.mark ? 'mark' : a.zone.value}`;
    if (a.timeout) s += ' --timeout' + saveString(a.timeout);
    return s;
  },
  describe: (a) => (a.notrack ? 'do not track this connection' : `conntrack template${a.helper ? ` helper ${a.helper}` : ''}${a.zone ? ` zone ${a.zone.value}` : ''}`),
  apply: (a) =>
    a.notrack
      ? { verdict: 'continue', effects: [{ kind: 'notrack' }] }
      : { verdict: 'continue', effects: [{ kind: 'ct', zone: a.zone && !a.zone.mark ? a.zone.value : undefined, helper: a.helper }] },
};
