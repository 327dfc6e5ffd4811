/**
 * `conntrack -L` and /proc/net/nf_conntrack loader.
 *   tcp      6 431999 ESTABLISHED src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. dst=.. sport=.. dport=.. [ASSURED] mark=0 use=1
 *   ipv4     2 tcp      6 117 TIME_WAIT src=... (the /proc layout: L3 name and number first; also secctx=, zone=)
 * The syntax of a line is grammar/conntrack.peggy; this file gives the fields their meaning.
 */
import type { Family } from '../model/addr.js';
import type { ConntrackEntry, CtTuple } from '../model/host.js';
import { parseAddr } from './inet.js';
import { IssueSink, parseUint, parseUintAny, splitLines, type LoadOptions } from './lineSource.js';
import { parse as parseConntrackLine } from './generated/conntrack.js';

const TUPLE_KEYS = new Set(['src', 'dst', 'sport', 'dport', 'type', 'code', 'id']);
const KEPT_KEYS = new Set(['mark', 'zone', 'use', 'secctx', 'labels', 'delta-time', 'timestamp', 'helper', 'zone-orig', 'zone-reply', 'ct-id', 'id']);

/** A word of the line and its 1-based column. */
interface CtWord {
  text: string;
  col: number;
}

type CtField =
  | { kind: 'flag'; name: string }
  | { kind: 'kv'; key: string; value: string; valueCol: number; col: number; text: string }
  | ({ kind: 'bad' } & CtWord);

/** What grammar/conntrack.peggy makes of a line: null for a blank, comment or summary line. */
type CtLine = null | {
  kind: 'entry';
  /** The first word (for messages about the whole line). */
  first: CtWord;
  /** From the /proc layout's L3 column. */
  family: Family | null;
  proto: CtWord | null;
  protoNum: CtWord | null;
  timeout: number | null;
  state: string | null;
  fields: CtField[];
};

export function parseConntrack(text: string, file: string, opts: LoadOptions = {}): ConntrackEntry[] {
  const sink = new IssueSink(file);
  const out: ConntrackEntry[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    // The grammar accepts every line: words it does not recognise are fields this loop reports.
    const l = parseConntrackLine(lines[i], { grammarSource: file }) as CtLine;
    if (l === null) continue;
    const errs = sink.issues.length;
    let family: Family = l.family ?? 4;
    const pnum = l.protoNum;
    if (!l.proto || !pnum || parseUint(pnum.text, 255) === undefined) {
      sink.error(lineNo, (pnum ?? l.first).col, (pnum ?? l.first).text, 'expected `PROTO NUMBER TIMEOUT ...` (e.g. `tcp 6 431999 ESTABLISHED src=...`)');
      continue;
    }
    const e: ConntrackEntry = {
      family,
      proto: Number(pnum.text),
      protoName: l.proto.text,
      orig: { src: '', dst: '' },
      reply: { src: '', dst: '' },
      status: [],
      loc: sink.loc(lineNo, l.first.col),
    };
    if (l.timeout !== null) e.timeout = l.timeout;
    if (l.state !== null) e.tcpState = l.state;
    let tuple: CtTuple = e.orig;
    let tupleNo = 0;
    for (const t of l.fields) {
      if (t.kind === 'flag') {
        e.status.push(t.name);
        continue;
      }
      if (t.kind === 'bad') {
        sink.error(lineNo, t.col, t.text, `expected key=value or [FLAG], got '${t.text}'`);
        continue;
      }
      const { key, value: val, valueCol } = t;
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
          if (!a) sink.error(lineNo, valueCol, val, `'${val}' is not an address`);
          else {
            tuple[key] = a.addr;
            if (a.family !== family) family = e.family = a.family;
          }
        } else {
          const n = parseUint(val, 65535);
          if (n === undefined) sink.error(lineNo, valueCol, val, `${key} needs a number, got '${val}'`);
          else tuple[key as 'sport'] = n;
        }
      } else if (key === 'mark') {
        const n = parseUintAny(val);
        if (n === undefined) sink.error(lineNo, valueCol, val, `mark needs a number, got '${val}'`);
        else e.mark = n;
      } else if (key === 'zone') {
        const n = parseUint(val, 65535);
        if (n === undefined) sink.error(lineNo, valueCol, val, `zone needs a number, got '${val}'`);
        else e.zone = n;
      } else if (!KEPT_KEYS.has(key)) {
        sink.warn(lineNo, t.col, t.text, `unknown conntrack field '${key}'; ignored`);
      }
    }
    if (!e.orig.src || !e.orig.dst || !e.reply.src || !e.reply.dst) {
      if (sink.issues.length === errs) sink.error(lineNo, l.first.col, lines[i].trim(), 'entry without both an original and a reply tuple (src= dst= ... src= dst= ...)');
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
