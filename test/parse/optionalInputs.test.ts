import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSs } from '../../src/parse/ss.js';
import { parseConntrack } from '../../src/parse/conntrack.js';
import { parseIpset } from '../../src/parse/ipset.js';
import { InputError, type InputIssue } from '../../src/model/source.js';
import { CONNTRACK_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

const SS = `Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
udp   UNCONN 0      0         0.0.0.0%lo:53         0.0.0.0:*     users:(("python3",pid=22719,fd=5))
tcp   LISTEN 1      128        127.0.0.1:80         0.0.0.0:*     users:(("nginx",pid=1,fd=6),("nginx",pid=2,fd=6))
tcp   ESTAB  0      0          127.0.0.1:56294    127.0.0.1:80
tcp   LISTEN 0      128                *:22               *:*     users:(("sshd",pid=4,fd=4))
tcp   LISTEN 0      128             [::]:8080          [::]:*
`;

describe('ss', () => {
  it('columns, device binding, dual-stack *, process', () => {
    const s = parseSs(SS, 'ss');
    expect(s.map((x) => [x.proto, x.family, x.state, x.local, x.peer ?? null])).toEqual([
      ['udp', 4, 'UNCONN', { addr: '0.0.0.0', port: 53, dev: 'lo' }, null],
      ['tcp', 4, 'LISTEN', { addr: '127.0.0.1', port: 80 }, null],
      ['tcp', 4, 'ESTAB', { addr: '127.0.0.1', port: 56294 }, { addr: '127.0.0.1', port: 80 }],
      ['tcp', 6, 'LISTEN', { addr: '*', port: 22 }, null],
      ['tcp', 6, 'LISTEN', { addr: '::', port: 8080 }, null],
    ]);
    expect(s[1].process).toBe('users:(("nginx",pid=1,fd=6),("nginx",pid=2,fd=6))');
    expect(s[0].loc).toEqual({ file: 'ss', line: 2, col: 1 });
  });
  it('errors', () => {
    expect(() => parseSs('Netid State Recv-Q Send-Q Local Peer\ntcp LISTEN 0 128 0.0.0.0:ssh 0.0.0.0:*\n', 'ss')).toThrow(/ss:2:18: error: bad local address: port 'ssh'/);
  });
});

describe.runIf(corpusAvailable)('corpus conntrack', () => {
  for (const f of CONNTRACK_FILES) {
    it(`loads ${f}`, () => {
      const w: InputIssue[] = [];
      const es = parseConntrack(readCorpus(f), f, { warnings: w });
      expect(es).toHaveLength(678);
      expect(w).toEqual([]);
      expect(es[0]).toMatchObject({ family: 4, proto: 17, protoName: 'udp', timeout: 11, orig: { src: '172.16.1.10', dst: '172.16.1.1', sport: 39410, dport: 53 }, reply: { src: '172.16.1.1', sport: 53 }, mark: 0, zone: 0 });
    });
  }
});

describe('conntrack -L', () => {
  it('tcp with flags, icmp, ipv6', () => {
    const es = parseConntrack(
      'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED] mark=0x10 use=1\n' +
        'tcp      6 119 SYN_SENT src=10.0.0.1 dst=10.0.0.3 sport=40001 dport=80 [UNREPLIED] src=10.0.0.3 dst=10.0.0.1 sport=80 dport=40001 mark=0 use=1\n' +
        'icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7 mark=0 use=1\n' +
        'ipv6     10 udp      17 20 src=2001:db8::1 dst=2001:db8::2 sport=5 dport=53 src=2001:db8::2 dst=2001:db8::1 sport=53 dport=5 mark=0 zone=3 use=2\n' +
        'tcp      6 10 CLOSE src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1 id=3735928559\n' +
        'conntrack v1.4.6 (conntrack-tools): 5 flow entries have been shown.\n',
      'ct',
    );
    expect(es.map((e) => [e.tcpState, e.status])).toEqual([['ESTABLISHED', ['ASSURED', 'SEEN_REPLY']], ['SYN_SENT', ['UNREPLIED']], [undefined, ['SEEN_REPLY']], [undefined, ['SEEN_REPLY']], ['CLOSE', ['SEEN_REPLY']]]);
    expect(es[4].reply).toEqual({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 });
    expect(es[0].mark).toBe(16);
    expect(es[2].orig).toEqual({ src: '10.0.0.1', dst: '10.0.0.2', type: 8, code: 0, id: 7 });
    expect(es[3]).toMatchObject({ family: 6, zone: 3, proto: 17 });
  });
  it('errors with columns', () => {
    try {
      parseConntrack('tcp 6 10 ESTABLISHED src=1.2.3 dst=1.2.3.4 src=1.2.3.4 dst=1.1.1.1\nhello\n', 'ct');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues.map((i) => `${i.loc.line}:${i.loc.col}`)).toEqual(['1:26', '2:1']);
    }
  });
});

describe('ipset save', () => {
  it('create + add', () => {
    const s = parseIpset('create blk hash:net family inet hashsize 1024 maxelem 65536 counters comment\nadd blk 10.0.0.0/8 packets 0 bytes 0 comment "x"\nadd blk 1.2.3.4 nomatch\ncreate p hash:ip,port family inet\nadd p 1.2.3.4,tcp:80\n', 'set');
    expect(s).toMatchObject([
      { name: 'blk', type: 'hash:net', family: 'inet', options: { family: 'inet', hashsize: '1024', maxelem: '65536', counters: '', comment: '' }, members: ['10.0.0.0/8 packets 0 bytes 0 comment "x"', '1.2.3.4 nomatch'] },
      { name: 'p', type: 'hash:ip,port', members: ['1.2.3.4,tcp:80'] },
    ]);
  });
  it('errors', () => {
    expect(() => parseIpset('add x 1.2.3.4\nfoo\n', 'set')).toThrow(/set:1:5: error: add to set 'x' before its create line[\s\S]*set:2:1/);
  });
});

describe('robustness', () => {
  it('arbitrary text throws only InputError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'tcp6 udpsrc=dst=1.2.3.4:[]*%\nLISTENcreateaddhash:ip0'.split('')) }), (s) => {
        for (const f of [parseSs, parseConntrack, parseIpset]) {
          try {
            f(s, 'x');
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
