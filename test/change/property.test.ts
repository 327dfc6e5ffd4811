import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyChanges, parseChangeScript } from '../../src/change/index.js';
import { InputError } from '../../src/model/source.js';
import { twoHosts } from './helpers.js';
import { worldJson } from '../../src/report/worldJson.js';
import type { World } from '../../src/model/host.js';

const world = twoHosts();
const snapshot = JSON.stringify(world);

const chain = fc.constantFrom('INPUT', 'FORWARD', 'OUTPUT', 'BASE', 'NEW1', 'NEW2', 'PREROUTING', 'POSTROUTING');
const table = fc.constantFrom('filter', 'nat', 'mangle', 'raw');
const net = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(8, 16, 24, 32)).map(([a, b, l]) => (l === 8 ? `${a}.0.0.0/8` : l === 16 ? `${a}.${b}.0.0/16` : l === 24 ? `${a}.${b}.1.0/24` : `${a}.${b}.1.1`));
const ruleSpec = fc.tuple(fc.option(net, { nil: undefined }), fc.constantFrom('', '-p tcp --dport 22', '-p udp -m udp --sport 53', '-m comment --comment "x y"', '-i eth0'), fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'BASE', 'MASQUERADE', 'LOG --log-prefix "p "'))
  .map(([n, m, t]) => `${n ? `-s ${n} ` : ''}${m} -j ${t}`.replace(/\s+/g, ' '));
const iptables = fc.oneof(
  fc.tuple(table, chain, ruleSpec).map(([t, c, r]) => `iptables -t ${t} -A ${c} ${r}`),
  fc.tuple(table, chain, fc.integer({ min: 1, max: 4 }), ruleSpec).map(([t, c, n, r]) => `iptables -t ${t} -I ${c} ${n} ${r}`),
  fc.tuple(table, chain, ruleSpec).map(([t, c, r]) => `iptables -t ${t} -D ${c} ${r}`),
  fc.tuple(table, chain, fc.integer({ min: 1, max: 3 })).map(([t, c, n]) => `iptables -t ${t} -D ${c} ${n}`),
  fc.tuple(table, chain).map(([t, c]) => `iptables -t ${t} -N ${c}`),
  fc.tuple(table, chain).map(([t, c]) => `iptables -t ${t} -X ${c}`),
  fc.tuple(table, fc.option(chain, { nil: undefined })).map(([t, c]) => `iptables -t ${t} -F${c ? ' ' + c : ''}`),
  fc.tuple(table, chain, fc.constantFrom('ACCEPT', 'DROP')).map(([t, c, p]) => `iptables -t ${t} -P ${c} ${p}`),
  fc.tuple(table, chain, chain).map(([t, a, b]) => `iptables -t ${t} -E ${a} ${b}`),
);
const ip = fc.oneof(
  fc.tuple(fc.constantFrom('add', 'del', 'replace', 'append', 'change'), net, fc.constantFrom('via 10.1.0.254', 'dev eth1', 'via 10.2.0.9 metric 5', '', 'table 100 dev eth0')).map(([o, n, a]) => `ip route ${o} ${n} ${a}`.trim()),
  fc.tuple(fc.constantFrom('blackhole', 'unreachable', 'prohibit'), net).map(([t, n]) => `ip route add ${t} ${n}`),
  fc.tuple(fc.constantFrom('add', 'del'), fc.integer({ min: 0, max: 3 }), fc.constantFrom(24, 32, 31), fc.constantFrom('eth0', 'eth1')).map(([o, x, l, d]) => `ip addr ${o} 10.1.0.${x + 1}/${l} dev ${d}`),
  fc.tuple(fc.constantFrom('add', 'del'), net, fc.constantFrom('100', 'main')).map(([o, n, t]) => `ip rule ${o} from ${n} table ${t}`),
  fc.tuple(fc.constantFrom('ip_forward', 'conf.eth0.rp_filter', 'conf.all.forwarding', 'conf.eth0.promote_secondaries'), fc.constantFrom('0', '1', '2')).map(([k, v]) => `sysctl -w net.ipv4.${k}=${v}`),
);
const script = fc.array(fc.oneof(iptables, ip), { minLength: 1, maxLength: 12 }).map((cmds) => 'on r\n' + cmds.join('\n') + '\n');

describe('applyChanges (property)', () => {
  it('never mutates its input; untouched hosts, rulesets, tables and lists keep their identity; a script = its commands one by one', () => {
    let refused = 0;
    let kept = 0;
    fc.assert(
      fc.property(script, (text) => {
        // keep the commands the tools accept, one after the other
        let cur = world;
        const accepted: string[] = [];
        for (const line of text.split('\n').slice(1).filter(Boolean)) {
          try {
            cur = applyChanges(cur, parseChangeScript(`on r\n${line}\n`, 'p.sh')).world;
            accepted.push(line);
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            refused++;
          }
        }
        kept += accepted.length;
        expect(JSON.stringify(world) === snapshot, 'the input world changed').toBe(true);
        const whole = 'on r\n' + accepted.join('\n') + '\n';
        const res = applyChanges(world, parseChangeScript(whole, 'p.sh'));
        expect(JSON.stringify(world) === snapshot, 'the input world changed').toBe(true);
        // the same model, wherever each command stood in its script
        const noLoc = (w: World) => JSON.stringify(worldJson(w), (k, v) => (k === 'loc' || k === 'locs' ? undefined : v));
        expect(noLoc(res.world) === noLoc(cur), 'whole script and one by one differ').toBe(true);
        const [r0, s0] = world.hosts;
        const [r1, s1] = res.world.hosts;
        expect(s1).toBe(s0);
        expect(res.world.links).toBe(world.links);
        const lines = accepted;
        if (!lines.some((l) => l.startsWith('iptables'))) expect(r1.iptables).toBe(r0.iptables);
        for (const t of r0.iptables!.tables)
          if (!lines.some((l) => l.startsWith(`iptables -t ${t.name} `))) expect(r1.iptables!.tables.find((x) => x.name === t.name)).toBe(t);
        if (!lines.some((l) => l.startsWith('ip route') || l.startsWith('ip addr'))) expect(r1.routes).toBe(r0.routes);
        if (!lines.some((l) => l.startsWith('ip addr'))) expect(r1.interfaces).toBe(r0.interfaces);
        if (!lines.some((l) => l.startsWith('ip rule'))) expect(r1.rules).toBe(r0.rules);
        if (!lines.some((l) => l.startsWith('sysctl') || l.startsWith('ip addr'))) expect(r1.sysctl).toBe(r0.sysctl);
        expect(res.applied).toHaveLength(accepted.length);
      }),
      { numRuns: 200, seed: 6 },
    );
    // both accepted and refused commands are exercised
    expect(kept).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('parseChangeScript / applyChanges on arbitrary input (property)', () => {
  const word = fc.oneof(
    fc.constantFrom('iptables', 'ip6tables', 'iptables-restore', 'sysctl', 'ip', 'on', 'r', 's', 'route', 'addr', 'rule', 'a', 'add', 'del', 'replace', 'change', 'append',
      '-A', '-I', '-D', '-R', '-N', '-X', '-F', '-Z', '-P', '-E', '-t', '-w', 'nat', 'filter', 'INPUT', 'BASE', '1', '0', '-j', 'ACCEPT', '-p', 'tcp', '--dport', '!', '-s',
      'via', 'dev', 'eth0', 'eth9', 'table', 'metric', 'src', 'default', 'blackhole', '10.1.0.0/24', '10.1.0.7', 'brd', '+', 'from', 'pref', 'lookup', 'net.ipv4.ip_forward=1',
      '-w', '"a b"', "'x'", '\\', '#', '<', '-m', 'comment', '--comment', 'local', 'scope', 'link', 'proto', 'noprefixroute'),
    fc.string({ maxLength: 6 }),
  );
  const text = fc.array(fc.array(word, { minLength: 1, maxLength: 9 }).map((ws) => ws.join(' ')), { minLength: 1, maxLength: 5 }).map((ls) => ls.join('\n'));
  it('either applies or refuses with located InputErrors, never crashes', () => {
    fc.assert(
      fc.property(text, (t) => {
        try {
          applyChanges(world, parseChangeScript(t, 'f.sh'));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          for (const i of e.issues) {
            expect(i.message.length).toBeGreaterThan(0);
            expect(i.loc.line).toBeGreaterThan(0);
          }
        }
        expect(JSON.stringify(world) === snapshot).toBe(true);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
