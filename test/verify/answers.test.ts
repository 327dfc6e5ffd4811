/** Answers back at the lab's sender, nfsim against the kernel's record (src/verify/answers.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runQueries } from '../../src/engine/run.js';
import { loadWorld } from '../../src/parse/world.js';
import { parseQueries } from '../../src/parse/queries.js';
import { compareAnswers } from '../../src/verify/answers.js';
import { labSender } from '../../src/verify/labScript.js';

function load(dir: string, world = `${dir}/world`) {
  const w = loadWorld(world);
  const q = parseQueries(readFileSync(`${dir}/queries`, 'utf8'), 'queries');
  const k = JSON.parse(readFileSync(`${dir}/kernel/world.json`, 'utf8')) as { queries: { answers: string[]; seen: { host: string; iface: string; dir: string }[] }[] };
  const { results } = runQueries(w, q, undefined, { closeSenders: true });
  return { w, results, k };
}

describe('answers back at the sender', () => {
  it('from outside: what leaves by the interface the packet came in is what the helper received', () => {
    const { w, results, k } = load('test/verify/outside');
    expect(labSender(w, results[0].query)).toEqual({ kind: 'outside', host: 'r', iface: 'eth0' });
    expect(k.queries[0].answers).toEqual(['tcp 198.51.100.1:8080 > 203.0.113.5:40000 flags SA']);
    expect(k.queries[4].answers).toEqual(['icmp 198.51.100.1 > 203.0.113.5 type 3 code 3']);
    results.forEach((r, i) => expect(compareAnswers(r.result.outcomes[0].verdict, labSender(w, r.query), k.queries[i]), r.query.spec.text).toBeUndefined());
    // a missing answer is a difference
    const lost = { ...k.queries[0], answers: [] };
    expect(compareAnswers(results[0].result.outcomes[0].verdict, labSender(w, results[0].query), lost)).toEqual({ at: 'outside r:eth0', nfsim: ['tcp 198.51.100.1:8080 > 203.0.113.5:40000 flags SA'], kernel: [] });
  });

  it('from a socket: the reset, ICMP errors and echo replies that came back, as they arrive', () => {
    const { w, results, k } = load('test/conformance/router-nat');
    expect(labSender(w, results[3].query)).toEqual({ kind: 'socket', host: 'client' });
    results.forEach((r, i) => expect(compareAnswers(r.result.outcomes[0].verdict, labSender(w, r.query), k.queries[i]), r.query.spec.text).toBeUndefined());
    const other = { ...k.queries[3], answers: ['tcp 10.0.2.2:22 > 10.0.1.2:40000 flags SA'] };
    expect(compareAnswers(results[3].result.outcomes[0].verdict, labSender(w, results[3].query), other)).toEqual({ at: 'client', nfsim: ['tcp 10.0.2.2:22 > 10.0.1.2:40000 flags RA'], kernel: ['tcp 10.0.2.2:22 > 10.0.1.2:40000 flags SA'] });
  });

  it('a frame from a neighbour that does not own its source is not compared; no record, no comparison', () => {
    const w = loadWorld('test/conformance/router-nat/world');
    const [q] = parseQueries('arrive r:eth2 udp 203.0.113.9:7 > 198.51.100.1:7\n', 'q');
    expect(labSender(w, q)).toEqual({ kind: 'frame' });
    const { results } = runQueries(w, [q]);
    expect(compareAnswers(results[0].result.outcomes[0].verdict, { kind: 'frame' }, { answers: ['x'] })).toBeUndefined();
    expect(compareAnswers(results[0].result.outcomes[0].verdict, { kind: 'socket', host: 'r' }, undefined)).toBeUndefined();
  });
});
