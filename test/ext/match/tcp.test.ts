import { describe, expect, it } from 'vitest';
import { tcp, type TcpArgs } from '../../../src/ext/match/tcp.js';
import { udp } from '../../../src/ext/match/udp.js';
import { multiport } from '../../../src/ext/match/multiport.js';
import { build, mctx, pkt } from '../ctx.js';

const P = { protocol: { value: 'tcp', invert: false } };
const m = (text: string, p = pkt()) => tcp.match(build<TcpArgs>(tcp, text, P), mctx({ pkt: p }));

describe('tcp', () => {
  it('port ranges and negation', () => {
    expect(m('--dport 80')).toBe(true);
    expect(m('--dport 81')).toBe(false);
    expect(m('! --dport 81')).toBe(true);
    expect(m('--sport 1024:65535')).toBe(true);
    expect(m('--sport :1023')).toBe(false);
    expect(m('--dport 60000:29')).toBe(false); // reversed range never matches
  });
  it('--syn and --tcp-flags', () => {
    expect(m('--syn', pkt({ tcpFlags: 0x02 }))).toBe(true);
    expect(m('--syn', pkt({ tcpFlags: 0x12 }))).toBe(false); // SYN+ACK
    expect(m('! --syn', pkt({ tcpFlags: 0x10 }))).toBe(true);
    expect(m('--tcp-flags SYN,RST SYN', pkt({ tcpFlags: 0x12 }))).toBe(true); // ACK not in mask
    expect(m('--tcp-flags ALL NONE', pkt({ tcpFlags: 0 }))).toBe(true);
    expect(m('--tcp-flags ALL FIN,PSH,URG', pkt({ tcpFlags: 0x29 }))).toBe(true);
  });
  it('never matches other protocols', () => {
    expect(m('--dport 80', pkt({ proto: 17 }))).toBe(false);
  });
  it('decodes service names and saves canonically', () => {
    const a = build<TcpArgs>(tcp, '--dport ssh --tcp-flags SYN,ACK,FIN,RST SYN', P);
    expect(tcp.save(a, { family: 4, table: 'filter', chain: 'INPUT' })).toBe(' --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN');
  });
  it('requires -p tcp', () => {
    expect(() => build(tcp, '--dport 80', { protocol: { value: 'udp', invert: false } })).toThrow(/requires '-p tcp'/);
  });
});

describe('udp', () => {
  it('matches ports', () => {
    const a = build(udp, '--dport 53', { protocol: { value: 'udp', invert: false } });
    expect(udp.match(a, mctx({ pkt: pkt({ proto: 17, dport: 53 }) }))).toBe(true);
    expect(udp.match(a, mctx({ pkt: pkt({ proto: 17, dport: 54 }) }))).toBe(false);
  });
});

describe('multiport', () => {
  const a = (t: string) => build(multiport, t, P);
  it('lists and ranges', () => {
    expect(multiport.match(a('--dports 22,80:90,443'), mctx({ pkt: pkt({ dport: 85 }) }))).toBe(true);
    expect(multiport.match(a('--dports 22,80:90,443'), mctx({ pkt: pkt({ dport: 91 }) }))).toBe(false);
    expect(multiport.match(a('! --dports 22,443'), mctx({ pkt: pkt({ dport: 80 }) }))).toBe(true);
    expect(multiport.match(a('--ports 40000'), mctx())).toBe(true); // source or destination
    expect(multiport.match(a('--sports 80'), mctx())).toBe(false);
  });
  it('at most 15 ports, a range counting two', () => {
    expect(() => a('--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15')).not.toThrow();
    expect(() => a('--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16')).toThrow(/too many ports/);
  });
});
