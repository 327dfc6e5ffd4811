/** Human-readable rendering of outcomes: the packet host by host in numbered phases, then verdict, why, fix. */
import type { Outcome, TraceEvent, Verdict } from '../engine/types.js';

const HOOK_WORD: Record<string, string> = { PREROUTING: 'PREROUTING', INPUT: 'INPUT', FORWARD: 'FORWARD', OUTPUT: 'OUTPUT', POSTROUTING: 'POSTROUTING' };

function loc(l?: { file: string; line: number }): string {
  return l && l.line > 0 ? `  [${l.file}:${l.line}]` : '';
}

export function renderTrace(trace: TraceEvent[], indent = ''): string[] {
  const out: string[] = [];
  let host = '';
  let phase = 0;
  let lastHook = '';
  const line = (s: string) => out.push(`${indent}${s}`);
  const head = (h: string) => {
    if (h !== host) {
      host = h;
      lastHook = '';
      line(`── ${h} ──`);
    }
  };
  const newPhase = (title: string) => {
    phase++;
    line(`  ${phase}. ${title}`);
  };
  for (const e of trace) {
    switch (e.type) {
      case 'start':
        head(e.host);
        line(`  ${e.summary} — ${e.where}`);
        break;
      case 'hook': {
        head(e.host);
        if (e.hook !== lastHook) {
          newPhase(HOOK_WORD[e.hook]);
          lastHook = e.hook;
        }
        if (e.table !== 'conntrack') line(`     ${e.table} ${e.hook} (priority ${e.priority})`);
        break;
      }
      case 'rule':
        head(e.host);
        line(`       rule ${e.rule.index} matched: ${e.rule.text}${loc(e.rule.loc)}`);
        line(`         ${e.description} ⇒ ${e.target}`);
        for (const n of e.notes ?? []) line(`         note: ${n}`);
        break;
      case 'policy':
        head(e.host);
        line(`       no rule decided: policy ${e.policy} of ${e.table} ${e.chain}${loc(e.loc)}`);
        break;
      case 'return':
        line(`       end of ${e.from}: back in ${e.to}`);
        break;
      case 'conntrack':
        head(e.host);
        if (lastHook !== 'conntrack-' + e.host && e.action !== 'confirm') {
          /* conntrack lines sit inside the current phase */
        }
        line(`     conntrack: ${e.state}${e.entry ? `  ${e.entry}` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
        break;
      case 'nat':
        head(e.host);
        line(`     ${e.kind}${/^binding stored|^address chosen/.test(e.detail ?? '') ? ' binding' : ''}: ${e.before}  →  ${e.after}${e.detail ? ` (${e.detail})` : ''}`);
        break;
      case 'route':
        head(e.host);
        newPhase(e.direction === 'input' ? 'Routing decision (input)' : e.direction === 'output' ? 'Routing decision (output)' : 'Re-routing');
        lastHook = 'route';
        line(`     ${e.result}`);
        if (e.route) line(`     route: ${e.route}${loc(e.routeLoc)}${e.table ? `  (table ${e.table})` : ''}`);
        if (e.rule) line(`     ip rule: ${e.rule.replace('\t', ' ')}`);
        break;
      case 'sysctl':
        head(e.host);
        line(`     sysctl ${e.key} = ${e.value}${e.source === 'default' ? ' (not in the dump: kernel default of a new namespace)' : loc(e.loc)} — ${e.effect}`);
        break;
      case 'check':
        line(`     ${e.ok ? 'ok' : 'FAILED'}: ${e.what}: ${e.detail}`);
        break;
      case 'link':
        line(`  ⇢ ${e.from} → ${e.to} (${e.kind})`);
        break;
      case 'rewrite':
        line(`     ${e.what}: ${e.before} → ${e.after}`);
        break;
      case 'socket':
        head(e.host);
        newPhase('Socket lookup');
        lastHook = 'socket';
        line(`     ${e.socket} (${e.detail})`);
        break;
      case 'note':
        head(e.host);
        line(`     note: ${e.text}`);
        break;
      case 'mark':
        line(`     ${e.what} ${hex(e.before)} → ${hex(e.after)}`);
        break;
    }
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function verdictLine(v: Verdict): string {
  switch (v.fate) {
    case 'delivered':
      return `DELIVERED on ${v.host}${v.socket ? ` to ${v.socket}` : ''}`;
    case 'dropped':
      return `DROPPED on ${v.host}: ${v.reason} at ${v.at}${v.counter ? ` (counter ${v.counter})` : ''}`;
    case 'rejected':
      return `REJECTED on ${v.host} with ${v.with} by ${v.rule.table} ${v.rule.chain} rule ${v.rule.index} (the packet: ${v.reason} at ${v.at})`;
    case 'forwarded':
      return `FORWARDED out of the modelled world: ${v.host}:${v.iface} as ${v.packet}`;
    case 'send-error':
      return `NOT SENT: ${v.errno} on ${v.host}${v.counter ? ` (counter ${v.counter})` : ''}`;
    case 'unsupported':
      return `UNSUPPORTED on ${v.host}: ${v.reason}${v.rule ? ` (${v.rule.text} [${v.rule.loc.file}:${v.rule.loc.line}])` : ''}`;
  }
}

export function renderOutcome(o: Outcome, indent = ''): string[] {
  const out: string[] = [];
  out.push(...renderTrace(o.trace, indent));
  out.push(`${indent}Verdict: ${verdictLine(o.verdict)}`);
  out.push(`${indent}Why: ${o.why || o.verdict.detail}`);
  if (o.fix) out.push(`${indent}Fix: ${o.fix.text}${o.fix.command ? `\n${indent}     ${o.fix.command}` : ''}`);
  o.verdict.answers.forEach((a, i) => {
    out.push(`${indent}Answer ${i + 1}: ${a.packet}`);
    out.push(...renderOutcome({ ...a, why: a.why || a.verdict.detail }, `${indent}    `));
  });
  return out;
}

export function renderOutcomes(packet: string, outcomes: Outcome[], truncated = false): string {
  const lines: string[] = [`Packet: ${packet}`];
  if (outcomes.length === 1) {
    lines.push(...renderOutcome(outcomes[0]));
  } else {
    lines.push(`The kernel decides at random here: ${outcomes.length} possible outcomes.`);
    outcomes.forEach((o, i) => {
      lines.push('', `Outcome ${i + 1} of ${outcomes.length} (probability ${(o.probability * 100).toFixed(2)}%):`);
      for (const b of o.branches) lines.push(`  branch: ${b}`);
      lines.push(...renderOutcome(o, '  '));
    });
  }
  if (truncated) lines.push('(more random branches exist than nfsim explores; only the first ones are shown)');
  return lines.join('\n') + '\n';
}
