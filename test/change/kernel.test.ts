/**
 * Real kernel: build a namespace, capture it as a world, run a change script both with the real tools
 * (iptables, ip, sysctl) in the namespace and with applyChanges on the model, then compare what the
 * kernel prints afterwards (iptables-save, ip -4 route show table all, ip rule, addresses, sysctls) with
 * the changed model. Refusals are compared with the tools' own messages. Needs root, ip(8), iptables and
 * sysctl; skipped visibly otherwise, and a failure when CI=true.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import { InputError } from '../../src/model/source.js';
import type { Host, World } from '../../src/model/host.js';
import { loadWorld } from '../../src/parse/world.js';
import { saveRuleset } from '../../src/parse/iptablesSaveWrite.js';
import { formatRoute } from '../../src/parse/ipRouteWrite.js';
import { formatRule } from '../../src/parse/ipRule.js';
import { parseIpAddr } from '../../src/parse/ipAddr.js';
import { parseSysctl } from '../../src/parse/sysctl.js';

const has = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const canRun = process.getuid?.() === 0 && has('ip') && has('iptables') && has('iptables-save') && has('sysctl');
const NS = `nfchg-${process.pid}`;

function sh(cmd: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'sh', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}
function must(cmd: string): string {
  const r = sh(cmd);
  if (!r.ok) throw new Error(`${cmd}: ${r.err}`);
  return r.out;
}

const SETUP = [
  'ip link set lo up',
  'ip link add eth0 type veth peer name eth1',
  'ip link set eth0 up',
  'ip link set eth1 up',
  'ip addr add 10.1.0.1/24 dev eth0',
  'ip addr add 10.2.0.1/24 dev eth1',
  'ip route add default via 10.1.0.254',
  'ip link add eth2 type veth peer name eth3',
  'ip link set eth3 up',
  'iptables -N BASE',
  'iptables -A BASE -p tcp --dport 22 -j ACCEPT',
  'iptables -A INPUT -j BASE',
  'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
  'iptables -t nat -N NATU',
  'iptables -t nat -A PREROUTING -j NATU',
];

const SCRIPT = String.raw`# a change as an operator types it
sysctl -w net.ipv4.ip_forward=1
sysctl net.ipv4.conf.eth0.rp_filter=2 net/ipv4/conf/eth1/accept_local=1
iptables -N WEB
iptables -A WEB -p tcp -m multiport --dports 80,443 -m comment --comment "web traffic" -j ACCEPT
iptables -w -A INPUT -i eth0 -j WEB
iptables -I INPUT 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables --append INPUT -s 10.0.0.0/8 ! -d 10.1.0.1 -p udp --dport 53 -j DROP
iptables -R INPUT 4 -s 10.0.0.0/8 -p udp --dport 53 \
    -j REJECT --reject-with icmp-port-unreachable
iptables -D INPUT -i eth0 -j WEB
iptables -A INPUT -i eth0 -j WEB
iptables -P FORWARD DROP
iptables -t nat -A POSTROUTING -s 10.2.0.0/24 -o eth0 -j MASQUERADE
iptables -t nat -I PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.2.0.5:80
iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
iptables -N OLD
iptables -A FORWARD -j OLD
iptables -E OLD NEWER
iptables -t mangle -A PREROUTING -j MARK --set-mark 0x1
iptables -D INPUT 1
iptables -F BASE
iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
iptables -t filter -N ZZ
iptables -X ZZ
iptables-restore --noflush < extra.rules
ip addr add 10.1.0.2/24 dev eth0
ip addr add 10.3.0.1/24 brd + dev eth1
ip a add 10.4.0.1/32 dev eth1
ip address add 10.5.0.1/24 dev eth1 noprefixroute
ip addr add 10.6.0.0/31 dev eth1
ip addr add 10.7.0.1/24 dev eth1 metric 50
ip addr del 10.2.0.1/24 dev eth1
ip route add 192.168.5.0/24 via 10.1.0.254
ip route add 192.168.6.0/24 dev eth1 src 10.3.0.1 metric 10 proto static
ip route add blackhole 192.168.7.0/24
ip route add unreachable 192.168.8.0/24 table 100
ip route add default via 10.3.0.254 table 100
ip route append 192.168.5.0/24 via 10.1.0.253
ip route replace 192.168.5.0/24 via 10.1.0.252
ip route change 192.168.6.0/24 via 10.3.0.9 dev eth1 metric 10 proto static
ip route add prohibit 192.168.9.0/24 metric 5
ip route add 192.168.9.0/24 via 10.1.0.254 metric 7
ip route del 192.168.9.0/24
ip -4 route add local 192.168.11.1 dev eth0
ip route add 10.1.0.0/16 via 10.3.0.2 src 10.3.0.1
ip r add 172.16.0.0/12 dev eth0 scope link table 100
ip rule add from 10.3.0.0/24 table 100
ip rule add fwmark 0x1 lookup 200 pref 100
ip ru add to 10.9.0.0/16 prohibit
ip rule add iif eth1 lookup main
ip rule del pref 100
ip rule add not from 10.66.0.0/16 lookup 7 pref 50
ip rule add from 10.67.0.1
ip rule add from 10.68.0.1 table 254
ip rule del from 10.68.0.1 lookup main
ip rule del not from 10.66.0.0/16
ip addr add 10.8.0.1/24 dev eth1
ip addr add 10.8.0.2/24 dev eth1
ip addr add 10.8.0.3/24 dev eth1
ip addr del 10.8.0.1/24 dev eth1
ip addr del 10.3.0.1/24 dev eth1
sysctl -w net.ipv4.conf.eth1.promote_secondaries=1
ip addr add 10.9.0.1/24 dev eth1
ip addr add 10.9.0.2/24 dev eth1
ip addr add 10.9.0.3/24 dev eth1
ip addr del 10.9.0.1/24 dev eth1
ip addr add 10.20.0.1/24 dev eth2
ip addr add 10.21.0.1/24 dev eth3
ip route add 10.22.0.0/16 via 10.21.0.9
iptables-restore restore.rules
sysctl -p forward.conf
`;

const EXTRA_RULES = `*filter
:LOGDROP - [0:0]
-A LOGDROP -j LOG --log-prefix "dropped: "
-A LOGDROP -j DROP
-A FORWARD -s 192.0.2.0/24 -j LOGDROP
COMMIT
`;

const RESTORE_RULES = `*mangle
:PREROUTING ACCEPT [0:0]
:FORWARD DROP [0:0]
:MINE - [0:0]
-A FORWARD -j MINE
-A MINE -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
COMMIT
`;

/** Restore files the kernel refuses when it commits the table: a target outside its hooks through a user
 * chain, a jump loop. */
const HOOK_RULES = join(tmpdir(), `nfchg-${process.pid}-hook.rules`);
const LOOP_RULES = join(tmpdir(), `nfchg-${process.pid}-loop.rules`);

/** Commands the tools refuse, each against the namespace after SETUP (the model: the world as captured). */
const REFUSALS = [
  'iptables -D INPUT -p tcp --dport 23 -j ACCEPT',
  'iptables -D INPUT 5',
  'iptables -D NOPE 1',
  'iptables -N BASE',
  'iptables -X BASE',
  'iptables -P BASE DROP',
  'iptables -P INPUT BOGUS',
  'iptables -t nat -P POSTROUTING DROP',
  'iptables -t bogus -A INPUT -j ACCEPT',
  'iptables -t nat -A NOPE -j ACCEPT',
  'iptables -A INPUT -j NOSUCH',
  'iptables -R INPUT 9 -j ACCEPT',
  'iptables -I INPUT 9 -j ACCEPT',
  'iptables -E BASE INPUT',
  'iptables -F NOPE',
  'iptables -A OUTPUT -i eth0 -j DROP',
  'iptables -I INPUT 0 -j DROP',
  'iptables -A INPUT --bogus',
  'iptables -A INPUT -j DNAT --to-destination 1.2.3.4',
  'iptables -Z INPUT 5',
  'iptables -A BASE -j BASE',
  `iptables-restore --noflush ${HOOK_RULES}`,
  `iptables-restore --noflush ${LOOP_RULES}`,
  'iptables -t nat -A PREROUTING -j MASQUERADE',
  // through a user chain reached from PREROUTING
  'iptables -t nat -A NATU -p tcp -j MASQUERADE',
  'iptables -X INPUT',
  'iptables -E NOPE X',
  'ip route add 1.2.3.0/24',
  'ip route add 1.2.4.0/24 dev eth2',
  'ip route add 1.2.5.0/24 via 10.1.0.1',
  'ip route add default via 10.1.0.9',
  'ip route add 192.168.99.0/24 via 10.99.0.254',
  'ip route add 192.168.99.0/24 dev eth9',
  'ip route add 192.168.5.1/24 via 10.1.0.254',
  'ip route del 192.168.40.0/24',
  'ip route change 192.168.50.0/24 via 10.1.0.252',
  'ip addr add 10.1.0.1/24 dev eth0',
  'ip addr del 10.9.0.1/24 dev eth0',
  'ip addr add 10.9.0.1/24 dev eth9',
  'ip rule del from 1.2.3.4 table 5',
  'sysctl -w net.ipv4.conf.eth7.forwarding=1',
  'sysctl -w net.ipv4.ip_forwar=1',
];

function capture(dir: string, save = 'iptables-save'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'iptables-save'), must(save));
  writeFileSync(join(dir, 'ip-addr'), must('ip -d addr show'));
  writeFileSync(join(dir, 'ip-route'), must('ip -4 route show table all'));
  writeFileSync(join(dir, 'ip-rule'), must('ip -4 rule show'));
  writeFileSync(join(dir, 'sysctl'), must('sysctl -a 2>/dev/null'));
}

const lines = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l && !l.startsWith('#'));
const addrs = (ifs: Host['interfaces']) =>
  ifs.flatMap((i) => i.addresses.filter((a) => a.family === 4).map((a) => `${i.name} ${a.local.addr}/${a.local.len} brd=${a.broadcast ?? '-'} ${a.secondary ? 'secondary' : 'primary'} ${a.scope} metric=${a.metric ?? 0} ${a.flags.join(',')}`));

function compareWithKernel(model: World, label = '', save = 'iptables-save'): void {
  const h = model.hosts[0];
  expect(lines(saveRuleset(h.iptables!)), label).toEqual(lines(must(save)));
  expect(h.routes.filter((r) => r.family === 4).map(formatRoute), label).toEqual(lines(must('ip -4 route show table all')));
  expect(h.rules.filter((r) => r.family === 4).map(formatRule), label).toEqual(lines(must('ip -4 rule show')));
  expect(addrs(h.interfaces), label).toEqual(addrs(parseIpAddr(must('ip addr show'), 'kernel')));
  const real = parseSysctl(must('sysctl -a 2>/dev/null'), 'kernel').values;
  const conf = (v: Record<string, string>) => Object.fromEntries(Object.entries(v).filter(([k]) => /^net\.ipv4\.(ip_forward|conf\.)/.test(k)));
  expect(conf(h.sysctl!.values), label).toEqual(conf(real));
}

describe('change scripts on the real kernel', () => {
  if (!canRun) {
    it('cannot run (needs root, ip, iptables, iptables-save, sysctl)', () => {
      if (process.env.CI === 'true') expect.fail('CI=true but the real-kernel change test cannot run here');
      console.warn('SKIPPED: change scripts on the real kernel (needs root, ip, iptables, sysctl)');
    });
    return;
  }


  const backends = [{ bin: 'iptables', save: 'iptables-save' }, ...(has('iptables-legacy') ? [{ bin: 'iptables-legacy', save: 'iptables-legacy-save' }] : [])];
  /** The command for the backend: iptables → iptables-legacy, iptables-restore → iptables-legacy-restore. */
  const forBackend = (bin: string) => (c: string) => (bin === 'iptables' ? c : c.replace(/^iptables(-restore)? /, (_, r: string | undefined) => `${bin}${r ?? ''} `));

  for (const { bin, save } of backends)
  it(`the model after applyChanges prints what the kernel prints after the same commands (${bin})`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nfchg-'));
    const ipt = forBackend(bin);
    try {
      spawnSync('ip', ['netns', 'del', NS]);
      if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) throw new Error('cannot create a network namespace');
      for (const c of SETUP) must(ipt(c));
      capture(join(tmp, 'h'), save);
      const world = loadWorld(join(tmp, 'h'));
      writeFileSync(join(tmp, 'extra.rules'), EXTRA_RULES);
      writeFileSync(join(tmp, 'restore.rules'), RESTORE_RULES);
      writeFileSync(join(tmp, 'forward.conf'), '# sysctl.conf syntax\nnet.ipv4.ip_forward = 0\nnet/ipv4/conf/eth1/rp_filter=1\n');
      const script = SCRIPT.split('\n').map(ipt).join('\n');
      const file = join(tmp, 'change.sh');
      writeFileSync(file, script);
      const res = applyChanges(world, parseChangeScript(script, file));
      for (const c of parseChangeScript(script, file).commands) {
        const r = spawnSync('ip', ['netns', 'exec', NS, 'sh', '-c', c.text], { encoding: 'utf8', cwd: tmp });
        expect({ cmd: c.text, err: r.stderr, ok: r.status === 0 }).toEqual({ cmd: c.text, err: '', ok: true });
      }
      compareWithKernel(res.world, '', save);
    } finally {
      spawnSync('ip', ['netns', 'del', NS]);
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  for (const { bin, save } of backends)
  it(`generated scripts: each command is accepted or refused as the tools do, and the end state agrees (${bin})`, () => {
    const ipt = (c: string) => c.replace(/^iptables /, `${bin} `);
    const chain = fc.constantFrom('INPUT', 'FORWARD', 'OUTPUT', 'BASE', 'NEW1', 'NEW2', 'PREROUTING', 'POSTROUTING');
    const table = fc.constantFrom('filter', 'nat', 'mangle', 'raw');
    const userChain = fc.constantFrom('BASE', 'NEW1', 'NEW2');
    const net = fc.tuple(fc.constantFrom(10, 172, 192), fc.integer({ min: 0, max: 3 }), fc.constantFrom(8, 16, 24, 32)).map(([a, b, l]) => (l === 8 ? `${a}.0.0.0/8` : l === 16 ? `${a}.${b}.0.0/16` : l === 24 ? `${a}.${b}.1.0/24` : `${a}.${b}.1.1`));
    const spec = fc.tuple(fc.option(net, { nil: undefined }), fc.constantFrom('', '-p tcp --dport 22', '-p udp -m udp --sport 53', '-m comment --comment "x y"', '-o eth1', '-m conntrack --ctstate NEW'), fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'BASE', 'NEW1', 'MASQUERADE', 'LOG --log-prefix "p "', 'MARK --set-mark 0x2'))
      .map(([n, m, t]) => `${n ? `-s ${n} ` : ''}${m} -j ${t}`.replace(/\s+/g, ' '));
    const cmd = fc.oneof(
      { arbitrary: fc.tuple(table, chain, spec).map(([t, c, r]) => `iptables -t ${t} -A ${c} ${r}`), weight: 4 },
      fc.tuple(table, chain, fc.integer({ min: 1, max: 3 }), spec).map(([t, c, n, r]) => `iptables -t ${t} -I ${c} ${n} ${r}`),
      fc.tuple(table, chain, spec).map(([t, c, r]) => `iptables -t ${t} -D ${c} ${r}`),
      // -D N / -R N on user chains only: on an empty built-in chain, iptables-nft's message depends on whether
      // the chain exists in the kernel, which no dump shows (docs/change-format.md)
      fc.tuple(table, userChain, fc.integer({ min: 1, max: 3 })).map(([t, c, n]) => `iptables -t ${t} -D ${c} ${n}`),
      fc.tuple(table, userChain, fc.integer({ min: 1, max: 3 }), spec).map(([t, c, n, r]) => `iptables -t ${t} -R ${c} ${n} ${r}`),
      fc.tuple(table, fc.constantFrom('NEW1', 'NEW2', 'BASE')).map(([t, c]) => `iptables -t ${t} -N ${c}`),
      fc.tuple(table, fc.constantFrom('NEW1', 'NEW2', 'BASE')).map(([t, c]) => `iptables -t ${t} -X ${c}`),
      fc.tuple(table, fc.option(chain, { nil: undefined })).map(([t, c]) => `iptables -t ${t} -F${c ? ' ' + c : ''}`),
      fc.tuple(table, chain, fc.constantFrom('ACCEPT', 'DROP')).map(([t, c, p]) => `iptables -t ${t} -P ${c} ${p}`),
      fc.tuple(table, fc.constantFrom('NEW1', 'NEW2', 'BASE'), fc.constantFrom('NEW1', 'NEW2', 'BASE')).map(([t, a, b]) => `iptables -t ${t} -E ${a} ${b}`),
      { arbitrary: fc.tuple(fc.constantFrom('add', 'del', 'replace', 'append', 'change'), net, fc.constantFrom('via 10.1.0.254', 'dev eth1', 'via 10.2.0.9 metric 5', '', 'table 100 dev eth0', 'dev eth0 src 10.1.0.1', 'via 10.1.0.1')).map(([o, n, a]) => `ip route ${o} ${n} ${a}`.trim()), weight: 3 },
      fc.tuple(fc.constantFrom('blackhole', 'unreachable', 'prohibit'), net, fc.constantFrom('', 'metric 3', 'table 100')).map(([t, n, m]) => `ip route add ${t} ${n} ${m}`.trim()),
      { arbitrary: fc.tuple(fc.constantFrom('add', 'del'), fc.integer({ min: 1, max: 4 }), fc.constantFrom(24, 32, 30), fc.constantFrom('eth0', 'eth1', 'eth3'), fc.constantFrom('', 'brd +', 'noprefixroute')).map(([o, x, l, d, f]) => `ip addr ${o} 10.1.0.${x}/${l} ${o === 'add' ? f : ''} dev ${d}`.replace(/\s+/g, ' ')), weight: 2 },
      fc.tuple(fc.constantFrom('add', 'del'), net, fc.constantFrom('table 100', 'lookup main', 'prohibit', 'pref 200 table 7')).map(([o, n, t]) => `ip rule ${o} from ${n} ${t}`),
      fc.tuple(table, fc.option(userChain, { nil: undefined })).map(([t, c]) => `iptables -t ${t} -Z${c ? ' ' + c : ''}`),
      fc.tuple(net, fc.constantFrom('proto static', 'scope link', 'proto 4 metric 9', 'tos 0x10', 'onlink via 10.7.0.1')).map(([n, a]) => `ip route add ${n} dev eth1 ${a}`),
      fc.tuple(fc.constantFrom('add', 'del'), fc.constantFrom('iif eth1', 'fwmark 0x10/0xff', 'oif eth0 lookup 100', 'to 10.0.0.0/8 goto 32766', 'tos 0x10 table 5', 'not to 10.1.0.0/16 table 9')).map(([o, a]) => `ip rule ${o} ${a}`),
      fc.tuple(fc.integer({ min: 5, max: 7 }), fc.constantFrom('metric 20', 'label eth1:x', 'scope link', 'brd 10.1.0.255')).map(([x, a]) => `ip addr add 10.1.0.${x}/24 ${a} dev eth1`),
      fc.tuple(fc.constantFrom('ip_forward', 'conf.eth0.rp_filter', 'conf.all.forwarding', 'conf.eth1.promote_secondaries', 'conf.default.forwarding'), fc.constantFrom('0', '1', '2')).map(([k, v]) => `sysctl -w net.ipv4.${k}=${v}`),
    );
    const scripts = fc.sample(fc.array(cmd, { minLength: 40, maxLength: 40 }), { numRuns: 2, seed: 4242 });
    const tmp = mkdtempSync(join(tmpdir(), 'nfchg-'));
    try {
      for (const script0 of scripts) {
        const script = script0.map(ipt);
        spawnSync('ip', ['netns', 'del', NS]);
        if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) throw new Error('cannot create a network namespace');
        for (const c of SETUP) must(ipt(c));
        // iptables-legacy instantiates a table on any use, even by a refused command; refusals leave the
        // model as it was, so every table is in use from the start
        if (bin === 'iptables-legacy') for (const t of ['mangle', 'raw']) must(`${bin} -t ${t} -S`);
        capture(join(tmp, 'h'), save);
        let model = loadWorld(join(tmp, 'h'));
        const got: string[] = [];
        const want: string[] = [];
        for (const c of script) {
          const r = sh(c);
          want.push(`${c} => ${r.ok ? 'ok' : r.err.split('\n').find((l) => l.trim() !== '')!.trim()}`);
          try {
            model = applyChanges(model, parseChangeScript(c + '\n', 'g.sh')).world;
            got.push(`${c} => ok`);
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            got.push(`${c} => ${e.issues[0].message.split('\n').find((l) => l.trim() !== '')!.trim()}`);
          }
        }
        expect(got, script.join('\n')).toEqual(want);
        compareWithKernel(model, `after the generated script\n${script.join('\n')}\n`, save);
      }
    } finally {
      spawnSync('ip', ['netns', 'del', NS]);
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  const variants = [{ bin: 'iptables', save: 'iptables-save' }, ...(has('iptables-legacy') ? [{ bin: 'iptables-legacy', save: 'iptables-legacy-save' }] : [])];
  for (const { bin, save } of variants)
    it(`refuses what the tools refuse, with their message (${bin})`, () => {
      const tmp = mkdtempSync(join(tmpdir(), 'nfchg-'));
      const ipt = forBackend(bin);
      writeFileSync(HOOK_RULES, '*nat\n:PREROUTING ACCEPT [0:0]\n:U - [0:0]\n-A PREROUTING -j U\n-A U -j MASQUERADE\nCOMMIT\n');
      writeFileSync(LOOP_RULES, '*filter\n:U - [0:0]\n-A INPUT -j U\n-A U -j U\nCOMMIT\n');
      try {
        spawnSync('ip', ['netns', 'del', NS]);
        if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) throw new Error('cannot create a network namespace');
        for (const c of SETUP) must(ipt(c));
        capture(join(tmp, 'h'), save);
        const world = loadWorld(join(tmp, 'h'));
        expect(world.hosts[0].iptables!.backend).toBe(bin === 'iptables' ? 'nf_tables' : 'legacy');
        const got: string[] = [];
        const want: string[] = [];
        for (const cmd of REFUSALS.map(ipt)) {
          const r = sh(cmd);
          const first = (r.ok ? '(accepted)' : r.err.split('\n').find((l) => l.trim() !== '') ?? '').trim();
          want.push(`${cmd} => ${first}`);
          let msg = '(accepted)';
          try {
            applyChanges(world, parseChangeScript(cmd + '\n', 'c.sh'));
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            msg = e.issues[0].message.split('\n').find((l) => l.trim() !== '')!.trim();
          }
          got.push(`${cmd} => ${msg}`);
        }
        expect(got).toEqual(want);
      } finally {
        spawnSync('ip', ['netns', 'del', NS]);
        rmSync(tmp, { recursive: true, force: true });
        rmSync(HOOK_RULES, { force: true });
        rmSync(LOOP_RULES, { force: true });
      }
    }, 60_000);});
