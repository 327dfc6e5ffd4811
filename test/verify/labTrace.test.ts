/** scripts/lab/lab.py: the kernel's nftables trace (xtables-monitor --trace) read into rule paths per packet. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { PathPacket } from '../../src/verify/rulePath.js';

function rulePath(trace: string, nft: string): PathPacket[] {
  const r = spawnSync('python3', ['-c', 'import json, sys; sys.path.insert(0, "scripts/lab"); import lab; print(json.dumps(lab.rule_path(sys.argv[1], sys.argv[2])))', trace, nft], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as PathPacket[];
}

describe('lab.py rule_path', () => {
  const paths = rulePath('test/verify/fixtures/xtmon-bridge.txt', 'test/verify/fixtures/nft-bridge.json');
  it('one entry per packet, in the order the host first traced them; the nfsim_trace table is left out', () => {
    expect(paths.map((p) => p.packet)).toEqual(['udp 172.17.0.3:38908 > 172.16.13.13:56789 IN=docker0', 'udp 172.17.0.3:60834 > 172.16.13.13:53 IN=docker0', 'ip 172.16.13.13 > 172.17.0.3 OUT=docker0']);
    for (const p of paths) for (const s of p.steps) expect(s.table).not.toBe('nfsim_trace');
  });
  it('a packet whose trace id changed when the bridge passed it up (skb_iif) stays one packet, by its IP ID', () => {
    expect(paths[0].steps.map((s) => `${s.table} ${s.chain} ${s.policy ?? `#${s.rule} ${s.verdict}`}`)).toEqual(['nat PREROUTING #1 JUMP:DOCKER', 'nat DOCKER #1 RETURN', 'nat PREROUTING ACCEPT', 'filter INPUT ACCEPT', 'nat INPUT ACCEPT']);
  });
  it('rule positions come from the nft handles; the verdict line after the error the REJECT sent still belongs to its packet', () => {
    expect(paths[1].steps).toEqual([
      { table: 'nat', chain: 'PREROUTING', policy: 'ACCEPT' },
      { table: 'filter', chain: 'INPUT', rule: 2, verdict: 'DROP', text: '-A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable' },
    ]);
    expect(paths[2].steps).toEqual([{ table: 'filter', chain: 'OUTPUT', policy: 'ACCEPT' }]);
  });
});
