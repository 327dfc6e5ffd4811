/**
 * Shrinking a disagreeing case by delta debugging on the kernel: every single removal (a packet, a table, a
 * rule, a user chain with the jumps to it, a DROP policy, a route, an ip rule, a listener) is tried in one
 * batch; the removals that keep a disagreement are applied together when the combination still disagrees
 * (else the first half, else the first one), and so on until nothing can be removed.
 */
import { join } from 'node:path';
import type { ConformanceCase } from './caseModel.js';
import { checkCases, disagrees, type CaseCheck } from './check.js';
import { caseTag } from './generate.js';

type Edit =
  | { kind: 'packet'; text: string }
  | { kind: 'table'; host: string; table: string }
  | { kind: 'rule'; host: string; table: string; chain: string; text: string }
  | { kind: 'chain'; host: string; table: string; chain: string }
  | { kind: 'policy'; host: string; table: string; chain: string }
  | { kind: 'route'; host: string; text: string }
  | { kind: 'iprule'; host: string; text: string }
  | { kind: 'listener'; host: string; proto: string; addr: string; port: number };

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** The same case with its device names under another tag (cases in one batch need distinct names). */
export function retag(c: ConformanceCase, tag: string): ConformanceCase {
  const re = new RegExp(`\\b${c.tag}(?=h\\d|\\+)`, 'g');
  const out = JSON.parse(JSON.stringify(c).replace(re, tag)) as ConformanceCase;
  out.tag = tag;
  return out;
}

function apply(c: ConformanceCase, e: Edit): ConformanceCase {
  const n = clone(c);
  const h = 'host' in e ? n.hosts.find((x) => x.name === e.host) : undefined;
  switch (e.kind) {
    case 'packet': {
      const i = n.packets.indexOf(e.text);
      if (i >= 0) n.packets.splice(i, 1);
      break;
    }
    case 'table':
      if (h) h.tables = h.tables.filter((t) => t.name !== e.table);
      break;
    case 'rule': {
      const ch = h?.tables.find((t) => t.name === e.table)?.chains.find((x) => x.name === e.chain);
      const i = ch ? ch.rules.indexOf(e.text) : -1;
      if (ch && i >= 0) ch.rules.splice(i, 1);
      break;
    }
    case 'chain': {
      const t = h?.tables.find((x) => x.name === e.table);
      if (t) {
        t.chains = t.chains.filter((x) => x.name !== e.chain);
        for (const ch of t.chains) ch.rules = ch.rules.filter((r) => !r.endsWith(`-j ${e.chain}`) && !r.endsWith(`-g ${e.chain}`));
      }
      break;
    }
    case 'policy': {
      const ch = h?.tables.find((t) => t.name === e.table)?.chains.find((x) => x.name === e.chain);
      if (ch) ch.policy = 'ACCEPT';
      break;
    }
    case 'route':
      if (h) h.routes = h.routes.filter((r) => r.text !== e.text);
      break;
    case 'iprule':
      if (h) h.rules = h.rules.filter((r) => r !== e.text);
      break;
    case 'listener':
      if (h) h.listeners = h.listeners.filter((l) => !(l.proto === e.proto && l.addr === e.addr && l.port === e.port));
      break;
  }
  return n;
}

function edits(c: ConformanceCase): Edit[] {
  const out: Edit[] = [];
  if (c.packets.length > 1) for (const text of c.packets) out.push({ kind: 'packet', text });
  for (const h of c.hosts) {
    for (const t of h.tables) {
      out.push({ kind: 'table', host: h.name, table: t.name });
      for (const ch of t.chains) {
        if (ch.policy === undefined) out.push({ kind: 'chain', host: h.name, table: t.name, chain: ch.name });
        if (ch.policy === 'DROP') out.push({ kind: 'policy', host: h.name, table: t.name, chain: ch.name });
        for (const text of ch.rules) out.push({ kind: 'rule', host: h.name, table: t.name, chain: ch.name, text });
      }
    }
    for (const r of h.routes) out.push({ kind: 'route', host: h.name, text: r.text });
    for (const r of h.rules) out.push({ kind: 'iprule', host: h.name, text: r });
    for (const l of h.listeners) out.push({ kind: 'listener', host: h.name, proto: l.proto, addr: l.addr, port: l.port });
  }
  return out;
}

let tagCounter = 0;
const nextTag = () => caseTag(2_000_000 + tagCounter++);

async function check(cases: ConformanceCase[], dir: string, prefix: string): Promise<CaseCheck[]> {
  const out: CaseCheck[] = [];
  for (let i = 0; i < cases.length; i += 40) {
    const { checks } = await checkCases(cases.slice(i, i + 40).map((c) => retag(c, nextTag())), join(dir, `r${tagCounter}-${i}`), prefix);
    out.push(...checks);
  }
  return out;
}

export async function shrinkCase(start: CaseCheck, dir: string, prefix: string, log: (m: string) => void = () => {}): Promise<CaseCheck> {
  let cur = start;
  for (let round = 0; round < 20; round++) {
    const es = edits(cur.case);
    if (!es.length) break;
    const singles = await check(es.map((e) => apply(cur.case, e)), dir, prefix);
    const good = es.filter((_, i) => disagrees(singles[i]) && !singles[i].refused);
    log(`round ${round + 1}: ${es.length} removals tried, ${good.length} keep the disagreement`);
    if (!good.length) break;
    let next: CaseCheck | undefined;
    for (const part of [good, good.slice(0, Math.ceil(good.length / 2))]) {
      if (part.length < 2) continue;
      const [r] = await check([part.reduce((c, e) => apply(c, e), cur.case)], dir, prefix);
      if (disagrees(r) && !r.refused) {
        next = r;
        break;
      }
    }
    cur = next ?? singles[es.indexOf(good[0])];
  }
  return cur;
}
