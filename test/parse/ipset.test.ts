/** `ipset save` dumps through grammar/ipset.peggy: create options, members, messages with columns, print∘parse. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpset } from '../../src/parse/ipset.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { applyEdits, edits, issuesOf, onlyInputErrors } from './loaderChecks.js';
import type { IpSet } from '../../src/model/host.js';


describe('ipset create options', () => {
  it('values, flags, and `comment` as a flag before another option or at the end', () => {
    const [a, b] = parseIpset('create a hash:ip family inet6 hashsize 64 maxelem 8 timeout 600 counters comment skbinfo bucketsize 12 initval 0x1d2c\ncreate b hash:net comment\n', 's');
    expect(a).toMatchObject({ name: 'a', type: 'hash:ip', family: 'inet6', options: { family: 'inet6', hashsize: '64', maxelem: '8', timeout: '600', counters: '', comment: '', skbinfo: '', bucketsize: '12', initval: '0x1d2c' } });
    expect(b.options).toEqual({ comment: '' });
    expect(b.family).toBeUndefined();
  });
  it('`comment` followed by a word that is no option takes it as its value', () => {
    expect(parseIpset('create a hash:ip comment legacy\n', 's')[0].options).toEqual({ comment: 'legacy' });
  });
  it('an unknown option keeps the word after it, with a warning at its column', () => {
    const w: InputIssue[] = [];
    const [s] = parseIpset('create a bitmap:port range 1-1024 frobnicate 3 hashsize\n', 's', { warnings: w });
    expect(s.options).toEqual({ range: '1-1024', frobnicate: '3', hashsize: '' });
    // a value option at the end of the line has no value: it is reported like an unknown word
    expect(w.map((i) => `${i.loc.line}:${i.loc.col} ${i.text}: ${i.message}`)).toEqual(["1:35 frobnicate: unknown ipset option 'frobnicate'; kept, not interpreted", "1:48 hashsize: unknown ipset option 'hashsize'; kept, not interpreted"]);
  });
  it('the old syntax (-N, -A) and -exist', () => {
    const s = parseIpset('-N old hash:ip\n-A old 10.0.0.1\n-exist other list:set size 8\n', 's');
    expect(s.map((x) => [x.name, x.type, x.members, x.loc.line])).toEqual([
      ['old', 'hash:ip', ['10.0.0.1'], 1],
      ['other', 'list:set', [], 3],
    ]);
  });
});

describe('ipset members', () => {
  it('the element and its options verbatim, blanks around them dropped; comments and blank lines skipped', () => {
    const [s] = parseIpset('# ipset save\n\ncreate x hash:net,iface family inet\n  add x 10.0.0.0/8,eth0 timeout 30 packets 1 bytes 60 comment "a b"  \t\nadd\tx\t192.168.0.0/16,br0 nomatch\n', 's');
    expect(s.members).toEqual(['10.0.0.0/8,eth0 timeout 30 packets 1 bytes 60 comment "a b"', '192.168.0.0/16,br0 nomatch']);
    expect(s.loc).toEqual({ file: 's', line: 3, col: 1 });
  });
});

describe('ipset messages', () => {
  it('a create line without a good type: at the type, else at the last word there is', () => {
    expect(issuesOf(() => parseIpset('create a hash\ncreate b Hash:ip\ncreate c\n  create\n', 's'))).toEqual([
      'error 1:10 expected `create NAME TYPE [options]` with TYPE like hash:ip',
      'error 2:10 expected `create NAME TYPE [options]` with TYPE like hash:ip',
      'error 3:8 expected `create NAME TYPE [options]` with TYPE like hash:ip',
      'error 4:3 expected `create NAME TYPE [options]` with TYPE like hash:ip',
    ]);
  });
  it('add lines: without an element, before their set, and a set created twice', () => {
    expect(issuesOf(() => parseIpset('add a\nadd  b 1.2.3.4\ncreate a hash:ip\ncreate a hash:ip\n', 's'))).toEqual([
      'error 1:1 expected `add NAME ELEMENT`',
      "error 2:6 add to set 'b' before its create line",
      'error 4:8 set a is created twice',
    ]);
  });
  it('anything else: the word, with a hint', () => {
    try {
      parseIpset('create a hash:ip\n  del a 1.2.3.4\n', 's');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues).toEqual([{ severity: 'error', loc: { file: 's', line: 2, col: 3 }, text: 'del', message: "expected 'create' or 'add', got 'del'", hint: 'the file should be the output of `ipset save`' }]);
    }
  });
});

// What `ipset save` prints (list_create / list_adt in save mode): the type's create options in its table order.
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/);
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const hashSet = fc.record({
  name,
  type: fc.constantFrom('hash:ip', 'hash:net', 'hash:ip,port', 'hash:net,iface'),
  family: fc.constantFrom('inet', 'inet6'),
  hashsize: fc.constantFrom(64, 1024, 4096),
  maxelem: fc.constantFrom(65536, 1000000),
  timeout: fc.option(fc.nat(2147483), { nil: undefined }),
  counters: fc.boolean(),
  comment: fc.boolean(),
  skbinfo: fc.boolean(),
  bucketsize: fc.option(fc.constantFrom(12, 14), { nil: undefined }),
  initval: fc.option(fc.nat(0xffffffff).map((n) => `0x${n.toString(16).padStart(8, '0')}`), { nil: undefined }),
  members: fc.array(fc.tuple(v4, fc.option(fc.constantFrom('nomatch', 'timeout 60', 'packets 0 bytes 0', 'comment "web server"', 'skbmark 0x1'), { nil: undefined })), { maxLength: 4 }),
});

function printAndExpect(g: typeof hashSet extends fc.Arbitrary<infer T> ? T : never, line: number): { text: string; want: IpSet } {
  const opts: [string, string][] = [
    ['family', g.family],
    ['hashsize', String(g.hashsize)],
    ['maxelem', String(g.maxelem)],
    ...(g.timeout !== undefined ? [['timeout', String(g.timeout)] as [string, string]] : []),
    ...(g.counters ? [['counters', ''] as [string, string]] : []),
    ...(g.comment ? [['comment', ''] as [string, string]] : []),
    ...(g.skbinfo ? [['skbinfo', ''] as [string, string]] : []),
    ...(g.bucketsize !== undefined ? [['bucketsize', String(g.bucketsize)] as [string, string]] : []),
    ...(g.initval !== undefined ? [['initval', g.initval] as [string, string]] : []),
  ];
  const members = g.members.map(([a, o]) => (o ? `${a} ${o}` : a));
  const text = [`create ${g.name} ${g.type}${opts.map(([k, v]) => (v === '' ? ` ${k}` : ` ${k} ${v}`)).join('')}`, ...members.map((m) => `add ${g.name} ${m}`)].join('\n');
  return { text, want: { name: g.name, type: g.type, family: g.family, options: Object.fromEntries(opts), members, loc: { file: 's', line, col: 1 } } };
}

describe('print ∘ parse (fast-check)', () => {
  it('sets saved the way ipset saves them parse back to the same sets', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hashSet, { selector: (s) => s.name, maxLength: 5 }), (gs) => {
        let line = 1;
        const printed = gs.map((g) => {
          const p = printAndExpect(g, line);
          line += 1 + g.members.length;
          return p;
        });
        const w: InputIssue[] = [];
        expect(parseIpset(printed.map((p) => p.text + '\n').join(''), 's', { warnings: w })).toEqual(printed.map((p) => p.want));
        expect(w).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
  it('a mutated save throws nothing but InputError', () => {
    fc.assert(
      fc.property(hashSet, edits, (g, muts) => {
        onlyInputErrors((t) => parseIpset(t, 's'), applyEdits(printAndExpect(g, 1).text, muts));
      }),
      { numRuns: 500 },
    );
  });
});
