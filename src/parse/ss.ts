/**
 * `ss -ltnupa` / `ss -tuna` loader. Columns: Netid State Recv-Q Send-Q Local:Port Peer:Port [Process].
 * Addresses: `0.0.0.0:80`, `[::]:22`, `*:22` (a dual-stack AF_INET6 socket), `0.0.0.0%eth0:53`, `*:*`.
 */
import type { Socket, SocketEnd } from '../model/host.js';
import { parseAddr } from './inet.js';
import { IssueSink, parseUint, splitLines, tokenize, type LoadOptions, type Tok } from './lineSource.js';

/** Parse `ADDR[%DEV]:PORT` as ss prints it; returns an error message on failure. */
export function parseSsEnd(text: string): SocketEnd | string {
  const c = text.lastIndexOf(':');
  if (c < 0) return `'${text}' is not ADDRESS:PORT`;
  let addr = text.slice(0, c);
  const portText = text.slice(c + 1);
  let port: number;
  if (portText === '*') port = 0;
  else {
    const p = parseUint(portText, 65535);
    if (p === undefined) return `port '${portText}' is not a number (capture with ss -n)`;
    port = p;
  }
  let dev: string | undefined;
  const pct = addr.lastIndexOf('%');
  if (pct >= 0) {
    dev = addr.slice(pct + 1);
    addr = addr.slice(0, pct);
  }
  if (addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  if (addr !== '*') {
    const a = parseAddr(addr);
    if (!a) return `'${addr}' is not an address`;
    addr = a.addr;
  }
  return { addr, port, ...(dev !== undefined ? { dev } : {}) };
}

export function parseSs(text: string, file: string, opts: LoadOptions = {}): Socket[] {
  const sink = new IssueSink(file);
  const out: Socket[] = [];
  let hasNetid = true;
  let warnedNoNetid = false;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const toks = tokenize(lines[i]);
    if (toks.length === 0 || toks[0].text.startsWith('#')) continue;
    if (toks[0].text === 'Netid' || toks[0].text === 'State') {
      hasNetid = toks[0].text === 'Netid';
      continue;
    }
    const need = hasNetid ? 6 : 5;
    if (toks.length < need) {
      sink.error(lineNo, toks[0].col, lines[i].trim(), `expected ${need} columns (${hasNetid ? 'Netid ' : ''}State Recv-Q Send-Q Local:Port Peer:Port)`);
      continue;
    }
    let k = 0;
    let proto = 'tcp';
    if (hasNetid) proto = toks[k++].text;
    else if (!warnedNoNetid) {
      warnedNoNetid = true;
      sink.warn(lineNo, 1, lines[i].trim(), 'ss output without a Netid column: sockets are taken as TCP', 'capture with `ss -ltnupa` so the protocol is printed');
    }
    const state = toks[k++].text;
    const q: Tok[] = [toks[k++], toks[k++]];
    for (const t of q) if (parseUint(t.text) === undefined) sink.error(lineNo, t.col, t.text, `Recv-Q/Send-Q must be numbers, got '${t.text}'`);
    const lt = toks[k++];
    const pt = toks[k++];
    const local = parseSsEnd(lt.text);
    const peer = parseSsEnd(pt.text);
    if (typeof local === 'string') sink.error(lineNo, lt.col, lt.text, `bad local address: ${local}`);
    if (typeof peer === 'string') sink.error(lineNo, pt.col, pt.text, `bad peer address: ${peer}`);
    if (typeof local === 'string' || typeof peer === 'string') continue;
    const family = local.addr === '*' || local.addr.includes(':') ? 6 : 4;
    const s: Socket = { proto, family, state, local, loc: sink.loc(lineNo, toks[0].col) };
    if (!(peer.addr === '*' && peer.port === 0) && !(peer.port === 0 && (peer.addr === '0.0.0.0' || peer.addr === '::'))) s.peer = peer;
    if (k < toks.length) s.process = lines[i].slice(toks[k].col - 1).trim();
    out.push(s);
  }
  sink.throwIfErrors();
  sink.flushWarnings(opts.warnings);
  return out;
}
