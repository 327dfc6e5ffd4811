import { describe, expect, it } from 'vitest';
import { findings, oneHost, save } from '../helpers.js';

describe('unused-chain', () => {
  const w = oneHost({
    ifaces: { eth0: ['10.0.0.1/24'] },
    iptables: save({
      filter: [
        ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
        ':USED - [0:0]', ':ORPHAN - [0:0]', ':ONLY-FROM-ORPHAN - [0:0]', ':EMPTY - [0:0]',
        '-A INPUT -p tcp -j USED',
        '-A INPUT -j EMPTY',
        '-A USED -j ACCEPT',
        '-A ORPHAN -j ONLY-FROM-ORPHAN',
        '-A ONLY-FROM-ORPHAN -j DROP',
      ],
    }),
  });
  const f = findings(w, 'unused-chain');

  it('reports a chain nothing jumps to, with its declaration line and the delete command', () => {
    const orphan = f.find((x) => x.subject.endsWith('chain ORPHAN'))!;
    expect(orphan.severity).toBe('warning');
    expect(orphan.message).toContain('never the target of a jump or goto');
    expect(orphan.loc).toMatchObject({ file: 'h/iptables-save', line: 6 });
    expect(orphan.fix).toBe('iptables -F ORPHAN && iptables -X ORPHAN   # or jump to it from where it was meant to apply');
  });

  it('reports a chain reached only from unreachable chains', () => {
    const x = f.find((y) => y.subject.endsWith('chain ONLY-FROM-ORPHAN'))!;
    expect(x.severity).toBe('warning');
    expect(x.message).toContain('only reached from ORPHAN');
    expect(x.related?.[0].text).toBe('-A ORPHAN -j ONLY-FROM-ORPHAN');
  });

  it('reports a referenced empty chain as info only, and leaves used chains alone', () => {
    const e = f.find((y) => y.subject.endsWith('chain EMPTY'))!;
    expect(e.severity).toBe('info');
    expect(f.some((y) => y.subject.endsWith('chain USED'))).toBe(false);
    expect(f).toHaveLength(3);
  });

  it('finds nothing in a ruleset whose chains are all used', () => {
    const ok = oneHost({ iptables: save({ filter: [':INPUT ACCEPT [0:0]', ':A - [0:0]', '-A INPUT -j A', '-A A -j RETURN'] }) });
    expect(findings(ok, 'unused-chain')).toEqual([]);
  });
});
