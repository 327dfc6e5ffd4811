/**
 * A generated case as an ordinary world directory (docs/world-layout.md) — every file in the format the real
 * tool prints it — and a packets file (docs/scenario-format.md), so any case can be replayed by hand with
 * `nfsim run` / `nfsim verify`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseHost, ConformanceCase } from './caseModel.js';
import { broadcastOf, networkOf } from './generate.js';

export function ipLinkText(h: CaseHost): string {
  const L: string[] = [];
  h.ifaces.forEach((i, n) => {
    if (i.kind === 'loopback') {
      L.push(`${n + 1}: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000`, '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 allmulti 0 minmtu 0 maxmtu 0');
      return;
    }
    L.push(`${n + 1}: ${i.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue${i.master ? ` master ${i.master}` : ''} state UP mode DEFAULT group default qlen 1000`);
    L.push(`    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff promiscuity ${i.master ? 1 : 0} allmulti 0 minmtu 68 maxmtu 65535`);
    L.push(`    ${i.kind === 'bridge' ? 'bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768' : 'veth'} addrgenmode eui64 numtxqueues 1 numrxqueues 1`);
  });
  return L.join('\n') + '\n';
}

export function ipAddrText(h: CaseHost): string {
  const L: string[] = [];
  h.ifaces.forEach((i, n) => {
    if (i.kind === 'loopback') {
      L.push(`${n + 1}: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000`, '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
    } else {
      L.push(`${n + 1}: ${i.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue${i.master ? ` master ${i.master}` : ''} state UP group default qlen 1000`, `    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff`);
    }
    for (const a of i.addrs) {
      const brd = a.len < 31 && i.kind !== 'loopback' ? ` brd ${broadcastOf(a.addr, a.len)}` : '';
      const scope = a.addr.startsWith('127.') ? 'host' : 'global';
      L.push(`    inet ${a.addr}/${a.len}${brd} scope ${scope} ${i.name}`, '       valid_lft forever preferred_lft forever');
    }
  });
  return L.join('\n') + '\n';
}

/** `ip route show table all`: the given routes plus the ones the kernel adds for each address. */
export function ipRouteText(h: CaseHost): string {
  const main: string[] = [];
  const local: string[] = [];
  const other: string[] = [];
  for (const r of h.routes) {
    if (/ table local\b/.test(r.text)) local.push(r.text);
    else if (/ table \d+\b/.test(r.text)) other.push(r.text);
    else main.push(r.text);
  }
  for (const i of h.ifaces) {
    for (const a of i.addrs) {
      if (i.kind === 'loopback') {
        if (a.addr === '127.0.0.1') local.push('local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1', 'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1', 'broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1');
        else local.push(`local ${a.addr} dev lo table local proto kernel scope host src ${a.addr}`);
        continue;
      }
      if (a.len < 32) main.push(`${networkOf(a.addr, a.len)}/${a.len} dev ${i.name} proto kernel scope link src ${a.addr}`);
      local.push(`local ${a.addr} dev ${i.name} table local proto kernel scope host src ${a.addr}`);
      if (a.len < 31) local.push(`broadcast ${broadcastOf(a.addr, a.len)} dev ${i.name} table local proto kernel scope link src ${a.addr}`);
    }
  }
  return [...other, ...main, ...local].join('\n') + '\n';
}

export function ipRuleText(h: CaseHost): string {
  return ['0:\tfrom all lookup local', ...h.rules, '32766:\tfrom all lookup main', '32767:\tfrom all lookup default'].join('\n') + '\n';
}

export function sysctlText(h: CaseHost): string {
  return Object.entries(h.sysctl)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n') + '\n';
}

export function ssText(h: CaseHost): string {
  const L = ['Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess'];
  for (const l of h.listeners) L.push(`${l.proto}   ${l.proto === 'tcp' ? 'LISTEN' : 'UNCONN'} 0      ${l.proto === 'tcp' ? 128 : 0}     ${l.addr}:${l.port}      0.0.0.0:*`);
  return L.join('\n') + '\n';
}

export function iptablesSaveText(h: CaseHost): string {
  const L: string[] = [];
  for (const t of h.tables) {
    L.push(`*${t.name}`);
    for (const c of t.chains) L.push(`:${c.name} ${c.policy ?? '-'} [0:0]`);
    for (const c of t.chains) for (const r of c.rules) L.push(`-A ${c.name}${r ? ` ${r}` : ''}`);
    L.push('COMMIT');
  }
  return L.length ? L.join('\n') + '\n' : '';
}

export function topologyText(c: ConformanceCase): string {
  return ['# links between hosts (veth pairs)', ...c.links.map((l) => `link ${l.a.host}:${l.a.iface} ${l.b.host}:${l.b.iface}`)].join('\n') + '\n';
}

export function packetsText(c: ConformanceCase): string {
  return [`# conformance case: seed ${c.seed}, index ${c.index}`, ...c.packets].join('\n') + '\n';
}

/** Write DIR/world/... and DIR/packets. */
export function writeCase(dir: string, c: ConformanceCase): { world: string; packets: string } {
  const world = join(dir, 'world');
  mkdirSync(world, { recursive: true });
  writeFileSync(join(world, 'topology'), topologyText(c));
  for (const h of c.hosts) {
    const hd = join(world, h.name);
    mkdirSync(hd, { recursive: true });
    writeFileSync(join(hd, 'ip-link'), ipLinkText(h));
    writeFileSync(join(hd, 'ip-addr'), ipAddrText(h));
    writeFileSync(join(hd, 'ip-route'), ipRouteText(h));
    writeFileSync(join(hd, 'ip-rule'), ipRuleText(h));
    writeFileSync(join(hd, 'sysctl'), sysctlText(h));
    writeFileSync(join(hd, 'ss'), ssText(h));
    writeFileSync(join(hd, 'iptables-save'), iptablesSaveText(h));
  }
  const packets = join(dir, 'packets');
  writeFileSync(packets, packetsText(c));
  return { world, packets };
}
