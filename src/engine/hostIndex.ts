/**
 * Derived, indexed views of a host (computed once per Host object and cached): interfaces by name, IPv4
 * addresses in kernel list order, routing tables, policy rules, chains by name, whether conntrack is active.
 */
import { parseIpv4, prefixMask } from '../model/addr.js';
import type { Host, Interface, IfAddress, IpRule, Route } from '../model/host.js';
import type { Chain, Rule, TableName } from '../model/iptables.js';

export interface Addr4 {
  addr: number;
  len: number;
  mask: number;
  iface: string;
  secondary: boolean;
  /** numeric RT_SCOPE: universe 0, site 200, link 253, host 254, nowhere 255 */
  scope: number;
  ifa: IfAddress;
}

export interface HostIndex {
  host: Host;
  ifaces: Map<string, Interface>;
  /** Per interface: IPv4 addresses in the kernel's list order (primaries first, then secondaries). */
  addrsByIface: Map<string, Addr4[]>;
  /** All IPv4 addresses, interface order, then list order. */
  addrs: Addr4[];
  localAddrs: Set<number>;
  /** Routing tables by canonical name ('main', 'local', 'default', or the number/name text). */
  tables: Map<string, Route[]>;
  /** True when the dump had no `table local` routes and they were derived from the addresses. */
  localTableDerived: boolean;
  routesKnown: boolean;
  rules: IpRule[];
  rulesDefault: boolean;
  /** fib4_has_custom_rules(): rules other than the three defaults exist. */
  customRules: boolean;
  chains: Map<TableName, Map<string, Chain>>;
  conntrackActive: boolean;
  conntrackWhy: string;
  /** Hook priority of the security table: 50 legacy, 150 iptables-nft. */
  securityPriority: number;
}

const cache = new WeakMap<Host, HostIndex>();

export function scopeNumber(s: string | undefined): number {
  switch (s) {
    case undefined:
    case 'global':
    case 'universe':
      return 0;
    case 'site':
      return 200;
    case 'link':
      return 253;
    case 'host':
      return 254;
    case 'nowhere':
      return 255;
    default: {
      const n = Number(s);
      return Number.isFinite(n) ? n : 0;
    }
  }
}

export function canonicalTable(t: string | undefined): string {
  switch (t) {
    case undefined:
    case '254':
      return 'main';
    case '255':
      return 'local';
    case '253':
      return 'default';
    default:
      return t;
  }
}

const CT_MATCHES = new Set(['conntrack', 'state', 'connmark', 'connlimit', 'connbytes', 'helper', 'conntrack', 'connlabel', 'cluster']);
const CT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CT', 'NOTRACK', 'CONNMARK', 'CONNSECMARK']);

function ruleNeedsConntrack(r: Rule): string | undefined {
  for (const m of r.matches) if (CT_MATCHES.has(m.name)) return `-m ${m.name}`;
  if (r.target?.kind === 'extension' && CT_TARGETS.has(r.target.name)) return `-j ${r.target.name}`;
  return undefined;
}

export function hostIndex(host: Host): HostIndex {
  let idx = cache.get(host);
  if (!idx) {
    idx = buildIndex(host);
    cache.set(host, idx);
  }
  return idx;
}

function buildIndex(host: Host): HostIndex {
  const ifaces = new Map<string, Interface>();
  const addrsByIface = new Map<string, Addr4[]>();
  const addrs: Addr4[] = [];
  for (const i of host.interfaces) {
    ifaces.set(i.name, i);
    const list: Addr4[] = [];
    for (const a of i.addresses) {
      if (a.family !== 4 || a.local.v4 === undefined) continue;
      list.push({
        addr: a.local.v4,
        len: a.local.len,
        mask: prefixMask(a.local.len),
        iface: i.name,
        secondary: a.secondary,
        scope: scopeNumber(a.scope),
        ifa: a,
      });
    }
    // Kernel list order: primaries before secondaries (inet_insert_ifa keeps secondaries after primaries).
    list.sort((x, y) => Number(x.secondary) - Number(y.secondary));
    addrsByIface.set(i.name, list);
    addrs.push(...list);
  }
  const localAddrs = new Set(addrs.map((a) => a.addr));

  const tables = new Map<string, Route[]>();
  for (const r of host.routes) {
    if (r.family !== 4) continue;
    const t = canonicalTable(r.table);
    let l = tables.get(t);
    if (!l) tables.set(t, (l = []));
    l.push(r);
  }
  const routesKnown = host.inputs['ip-route'] !== undefined;
  let localTableDerived = false;
  if (!tables.has('local')) {
    // fib_add_ifaddr(): every address gets a local /32 route in table local; loopback's prefix is local too.
    const local: Route[] = [];
    for (const a of addrs) {
      local.push(derivedRoute('local', 'local', a.addr, 32, a.iface, a.ifa));
      const isLo = ifaces.get(a.iface)?.kind === 'loopback' || a.iface === 'lo';
      if (isLo && a.len < 32) local.push(derivedRoute('local', 'local', (a.addr & a.mask) >>> 0, a.len, a.iface, a.ifa));
    }
    tables.set('local', local);
    localTableDerived = true;
  }

  const rules4 = host.rules.filter((r) => r.family === 4);
  const rulesDefault = host.inputs['ip-rule'] === undefined || rules4.length === 0;
  const rules: IpRule[] = rulesDefault ? defaultRules() : [...rules4].sort((a, b) => a.priority - b.priority);
  const customRules = !rulesDefault && !isDefaultRuleSet(rules);

  const chains = new Map<TableName, Map<string, Chain>>();
  let conntrackWhy = '';
  const rs = host.iptables;
  if (rs) {
    for (const t of rs.tables) {
      const m = new Map<string, Chain>();
      for (const c of t.chains) m.set(c.name, c);
      chains.set(t.name, m);
      if (!conntrackWhy) {
        for (const c of t.chains) {
          for (const r of c.rules) {
            const why = ruleNeedsConntrack(r);
            if (why) {
              conntrackWhy = `rule \`-A ${c.name} ${r.text}\` (${r.file}:${r.line}) uses ${why}`;
              break;
            }
          }
          if (conntrackWhy) break;
        }
      }
      // Legacy iptables: loading the nat table registers the NAT hooks, which take a conntrack reference
      // (iptable_nat_table_init() → nf_nat_ipv4_register_fn() → nf_ct_netns_get()).
      if (!conntrackWhy && t.name === 'nat' && rs.backend === 'legacy') conntrackWhy = 'the legacy nat table is loaded';
    }
  }
  if (!conntrackWhy && host.conntrack && host.conntrack.length > 0) conntrackWhy = 'the conntrack dump has entries';
  return {
    host,
    ifaces,
    addrsByIface,
    addrs,
    localAddrs,
    tables,
    localTableDerived,
    routesKnown,
    rules,
    rulesDefault,
    customRules,
    chains,
    conntrackActive: conntrackWhy !== '',
    conntrackWhy: conntrackWhy || 'no loaded rule needs connection tracking',
    securityPriority: rs?.backend === 'legacy' ? 50 : 150,
  };
}

function derivedRoute(table: string, type: 'local', addr: number, len: number, dev: string, ifa: IfAddress): Route {
  const text = `${(addr >>> 24) & 255}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
  return {
    family: 4,
    table,
    type,
    dst: { family: 4, addr: text, len, v4: addr, maskBits: prefixMask(len) },
    nexthops: [{ dev, flags: [] }],
    prefsrc: ifa.local.addr,
    proto: 'kernel',
    scope: 'host',
    flags: ['derived'],
    loc: ifa.loc,
  };
}

function defaultRules(): IpRule[] {
  const loc = { file: '(kernel default rules)', line: 0, col: 0 };
  return [
    { family: 4, priority: 0, not: false, action: 'lookup', table: 'local', loc },
    { family: 4, priority: 32766, not: false, action: 'lookup', table: 'main', loc },
    { family: 4, priority: 32767, not: false, action: 'lookup', table: 'default', loc },
  ];
}

function isDefaultRuleSet(rules: IpRule[]): boolean {
  if (rules.length !== 3) return false;
  const want = [
    [0, 'local'],
    [32766, 'main'],
    [32767, 'default'],
  ] as const;
  return rules.every((r, i) => {
    const w = want[i];
    return r.priority === w[0] && canonicalTable(r.table) === w[1] && r.action === 'lookup' && !r.not && !r.from && !r.to && !r.fwmark && !r.iif && !r.oif && r.tos === undefined;
  });
}

export function ipOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIpv4(text);
}
