/** conntrack dumps through grammar/conntrack.peggy: both layouts, fields, messages with columns, print∘parse. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConntrack } from '../../src/parse/conntrack.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { applyEdits, edits, issuesOf, onlyInputErrors } from './loaderChecks.js';
import type { ConntrackEntry, CtTuple } from '../../src/model/host.js';


describe('conntrack layouts', () => {
  it('/proc/net/nf_conntrack: the L3 columns give the family and are skipped', () => {
    const [e] = parseConntrack('ipv6     10 tcp      6 300 ESTABLISHED src=2001:db8::1 dst=2001:db8::2 sport=1 dport=2 src=2001:db8::2 dst=2001:db8::1 sport=2 dport=1 [ASSURED] mark=0 zone=0 use=2\n', 'ct');
    expect(e).toEqual({
      family: 6,
      proto: 6,
      protoName: 'tcp',
      timeout: 300,
      tcpState: 'ESTABLISHED',
      orig: { src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2 },
      reply: { src: '2001:db8::2', dst: '2001:db8::1', sport: 2, dport: 1 },
      status: ['ASSURED', 'SEEN_REPLY'],
      mark: 0,
      zone: 0,
      loc: { file: 'ct', line: 1, col: 1 },
    });
  });
  it('a protocol without ports, timeout or state (as conntrack prints `unknown`)', () => {
    const [e] = parseConntrack('   unknown  2 598 src=172.17.0.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=172.17.0.1 mark=0 use=1\n', 'ct');
    expect(e).toMatchObject({ proto: 2, protoName: 'unknown', timeout: 598, status: ['UNREPLIED'], loc: { col: 4 } });
    expect(e.tcpState).toBeUndefined();
    expect(e.orig).toEqual({ src: '172.17.0.1', dst: '224.0.0.22' });
  });
  it('id= is the ICMP(v6) echo id in a tuple, the entry id elsewhere', () => {
    const [icmp6, tcp] = parseConntrack(
      'icmpv6   58 29 src=fe80::1 dst=fe80::2 type=128 code=0 id=9 src=fe80::2 dst=fe80::1 type=129 code=0 id=9 mark=0 use=1\n' +
        'tcp      6 10 CLOSE src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1 id=12345678\n',
      'ct',
    );
    expect(icmp6.orig).toEqual({ src: 'fe80::1', dst: 'fe80::2', type: 128, code: 0, id: 9 });
    expect(icmp6.family).toBe(6);
    expect(tcp.reply).toEqual({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 });
  });
  it('the summary line, comments and blank lines are no entries', () => {
    expect(parseConntrack('# conntrack -L\n\n  conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n\u00a0conntrack v1.4.5 (conntrack-tools): 0 flow entries have been shown.\n', 'ct')).toEqual([]);
  });
  it('kept fields are quiet, unknown ones are warned about at their column', () => {
    const w: InputIssue[] = [];
    parseConntrack('udp 17 5 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 mark=0x0 secctx=system_u:object_r:unlabeled_t:s0 helper=tftp srckey=0x0 use=1\n', 'ct', { warnings: w });
    expect(w.map((i) => `${i.loc.line}:${i.loc.col} ${i.text} ${i.message}`)).toEqual(["1:151 srckey=0x0 unknown conntrack field 'srckey'; ignored"]);
  });
});

describe('conntrack messages', () => {
  it('the protocol number: at it when it is there, else at the first word', () => {
    expect(issuesOf(() => parseConntrack('tcp x 10 src=1.1.1.1\ntcp\nipv4     2\nipv4 2 tcp 256 1\n', 'ct'))).toEqual([
      'error 1:5 expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)',
      'error 2:1 expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)',
      'error 3:1 expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)',
      'error 4:12 expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)',
    ]);
  });
  it('values are reported at the value, words and tuples at the word', () => {
    expect(issuesOf(() => parseConntrack('tcp 6 1 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=99999 dport=x src=2.2.2.2 dst=1.1.1.1 =5 loose src=3.3.3.3 mark=-1 zone=70000\n', 'ct'))).toEqual([
      "error 1:51 sport needs a number, got '99999'",
      "error 1:63 dport needs a number, got 'x'",
      "error 1:89 expected key=value or [FLAG], got '=5'",
      "error 1:92 expected key=value or [FLAG], got 'loose'",
      'error 1:98 a third address tuple: an entry has an original and a reply tuple only',
      "error 1:115 mark needs a number, got '-1'",
      "error 1:123 zone needs a number, got '70000'",
    ]);
  });
  it('a timeout beyond the largest safe integer is not a timeout', () => {
    expect(issuesOf(() => parseConntrack('tcp 6 99999999999999999999 src=1.1.1.1 dst=2.2.2.2 src=2.2.2.2 dst=1.1.1.1\n', 'ct'))).toEqual(["error 1:7 expected key=value or [FLAG], got '99999999999999999999'"]);
  });
  it('an entry without its reply tuple, reported once', () => {
    expect(issuesOf(() => parseConntrack('tcp 6 1 SYN_SENT src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2\n', 'ct'))).toEqual(['error 1:1 entry without both an original and a reply tuple (src= dst= ... src= dst= ...)']);
  });
});

// What conntrack -L (libnetfilter_conntrack) and /proc/net/nf_conntrack (ct_seq_show) print for an entry.
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const v6 = fc.constantFrom('2001:db8::1', 'fe80::a:b', '::1', 'fd00::1:2:3');
const port = fc.nat(65535);
const entry = fc.record({
  family: fc.constantFrom(4, 6) as fc.Arbitrary<4 | 6>,
  kind: fc.constantFrom('tcp', 'udp', 'icmp', 'unknown'),
  proc: fc.boolean(),
  timeout: fc.nat(432000),
  state: fc.constantFrom('ESTABLISHED', 'SYN_SENT', 'TIME_WAIT', 'CLOSE_WAIT'),
  a: fc.tuple(v4, v4, v6, v6),
  ports: fc.tuple(port, port, port, port),
  icmp: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(65535)),
  unreplied: fc.boolean(),
  assured: fc.boolean(),
  mark: fc.option(fc.nat(0xffffffff), { nil: undefined }),
  zone: fc.option(fc.nat(65535), { nil: undefined }),
  use: fc.nat(9),
  id: fc.option(fc.nat(0xffffffff), { nil: undefined }),
  gap: fc.integer({ min: 1, max: 6 }).map((n) => ' '.repeat(n)),
});
type Gen = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function printAndExpect(g: Gen, line: number): { text: string; want: ConntrackEntry } {
  const [s4, d4, s6, d6] = g.a;
  const [src, dst] = g.family === 4 ? [s4, d4] : [s6, d6];
  const icmpName = g.family === 4 ? 'icmp' : 'icmpv6';
  const protoName = g.kind === 'icmp' ? icmpName : g.kind;
  const proto = { tcp: 6, udp: 17, icmp: g.family === 4 ? 1 : 58, unknown: 2 }[g.kind]!;
  const [sp, dp] = g.ports;
  const [type, code, id] = g.icmp;
  const tuple = (a: string, b: string, reply: boolean): [string, CtTuple] => {
    if (g.kind === 'tcp' || g.kind === 'udp') {
      const [p, q] = reply ? [dp, sp] : [sp, dp];
      return [`src=${a} dst=${b} sport=${p} dport=${q}`, { src: a, dst: b, sport: p, dport: q }];
    }
    if (g.kind === 'icmp') {
      const t = reply ? (g.family === 4 ? 0 : 129) : type;
      return [`src=${a} dst=${b} type=${t} code=${code} id=${id}`, { src: a, dst: b, type: t, code, id }];
    }
    return [`src=${a} dst=${b}`, { src: a, dst: b }];
  };
  const [ot, orig] = tuple(src, dst, false);
  const [rt, reply] = tuple(dst, src, true);
  const words = [
    ...(g.proc ? [g.family === 4 ? 'ipv4' : 'ipv6', String(g.family === 4 ? 2 : 10)] : []),
    protoName,
    String(proto),
    String(g.timeout),
    ...(g.kind === 'tcp' ? [g.state] : []),
    ot,
    ...(g.unreplied ? ['[UNREPLIED]'] : []),
    rt,
    ...(g.assured ? ['[ASSURED]'] : []),
    ...(g.mark !== undefined ? [`mark=${g.mark}`] : []),
    ...(g.zone !== undefined ? [`zone=${g.zone}`] : []),
    `use=${g.use}`,
    ...(g.id !== undefined && g.kind !== 'icmp' ? [`id=${g.id}`] : []),
  ];
  const status = [...(g.unreplied ? ['UNREPLIED'] : []), ...(g.assured ? ['ASSURED'] : []), ...(g.unreplied ? [] : ['SEEN_REPLY'])];
  const want: ConntrackEntry = { family: g.family, proto, protoName, timeout: g.timeout, orig, reply, status, loc: { file: 'ct', line, col: 1 } };
  if (g.kind === 'tcp') want.tcpState = g.state;
  if (g.mark !== undefined) want.mark = g.mark;
  if (g.zone !== undefined) want.zone = g.zone;
  return { text: words.join(g.gap), want };
}

describe('print ∘ parse (fast-check)', () => {
  it('entries printed the way conntrack and /proc print them parse back to the same entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (gs) => {
        const printed = gs.map((g, i) => printAndExpect(g, i + 1));
        const text = printed.map((p) => p.text).join('\n') + (gs.length ? `\nconntrack v1.4.6 (conntrack-tools): ${gs.length} flow entries have been shown.\n` : '');
        const w: InputIssue[] = [];
        expect(parseConntrack(text, 'ct', { warnings: w })).toEqual(printed.map((p) => p.want));
        expect(w).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
  it('a mutated entry throws nothing but InputError', () => {
    fc.assert(
      fc.property(entry, edits, (g, muts) => {
        onlyInputErrors((t) => parseConntrack(t, 'ct'), applyEdits(printAndExpect(g, 1).text, muts));
      }),
      { numRuns: 500 },
    );
  });
});
