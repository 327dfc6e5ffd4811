/**
 * Every teaching scenario, rebuilt from its dumps alone by `nfsim verify` on this kernel, must agree with the
 * simulation (root only; with CI=true the check must run).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios, scenarioStates } from '../../src/scenario/scenario.js';

const root = process.getuid?.() === 0 && ['ip', 'nstat', 'iptables-restore', 'xtables-monitor', 'nft', 'tcpdump', 'python3'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const canRun = root || process.env.CI === 'true';

/** Run nfsim without blocking the test worker (a blocked worker misses vitest's RPC deadlines). */
async function nfsimAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof x.code === 'number' ? x.code : 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/**
 * A copy of world SRC, changed by `edit` (given the copy's world directory), verified against `packets` in a
 * temporary directory that is removed afterwards; `more` runs further checks while the copy exists.
 */
async function verifyEditedCopy(src: string, edit: (world: string) => void, packets: string[], more?: (world: string, packetsFile: string) => Promise<void>) {
  const tmp = mkdtempSync(join(tmpdir(), 'nfsim-verify-test-'));
  try {
    const world = join(tmp, 'world');
    cpSync(src, world, { recursive: true });
    edit(world);
    writeFileSync(join(tmp, 'packets'), packets.join('\n') + '\n');
    const r = await nfsimAsync(['verify', world, '--packets', join(tmp, 'packets')]);
    if (more) await more(world, join(tmp, 'packets'));
    return r;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('nfsim verify on every scenario', () => {
  if (!canRun) {
    it('is skipped without root', () => console.log('skipped: nfsim verify needs root and iproute2/iptables/nftables/tcpdump/python3'));
    return;
  }
  // One file, so the labs run one after the other: the drop tracepoint is machine-wide.
  it('the router world (test/conformance/router-nat)', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    const dir = 'test/conformance/router-nat';
    const r = await nfsimAsync(['verify', `${dir}/world`, '--packets', `${dir}/queries`]);
    expect(r.stdout, r.stdout + r.stderr).toContain('10 agree, 0 differ, 0 not sent');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^nfv\d+-/m);
  }, 240_000);
  it('a world with an interface without a link: packets from outside to a listener and to DNAT targets (test/verify/outside)', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    const dir = 'test/verify/outside';
    const r = await nfsimAsync(['verify', `${dir}/world`, '--packets', `${dir}/queries`]);
    expect(r.stdout, r.stdout + r.stderr).toContain('6 agree, 0 differ, 0 not sent');
    expect(r.stdout).toContain('kernel: delivered on srv to tcp:0.0.0.0:80');
    expect(r.stdout).toContain('kernel: delivered on r to tcp:0.0.0.0:22');
    expect(r.stdout).toContain('nstat:  r: IcmpOutDestUnreachs +1, UdpNoPorts +1');
    expect(r.stdout).not.toContain('not rebuilt');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^nfv\d+-/m);
  }, 240_000);
  it('a socket probe carries the spec\'s length, TTL, TOS, mark and payload (matches on each decide)', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    const extra = ['-p udp -m length --length 200', '-p udp -m ttl --ttl-eq 2', '-p udp -m tos --tos 0x10', '-p udp -m string --string "XYZ" --algo bm --to 65535', '-p icmp -m length --length 100'];
    const packets = [
      'local client udp 10.0.1.2:5000 > 10.0.2.2:53 len 200 payload AB',
      'local client udp 10.0.1.2:5001 > 10.0.2.2:53 len 199 payload AB',
      'local client udp 10.0.1.2:5002 > 10.0.2.2:53 ttl 3 payload AB',
      'local client udp 10.0.1.2:5003 > 10.0.2.2:53 tos 0x10 payload AB',
      'local client udp 10.0.1.2:5004 > 10.0.2.2:53 payload hello-XYZ',
      'local client icmp 10.0.1.2 > 10.0.2.2 type echo-request id 7 seq 1 len 100',
      'local client udp 10.0.1.2:5005 > 10.0.2.2:53 mark 0x5 payload AB',
      'local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags A',
    ];
    const r = await verifyEditedCopy('test/conformance/router-nat/world', (world) => {
      const rules = join(world, 'r', 'iptables-save');
      writeFileSync(rules, readFileSync(rules, 'utf8').replace('[0:0] -A FWD-IN -p tcp', `${extra.map((m) => `[0:0] -A FWD-IN ${m} -j DROP\n`).join('')}[0:0] -A FWD-IN -p tcp`));
      writeFileSync(join(world, 'client', 'iptables-save'), '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m mark --mark 0x5 -j DROP\nCOMMIT\n');
    }, packets);
    // every probe but the one that passes is dropped by its own rule, on both sides
    expect(r.stdout.match(/kernel: dropped NETFILTER_DROP at nft_do_chain on r/g)?.length, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain('kernel: dropped NETFILTER_DROP at nft_do_chain on client');
    expect(r.stdout).toContain('skipped: local client tcp 10.0.1.2:40000 > 10.0.2.2:22 flags A — a TCP probe from a socket is a connect(): only a SYN (flags S) can be sent');
    expect(r.stdout).toContain('7 agree, 0 differ, 1 not sent');
  }, 240_000);
  it('interface MTUs are rebuilt, and a local UDP datagram that fits its first hop carries DF: frag-needed at the router', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    const r = await verifyEditedCopy('test/conformance/router-nat/world', (world) => {
      for (const f of ['ip-link', 'ip-addr']) {
        const file = join(world, 'r', f);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^(3: eth1@if2: <[^>]*> mtu) 1500/m, '$1 1400'));
      }
    }, ['local client udp 10.0.1.2:5001 > 10.0.2.2:53 len 1450']);
    expect(r.stdout, r.stdout + r.stderr).toContain('kernel: dropped PKT_TOO_BIG at ip_forward on r');
    expect(r.stdout).toContain('nfsim:  DROPPED on r: PKT_TOO_BIG at ip_forward');
    expect(r.stdout).toContain('1 agree, 0 differ, 0 not sent');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 240_000);
  it('a wrong nfsim answer makes verify exit 1: a conntrack entry only the dump has changes the rule path', async () => {
    if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
    // The lab does not recreate dumped conntrack entries (it says so): nfsim sees the flow ESTABLISHED and
    // accepts it in IN-UPLINK rule 1, the kernel sees it NEW and reaches INPUT's policy. Same fate (no socket).
    let json: { status: number; stdout: string } | undefined;
    const r = await verifyEditedCopy(
      'test/verify/outside/world',
      (world) => writeFileSync(join(world, 'r', 'conntrack'), 'udp      17 170 src=203.0.113.5 dst=198.51.100.1 sport=5001 dport=9999 src=198.51.100.1 dst=203.0.113.5 sport=9999 dport=5001 [ASSURED] mark=0 use=1\n'),
      ['arrive r:eth0 udp 203.0.113.5:5001 > 198.51.100.1:9999 len 39'],
      async (world, packets) => {
        json = await nfsimAsync(['verify', world, '--packets', packets, '--json']);
      },
    );
    expect(r.stdout, r.stdout + r.stderr).toContain('rule path on r differs');
    // side by side: nfsim accepts in IN-UPLINK rule 1; the kernel went through nat PREROUTING, INPUT's policy, nat INPUT
    expect(r.stdout).toContain('filter IN-UPLINK #1 -A IN-UPLINK -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT → ACCEPT');
    expect(r.stdout).toMatch(/│ {3}filter INPUT policy ACCEPT\n/);
    expect(r.stdout).toMatch(/│ {3}nat INPUT policy ACCEPT\n/);
    expect(r.stdout).toContain('✗ rule path differs');
    expect(r.stdout).toContain('0 agree, 1 differ, 0 not sent');
    expect(r.status).toBe(1);
    expect(json!.status).toBe(1);
    const out = JSON.parse(json!.stdout) as { differ: number; results: { agree: boolean; nfsimRulePath: Record<string, unknown[]>; kernel: { rulePath: Record<string, unknown[]> }; rulePathDifferences: { host: string }[] }[] };
    expect(out.differ).toBe(1);
    expect(out.results[0].agree).toBe(false);
    expect(out.results[0].rulePathDifferences.map((d) => d.host)).toEqual(['r']);
    expect(out.results[0].nfsimRulePath.r.length).toBeGreaterThan(0);
    expect(out.results[0].kernel.rulePath.r.length).toBeGreaterThan(0);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^nfv\d+-/m);
  }, 240_000);
  for (const s of listScenarios('scenarios')) {
    for (const state of scenarioStates(s.dir)) {
      const queries = join(s.dir, state === 'world' ? 'queries' : `queries-${state.slice('world-'.length)}`);
      if (!existsSync(queries)) continue;
      it(`${s.name}/${state}`, async () => {
        if (!root) throw new Error('CI=true but the kernel check cannot run here (needs root, ip, iptables-restore, tcpdump, python3)');
        const r = await nfsimAsync(['verify', join(s.dir, state), '--packets', queries]);
        expect(r.stdout, r.stdout + r.stderr).toMatch(/ agree, 0 differ, 0 not sent/);
        expect(r.status, r.stdout + r.stderr).toBe(0);
      }, 240_000);
    }
  }
});
