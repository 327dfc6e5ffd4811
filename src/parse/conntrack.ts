/**
 * `conntrack -L` and /proc/net/nf_conntrack loader.
 *   tcp      6 431999 ESTABLISHED src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. dst=.. sport=.. dport=.. [ASSURED] mark=0 use=1
 *   ipv4     2 tcp      6 117 TIME_WAIT src=... (the /proc layout: L3 name and number first; also secctx=, zone=)
 */
import type { Family } from '../model/addr.js';
import type { ConntrackEntry, CtTuple } from '../model/host.js';
import { parseAddr } from './inet.js';
import { IssueSink, parseUint, parseUintAny, splitLines, tokenize, type LoadOptions } from './lineSource.js';

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id']);
const KEPT_KEYS = new Set(['mark', 'zone', 'use', 'secctx', 'labels', 'delta-time', 'timestamp', 'helper', 'zone-orig', 'zone-reply', 'ct-id', 'id']);

export function parseConntrack(text: string, file: string, opts: LoadOptions = {}): ConntrackEntry[] {
  const sink = new IssueSink(file);
  const out: ConntrackEntry[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const toks = tokenize(lines[i]);
    if (toks.length === 0 || toks[0].text.startsWith('#')) continue;
    if (/^conntrack v[\d.]+/.test(lines[i].trim())) continue; // "conntrack v1.4.6 (conntrack-tools): N flow entries have been shown."
    const errs = sink.issues.length;
    let k = 0;
    let family: Family = 4;
    if (toks[0].text === 'ipv4' || toks[0].text === 'ipv6') {
      family = toks[0].text === 'ipv4' ? 4 : 6;
      k = 2;
    }
    const pn = toks[k];
    const pnum = toks[k + 1];
    const to = toks[k + 2];
    if (!pn || !pnum || parseUint(pnum.text, 255) === undefined) {
      sink.error(lineNo, (pnum ?? toks[0]).col, (pnum ?? toks[0]).text, 'expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)');
      continue;
    }
    const e: ConntrackEntry = {
      family,
      proto: Number(pnum.text),
      protoName: pn.text,
      orig: { src: '', dst: '' },
      reply: { src: '', dst: '' },
      status: [],
      loc: sink.loc(lineNo, toks[0].col),
    };
    k += 2;
    if (to && parseUint(to.text) !== undefined) {
      e.timeout = Number(to.text);
      k++;
    }
    if (toks[k] && /^[A-Z_]+$/.test(toks[k].text)) e.tcpState = toks[k++].text;
    let tuple: CtTuple = e.orig;
    let tupleNo = 0;
    for (; k < toks.length; k++) {
      const t = toks[k];
      const fl = /^\[([A-Z_]+)\]$/.exec(t.text);
      if (fl) {
        e.status.push(fl[1]);
        continue;
      }
      const eq = t.text.indexOf('=');
      if (eq <= 0) {
        sink.error(lineNo, t.col, t.text, `expected key=value or [FLAG], got '${t.text}'`);
        continue;
      }
      const key = t.text.slice(0, eq);
      const val = t.text.slice(eq + 1);
      if (key === 'src') {
        tupleNo++;
        if (tupleNo === 2) tuple = e.reply;
        else if (tupleNo > 2) {
          sink.error(lineNo, t.col, t.text, 'a third address tuple: an entry has an original and a reply tuple only');
          continue;
        }
      }
      // `id=` belongs to the tuple for ICMP echo; elsewhere (`conntrack -L -o id`) it is the entry id.
      if (TUPLE_KEYS.has(key) && tupleNo > 0 && !(key === 'id' && e.proto !== 1 && e.proto !== 58)) {
        if (key === 'src' || key === 'dst') {
          const a = parseAddr(val);
          if (!a) sink.error(lineNo, t.col + eq + 1, val, `'${val}' is not an address`);
          else {
            tuple[key] = a.addr;
            if (a.family !== family) family = e.family = a.family;
          }
        } else {
          const n = parseUint(val, 65535);
          if (n === undefined) sink.error(lineNo, t.col + eq + 1, val, `${key} needs a number, got '${val}'`);
          else tuple[key as 'sport'] = n;
        }
      } else if (key === 'mark') {
        const n = parseUintAny(val);
        if (n === undefined) sink.error(lineNo, t.col + eq + 1, val, `mark needs a number, got '${val}'`);
        else e.mark = n;
      } else if (key === 'zone') {
        const n = parseUint(val, 65535);
        if (n === undefined) sink.error(lineNo, t.col + eq + 1, val, `zone needs a number, got '${val}'`);
        else e.zone = n;
      } else if (!KEPT_KEYS.has(key)) {
        sink.warn(lineNo, t.col, t.text, `unknown conntrack field '${key}'; ignored`);
      }
    }
    if (!e.orig.src || !e.orig.dst || !e.reply.src || !e.reply.dst) {
      if (sink.issues.length === errs) sink.error(lineNo, toks[0].col, lines[i].trim(), 'entry without both an original and a reply tuple (src= dst= ... src= dst= ...)');
      continue;
    }
    if (!e.status.includes('UNREPLIED')) e.status.push('SEEN_REPLY');
    if (sink.issues.slice(errs).some((x) => x.severity === 'error')) continue;
    out.push(e);
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}
