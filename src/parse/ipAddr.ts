/**
 * `ip addr show`, `ip -o addr show`, `ip link show`, `ip -d link show`, `ip -d address` loader.
 *
 * Multi-line records: `N: NAME[@PEER]: <FLAGS> mtu ... state ...` then indented `link/TYPE ...`, optional
 * `-d` kind lines (`veth`, `bridge ...`, `bridge_slave ...`), `inet`/`inet6` lines and `valid_lft` lines.
 * `-o` prints each record on one line with `\` where the newlines were.
 */
import type { Family } from '../model/addr.js';
import type { IfAddress, Interface } from '../model/host.js';
import { isRedactedMac, parseNet } from './inet.js';
import { IssueSink, parseUint, splitLines, tokenize, type LoadOptions, type Tok } from './lineSource.js';

/** Address flags printed by ip(8) (print_ifa_flags + proto). */
export const ADDR_FLAGS = new Set([
  'secondary', 'temporary', 'primary', 'dynamic', 'deprecated', 'tentative', 'permanent', 'nodad', 'optimistic',
  'dadfailed', 'home', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy', 'link',
]);

const HEADER_KEYS = new Set(['mtu', 'qdisc', 'master', 'state', 'mode', 'group', 'qlen', 'link-netnsid', 'link-netns', 'netns', 'alias']);
/** Lines of `ip -d` that carry no interface kind. */
const DETAIL_NO_KIND = new Set(['addrgenmode', 'numtxqueues', 'numrxqueues', 'gso_max_size', 'alias', 'vf', 'prop', 'protodown']);

export function parseIpAddr(text: string, file: string, opts: LoadOptions = {}): Interface[] {
  const sink = new IssueSink(file);
  const byName = new Map<string, Interface>();
  const order: Interface[] = [];
  const detailed = new Set<Interface>();
  let cur: Interface | undefined;
  const lines = splitLines(text);

  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const line = lines[li];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    // `ip -o`: a backslash followed by spaces stands for a newline + indentation.
    const segs: { text: string; off: number }[] = [];
    {
      const re = /\\(?=\s)/g;
      let start = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(line))) {
        segs.push({ text: line.slice(start, m.index), off: start });
        start = m.index + 1;
      }
      segs.push({ text: line.slice(start), off: start });
    }
    for (let si = 0; si < segs.length; si++) {
      const toks = tokenize(segs[si].text, segs[si].off);
      if (toks.length === 0) continue;
      if (si === 0 && /^\d+:$/.test(toks[0].text)) {
        const r = parseHeader(toks, lineNo, sink, byName, order);
        if (!r) {
          cur = undefined;
          continue;
        }
        cur = r.iface;
        if (r.rest.length) handleBody(r.rest, lineNo, sink, cur, detailed);
        continue;
      }
      if (!cur) {
        sink.error(lineNo, toks[0].col, line.trim(), 'expected an interface line `N: NAME: <FLAGS> ...`', /^[a-z$#]/i.test(toks[0].text) && !/^(inet6?|link\/)/.test(toks[0].text) ? 'is this a shell prompt or a message mixed into the output? remove the line' : 'address lines must follow their interface line');
        continue;
      }
      handleBody(toks, lineNo, sink, cur, detailed);
    }
  }
  for (const i of order) {
    if (i.kind === undefined) {
      if (i.linkType === 'loopback') i.kind = 'loopback';
      else if (detailed.has(i) && i.linkType === 'ether') i.kind = 'ether';
      else if (detailed.has(i) && i.linkType) i.kind = i.linkType;
    }
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return order;
}

/** `ip link` output has the same layout. */
export const parseIpLink = parseIpAddr;

function parseHeader(
  toks: Tok[],
  lineNo: number,
  sink: IssueSink,
  byName: Map<string, Interface>,
  order: Interface[],
): { iface: Interface; rest: Tok[] } | undefined {
  const index = Number(toks[0].text.slice(0, -1));
  const nameTok = toks[1];
  if (!nameTok) {
    sink.error(lineNo, toks[0].col, toks[0].text, 'interface index without a name');
    return undefined;
  }
  let nameText = nameTok.text;
  const linkHeader = nameText.endsWith(':');
  if (linkHeader) nameText = nameText.slice(0, -1);
  let name = nameText;
  let peer: Interface['peer'];
  const at = nameText.indexOf('@');
  if (at > 0) {
    name = nameText.slice(0, at);
    const p = nameText.slice(at + 1);
    if (p === 'NONE') peer = { none: true };
    else if (/^if\d+$/.test(p)) peer = { index: Number(p.slice(2)) };
    else peer = { name: p };
  }
  if (!/^[^\s/:]{1,15}$/.test(name)) {
    sink.error(lineNo, nameTok.col, nameTok.text, `'${name}' is not a valid interface name`, 'names are 1..15 characters without /, : or spaces');
    return undefined;
  }
  let iface = byName.get(name);
  if (!iface) {
    iface = { name, index, flags: [], addresses: [], loc: sink.loc(lineNo, toks[0].col) };
    byName.set(name, iface);
    order.push(iface);
  } else if (iface.index !== index) {
    sink.error(lineNo, toks[0].col, toks[0].text, `interface ${name} appears with index ${index} and ${iface.index}`);
  }
  if (peer) iface.peer = { ...iface.peer, ...peer };
  if (!linkHeader) return { iface, rest: toks.slice(2) }; // `ip -o addr`: N: NAME inet ...
  let i = 2;
  const fl = toks[i];
  if (fl && /^<.*>$/.test(fl.text)) {
    iface.flags = fl.text.slice(1, -1).split(',').filter(Boolean);
    i++;
  } else {
    sink.error(lineNo, fl?.col ?? nameTok.col, fl?.text ?? nameTok.text, 'expected interface flags <...> after the name');
    return undefined;
  }
  for (; i < toks.length; i++) {
    const k = toks[i].text;
    if (!HEADER_KEYS.has(k)) {
      sink.warn(lineNo, toks[i].col, k, `unknown word '${k}' in an interface line; ignored`);
      continue;
    }
    const v = toks[i + 1];
    if (!v) {
      sink.error(lineNo, toks[i].col, k, `'${k}' needs a value`);
      break;
    }
    i++;
    if (k === 'mtu') {
      const n = parseUint(v.text, 0xffffffff);
      if (n === undefined) sink.error(lineNo, v.col, v.text, `mtu needs a number, got '${v.text}'`);
      else iface.mtu = n;
    } else if (k === 'state') iface.state = v.text;
    else if (k === 'master') iface.master = v.text;
    else if (k === 'link-netnsid') setNetnsId(iface, v, lineNo, sink);
    else if (k === 'link-netns') iface.peer = { ...iface.peer, netns: v.text };
  }
  return { iface, rest: [] };
}

function setNetnsId(iface: Interface, v: Tok, lineNo: number, sink: IssueSink): void {
  const n = parseUint(v.text, 0xffffffff);
  if (n === undefined) sink.error(lineNo, v.col, v.text, `link-netnsid needs a number, got '${v.text}'`);
  else iface.peer = { ...iface.peer, netnsId: n };
}

function handleBody(toks: Tok[], lineNo: number, sink: IssueSink, iface: Interface, detailed: Set<Interface>): void {
  const first = toks[0].text;
  if (first.startsWith('link/')) return parseLinkLine(toks, lineNo, sink, iface, detailed);
  if (first === 'inet' || first === 'inet6') return parseAddrLine(toks, lineNo, sink, iface);
  if (first === 'valid_lft' || first === 'preferred_lft') return; // address lifetimes: informational
  if (first === 'altname') {
    if (toks[1]) (iface.altnames ??= []).push(toks[1].text);
    else sink.error(lineNo, toks[0].col, first, 'altname needs a name');
    return;
  }
  if (/^[a-z][a-z0-9_.-]*$/i.test(first)) {
    // `ip -d` detail line: the kind of link (veth, bridge, vxlan ...) or of port (bridge_slave ...).
    detailed.add(iface);
    if (DETAIL_NO_KIND.has(first)) return;
    if (first.endsWith('_slave')) {
      iface.slaveKind = first;
      const hp = toks.findIndex((t) => t.text === 'hairpin');
      if (first === 'bridge_slave' && hp > 0 && (toks[hp + 1]?.text === 'on' || toks[hp + 1]?.text === 'off')) iface.hairpin = toks[hp + 1].text === 'on';
    }
    else if (iface.kind === undefined) iface.kind = first;
    else sink.warn(lineNo, toks[0].col, first, `second kind line '${first}' for ${iface.name} (kind ${iface.kind}); ignored`);
    return;
  }
  sink.error(lineNo, toks[0].col, toks.map((t) => t.text).join(' '), `unexpected line in interface ${iface.name}`, 'expected link/..., inet, inet6, valid_lft or an `ip -d` detail line');
}

function parseLinkLine(toks: Tok[], lineNo: number, sink: IssueSink, iface: Interface, detailed: Set<Interface>): void {
  iface.linkType = toks[0].text.slice(5);
  let i = 1;
  const keys = new Set(['brd', 'peer', 'permaddr', 'link-netnsid', 'link-netns', 'promiscuity']);
  if (toks[i] && !keys.has(toks[i].text)) {
    const t = toks[i].text;
    iface.mac = isRedactedMac(t) ? 'redacted' : t;
    if (iface.mac !== 'redacted' && !/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})*$/i.test(t) && !/^[0-9.]+$/.test(t) && !t.includes(':')) {
      sink.error(lineNo, toks[i].col, t, `'${t}' is not a link-layer address`, "a censored MAC should read XX:XX:XX:XX:XX:XX");
    }
    i++;
  }
  for (; i < toks.length; i++) {
    const k = toks[i].text;
    if (k === 'promiscuity') {
      detailed.add(iface);
      return; // the rest of an `ip -d` link line: promiscuity, minmtu, maxmtu ... (not used)
    }
    const v = toks[i + 1];
    if (!keys.has(k)) {
      sink.warn(lineNo, toks[i].col, k, `unknown word '${k}' in a link/ line; ignored`);
      continue;
    }
    if (!v) {
      sink.error(lineNo, toks[i].col, k, `'${k}' needs a value`);
      return;
    }
    i++;
    if (k === 'link-netnsid') setNetnsId(iface, v, lineNo, sink);
    else if (k === 'link-netns') iface.peer = { ...iface.peer, netns: v.text };
  }
}

function parseAddrLine(toks: Tok[], lineNo: number, sink: IssueSink, iface: Interface): void {
  const family: Family = toks[0].text === 'inet' ? 4 : 6;
  let i = 1;
  const at = toks[i];
  if (!at) {
    sink.error(lineNo, toks[0].col, toks[0].text, `'${toks[0].text}' without an address`);
    return;
  }
  if (at.text.startsWith('[')) {
    // A placeholder such as `[PUBLIC IP HERE]`: the dump was anonymised.
    let j = i;
    while (j < toks.length && !toks[j].text.endsWith(']')) j++;
    const txt = toks.slice(i, j + 1).map((t) => t.text).join(' ');
    sink.warn(lineNo, at.col, txt, `address of ${iface.name} is redacted in the dump; this address is left out`, 'replace the placeholder with the real (or a documentation) address to simulate it');
    return;
  }
  if (/[xX]/.test(at.text) && /^[0-9a-fA-FxX:./]+$/.test(at.text)) {
    sink.warn(lineNo, at.col, at.text, `address of ${iface.name} is redacted in the dump (X digits); this address is left out`, 'replace the placeholder with the real (or a documentation) address to simulate it');
    return;
  }
  const local = parseNet(at.text, family);
  if (typeof local === 'string') {
    sink.error(lineNo, at.col, at.text, `bad ${toks[0].text} address: ${local}`);
    return;
  }
  i++;
  const a: IfAddress = { family, local, scope: 'global', secondary: false, flags: [], loc: sink.loc(lineNo, toks[0].col) };
  for (; i < toks.length; i++) {
    const t = toks[i];
    const k = t.text;
    if (k === 'peer' || k === 'brd' || k === 'scope' || k === 'metric' || k === 'proto' || k === 'label') {
      const v = toks[i + 1];
      if (!v) {
        sink.error(lineNo, t.col, k, `'${k}' needs a value`);
        return;
      }
      i++;
      if (k === 'peer') {
        const p = parseNet(v.text, family);
        if (typeof p === 'string') sink.error(lineNo, v.col, v.text, `bad peer address: ${p}`);
        else a.peer = p;
      } else if (k === 'brd') a.broadcast = v.text;
      else if (k === 'scope') a.scope = v.text;
      else if (k === 'metric') {
        const n = parseUint(v.text, 0xffffffff);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `metric needs a number, got '${v.text}'`);
        else a.metric = n;
      } else if (k === 'label') a.label = v.text;
      else a.flags.push(`proto ${v.text}`);
    } else if (ADDR_FLAGS.has(k)) {
      if (k === 'secondary' || k === 'temporary') a.secondary = true;
      a.flags.push(k);
    } else if (family === 4 && i === toks.length - 1) {
      // IPv4 lines end with the label (ifa_label): the interface name or NAME:ALIAS.
      if (k !== iface.name) a.label = k;
    } else {
      a.flags.push(k);
      sink.warn(lineNo, t.col, k, `unknown address flag '${k}'; kept, not interpreted`);
    }
  }
  a.flags = a.flags.filter((f) => f !== 'secondary');
  iface.addresses.push(a);
}
