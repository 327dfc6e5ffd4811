/** Test helper: small worlds built from plain descriptions (addresses, routes, sysctls, iptables-save text). */
import { parseIpv4, prefixMask } from '../../src/model/addr.js';
import type { Host, Interface, Route, World, Socket, IpRule } from '../../src/model/host.js';
import { parseIptablesSave } from '../../src/parse/iptablesSave.js';

export interface HostDesc {
  ifaces?: Record<string, string[] | { addrs: string[]; master?: string; mtu?: number; kind?: string }>;
  /** e.g. 'default via 10.0.1.254 dev eth0', '10.9.0.0/16 via 10.0.2.2 dev eth1', 'blackhole 10.66.0.0/16' */
  routes?: string[];
  rules?: IpRule[];
  sysctl?: Record<string, string | number>;
  iptables?: string;
  sockets?: Partial<Socket>[];
  noRoutes?: boolean;
}

const loc = (file: string) => ({ file, line: 1, col: 1 });

function net(text: string) {
  const [a, l] = text.split('/');
  const v4 = parseIpv4(a)!;
  const len = l === undefined ? 32 : Number(l);
  return { family: 4 as const, addr: a, len, v4, maskBits: prefixMask(len) };
}

function routeFrom(text: string, file: string): Route {
  const w = text.split(/\s+/);
  let type: Route['type'] = 'unicast';
  if (['blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast'].includes(w[0])) type = w.shift() as Route['type'];
  const dstText = w.shift()!;
  const r: Route = { family: 4, table: 'main', type, dst: dstText === 'default' ? net('0.0.0.0/0') : net(dstText), nexthops: [], flags: [], loc: loc(file) };
  const nh: { via?: string; dev?: string; flags: string[] } = { flags: [] };
  for (let i = 0; i < w.length; i += 2) {
    const k = w[i];
    const v = w[i + 1];
    if (k === 'via') nh.via = v;
    else if (k === 'dev') nh.dev = v;
    else if (k === 'src') r.prefsrc = v;
    else if (k === 'metric') r.metric = Number(v);
    else if (k === 'table') r.table = v;
    else if (k === 'scope') r.scope = v;
    else if (k === 'mtu') r.mtu = Number(v);
  }
  if (nh.via || nh.dev) r.nexthops.push(nh);
  return r;
}

export function host(name: string, d: HostDesc): Host {
  const interfaces: Interface[] = [{ name: 'lo', kind: 'loopback', flags: ['UP', 'LOOPBACK'], state: 'UNKNOWN', mtu: 65536, addresses: [{ family: 4, local: net('127.0.0.1/8'), scope: 'host', secondary: false, flags: [], loc: loc(`${name}/ip-addr`) }] }];
  const routes: Route[] = [];
  for (const [ifn, spec] of Object.entries(d.ifaces ?? {})) {
    const s = Array.isArray(spec) ? { addrs: spec } : spec;
    const i: Interface = { name: ifn, flags: ['UP'], state: 'UP', mtu: s.mtu ?? 1500, master: s.master, kind: s.kind, addresses: [] };
    const seen: string[] = [];
    for (const a of s.addrs) {
      const n = net(a);
      const prefix = `${(n.v4 & n.maskBits) >>> 0}/${n.len}`;
      const secondary = seen.includes(prefix);
      seen.push(prefix);
      i.addresses.push({ family: 4, local: n, scope: 'global', secondary, flags: [], loc: loc(`${name}/ip-addr`) });
      if (!secondary && n.len < 32) {
        const netAddr = (n.v4 & n.maskBits) >>> 0;
        const t = `${netAddr >>> 24}.${(netAddr >>> 16) & 255}.${(netAddr >>> 8) & 255}.${netAddr & 255}/${n.len}`;
        routes.push({ ...routeFrom(`${t} dev ${ifn} scope link src ${n.addr}`, `${name}/ip-route`), proto: 'kernel' });
      }
    }
    interfaces.push(i);
  }
  for (const r of d.routes ?? []) routes.push(routeFrom(r, `${name}/ip-route`));
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.sysctl ?? {})) values[k] = String(v);
  const h: Host = {
    name,
    interfaces,
    routes,
    rules: d.rules ?? [],
    sysctl: { file: `${name}/sysctl`, values, locs: Object.fromEntries(Object.keys(values).map((k) => [k, loc(`${name}/sysctl`)])) },
    sockets: d.sockets?.map((s) => ({ proto: 'tcp', family: 4, state: 'LISTEN', local: { addr: '0.0.0.0', port: 0 }, ...s }) as Socket),
    inputs: { 'ip-addr': `${name}/ip-addr`, ...(d.noRoutes ? {} : { 'ip-route': `${name}/ip-route` }), sysctl: `${name}/sysctl`, ...(d.sockets ? { ss: `${name}/ss` } : {}) },
    absent: {},
    issues: [],
  };
  if (d.rules) h.inputs['ip-rule'] = `${name}/ip-rule`;
  if (d.iptables) {
    h.iptables = parseIptablesSave(d.iptables, `${name}/iptables-save`, 4);
    h.inputs['iptables-save'] = `${name}/iptables-save`;
  }
  return h;
}

export function world(hosts: Host[], links: [string, string][] = []): World {
  return {
    source: '(test)',
    hosts,
    links: links.map(([a, b]) => {
      const [ah, ai] = a.split(':');
      const [bh, bi] = b.split(':');
      return { a: { host: ah, iface: ai }, b: { host: bh, iface: bi }, kind: 'veth' as const };
    }),
    issues: [],
  };
}
