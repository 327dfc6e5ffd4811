import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand } from '../../src/cli/commands/parse.js';
import { InputError } from '../../src/model/source.js';

const FIX = join(import.meta.dirname, '../fixtures/worlds');
let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('nfsim parse', () => {
  it('summary of a world', async () => {
    expect(await parseCommand.run([join(FIX, 'two-hosts')])).toBe(0);
    expect(out).toContain('world ');
    expect(out).toContain('client:eth0 <-> router:veth1 (veth)');
    expect(out).toContain('veth1           veth UP mtu 1500 master br0 peer @if2 netns client');
    expect(out).toContain('    table local (IPv4): 3');
    expect(out).toContain('    ip_forward=1  ');
    expect(out).toMatch(/conf\.eth0: forwarding=1 rp_filter=2 route_localnet=0\(default\)/);
    expect(out).toContain('ip_forward=0 (default)');
  });
  it('--json is deterministic and sorted', async () => {
    await parseCommand.run([join(FIX, 'two-hosts.bundle'), '--json']);
    const a = out;
    out = '';
    await parseCommand.run([join(FIX, 'two-hosts.bundle'), '--json']);
    expect(out).toBe(a);
    const j = JSON.parse(a);
    expect(Object.keys(j)).toEqual(['hosts', 'issues', 'links', 'source']);
    expect(j.hosts[0].absent).toEqual({ conntrack: 'sh: 1: conntrack: not found' });
  });
  it('input errors surface as InputError (exit 2 in main)', async () => {
    await expect(parseCommand.run([join(FIX, 'bad.bundle')])).rejects.toBeInstanceOf(InputError);
  });
  const host = join(import.meta.dirname, '../../scenarios/01-published-port-forwarding-off/world/docker-host');
  it.runIf(existsSync(host))('--save of a one-host input is exactly the file', async () => {
    expect(await parseCommand.run([host, '--save'])).toBe(0);
    expect(out).toBe(readFileSync(join(host, 'iptables-save'), 'utf8'));
  });
});
