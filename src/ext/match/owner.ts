import type { MatchExtension, OptionValue } from '../types.js';
import { fail, parseUInt } from '../helpers.js';

type IdRange = { min: number; max: number; name?: string; invert: boolean };
export interface OwnerArgs {
  socketExists?: { invert: boolean };
  uid?: IdRange;
  gid?: IdRange;
  supplGroups?: boolean;
}

/** Only root/0 resolves offline; other names are kept and printed as written (the host's passwd is unknown). */
function parseIds(o: OptionValue): IdRange {
  const v = o.values[0];
  if (/^[0-9]+(-[0-9]+)?$/.test(v)) {
    const [a, b] = v.split('-');
    const min = parseUInt(a, 0xfffffffe, 'id');
    const max = b === undefined ? min : parseUInt(b, 0xfffffffe, 'id');
    if (min > max) fail(`invalid id range "${v}"`, undefined, o);
    return { min, max, invert: o.invert };
  }
  if (v === 'root') return { min: 0, max: 0, invert: o.invert };
  return { min: -1, max: -1, name: v, invert: o.invert };
}

const ids = (r: IdRange) => (r.name ?? (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`));

export const owner: MatchExtension<OwnerArgs> = {
  kind: 'match',
  name: 'owner',
  families: [4, 6],
  options: [
    { name: 'uid-owner', args: 1, invertible: true },
    { name: 'gid-owner', args: 1, invertible: true },
    { name: 'socket-exists', args: 0, invertible: true },
    { name: 'suppl-groups', args: 0 },
  ],
  build(opts, ctx) {
    if (ctx.chain === 'INPUT' || ctx.chain === 'PREROUTING' || ctx.chain === 'FORWARD') fail('owner match is only valid in OUTPUT and POSTROUTING', 'the kernel refuses it on input paths');
    const a: OwnerArgs = {};
    for (const o of opts) {
      if (o.name === 'uid-owner') a.uid = parseIds(o);
      else if (o.name === 'gid-owner') a.gid = parseIds(o);
      else if (o.name === 'socket-exists') a.socketExists = { invert: o.invert };
      else {
        if (!a.gid) fail('owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"', undefined, o);
        a.supplGroups = true;
      }
    }
    if (a.supplGroups && !a.gid) fail('--suppl-groups requires --gid-owner');
    return a;
  },
  save(a) {
    let s = '';
    if (a.socketExists) s += `${a.socketExists.invert ? ' !' : ''} --socket-exists`;
    if (a.uid) s += `${a.uid.invert ? ' !' : ''} --uid-owner ${ids(a.uid)}`;
    if (a.gid) s += `${a.gid.invert ? ' !' : ''} --gid-owner ${ids(a.gid)}`;
    if (a.supplGroups) s += ' --suppl-groups';
    return s;
  },
  describe: (a) => [a.socketExists && `${a.socketExists.invert ? 'no ' : ''}local socket`, a.uid && `uid ${a.uid.invert ? 'not ' : ''}${ids(a.uid)}`, a.gid && `gid ${a.gid.invert ? 'not ' : ''}${ids(a.gid)}`].filter(Boolean).join(', '),
  reads: () => [],
  match(a, { host, hook }) {
    if (hook !== 'OUTPUT' && hook !== 'POSTROUTING') return false;
    const ow = host.owner;
    if (!ow) return { unsupported: 'owner of the sending socket is unknown' };
    if (a.socketExists && a.socketExists.invert) return false;
    const t = (r: IdRange | undefined, v: number | undefined): boolean | undefined => {
      if (!r) return true;
      if (r.name !== undefined || v === undefined) return undefined;
      return (v >= r.min && v <= r.max) !== r.invert;
    };
    const u = t(a.uid, ow.uid), g = t(a.gid, ow.gid);
    if (u === undefined || g === undefined) return { unsupported: 'owner uid/gid not known by number' };
    return u && g;
  },
};
