/**
 * `ss -ltnupa` / `ss -tuna` loader. Columns: Netid State Recv-Q Send-Q Local:Port Peer:Port [Process].
 * Addresses: `0.0.0.0:80`, `[::]:22`, `*:22` (a dual-stack AF_INET6 socket), `0.0.0.0%eth0:53`, `*:*`.
 * The syntax of a line is grammar/ss.peggy; this file turns its result into sockets.
 */
import type { Socket, SocketEnd } from '../model/host.js';
import { parseAddr } from './inet.js';
import { IssueSink, splitLines, type LoadOptions } from './lineSource.js';
import { parse as parseSsLine, SyntaxError as SsSyntaxError } from './generated/ss.js';

/** A word of the line and its 1-based column. */
interface SsWord {
  text: string;
  col: number;
}

/** An end as the grammar splits it: ADDR (brackets removed) [%DEV] :PORT; addr null when the word has no colon. */
type SsEndSyntax =
  | { text: string; col: number; addr: string; dev: string | null; port: number | string }
  | { text: string; col: number; addr: null };

type SsLine =
  | null
  | { kind: 'header'; netid: boolean }
  | {
      kind: 'socket';
      col: number;
      proto: SsWord | null;
      state: SsWord;
      recvQ: SsWord & { num: boolean };
      sendQ: SsWord & { num: boolean };
      local: SsEndSyntax;
      peer: SsEndSyntax;
      process: string | null;
    };

/** The end the grammar split, or what is wrong with it. */
function decodeEnd(e: SsEndSyntax): SocketEnd | string {
  if (e.addr === null) return `'${e.text}' is not ADDRESS:PORT`;
  if (typeof e.port === 'string') return `port '${e.port}' is not a number (capture with ss -n)`;
  let addr = e.addr;
  if (addr !== '*') {
    const a = parseAddr(addr);
    if (!a) return `'${addr}' is not an address`;
    addr = a.addr;
  }
  return { addr, port: e.port, ...(e.dev !== null ? { dev: e.dev } : {}) };
}

/** Parse `ADDR[%DEV]:PORT` as ss prints it; returns an error message on failure. */
export function parseSsEnd(text: string): SocketEnd | string {
  let e: SsEndSyntax;
  try {
    e = parseSsLine(text, { endpoint: true }) as SsEndSyntax;
  } catch (err) {
    if (!(err instanceof SsSyntaxError)) throw err;
    return `'${text}' is not ADDRESS:PORT`;
  }
  return decodeEnd(e);
}

export function parseSs(text: string, file: string, opts: LoadOptions = {}): Socket[] {
  const sink = new IssueSink(file);
  const out: Socket[] = [];
  let hasNetid = true;
  let warnedNoNetid = false;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let l: SsLine;
    try {
      l = parseSsLine(lines[i], { grammarSource: file, netid: hasNetid }) as SsLine;
    } catch (e) {
      if (!(e instanceof SsSyntaxError)) throw e;
      // The grammar fails on a line only when it has fewer words than the columns.
      const need = hasNetid ? 6 : 5;
      sink.error(lineNo, lines[i].search(/[^ \t\f\v]/) + 1, lines[i].trim(), `expected ${need} columns (${hasNetid ? 'Netid ' : ''}State Recv-Q Send-Q Local:Port Peer:Port)`);
      continue;
    }
    if (l === null) continue;
    if (l.kind === 'header') {
      hasNetid = l.netid;
      continue;
    }
    if (!l.proto && !warnedNoNetid) {
      warnedNoNetid = true;
      sink.warn(lineNo, 1, lines[i].trim(), 'ss output without a Netid column: sockets are taken as TCP', 'capture with `ss -ltnupa` so the protocol is printed');
    }
    for (const q of [l.recvQ, l.sendQ]) if (!q.num) sink.error(lineNo, q.col, q.text, `Recv-Q/Send-Q must be numbers, got '${q.text}'`);
    const local = decodeEnd(l.local);
    const peer = decodeEnd(l.peer);
    if (typeof local === 'string') sink.error(lineNo, l.local.col, l.local.text, `bad local address: ${local}`);
    if (typeof peer === 'string') sink.error(lineNo, l.peer.col, l.peer.text, `bad peer address: ${peer}`);
    if (typeof local === 'string' || typeof peer === 'string') continue;
    const family = local.addr === '*' || local.addr.includes(':') ? 6 : 4;
    const s: Socket = { proto: l.proto?.text ?? 'tcp', family, state: l.state.text, local, loc: sink.loc(lineNo, l.col) };
    if (!(peer.addr === '*' && peer.port === 0) && !(peer.port === 0 && (peer.addr === '0.0.0.0' || peer.addr === '::'))) s.peer = peer;
    if (l.process !== null) s.process = l.process.trim();
    out.push(s);
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}
