import { describe, expect, it } from 'vitest';
import { conntrack } from '../../../src/ext/match/conntrack.js';
import { state } from '../../../src/ext/match/state.js';
import { connmark } from '../../../src/ext/match/connmark.js';
import { build, ct, ip, mctx } from '../ctx.js';

const m = (text: string, c = ct()) => conntrack.match(build(conntrack, text), mctx({ ct: c }));

describe('conntrack / state', () => {
  it('ctstate maps packet conditions (netfilter-semantics §3.3)', () => {
    expect(m('--ctstate NEW')).toBe(true);
    expect(m('--ctstate RELATED,ESTABLISHED', ct({ state: 'ESTABLISHED', reply: true }))).toBe(true);
    expect(m('--ctstate INVALID', ct({ state: 'INVALID', orig: undefined }))).toBe(true);
    expect(m('--ctstate UNTRACKED', ct({ state: 'UNTRACKED', orig: undefined }))).toBe(true);
    expect(m('! --ctstate NEW,ESTABLISHED', ct({ state: 'RELATED' }))).toBe(true);
    expect(m('--ctstate DNAT', ct({ dnat: true }))).toBe(true);
    expect(m('--ctstate SNAT', ct({ dnat: true }))).toBe(false);
    expect(state.match(build(state, '--state ESTABLISHED,RELATED'), mctx({ ct: ct({ state: 'RELATED' }) }))).toBe(true);
  });
  it('saves states in kernel bit order', () => {
    expect(conntrack.save(build(conntrack, '--ctstate ESTABLISHED,RELATED,new'), { family: 4, table: 'filter', chain: 'INPUT' })).toBe(' --ctstate NEW,RELATED,ESTABLISHED');
  });
  it('tuples, direction, status; no entry means no match', () => {
    expect(m('--ctorigsrc 10.0.0.0/8 --ctorigdstport 80')).toBe(true);
    expect(m('--ctorigdst 10.0.0.3')).toBe(false);
    expect(m('--ctreplsrc 10.0.0.2')).toBe(true); // reply tuple defaults to the inverted original
    expect(m('--ctproto tcp --ctdir ORIGINAL')).toBe(true);
    expect(m('--ctdir REPLY')).toBe(false);
    expect(m('--ctstatus ASSURED', ct({ status: ['SEEN_REPLY', 'ASSURED'] }))).toBe(true);
    expect(m('--ctorigsrc 10.0.0.0/8', ct({ state: 'INVALID', orig: undefined }))).toBe(false);
    expect(m('--ctreplsrc 192.168.1.5', ct({ replyTuple: { src: ip('192.168.1.5'), dst: ip('10.0.0.1'), proto: 6, sport: 80, dport: 40000 } }))).toBe(true);
  });
  it('connmark with mask', () => {
    expect(connmark.match(build(connmark, '--mark 0x10/0xf0'), mctx({ ct: ct({ mark: 0x1f }) }))).toBe(true);
    expect(connmark.match(build(connmark, '--mark 0x10/0xf0'), mctx({ ct: ct({ mark: 0x2f }) }))).toBe(false);
  });
});
