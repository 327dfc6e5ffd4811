import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIptablesSave } from '../../src/parse/iptablesSave.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';
import { InputError } from '../../src/model/source.js';
import { corpusDumps } from './corpusFiles.js';
import { formatIpv4, prefixMask } from '../../src/model/addr.js';

/** A canonical (as iptables-save prints it) IPv4 net. */
const net = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${formatIpv4((a & prefixMask(l)) >>> 0)}/${l}`);
const neg = fc.boolean().map((b) => (b ? '! ' : ''));
const iface = fc.stringMatching(/^[a-z][a-z0-9.]{0,8}\+?$/);
const port = fc.integer({ min: 0, max: 65535 });
const range = fc.tuple(port, port).map(([a, b]) => (a === b ? `${a}` : `${Math.min(a, b)}:${Math.max(a, b)}`)).filter((r) => r !== '0:65535');
const hex = fc.integer({ min: 0, max: 0xffffffff }).map((n) => '0x' + n.toString(16));
const comment = fc.string({ unit: fc.constantFrom(...'abc XYZ-_.:/"\'\\019é'.split('')), minLength: 0, maxLength: 20 }).map((s) => {
  if (s.length > 0 && /^[_\-0-9a-zA-Z]+$/.test(s)) return s;
  return '"' + s.replace(/["\\']/g, (c) => '\\' + c) + '"';
});
const states = fc.subarray(['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED'], { minLength: 1 }).map((a) => a.join(','));

const l4 = fc.oneof(
  fc.constant(''),
  fc.tuple(fc.constantFrom('tcp', 'udp'), fc.option(fc.tuple(neg, range)), fc.option(fc.tuple(neg, range))).map(
    ([p, s, d]) => `-p ${p} -m ${p}${s ? ` ${s[0]}--sport ${s[1]}` : ''}${d ? ` ${d[0]}--dport ${d[1]}` : ''}`,
  ),
  fc.tuple(fc.constantFrom('tcp', 'udp'), neg, fc.array(port, { minLength: 1, maxLength: 15 })).map(([p, n, ps]) => `-p ${p} -m multiport ${n}--dports ${ps.join(',')}`),
  fc.tuple(neg, fc.constantFrom('0', '3', '8', '11/0', '3/4', 'any')).map(([n, t]) => `-p icmp -m icmp ${n}--icmp-type ${t}`),
);
const extra = fc.array(
  fc.oneof(
    comment.map((c) => `-m comment --comment ${c}`),
    fc.tuple(neg, states).map(([n, s]) => `-m state ${n}--state ${s}`),
    fc.tuple(neg, states).map(([n, s]) => `-m conntrack ${n}--ctstate ${s}`),
    fc.tuple(neg, hex, hex).map(([n, v, m]) => `-m mark ${n}--mark ${v}${m === '0xffffffff' ? '' : '/' + m}`),
    fc.tuple(neg, fc.constantFrom('LOCAL', 'UNICAST', 'BROADCAST,MULTICAST')).map(([n, t]) => `-m addrtype ${n}--dst-type ${t}`),
    fc.constantFrom('-m limit --limit 3/hour', '-m limit --limit 5/sec --limit-burst 10', '-m pkttype --pkt-type broadcast'),
  ),
  { maxLength: 3 },
);
const target = fc.oneof(
  fc.constantFrom('-j ACCEPT', '-j DROP', '-j RETURN', '-j X', '-g X', '-j REJECT --reject-with icmp-host-prohibited'),
  fc.tuple(hex, hex).map(([v, m]) => `-j MARK --set-xmark ${v}/${m}`),
  comment.map((c) => `-j LOG --log-prefix ${c === '""' ? 'x' : c} --log-level 6`),
  fc.constant(''),
);
const ruleText = fc
  .tuple(fc.option(fc.tuple(neg, net)), fc.option(fc.tuple(neg, net)), fc.option(fc.tuple(neg, iface)), fc.option(fc.tuple(neg, iface)), l4, extra, target)
  .map(([s, d, i, o, p, ex, t]) =>
    [s && `${s[0]}-s ${s[1]}`, d && `${d[0]}-d ${d[1]}`, i && `${i[0]}-i ${i[1]}`, o && `${o[0]}-o ${o[1]}`, p, ...ex, t].filter(Boolean).join(' '),
  )
  .filter((r) => r.length > 0 && !/^(! )?-[io] \+$/.test(r));

const dump = (rules: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n${rules.map((r) => `-A FORWARD ${r}`).join('\n')}\nCOMMIT\n`;

function onlyInputError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
}

describe('property: print ∘ parse', () => {
  it('random canonical rules print back identically', () => {
    fc.assert(
      fc.property(fc.array(ruleText, { minLength: 1, maxLength: 5 }), (rules) => {
        const text = dump(rules);
        const out = saveRuleset(parseIptablesSave(text, 'prop', 4));
        expect(out).toBe(text);
      }),
      { numRuns: 400 },
    );
  });
});

describe('property: only InputError escapes', () => {
  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => onlyInputError(() => parseIptablesSave(s, 'fuzz', 4))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('*filter', ':INPUT ACCEPT [0:0]', 'COMMIT', '-A INPUT', '-p', 'tcp', '--dport', '!', '"', '-m', 'mark', '-j', 'X', '\n', ' ', '[1:2]', '-s', '1.2.3.4/99', '--', 'MARK', '--set-mark'), { maxLength: 60 }), (parts) =>
        onlyInputError(() => parseIptablesSave(parts.join(' '), 'fuzz', 4)),
      ),
      { numRuns: 500 },
    );
  });

  const files = corpusDumps().filter((d) => d.text.length < 30_000);
  it.skipIf(!files.length)('randomly mutated corpus files', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('', ' ', '!', '"', '\n', '-', ':', '/', 'x', '--', '-j', '-m tcp')), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<4 | 6>(4, 6),
        (fi, edits, fam) => {
          let t = files[fi].text;
          for (const [pos, len, ins] of edits) {
            const p = pos % (t.length + 1);
            t = t.slice(0, p) + ins + t.slice(p + len);
          }
          onlyInputError(() => {
            const rs = parseIptablesSave(t, files[fi].rel, fam);
            // whatever loads must also save and re-load
            parseIptablesSave(saveRuleset(rs), 'resaved', fam);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
