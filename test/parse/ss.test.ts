/** `ss` dumps through grammar/ss.peggy: column layouts, ends, messages with columns, and a print∘parse property. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSs, parseSsEnd } from '../../src/parse/ss.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { applyEdits, edits, issuesOf, onlyInputErrors } from './loaderChecks.js';
import type { Socket, SocketEnd } from '../../src/model/host.js';


describe('ss ends (parseSsEnd)', () => {
  it.each([
    ['0.0.0.0%lo:53', { addr: '0.0.0.0', port: 53, dev: 'lo' }],
    ['*:*', { addr: '*', port: 0 }],
    ['[::]:22', { addr: '::', port: 22 }],
    ['[fe80::1]%eth0:22', { addr: 'fe80::1', port: 22, dev: 'eth0' }],
    [':::22', { addr: '::', port: 22 }],
    ['[::ffff:1.2.3.4]:443', { addr: '::ffff:1.2.3.4', port: 443 }],
    ['[2001:DB8::0:1]:80', { addr: '2001:db8::1', port: 80 }],
    ['[*]:9', { addr: '*', port: 9 }],
  ] as [string, SocketEnd][])('%s', (text, end) => {
    expect(parseSsEnd(text)).toEqual(end);
  });
  it.each([
    ['1.2.3.4', "'1.2.3.4' is not ADDRESS:PORT"],
    ['1.2.3.4:ssh', "port 'ssh' is not a number (capture with ss -n)"],
    ['1.2.3.4:65536', "port '65536' is not a number (capture with ss -n)"],
    ['1.2.3.4:', "port '' is not a number (capture with ss -n)"],
    ['[::1:22', "'[::1' is not an address"],
    ['[]:1', "'' is not an address"],
    ['host.example:80', "'host.example' is not an address"],
    // the device starts at the last `%` before the port
    ['10.0.0.1%vrf%red:0', "'10.0.0.1%vrf' is not an address"],
    // and the port at the last colon: `a%b:c` is the host part
    ['a%b:c:80', "'a' is not an address"],
  ])('%s is refused', (text, message) => {
    expect(parseSsEnd(text)).toBe(message);
  });
});

describe('ss layouts', () => {
  it('a `State` header means no Netid column: 5 columns, TCP, one warning', () => {
    const w: InputIssue[] = [];
    const s = parseSs('State  Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nESTAB 0 36 10.0.0.1:22 10.0.0.9:50000\n', 'ss', { warnings: w });
    expect(s.map((x) => [x.proto, x.state, x.local.port, x.peer?.port ?? null, x.loc?.col])).toEqual([
      ['tcp', 'LISTEN', 22, null, 1],
      ['tcp', 'ESTAB', 22, 50000, 1],
    ]);
    expect(w.map((i) => `${i.loc.line}:${i.loc.col} ${i.message}`)).toEqual(['2:1 ss output without a Netid column: sockets are taken as TCP']);
  });
  it('a later Netid header brings the protocol column back', () => {
    const s = parseSs('State Recv-Q Send-Q Local Peer\nLISTEN 0 1 0.0.0.0:1 0.0.0.0:*\nNetid State Recv-Q Send-Q Local Peer\nudp UNCONN 0 0 0.0.0.0:2 0.0.0.0:*\n', 'ss');
    expect(s.map((x) => [x.proto, x.local.port])).toEqual([
      ['tcp', 1],
      ['udp', 2],
    ]);
  });
  it('blank and comment lines, CRLF line ends, tabs between columns', () => {
    const s = parseSs('# ss -ltnupa\r\n\r\nNetid\tState Recv-Q Send-Q Local Peer\r\n  \ttcp\tLISTEN 0 5 127.0.0.1:631 0.0.0.0:*\r\n', 'ss');
    expect(s).toEqual([{ proto: 'tcp', family: 4, state: 'LISTEN', local: { addr: '127.0.0.1', port: 631 }, loc: { file: 'ss', line: 4, col: 4 } }]);
  });
  it('the Process column is the rest of the line, blanks inside kept', () => {
    const [s] = parseSs('tcp LISTEN 0 5 *:80 *:* users:(("my server",pid=7,fd=3))   \n', 'ss');
    expect(s.process).toBe('users:(("my server",pid=7,fd=3))');
    expect(s.family).toBe(6);
  });
  it('a peer on any address and port 0 is no peer; a real one is kept', () => {
    const s = parseSs('tcp LISTEN 0 5 [::]:22 [::]:*\ntcp LISTEN 0 5 0.0.0.0:22 0.0.0.0:0\ntcp ESTAB 0 0 [::1]:22 [::1]:4000\nudp UNCONN 0 0 *:5353 1.2.3.4:0\n', 'ss');
    expect(s.map((x) => x.peer ?? null)).toEqual([null, null, { addr: '::1', port: 4000 }, { addr: '1.2.3.4', port: 0 }]);
  });
});

describe('ss messages', () => {
  it('a short row: the column count expected, at its first word', () => {
    expect(issuesOf(() => parseSs('Netid State Recv-Q Send-Q Local Peer\n   tcp LISTEN 0 128 0.0.0.0:22\n', 'ss'))).toEqual(['error 2:4 expected 6 columns (Netid State Recv-Q Send-Q Local:Port Peer:Port)']);
    expect(issuesOf(() => parseSs('State Recv-Q Send-Q Local Peer\nLISTEN 0 128 0.0.0.0:22\n', 'ss'))).toEqual(['error 2:1 expected 5 columns (State Recv-Q Send-Q Local:Port Peer:Port)']);
  });
  it('every bad column of a line is reported at its own column', () => {
    expect(issuesOf(() => parseSs('tcp LISTEN x 1e3 0.0.0.0 1.2.3.4:ssh\n', 'ss'))).toEqual([
      "error 1:12 Recv-Q/Send-Q must be numbers, got 'x'",
      "error 1:14 Recv-Q/Send-Q must be numbers, got '1e3'",
      "error 1:18 bad local address: '0.0.0.0' is not ADDRESS:PORT",
      "error 1:26 bad peer address: port 'ssh' is not a number (capture with ss -n)",
    ]);
  });
  it('a queue beyond the largest safe integer is not a number', () => {
    expect(issuesOf(() => parseSs('tcp LISTEN 99999999999999999999 0 0.0.0.0:1 0.0.0.0:*\n', 'ss'))).toEqual(["error 1:12 Recv-Q/Send-Q must be numbers, got '99999999999999999999'"]);
  });
  it('the no-Netid warning goes with the errors when a later line is bad', () => {
    expect(issuesOf(() => parseSs('State Recv-Q Send-Q Local Peer\nLISTEN 0 1 0.0.0.0:1 0.0.0.0:*\nLISTEN 0 1 nowhere:1 0.0.0.0:*\n', 'ss'))).toEqual([
      'warning 2:1 ss output without a Netid column: sockets are taken as TCP',
      "error 3:12 bad local address: 'nowhere' is not an address",
    ]);
  });
});

// ss's own layout: columns padded to widths, addresses as inet_addr_print prints them.
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const v6 = fc.constantFrom('::', '::1', 'fe80::1', '2001:db8::5:1', '::ffff:10.0.0.1', 'fd00:1:2:3:4:5:6:7');
const dev = fc.option(fc.constantFrom('eth0', 'lo', 'br-1a2b', 'vrf-blue'), { nil: undefined });
const end = fc.oneof(
  fc.record({ addr: v4, dev, port: fc.nat(65535) }).map((e) => ({ ...e, text: `${e.addr}${e.dev ? `%${e.dev}` : ''}:${e.port}` })),
  fc.record({ addr: v6, dev, port: fc.nat(65535) }).map((e) => ({ ...e, text: `[${e.addr}]${e.dev ? `%${e.dev}` : ''}:${e.port}` })),
  fc.record({ addr: fc.constant('*'), dev, port: fc.nat(65535) }).map((e) => ({ ...e, text: `*${e.dev ? `%${e.dev}` : ''}:${e.port === 0 ? '*' : e.port}` })),
);
const pad = fc.integer({ min: 1, max: 12 }).map((n) => ' '.repeat(n));
const socketLine = fc.record({
  proto: fc.constantFrom('tcp', 'udp', 'raw', 'sctp', 'mptcp'),
  state: fc.constantFrom('LISTEN', 'UNCONN', 'ESTAB', 'SYN-SENT', 'TIME-WAIT', 'CLOSE-WAIT'),
  rq: fc.nat(1 << 20),
  sq: fc.nat(1 << 20),
  local: end,
  peer: end,
  process: fc.option(fc.tuple(fc.constantFrom('nginx', 'my app', 'sshd'), fc.nat(99999), fc.nat(99)).map(([n, p, f]) => `users:(("${n}",pid=${p},fd=${f}))`), { nil: undefined }),
  gaps: fc.array(pad, { minLength: 7, maxLength: 7 }),
});

describe('print ∘ parse (fast-check)', () => {
  it('sockets printed the way ss prints them parse back to the same sockets', () => {
    fc.assert(
      fc.property(fc.array(socketLine, { maxLength: 6 }), (rows) => {
        let text = 'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n';
        for (const r of rows) {
          const g = r.gaps;
          text += `${r.proto}${g[0]}${r.state}${g[1]}${r.rq}${g[2]}${r.sq}${g[3]}${r.local.text}${g[4]}${r.peer.text}${r.process ? g[5] + r.process : ''}${g[6]}\n`;
        }
        const want: Socket[] = rows.map((r, i) => {
          const endOf = (e: typeof r.local): SocketEnd => ({ addr: e.addr, port: e.port, ...(e.dev ? { dev: e.dev } : {}) });
          const s: Socket = { proto: r.proto, family: r.local.addr === '*' || r.local.addr.includes(':') ? 6 : 4, state: r.state, local: endOf(r.local), loc: { file: 'ss', line: i + 2, col: 1 } };
          const p = r.peer;
          if (!(p.port === 0 && (p.addr === '*' || p.addr === '0.0.0.0' || p.addr === '::'))) s.peer = endOf(p);
          if (r.process) s.process = r.process;
          return s;
        });
        expect(parseSs(text, 'ss')).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
  it('a mutated dump throws nothing but InputError', () => {
    const base = 'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\ntcp LISTEN 0 128 [fe80::1]%eth0:22 [::]:* users:(("sshd",pid=4,fd=4))\nudp UNCONN 0 0 0.0.0.0%lo:53 0.0.0.0:*\n';
    fc.assert(
      fc.property(edits, (muts) => {
        onlyInputErrors((t) => parseSs(t, 'ss'), applyEdits(base, muts));
      }),
      { numRuns: 500 },
    );
  });
});
