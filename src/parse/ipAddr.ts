/**
 * `ip addr show`, `ip -o addr show`, `ip link show`, `ip -d link show`, `ip -d address` loader.
 *
 * grammar/ip-addr.peggy reads the dump's lines into segments (header, link/, inet/inet6, lifetime, altname,
 * `-d` detail or unrecognised line; `ip -o` joins a record's lines with `\`) and never fails on a line. This
 * module groups the segments under their interface header and checks the values (interface names, numbers,
 * addresses), reporting every bad line with its column.
 */
import type { Family } from '../model/addr.js';
import { InputError } from '../model/source.js';
import type { IfAddress, Interface } from '../model/host.js';
import { parseNet } from './inet.js';
import { IssueSink, splitLines, type LoadOptions } from './lineSource.js';
import { parse as parseDump, SyntaxError as DumpSyntaxError } from './generated/ip-addr.js';

// ---- syntax objects of grammar/ip-addr.peggy ----

/** A word of the line and its 1-based column. */
interface Word {
  text: string;
  col: number;
}
/** A word that should be a decimal number: `num` is set when it is one. */
interface NumWord extends Word {
  num?: number;
}
/** A keyword with the word after it (null at the end of the segment), an address flag (`key` 'flag'), or
 * a word the grammar does not know (`key` null). */
interface Attr extends Word {
  key: string | null;
  value: NumWord | null;
}
interface HeaderSeg {
  kind: 'header';
  index: Word & { index: number };
  name: (Word & { name: string; peer: Interface['peer'] | null; colon: boolean }) | null;
  /** The word after a link header's name: the flags `<...>` when `flags` is set. */
  flags: (Word & { flags?: string[] }) | null;
  attrs: Attr[];
  /** `ip -o addr`: the address printed after the name. */
  body: BodySeg | null;
}
interface LinkSeg {
  kind: 'link';
  head: Word;
  type: string;
  addr: (Word & { form: 'redacted' | 'mac' | 'inet' | 'other' | 'bad' }) | null;
  attrs: Attr[];
}
interface AddrSeg {
  kind: 'addr';
  head: Word;
  family: Family;
  addr: (Word & { form: 'placeholder' | 'redacted' | 'prefix' }) | null;
  attrs: Attr[];
}
interface LifetimeSeg {
  kind: 'lifetime';
  head: Word;
}
interface AltnameSeg {
  kind: 'altname';
  head: Word;
  name: Word | null;
}
interface DetailSeg {
  kind: 'detail';
  head: Word;
  /** The link or port kind; null for a detail line that names none (addrgenmode ...). */
  kindName: string | null;
  slave: boolean;
  hairpin: 'on' | 'off' | null;
}
interface OtherSeg {
  kind: 'other';
  head: Word;
  words: Word[];
}
type BodySeg = LinkSeg | AddrSeg | LifetimeSeg | AltnameSeg | DetailSeg | OtherSeg;
type Segment = HeaderSeg | BodySeg;
/** A line that is neither blank nor a `#` comment: its 1-based number, its text and its segments (the
 * parts between `ip -o`'s `\` line joins that hold a word). */
interface LineSyntax {
  line: number;
  text: string;
  segs: Segment[];
}

export function parseIpAddr(text: string, file: string, opts: LoadOptions = {}): Interface[] {
  const sink = new IssueSink(file);
  const byName = new Map<string, Interface>();
  const order: Interface[] = [];
  const detailed = new Set<Interface>();
  let cur: Interface | undefined;
  let lines: LineSyntax[];
  try {
    lines = parseDump(text, { grammarSource: file }) as LineSyntax[];
  } catch (e) {
    if (!(e instanceof DumpSyntaxError)) throw e;
    // The grammar accepts every line; this is a safety net that still names the place.
    const { line, column } = e.location.start;
    sink.error(line, column, splitLines(text)[line - 1]?.trim() ?? '', `unreadable ip addr/link line: ${e.message}`, 'expected `N: NAME: <FLAGS> ...` or an indented link/, inet, inet6 or detail line');
    throw new InputError(sink.issues);
  }

  for (const { line: lineNo, text: line, segs } of lines) {
    for (const seg of segs) {
      if (seg.kind === 'header') {
        cur = readHeader(seg, lineNo, sink, byName, order);
        if (cur && seg.body) readBody(seg.body, lineNo, sink, cur, detailed);
        continue;
      }
      if (!cur) {
        const first = seg.head.text;
        sink.error(lineNo, seg.head.col, line.trim(), 'expected an interface line `N: NAME: <FLAGS> ...`', /^[a-z$#]/i.test(first) && !/^(inet6?|link\/)/.test(first) ? 'is this a shell prompt or a message mixed into the output? remove the line' : 'address lines must follow their interface line');
        continue;
      }
      readBody(seg, lineNo, sink, cur, detailed);
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

/** A decimal number no larger than `max`, or undefined. */
function numberOf(w: NumWord, max: number): number | undefined {
  return w.num !== undefined && w.num <= max ? w.num : undefined;
}

/** The interface a header line opens, or undefined when the header is unusable (its lines are then
 * reported as orphans). */
function readHeader(h: HeaderSeg, lineNo: number, sink: IssueSink, byName: Map<string, Interface>, order: Interface[]): Interface | undefined {
  const index = h.index.index;
  const field = h.name;
  if (!field) {
    sink.error(lineNo, h.index.col, h.index.text, 'interface index without a name');
    return undefined;
  }
  const name = field.name;
  // dev_valid_name(): at most IFNAMSIZ-1 bytes, no '/', ':' or whitespace.
  if (!/^[^\s/:]{1,15}$/.test(name)) {
    sink.error(lineNo, field.col, field.text, `'${name}' is not a valid interface name`, 'names are 1..15 characters without /, : or spaces');
    return undefined;
  }
  let iface = byName.get(name);
  if (!iface) {
    iface = { name, index, flags: [], addresses: [], loc: sink.loc(lineNo, h.index.col) };
    byName.set(name, iface);
    order.push(iface);
  } else if (iface.index !== index) {
    sink.error(lineNo, h.index.col, h.index.text, `interface ${name} appears with index ${index} and ${iface.index}`);
  }
  if (field.peer) iface.peer = { ...iface.peer, ...field.peer };
  if (!field.colon) return iface; // `ip -o addr`: N: NAME inet ...
  const fl = h.flags;
  if (!fl?.flags) {
    sink.error(lineNo, fl?.col ?? field.col, fl?.text ?? field.text, 'expected interface flags <...> after the name');
    return undefined;
  }
  iface.flags = fl.flags;
  for (const a of h.attrs) {
    if (a.key === null) {
      sink.warn(lineNo, a.col, a.text, `unknown word '${a.text}' in an interface line; ignored`);
      continue;
    }
    const v = a.value;
    if (!v) {
      sink.error(lineNo, a.col, a.key, `'${a.key}' needs a value`);
      break;
    }
    if (a.key === 'mtu') {
      const n = numberOf(v, 0xffffffff);
      if (n === undefined) sink.error(lineNo, v.col, v.text, `mtu needs a number, got '${v.text}'`);
      else iface.mtu = n;
    } else if (a.key === 'state') iface.state = v.text;
    else if (a.key === 'master') iface.master = v.text;
    else if (a.key === 'link-netnsid') setNetnsId(iface, v, lineNo, sink);
    else if (a.key === 'link-netns') iface.peer = { ...iface.peer, netns: v.text };
  }
  return iface;
}

function setNetnsId(iface: Interface, v: NumWord, lineNo: number, sink: IssueSink): void {
  const n = numberOf(v, 0xffffffff);
  if (n === undefined) sink.error(lineNo, v.col, v.text, `link-netnsid needs a number, got '${v.text}'`);
  else iface.peer = { ...iface.peer, netnsId: n };
}

function readBody(seg: BodySeg, lineNo: number, sink: IssueSink, iface: Interface, detailed: Set<Interface>): void {
  switch (seg.kind) {
    case 'link':
      return readLink(seg, lineNo, sink, iface, detailed);
    case 'addr':
      return readAddr(seg, lineNo, sink, iface);
    case 'lifetime':
      return; // address lifetimes: informational
    case 'altname':
      if (seg.name) (iface.altnames ??= []).push(seg.name.text);
      else sink.error(lineNo, seg.head.col, seg.head.text, 'altname needs a name');
      return;
    case 'detail':
      // `ip -d` detail line: the kind of link (veth, bridge, vxlan ...) or of port (bridge_slave ...).
      detailed.add(iface);
      if (seg.kindName === null) return;
      if (seg.slave) {
        iface.slaveKind = seg.kindName;
        if (seg.hairpin) iface.hairpin = seg.hairpin === 'on';
      } else if (iface.kind === undefined) iface.kind = seg.kindName;
      else sink.warn(lineNo, seg.head.col, seg.kindName, `second kind line '${seg.kindName}' for ${iface.name} (kind ${iface.kind}); ignored`);
      return;
    case 'other':
      sink.error(lineNo, seg.head.col, seg.words.map((w) => w.text).join(' '), `unexpected line in interface ${iface.name}`, 'expected link/..., inet, inet6, valid_lft or an `ip -d` detail line');
  }
}

function readLink(seg: LinkSeg, lineNo: number, sink: IssueSink, iface: Interface, detailed: Set<Interface>): void {
  iface.linkType = seg.type;
  const hw = seg.addr;
  if (hw) {
    iface.mac = hw.form === 'redacted' ? 'redacted' : hw.text;
    if (hw.form === 'bad') sink.error(lineNo, hw.col, hw.text, `'${hw.text}' is not a link-layer address`, 'a censored MAC should read XX:XX:XX:XX:XX:XX');
  }
  for (const a of seg.attrs) {
    if (a.key === 'promiscuity') {
      detailed.add(iface);
      return; // the rest of an `ip -d` link line: promiscuity, minmtu, maxmtu ... (not used)
    }
    if (a.key === null) {
      sink.warn(lineNo, a.col, a.text, `unknown word '${a.text}' in a link/ line; ignored`);
      continue;
    }
    if (!a.value) {
      sink.error(lineNo, a.col, a.key, `'${a.key}' needs a value`);
      return;
    }
    if (a.key === 'link-netnsid') setNetnsId(iface, a.value, lineNo, sink);
    else if (a.key === 'link-netns') iface.peer = { ...iface.peer, netns: a.value.text };
  }
}

function readAddr(seg: AddrSeg, lineNo: number, sink: IssueSink, iface: Interface): void {
  const family = seg.family;
  const at = seg.addr;
  if (!at) {
    sink.error(lineNo, seg.head.col, seg.head.text, `'${seg.head.text}' without an address`);
    return;
  }
  if (at.form === 'placeholder') {
    sink.warn(lineNo, at.col, at.text, `address of ${iface.name} is redacted in the dump; this address is left out`, 'replace the placeholder with the real (or a documentation) address to simulate it');
    return;
  }
  if (at.form === 'redacted') {
    sink.warn(lineNo, at.col, at.text, `address of ${iface.name} is redacted in the dump (X digits); this address is left out`, 'replace the placeholder with the real (or a documentation) address to simulate it');
    return;
  }
  const local = parseNet(at.text, family);
  if (typeof local === 'string') {
    sink.error(lineNo, at.col, at.text, `bad ${seg.head.text} address: ${local}`);
    return;
  }
  const a: IfAddress = { family, local, scope: 'global', secondary: false, flags: [], loc: sink.loc(lineNo, seg.head.col) };
  const last = seg.attrs.length - 1;
  for (let i = 0; i <= last; i++) {
    const t = seg.attrs[i];
    const k = t.key;
    if (k === 'flag') {
      if (t.text === 'secondary' || t.text === 'temporary') a.secondary = true;
      a.flags.push(t.text);
    } else if (k === null) {
      // IPv4 lines end with the label (ifa_label): the interface name or NAME:ALIAS.
      if (family === 4 && i === last) {
        if (t.text !== iface.name) a.label = t.text;
      } else {
        a.flags.push(t.text);
        sink.warn(lineNo, t.col, t.text, `unknown address flag '${t.text}'; kept, not interpreted`);
      }
    } else {
      const v = t.value;
      if (!v) {
        sink.error(lineNo, t.col, k, `'${k}' needs a value`);
        return;
      }
      if (k === 'peer') {
        const p = parseNet(v.text, family);
        if (typeof p === 'string') sink.error(lineNo, v.col, v.text, `bad peer address: ${p}`);
        else a.peer = p;
      } else if (k === 'brd') a.broadcast = v.text;
      else if (k === 'scope') a.scope = v.text;
      else if (k === 'metric') {
        const n = numberOf(v, 0xffffffff);
        if (n === undefined) sink.error(lineNo, v.col, v.text, `metric needs a number, got '${v.text}'`);
        else a.metric = n;
      } else if (k === 'label') a.label = v.text;
      else a.flags.push(`proto ${v.text}`);
    }
  }
  a.flags = a.flags.filter((f) => f !== 'secondary');
  iface.addresses.push(a);
}
