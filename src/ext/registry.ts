/** Every extension module nfsim knows, one file each under match/ and target/. */
import type { Extension, MatchExtension, TargetExtension } from './types.js';
import { addrtype } from './match/addrtype.js';
import { ah } from './match/ah.js';
import { comment } from './match/comment.js';
import { connlimit } from './match/connlimit.js';
import { connmark } from './match/connmark.js';
import { conntrack } from './match/conntrack.js';
import { dscp } from './match/dscp.js';
import { esp } from './match/esp.js';
import { hashlimit } from './match/hashlimit.js';
import { helper } from './match/helper.js';
import { hl } from './match/hl.js';
import { icmp } from './match/icmp.js';
import { icmp6 } from './match/icmp6.js';
import { iprange } from './match/iprange.js';
import { length } from './match/length.js';
import { limit } from './match/limit.js';
import { mac } from './match/mac.js';
import { mark } from './match/mark.js';
import { multiport } from './match/multiport.js';
import { owner } from './match/owner.js';
import { physdev } from './match/physdev.js';
import { pkttype } from './match/pkttype.js';
import { policy } from './match/policy.js';
import { recent } from './match/recent.js';
import { rpfilter } from './match/rpfilter.js';
import { rt } from './match/rt.js';
import { sctp } from './match/sctp.js';
import { set } from './match/set.js';
import { socket } from './match/socket.js';
import { state } from './match/state.js';
import { statistic } from './match/statistic.js';
import { string } from './match/string.js';
import { tcp } from './match/tcp.js';
import { time } from './match/time.js';
import { tos } from './match/tos.js';
import { ttl } from './match/ttl.js';
import { u32 } from './match/u32.js';
import { udp } from './match/udp.js';
import { CHECKSUM } from './target/CHECKSUM.js';
import { CLASSIFY } from './target/CLASSIFY.js';
import { CONNMARK } from './target/CONNMARK.js';
import { CT } from './target/CT.js';
import { DNAT } from './target/DNAT.js';
import { DSCP } from './target/DSCP.js';
import { HL } from './target/HL.js';
import { LOG } from './target/LOG.js';
import { MARK } from './target/MARK.js';
import { MASQUERADE } from './target/MASQUERADE.js';
import { NETMAP } from './target/NETMAP.js';
import { NFLOG } from './target/NFLOG.js';
import { NFQUEUE } from './target/NFQUEUE.js';
import { NOTRACK } from './target/NOTRACK.js';
import { REDIRECT } from './target/REDIRECT.js';
import { REJECT } from './target/REJECT.js';
import { SNAT } from './target/SNAT.js';
import { TCPMSS } from './target/TCPMSS.js';
import { TOS } from './target/TOS.js';
import { TRACE } from './target/TRACE.js';
import { TTL } from './target/TTL.js';
import { ULOG } from './target/ULOG.js';

export const allMatches: readonly MatchExtension[] = [addrtype, ah, comment, connlimit, connmark, conntrack, dscp, esp, hashlimit, helper, hl, icmp, icmp6, iprange, length, limit, mac, mark, multiport, owner, physdev, pkttype, policy, recent, rpfilter, rt, sctp, set, socket, state, statistic, string, tcp, time, tos, ttl, u32, udp];
export const allTargets: readonly TargetExtension[] = [CHECKSUM, CLASSIFY, CONNMARK, CT, DNAT, DSCP, HL, LOG, MARK, MASQUERADE, NETMAP, NFLOG, NFQUEUE, NOTRACK, REDIRECT, REJECT, SNAT, TCPMSS, TOS, TRACE, TTL, ULOG];
export const allExtensions: readonly Extension[] = [...allMatches, ...allTargets];

const matchByName = new Map<string, MatchExtension>();
const targetByName = new Map<string, TargetExtension>();
for (const m of allMatches) for (const n of [m.name, ...(m.aliases ?? [])]) matchByName.set(n, m);
for (const t of allTargets) for (const n of [t.name, ...(t.aliases ?? [])]) targetByName.set(n, t);

/** The match module named `name` (as after -m), optionally only if it exists for `family`. */
export function findMatch(name: string, family?: 4 | 6): MatchExtension | undefined {
  const m = matchByName.get(name);
  return m && (family === undefined || m.families.includes(family)) ? m : undefined;
}

/** The target module named `name` (as after -j). */
export function findTarget(name: string, family?: 4 | 6): TargetExtension | undefined {
  const t = targetByName.get(name);
  return t && (family === undefined || t.families.includes(family)) ? t : undefined;
}

/**
 * Names of match/target modules that exist in iptables (extensions/libxt_*, libipt_*, libip6t_*) or existed
 * in older releases. A rule using one that nfsim does not model is kept as `unsupported`; any other name is
 * refused the way iptables refuses it ("Couldn't load match/target").
 */
export const KNOWN_UPSTREAM_MATCHES: ReadonlySet<string> = new Set([
  'ah', 'addrtype', 'bpf', 'cgroup', 'cluster', 'comment', 'connbytes', 'connlabel', 'connlimit', 'connmark', 'conntrack',
  'cpu', 'dccp', 'devgroup', 'dscp', 'dst', 'ecn', 'esp', 'eui64', 'frag', 'hashlimit', 'hbh', 'helper', 'hl', 'icmp', 'icmp6',
  'ipcomp', 'iprange', 'ipv6header', 'ipvs', 'length', 'limit', 'mac', 'mark', 'mh', 'multiport', 'nfacct', 'osf', 'owner',
  'physdev', 'pkttype', 'policy', 'quota', 'rateest', 'realm', 'recent', 'rpfilter', 'rt', 'sctp', 'set', 'socket', 'srh',
  'state', 'statistic', 'string', 'tcp', 'tcpmss', 'time', 'tos', 'ttl', 'u32', 'udp', 'udplite', 'unclean', 'account',
  'condition', 'geoip', 'ipp2p', 'layer7', 'psd', 'fuzzy', 'iface', 'lscan', 'pknock', 'dhcpmac', 'ipv4options', 'quota2', 'gradm',
]);
export const KNOWN_UPSTREAM_TARGETS: ReadonlySet<string> = new Set([
  'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNMARK', 'CONNSECMARK', 'CT', 'DNAT', 'DNPT', 'DSCP', 'ECN', 'HL', 'HMARK',
  'IDLETIMER', 'LED', 'LOG', 'MARK', 'MASQUERADE', 'MIRROR', 'NETMAP', 'NFLOG', 'NFQUEUE', 'NOTRACK', 'RATEEST', 'REDIRECT',
  'REJECT', 'SAME', 'SECMARK', 'SET', 'SNAT', 'SNPT', 'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TPROXY', 'TRACE',
  'TTL', 'ULOG', 'IMQ', 'ROUTE', 'TARPIT', 'DELUDE', 'CHAOS', 'STEAL', 'LOGMARK', 'SYSRQ', 'DHCPMAC', 'ECHO', 'IPMARK',
]);
