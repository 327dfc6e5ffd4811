/**
 * iptables-save / ip6tables-save loader.
 *
 * The peggy grammar (grammar/iptables-save.peggy) splits the text into classified lines and tokens
 * (quotes and escapes resolved like iptables-restore's add_param_to_argv). This module then walks each
 * rule's tokens the way iptables' getopt_long loop does over the merged option tables: built-in options
 * first, then each `--opt` goes to the most recently loaded module (match or target) that declares it;
 * an option no module declares loads the protocol match implicitly (`-p tcp --dport 80`).
 */
import { parse as peggyParse } from './generated/iptables-save.js';
import { InputError, type InputIssue } from '../model/source.js';
import {
  BUILTIN_CHAINS,
  TABLE_NAMES,
  type Backend,
  type Chain,
  type Counters,
  type MatchUse,
  type Negatable,
  type Rule,
  type Ruleset,
  type Table,
  type TableName,
  type TargetUse,
} from '../model/iptables.js';
import { ExtensionError, type BuildContext, type Extension, type MatchExtension, type OptionSpec, type OptionValue, type TargetExtension } from '../ext/types.js';
import { findMatch, findTarget, KNOWN_UPSTREAM_MATCHES, KNOWN_UPSTREAM_TARGETS } from '../ext/registry.js';
import { parseNet, protoNumber, protoName } from '../ext/helpers.js';
import type { IpNet } from '../model/addr.js';

type PLine =
  | { k: 'comment'; line: number; text: string }
  | { k: 'table'; line: number; name: string; rest: string }
  | { k: 'chain'; line: number; name: string; policy: string; counters: [string, string] | null; rest: string }
  | { k: 'commit'; line: number }
  | { k: 'rule'; line: number; s: number; e: number; counters: [string, string] | null; T: string[]; C: number[]; Q: number[] | null; bad: boolean }
  | { k: 'junk'; line: number; text: string }
  | { k: 'blank'; line: number };

export const VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

/** Built-in options (iptables' original_opts) with their canonical short name. */
const BUILTIN: Record<string, string> = {
  '-A': 'A', '--append': 'A', '-I': 'I', '--insert': 'I',
  '-p': 'p', '--protocol': 'p', '-s': 's', '--source': 's', '--src': 's',
  '-d': 'd', '--destination': 'd', '--dst': 'd', '-i': 'i', '--in-interface': 'i',
  '-o': 'o', '--out-interface': 'o', '-f': 'f', '--fragment': 'f', '-j': 'j', '--jump': 'j',
  '-g': 'g', '--goto': 'g', '-m': 'm', '--match': 'm', '-c': 'c', '--set-counters': 'c',
};
const BUILTIN_MAP = new Map<string, string>(Object.entries(BUILTIN));
const BUILTIN_LONG = Object.keys(BUILTIN).filter((k) => k.startsWith('--'));
const SHORT_WITH_ARG = new Set(['p', 's', 'd', 'i', 'o', 'j', 'g', 'm']);

/*
 * Tokens are substrings of the input: looking one up in a Map costs V8 a hash of the fresh string and a
 * search of its string table (about 0.2 us), while `===` against a string of another length is decided at
 * once. The lookups made for every token and rule therefore compare against short lists (options of one
 * module, the built-in options of that length, the last few names seen) and fall back to the Map.
 */

/** BUILTIN by token length. */
const BUILTIN_BY_LEN: [string, string][][] = [];
for (const [k, v] of Object.entries(BUILTIN)) (BUILTIN_BY_LEN[k.length] ??= []).push([k, v]);

/** The canonical name of a short built-in option by its letter's code (`-A` -> 'A'). */
const BUILTIN_SHORT: (string | undefined)[] = [];
for (const [k, v] of Object.entries(BUILTIN)) if (k.length === 2) BUILTIN_SHORT[k.charCodeAt(1)] = v;

/** BUILTIN_MAP.get(t) */
function builtinOption(t: string): string | undefined {
  // most tokens are short options or values: decided by their characters, without a string comparison
  if (t.length === 2) return t.charCodeAt(0) === 45 /* - */ ? BUILTIN_SHORT[t.charCodeAt(1)] : undefined;
  if (t.charCodeAt(0) !== 45 || t.charCodeAt(1) !== 45) return undefined;
  const l = BUILTIN_BY_LEN[t.length];
  if (l === undefined) return undefined;
  for (let i = 0; i < l.length; i++) if (l[i][0] === t) return l[i][1];
  return undefined;
}

function isVerdict(t: string): boolean {
  return t === 'ACCEPT' || t === 'DROP' || t === 'RETURN' || t === 'QUEUE';
}

/** The last few answers of a lookup by name (the same module and protocol names recur on every line). */
class RecentLookups<V> {
  private readonly keys: string[] = [];
  private readonly vals: V[] = [];
  private next = 0;
  constructor(private readonly size: number) {}
  get(key: string, compute: (key: string) => V): V {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.vals[i];
    const v = compute(key);
    this.keys[this.next] = key;
    this.vals[this.next] = v;
    this.next = (this.next + 1) % this.size;
    return v;
  }
}
const recentMatches: [RecentLookups<MatchExtension | undefined>, RecentLookups<MatchExtension | undefined>] = [new RecentLookups(16), new RecentLookups(16)];
const recentTargets: [RecentLookups<TargetExtension | undefined>, RecentLookups<TargetExtension | undefined>] = [new RecentLookups(16), new RecentLookups(16)];
const recentProtocols = new RecentLookups<number | undefined>(8);
const FIND_MATCH = [(n: string) => findMatch(n, 4), (n: string) => findMatch(n, 6)] as const;
const FIND_TARGET = [(n: string) => findTarget(n, 4), (n: string) => findTarget(n, 6)] as const;
const findMatchRecent = (name: string, family: 4 | 6) => recentMatches[family === 4 ? 0 : 1].get(name, FIND_MATCH[family === 4 ? 0 : 1]);
const findTargetRecent = (name: string, family: 4 | 6) => recentTargets[family === 4 ? 0 : 1].get(name, FIND_TARGET[family === 4 ? 0 : 1]);
const protoNumberRecent = (t: string) => recentProtocols.get(t, protoNumber);

interface Loaded {
  ext: Extension | undefined;
  name: string;
  kind: 'match' | 'target';
  implicit: boolean;
  /** Column of the module's name (or of the option that loaded it implicitly). */
  col: number;
  opts: OptionValue[];
  /** For unknown modules: raw option text. */
  raw: string[];
  specs: SpecTable;
}

/**
 * The modules a rule loads, in order. A rule's modules live only while the rule is decoded: one list per
 * dump, reused rule after rule together with its Loaded objects (no list and no module objects per rule).
 */
class LoadedModules {
  readonly items: Loaded[] = [];
  /** How many of `items` the current rule loaded. */
  n = 0;
  add(ext: Extension | undefined, name: string, kind: 'match' | 'target', implicit: boolean, col: number, raw: string[], specs: SpecTable): Loaded {
    let l = this.items[this.n];
    if (l === undefined) this.items[this.n] = l = { ext, name, kind, implicit, col, opts: NO_OPTS, raw, specs };
    else {
      l.ext = ext;
      l.name = name;
      l.kind = kind;
      l.implicit = implicit;
      l.col = col;
      l.opts = NO_OPTS;
      l.raw = raw;
      l.specs = specs;
    }
    this.n++;
    return l;
  }
}

/** chains.get(name), remembering the last few chains found: a few chains are the targets of most jumps
 * (kube-proxy's KUBE-MARK-MASQ: one rule in three), and a search of a large Map is slow. */
class RecentChains {
  private readonly names: string[] = [];
  private readonly found: Chain[] = [];
  private next = 0;
  private of: Map<string, Chain> | undefined;
  get(chains: Map<string, Chain>, name: string): Chain | undefined {
    if (this.of !== chains) {
      // another table
      this.of = chains;
      this.names.length = 0;
      this.found.length = 0;
      this.next = 0;
    }
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.found[i];
    const c = chains.get(name);
    if (c !== undefined) {
      names[this.next] = name;
      this.found[this.next] = c;
      this.next = (this.next + 1) & 3;
    }
    return c;
  }
}

/** A module's options before the first one: shared, and never written (see withOption). */
const NO_OPTS: OptionValue[] = Object.freeze([]) as unknown as OptionValue[];

/** `list` and `o` in a new array of their exact size (modules get one to three options: an array that grows
 * by push would reserve room for 17). */
function withOption(list: OptionValue[], o: OptionValue): OptionValue[] {
  const n = list.length;
  if (n === 0) return [o];
  if (n === 1) return [list[0], o];
  const out = list.slice();
  out.push(o);
  return out;
}

/** A module's options by name (aliases included): as a Map, and as parallel lists for `===` search of the
 * option as written (`--name`, no substring made per option). */
interface SpecTable {
  map: Map<string, OptionSpec>;
  /** `--` + each name of `map` */
  longNames: string[];
  specs: OptionSpec[];
}

/** The spec of the option written `opt` (`--name`), by exact name. */
function specTableGet(t: SpecTable, opt: string): OptionSpec | undefined {
  const names = t.longNames;
  for (let i = 0; i < names.length; i++) if (names[i] === opt) return t.specs[i];
  return undefined;
}

function specMap(ext: Extension): SpecTable {
  let m = specCache.get(ext);
  if (!m) {
    const map = new Map<string, OptionSpec>();
    for (const s of ext.options) {
      map.set(s.name, s);
      for (const a of s.aliases ?? []) map.set(a, s);
    }
    m = { map, longNames: [...map.keys()].map((k) => '--' + k), specs: [...map.values()] };
    specCache.set(ext, m);
  }
  return m;
}
const specCache = new WeakMap<Extension, SpecTable>();

class LineError extends Error {
  constructor(
    message: string,
    readonly col: number,
    readonly text: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function headerBackend(text: string): { backend: Backend; version?: string } | undefined {
  const m = /Generated by ip6?tables-save (v[0-9][^ ]*(?: \((?:nf_tables|legacy)\))?)/.exec(text);
  if (!m) return undefined;
  const version = m[1];
  return { backend: version.includes('nf_tables') ? 'nf_tables' : version.includes('legacy') ? 'legacy' : 'legacy', version };
}

/** Parse an iptables-save dump. Throws InputError (only) when the dump is unusable. */
export function parseIptablesSave(text: string, file: string, family: 4 | 6): Ruleset {
  try {
    return parseInner(text, file, family);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const at = syntaxErrorAt(e);
    if (at) {
      const line = text.split('\n')[at.line - 1] ?? '';
      const cr = at.found === '\r';
      throw new InputError([
        {
          severity: 'error',
          loc: { file, line: at.line, col: at.column },
          text: line.replace(/\r/g, '\\r'),
          message: `unexpected ${cr ? 'carriage return (\\r)' : at.found === null ? 'end of input' : JSON.stringify(at.found)}; expected ${at.expected}`,
          hint: cr ? 'the line ends in a stray carriage return (a file converted to CRLF twice?): convert the line endings, e.g. with dos2unix, and load it again' : 'compare the line with what iptables-save prints',
        },
      ]);
    }
    throw new InputError([
      {
        severity: 'error',
        loc: { file, line: 1, col: 1 },
        text: '',
        message: `internal error while parsing: ${e instanceof Error ? e.message : String(e)}`,
        hint: 'this is a bug in nfsim; please report it with the input file',
      },
    ]);
  }
}

/** Where a generated parser gave up (peggy's SyntaxError), or undefined for any other error. */
function syntaxErrorAt(e: unknown): { line: number; column: number; found: string | null; expected: string } | undefined {
  const x = e as { location?: { start?: { line?: number; column?: number } }; found?: string | null; expected?: { type?: string; description?: string; text?: string }[] };
  const start = x?.location?.start;
  if (!start || typeof start.line !== 'number' || typeof start.column !== 'number') return undefined;
  const one = (d: { type?: string; description?: string; text?: string }) => (d.type === 'end' ? 'the end of the input' : d.type === 'literal' ? JSON.stringify(d.text) : (d.description ?? '?'));
  const exp = [...new Set((x.expected ?? []).map(one))].join(' or ') || 'a rule, chain or table line';
  return { line: start.line, column: start.column, found: x.found ?? null, expected: exp };
}

function parseInner(text: string, file: string, family: 4 | 6): Ruleset {
  // the raw lines are only needed for messages: split lazily
  let rawLinesCache: string[] | undefined;
  const lineText = (n: number): string => (rawLinesCache ??= text.split('\n'))[n - 1] ?? '';
  const issues: InputIssue[] = [];
  const rs: Ruleset = { family, file, backend: 'unknown', hasCounters: false, tables: [], issues: [] };
  const issue = (severity: 'error' | 'warning', line: number, col: number, t: string, message: string, hint?: string) =>
    issues.push({ severity, loc: { file, line, col }, text: t, message, hint });

  let table: Table | undefined;
  let chainsByName = new Map<string, Chain>();
  let lastChain: Chain | undefined;
  /** Index in table.chains of the chain the rules of the dump have reached (see the `rule` case). */
  let chainCursor = -1;
  let deferred: DeferredTarget[] = [];
  let lineCount = 0;
  let seenAnyTable = false;
  let tableLine = 0;
  const seenTables = new Set<string>();
  const env: RuleEnv = { table: undefined as unknown as Table, chains: chainsByName, family, file, issues };

  /** Decode one rule line now (its tokens die young); jumps to chains are resolved at COMMIT. */
  const addRule = (rule: Rule, ch: Chain, l: PLine & { k: 'rule' }, at: number, insertPos: number | undefined) => {
    const line = rule.line;
    try {
      const Q = l.Q;
      // an unterminated quote runs to the end of the line: it is the last quoted token
      const badK = l.bad && Q ? Q[Q.length - 1] : -1;
      env.table = table!;
      env.chains = chainsByName;
      const d = parseRuleBody(rule, l.T, l.C, Q, badK, at, env, line);
      if (d) deferred.push(d);
    } catch (e) {
      if (e instanceof LineError) {
        issue('error', line, e.col, e.text || lineText(line).trim() || '', e.message, e.hint);
        return;
      }
      throw e;
    }
    if (insertPos !== undefined) {
      const pos = Math.min(Math.max(insertPos - 1, 0), ch.rules.length);
      if (insertPos - 1 > ch.rules.length) issue('error', line, 1, lineText(line).trim(), `Index of insertion too big`, 'iptables -I CHAIN N needs N <= rules in chain + 1');
      ch.rules.splice(pos, 0, rule);
    } else ch.rules.push(rule);
  };

  const finishTable = () => {
    if (!table) return;
    if (lastChain !== undefined) fitRules(lastChain);
    for (const d of deferred) {
      if (chainsByName.has(d.name)) continue;
      const r = d.rule;
      issue(
        'error', r.line, d.col, d.name,
        d.goto ? `Chain '${d.name}' does not exist` : `Couldn't load target \`${d.name}':No such file or directory`,
        `declare the chain with ":${d.name} - [0:0]" in table ${table.name}, or check the spelling`,
      );
      const ch = chainsByName.get(r.chain);
      if (ch) ch.rules = ch.rules.filter((x) => x !== r);
    }
    deferred = [];
    // iptables-save prints every built-in chain of the table, declared or not
    const missing = BUILTIN_CHAINS[table.name].filter((h) => !chainsByName.has(h));
    if (missing.length) {
      const added: Chain[] = missing.map((h) => ({ name: h, builtin: true, policy: 'ACCEPT' as const, declared: false, loc: table!.loc, rules: [] }));
      let at = table.chains.findIndex((c) => !c.builtin);
      if (at < 0) at = table.chains.length;
      table.chains.splice(at, 0, ...added);
    }
    rs.tables.push(table);
    table = undefined;
  };

  const onLine = (l: PLine) => {
    lineCount = l.line;
    switch (l.k) {
      case 'blank':
        break;
      case 'comment': {
        const hb = headerBackend(l.text);
        if (hb && rs.backend === 'unknown') {
          rs.backend = hb.backend;
          rs.version = hb.version;
        }
        break;
      }
      case 'table': {
        if (table) {
          issue('error', l.line, 1, lineText(l.line).trim(), `table "${table.name}" (line ${tableLine}) was not closed with COMMIT before *${l.name}`, 'every *table section ends with a COMMIT line');
          finishTable();
        }
        const name = l.name as TableName;
        if (!TABLE_NAMES.includes(name)) {
          issue('error', l.line, 2, l.name, `can't initialize iptables table '${l.name}': Table does not exist`, `tables are ${TABLE_NAMES.join(', ')}`);
          table = undefined;
          // swallow until COMMIT
          table = { name: 'filter', loc: { file, line: l.line, col: 1 }, chains: [] };
          (table as { bogus?: boolean }).bogus = true;
        } else {
          if (seenTables.has(name)) issue('warning', l.line, 1, `*${name}`, `table ${name} appears twice; iptables-restore replaces it, nfsim merges nothing and keeps both sections in order`);
          seenTables.add(name);
          table = { name, loc: { file, line: l.line, col: 1 }, chains: [] };
          for (const c of BUILTIN_CHAINS[name]) void c;
        }
        if (l.rest.trim() !== '') issue('error', l.line, 2 + l.name.length, l.rest.trim(), `unexpected text after table name`);
        chainsByName = new Map();
        lastChain = undefined;
        chainCursor = -1;
        seenAnyTable = true;
        tableLine = l.line;
        break;
      }
      case 'chain': {
        if (!table) {
          issue('error', l.line, 1, lineText(l.line).trim(), 'chain declaration outside of a table', 'a `*table` line must come first');
          break;
        }
        const builtins = BUILTIN_CHAINS[table.name] as readonly string[];
        const builtin = builtins.includes(l.name);
        const loc = { file, line: l.line, col: 2 };
        if (l.name === '') {
          issue('error', l.line, 2, lineText(l.line).trim(), 'empty chain name');
          break;
        }
        // one Map operation per declaration: a set that does not grow the map met an earlier declaration.
        // Every field from the start (as for rules: no second block for the fields set below).
        const ch: Chain = { name: l.name, builtin, policy: undefined, counters: undefined, declared: true, loc, rules: [] };
        const known = chainsByName.size;
        chainsByName.set(ch.name, ch);
        if (chainsByName.size === known) {
          chainsByName.set(ch.name, table.chains.find((c) => c.name === ch.name)!);
          issue('error', l.line, 2, l.name, `chain '${l.name}' declared twice in table ${table.name}`);
          break;
        }
        let policy: 'ACCEPT' | 'DROP' | undefined;
        if (builtin) {
          if (l.policy === 'ACCEPT' || l.policy === 'DROP') policy = l.policy;
          else if (l.policy !== '-') issue('error', l.line, 3 + l.name.length, l.policy, `invalid policy '${l.policy}' for built-in chain ${l.name}`, 'a built-in chain policy is ACCEPT or DROP');
        } else if (l.policy !== '-') {
          issue('error', l.line, 3 + l.name.length, l.policy, `Can't set policy '${l.policy}' on '${l.name}': Bad built-in chain name`, 'user-defined chains have policy "-"');
        }
        if (l.name.length > 28) issue('error', l.line, 2, l.name, `chain name '${l.name}' too long (must be under 29 chars)`);
        if (l.rest.trim() !== '') issue('error', l.line, 1, l.rest.trim(), 'unexpected text after chain declaration');
        if (policy) ch.policy = policy;
        if (l.counters) ch.counters = countersOf(l.counters);
        table.chains.push(ch);
        break;
      }
      case 'commit':
        if (!table) issue('error', l.line, 1, 'COMMIT', 'COMMIT without a table', 'a `*table` line must come first');
        else if ((table as { bogus?: boolean }).bogus) table = undefined;
        else finishTable();
        break;
      case 'rule': {
        if (!table) {
          if (!seenAnyTable) issue('warning', l.line, 1, lineText(l.line).trim(), 'ignored: text before the first *table line is not part of the dump');
          else issue('error', l.line, 1, lineText(l.line).trim(), 'rule outside of a table (after COMMIT)', 'rules belong between `*table` and `COMMIT`');
          break;
        }
        if ((table as { bogus?: boolean }).bogus) break;
        const { T, C } = l;
        const cmd = builtinOption(T[0]);
        if (cmd !== 'A' && cmd !== 'I') {
          issue('error', l.line, C[0], T[0], `unexpected command '${T[0]}' in a dump`, 'iptables-save lines start with -A CHAIN');
          break;
        }
        if (T.length < 2) {
          issue('error', l.line, C[0], T[0], `option "${T[0]}" requires an argument`);
          break;
        }
        const chainName = T[1];
        let at = 2;
        let insertPos: number | undefined;
        if (cmd === 'I') {
          insertPos = 1;
          if (T.length > 2 && /^[0-9]+$/.test(T[2])) {
            insertPos = Number(T[2]);
            at = 3;
          }
        }
        // iptables-save groups rules by chain: most lines continue the chain of the line before
        let ch = lastChain !== undefined && lastChain.name === chainName ? lastChain : undefined;
        if (ch === undefined) {
          // iptables-save prints the rules chain by chain in the order it declares the chains (skipping the
          // chains without rules): look a few declarations further before searching by name
          const cs = table.chains;
          for (let k = chainCursor + 1; k < cs.length && k <= chainCursor + 4; k++)
            if (cs[k].name === chainName) {
              ch = cs[k];
              chainCursor = k;
              break;
            }
          ch ??= chainsByName.get(chainName);
        }
        if (!ch && (BUILTIN_CHAINS[table.name] as readonly string[]).includes(chainName)) {
          // built-in chains exist in every table: iptables-restore accepts `-A INPUT` without `:INPUT`
          ch = { name: chainName, builtin: true, policy: 'ACCEPT', declared: false, loc: { file, line: l.line, col: C[1] }, rules: [] };
          chainsByName.set(ch.name, ch);
          table.chains.push(ch);
        }
        if (!ch) {
          issue('error', l.line, C[1], chainName, `Chain '${chainName}' does not exist`, `declare it with ":${chainName} - [0:0]" before the rules (iptables-restore refuses the line)`);
          break;
        }
        if (lastChain !== ch && lastChain !== undefined) fitRules(lastChain);
        lastChain = ch;
        // Every field of a rule from the start (undefined when absent, which JSON and the model's readers
        // treat as absent): one object of one shape per rule, without a second block for the fields a rule
        // gains while its options are decoded.
        const rule: Rule = {
          file,
          line: l.line,
          col: C[0],
          text: (at < T.length ? text.slice(l.s + C[at] - 1, l.e) : '').trimEnd(),
          counters: undefined,
          // the chain's own name string: one string per chain, not one per rule
          chain: ch.name,
          protocol: undefined,
          src: undefined,
          dst: undefined,
          inIface: undefined,
          outIface: undefined,
          fragment: undefined,
          matches: UNDECODED,
          target: undefined,
        };
        if (l.counters) {
          rule.counters = countersOf(l.counters);
          rs.hasCounters = true;
        }
        addRule(rule, ch, l, at, insertPos);
        break;
      }
      case 'junk': {
        if (!table) {
          if (!seenAnyTable) issue('warning', l.line, 1, l.text, 'ignored: text before the first *table line is not part of the dump');
          else issue('warning', l.line, 1, l.text, 'ignored: text after the last COMMIT is not part of the dump');
          break;
        }
        issue('error', l.line, 1, l.text, 'line is not part of iptables-save syntax', 'expected `-A CHAIN ...`, `:CHAIN POLICY [p:b]`, `COMMIT` or a `#` comment (a wrapped line?)');
        break;
      }
    }
  };
  peggyParse(text, { onLine });

  if (table && !(table as { bogus?: boolean }).bogus) {
    issue('error', lineCount, 1, `*${table.name}`, `COMMIT expected at line ${lineCount} (table ${table.name} opened at line ${tableLine} is not closed)`, 'iptables-restore only applies a table at its COMMIT line; add COMMIT at the end');
    finishTable();
  }
  // iptables-save prints nothing at all when no table is loaded: an empty (or comment-only) file is an
  // empty ruleset, not an error.
  const hasContent = !seenAnyTable && text.split('\n').some((x) => x.trim() !== '' && !x.trimStart().startsWith('#'));
  if (!seenAnyTable && hasContent) issue('error', 1, 1, lineText(1), 'no *table line found: not an iptables-save dump');

  issues.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
  if (issues.some((i) => i.severity === 'error')) throw new InputError(issues);
  rs.issues = issues;
  return rs;
}

/** The matches of a dump's rule until its options are decoded (its own list is made at its exact size then). */
const UNDECODED: MatchUse[] = Object.freeze([]) as unknown as MatchUse[];

/** `[0:0]`, the counters of nearly every chain declaration: one shared object (the model is never written
 * in place). */
const ZERO_COUNTERS: Counters = Object.freeze({ packets: 0, bytes: 0 }) as Counters;

function countersOf(c: [string, string]): Counters {
  return c[0] === '0' && c[1] === '0' ? ZERO_COUNTERS : { packets: Number(c[0]), bytes: Number(c[1]) };
}

/** The chain's rule list at its exact size once its rules (the dump writes them together) are read: a list
 * that grew by push reserves room for 17 rules, and most chains of a large dump have one to three. */
function fitRules(ch: Chain): void {
  if (ch.rules.length < 17) ch.rules = ch.rules.slice();
}

/** Result slots of lookupOption (avoids an object per option occurrence). */
let lkMod: Loaded = undefined as unknown as Loaded;
let lkSpec: OptionSpec = undefined as unknown as OptionSpec;

/**
 * Find an option spec: exact name, else unique prefix (getopt_long abbreviations). Returns true (found:
 * lkMod/lkSpec are set), false (no such option) or the ambiguous candidates.
 */
function lookupOption(opt: string, mods: LoadedModules): boolean | string[] {
  const loaded = mods.items;
  for (let i = mods.n - 1; i >= 0; i--) {
    const s = specTableGet(loaded[i].specs, opt);
    if (s) {
      lkMod = loaded[i];
      lkSpec = s;
      return true;
    }
  }
  // getopt_long: unique abbreviation across all long options (built-in ones included)
  const name = opt.slice(2);
  const cands: { mod: Loaded; spec: OptionSpec; key: string }[] = [];
  for (let i = mods.n - 1; i >= 0; i--)
    for (const [k, s] of loaded[i].specs.map) if (k.startsWith(name)) cands.push({ mod: loaded[i], spec: s, key: k });
  const builtinCands = BUILTIN_LONG.filter((b) => b.slice(2).startsWith(name));
  if (cands.length === 0) return false;
  const distinct = new Set(cands.map((c) => c.mod.name + '/' + c.spec.name));
  if (distinct.size === 1 && builtinCands.length === 0) {
    lkMod = cands[0].mod;
    lkSpec = cands[0].spec;
    return true;
  }
  // getopt picks the first in merged order when all candidates denote the same option entry; else ambiguous
  return [...new Set(cands.map((c) => '--' + c.key)), ...builtinCands];
}

interface DeferredTarget {
  rule: Rule;
  name: string;
  goto: boolean;
  col: number;
}

/** Shared by every module of a rule whose option list is never appended to (known modules). */
const NO_RAW: string[] = [];
const NO_SPECS: SpecTable = { map: new Map(), longNames: [], specs: [] };

/** Per-file state of the rule decoder (one object for the whole dump instead of closures per rule). */
interface RuleEnv {
  table: Table;
  chains: Map<string, Chain>;
  family: 4 | 6;
  file: string;
  issues: InputIssue[];
  /** `-s`/`-d` values already decoded in this dump, by text and negation (the model is immutable: equal
   * addresses share one object, which keeps a large dump's model small). */
  nets?: [Map<string, Negatable<IpNet>>, Map<string, Negatable<IpNet>>];
  /** Reused by every rule of the dump. */
  mods?: LoadedModules;
  jumps?: RecentChains;
  ctx?: RuleBuildContext;
}

/** `-p` values (immutable, shared by every rule): [plain, negated] by protocol name. */
const PROTOCOLS: [Map<string, Negatable<string>>, Map<string, Negatable<string>>] = [new Map(), new Map()];
function protocolValue(name: string, invert: boolean): Negatable<string> {
  const m = PROTOCOLS[invert ? 1 : 0];
  let v = m.get(name);
  if (!v) m.set(name, (v = { value: name, invert }));
  return v;
}

/** A decoded `-s`/`-d` value, shared with the earlier rules of the dump that wrote the same text. */
function netValue(env: RuleEnv, text: string, invert: boolean): Negatable<IpNet> {
  const m = (env.nets ??= [new Map(), new Map()])[invert ? 1 : 0];
  let v = m.get(text);
  if (!v) m.set(text, (v = { value: parseNet(text, env.family), invert }));
  return v;
}

/** The BuildContext handed to extension modules; `warn` records a warning located at the rule. One per dump,
 * set for each rule before its modules are built (a module reads it while it builds, and keeps nothing). */
class RuleBuildContext implements BuildContext {
  table = '';
  chain = '';
  protocol: { value: string; invert: boolean } | undefined = undefined;
  private line = 0;
  private col = 0;
  private ruleText = '';
  constructor(
    readonly family: 4 | 6,
    private readonly issues: InputIssue[],
    private readonly file: string,
  ) {}
  /** For the rule about to be built. */
  setRule(table: string, rule: Rule, line: number, col: number): this {
    this.table = table;
    this.chain = rule.chain;
    this.protocol = rule.protocol; // shared and never written (protocolValue())
    this.line = line;
    this.col = col;
    this.ruleText = rule.text;
    return this;
  }
  warn(message: string, hint?: string): void {
    this.issues.push({ severity: 'warning', loc: { file: this.file, line: this.line, col: this.col }, text: this.ruleText, message, hint });
  }
}

function isQuoted(Q: number[] | null, k: number): boolean {
  return Q !== null && Q.includes(k);
}

function takeArg(T: string[], i: number, optT: string, optC: number): number {
  if (i >= T.length) throw new LineError(`option "${optT}" requires an argument`, optC, optT);
  return i;
}

// Old syntax: `-s ! 1.2.3.4` (iptables < 1.6 accepted it; 1.8 refuses it). Accepted with a warning.
/** Returns i + 1 when T[i] is an old-style `!` (the caller then sets its invert flag), else i. */
function oldInvert(T: string[], C: number[], Q: number[] | null, i: number, optT: string, invert: boolean, env: RuleEnv, line: number): number {
  if (i < T.length && T[i] === '!' && !isQuoted(Q, i)) {
    if (invert) throw new LineError('multiple `!` flags not allowed', C[i], '!');
    const next = T[i + 1] ?? '';
    env.issues.push({
      severity: 'warning', loc: { file: env.file, line, col: C[i] }, text: `${optT} ! ${next}`,
      message: 'old intrapositioned negation (`--opt ! value`): accepted by iptables < 1.6, refused by iptables 1.8',
      hint: `write \`! ${optT} ${next}\``,
    });
    return i + 1;
  }
  return i;
}

function loadMatch(name: string, c: number, implicit: boolean, env: RuleEnv, mods: LoadedModules): Loaded {
  const ext = findMatchRecent(name, env.family);
  if (!ext && !KNOWN_UPSTREAM_MATCHES.has(name))
    throw new LineError(`Couldn't load match \`${name}':No such file or directory`, c, name, 'no iptables match module has this name');
  return mods.add(ext, name, 'match', implicit, c, ext ? NO_RAW : [], ext ? specMap(ext) : NO_SPECS);
}

const SEEN_BIT: Record<string, number> = { p: 1, s: 2, d: 4, i: 8, o: 16 };

/** Decode a rule's options into `rule`. Returns the jump to check at COMMIT when the target may be a chain. */
function parseRuleBody(
  rule: Rule,
  T: string[],
  C: number[],
  Q: number[] | null,
  badK: number,
  start: number,
  env: RuleEnv,
  line: number,
): DeferredTarget | undefined {
  const { table, chains, family, file, issues } = env;
  const mods = (env.mods ??= new LoadedModules());
  mods.n = 0;
  const loaded = mods.items;
  let invert = false;
  let invertC = 0; // column of the pending `!` (0: none)
  let targetName: string | undefined;
  let targetGoto = false;
  let targetC = 0;
  let targetMod: Loaded | undefined;
  let targetChain: Chain | undefined;
  let seen = 0;
  let protoText: string | undefined;
  let protoInvert = false;
  let implicitProtoLoaded = false;
  let lastUnknown: Loaded | undefined;
  const n = T.length;

  // an unterminated quote runs to the end of the line: it is the last quoted token
  if (badK >= 0) throw new LineError('Unterminated quoted string', C[badK], T[badK], 'close the " quote');
  for (let i = start; i < n; ) {
    const t = T[i];
    const c = C[i];
    if (t === '!' && !isQuoted(Q, i)) {
      if (invert) throw new LineError('multiple `!` flags not allowed', c, t);
      invert = true;
      invertC = c;
      i++;
      continue;
    }
    const long = t.startsWith('--');
    let optName = t;
    let inlineVal: string | undefined;
    if (long) {
      const eq = t.indexOf('=');
      if (eq > 2) {
        optName = t.slice(0, eq);
        inlineVal = t.slice(eq + 1);
      }
    }
    let b = builtinOption(optName);
    if (b === undefined && !long && t.length > 2 && t.charCodeAt(0) === 45 /* - */ && SHORT_WITH_ARG.has(t[1])) {
      b = t[1];
      inlineVal = t.slice(2);
    }
    if (b === undefined && long && optName.length > 2) {
      // builtin long abbreviation only if no module option matches exactly
      let exact = false;
      for (let k = 0; k < mods.n; k++) if (specTableGet(loaded[k].specs, optName)) { exact = true; break; }
      if (!exact && !lastUnknown) {
        const bc = BUILTIN_LONG.filter((x) => x.startsWith(optName));
        const modc = lookupOption(optName, mods);
        if (bc.length === 1 && !modc) b = BUILTIN_MAP.get(bc[0]);
      }
    }
    if (b !== undefined) {
      const inv = invert;
      switch (b) {
        case 'A':
        case 'I':
          throw new LineError(`multiple commands in one line`, c, t);
        case 'c': {
          // iptables 1.8: `-c PKTS,BYTES` or `-c PKTS BYTES`
          const pk0 = takeArg(T, i + 1, t, c);
          const pt = T[pk0];
          let pk = pt, by: string | undefined;
          let used = 2;
          const comma = pt.indexOf(',', 1);
          if (comma > 0) { pk = pt.slice(0, comma); by = pt.slice(comma + 1); }
          else if (i + 2 < n) { by = T[i + 2]; used = 3; }
          if (!/^[0-9]+$/.test(pk) || by === undefined || !/^[0-9]+$/.test(by)) throw new LineError('-c requires packet and byte counter', C[pk0], pt);
          rule.counters = { packets: Number(pk), bytes: Number(by) };
          i += used;
          invert = false;
          continue;
        }
        case 'f': {
          if (family === 6) throw new LineError(`unknown option "${t}"`, c, t, 'ip6tables has no -f; use -m frag');
          if (rule.fragment) throw new LineError('multiple -f flags not allowed', c, t);
          rule.fragment = { value: true, invert: inv };
          invert = false;
          i++;
          continue;
        }
        case 'p':
        case 's':
        case 'd':
        case 'i':
        case 'o': {
          const bit = SEEN_BIT[b];
          if (seen & bit) throw new LineError(`multiple -${b} flags not allowed`, c, t);
          seen |= bit;
          let argT: string, argC: number;
          if (inlineVal !== undefined) {
            argT = inlineVal;
            argC = c;
            i = i + 1;
          } else {
            let j = oldInvert(T, C, Q, i + 1, t, invert, env, line);
            if (j !== i + 1) invert = true;
            j = takeArg(T, j, t, c);
            argT = T[j];
            argC = C[j];
            i = j + 1;
          }
          const inv2 = invert;
          invert = false;
          if (b === 'p') {
            const pn = protoNumberRecent(argT);
            if (pn === undefined) throw new LineError(`unknown protocol "${argT}" specified`, argC, argT, 'a name from /etc/protocols or a number 0..255');
            protoText = argT;
            protoInvert = inv2;
            if (pn === 0) {
              if (inv2) throw new LineError('rule would never match protocol', argC, argT);
              continue; // -p all: not printed
            }
            let name = protoName(pn);
            if (family === 6 && pn === 58) name = 'ipv6-icmp';
            rule.protocol = protocolValue(name, inv2);
          } else if (b === 's' || b === 'd') {
            let net: Negatable<IpNet>;
            try {
              net = netValue(env, argT, inv2);
            } catch (e) {
              if (e instanceof ExtensionError) throw new LineError(e.message, argC, argT, e.hint);
              throw e;
            }
            if (b === 's') rule.src = net;
            else rule.dst = net;
          } else {
            const name = argT;
            if (name.length >= 16) throw new LineError(`interface name \`${name}' must be shorter than IFNAMSIZ (16)`, argC, name);
            const chainIsBuiltin = (BUILTIN_CHAINS[table.name] as readonly string[]).includes(rule.chain);
            if (chainIsBuiltin && b === 'i' && (rule.chain === 'OUTPUT' || rule.chain === 'POSTROUTING'))
              throw new LineError(`Can't use -i with ${rule.chain}`, c, t, 'locally generated / outgoing packets have no input interface in this chain');
            if (chainIsBuiltin && b === 'o' && (rule.chain === 'INPUT' || rule.chain === 'PREROUTING'))
              throw new LineError(`Can't use -o with ${rule.chain}`, c, t, 'the output interface is not known yet in this chain');
            if (name === '+' && !inv2) continue; // "+" matches every interface: iptables drops it
            if (b === 'i') rule.inIface = { value: name, invert: inv2 };
            else rule.outIface = { value: name, invert: inv2 };
          }
          continue;
        }
        case 'm':
        case 'j':
        case 'g': {
          let argT: string, argC: number;
          if (inlineVal !== undefined) {
            argT = inlineVal;
            argC = c;
          } else {
            const k = takeArg(T, i + 1, t, c);
            argT = T[k];
            argC = C[k];
            i++;
          }
          i++;
          if (b === 'm') {
            if (invert) throw new LineError('unexpected ! flag before --match', invertC || c, '!');
            lastUnknown = loadMatch(argT, argC, false, env, mods);
            if (lastUnknown.ext) lastUnknown = undefined;
            continue;
          }
          if (invert) throw new LineError(`cannot have ! before -${b}`, invertC || c, '!');
          if (targetName !== undefined) throw new LineError('multiple -j flags not allowed', c, t);
          targetName = argT;
          targetGoto = b === 'g';
          targetC = argC;
          if (b === 'j' && !isVerdict(argT)) {
            // a chain of this table wins over a target module of the same name
            targetChain = (env.jumps ??= new RecentChains()).get(chains, argT);
            const ext = targetChain ? undefined : findTargetRecent(argT, family);
            if (ext) {
              targetMod = mods.add(ext, ext.name, 'target', false, argC, NO_RAW, specMap(ext));
              lastUnknown = undefined;
            } else if (!targetChain && KNOWN_UPSTREAM_TARGETS.has(argT)) {
              targetMod = lastUnknown = mods.add(undefined, argT, 'target', false, argC, [], NO_SPECS);
            }
          }
          continue;
        }
      }
    }
    if (long && t.length > 2) {
      let found = lookupOption(optName, mods);
      if (found === false && !implicitProtoLoaded && protoText !== undefined && !lastUnknown) {
        // iptables: an unknown option makes it try the match named after -p
        const pn = protoNumberRecent(protoText)!;
        const pm = pn === 58 ? 'icmp6' : pn === 0 ? undefined : protoName(pn);
        const ext = pm ? findMatchRecent(pm, family) : undefined;
        if (ext && !protoInvert) {
          implicitProtoLoaded = true;
          lastUnknown = loadMatch(pm!, c, true, env, mods);
          if (lastUnknown.ext) lastUnknown = undefined;
          found = lookupOption(optName, mods);
        }
      }
      if (found !== true && found !== false) throw new LineError(`option "${t}" is ambiguous; possibilities: ${found.join(' ')}`, c, t);
      if (!found) {
        if (lastUnknown) {
          // keep verbatim for the unsupported module
          const raw = lastUnknown.raw;
          if (invert) raw.push('!');
          invert = false;
          raw.push(quoteRaw(t));
          i++;
          while (i < n && !T[i].startsWith('-') && !(T[i] === '!' && !isQuoted(Q, i))) {
            raw.push(quoteRaw(T[i], isQuoted(Q, i)));
            i++;
          }
          // a `!` followed by a value (old syntax) also belongs here
          continue;
        }
        throw new LineError(`unknown option "${t}"`, c, t, hintFor(t, loaded.slice(0, mods.n)));
      }
      const mod = lkMod;
      const spec = lkSpec;
      const inv = invert;
      invert = false;
      let j = i + 1;
      if (spec.invertible && spec.args > 0 && inlineVal === undefined) {
        const j2 = oldInvert(T, C, Q, j, t, invert, env, line);
        if (j2 !== j) invert = true;
        j = j2;
      }
      const inv2 = inv || invert;
      invert = false;
      if (inv2 && !spec.invertible) throw new LineError(`cannot have ! before --${spec.name}`, invertC || c, '!', `--${spec.name} of ${mod.name} cannot be negated`);
      // the values (at most two), then an array of their exact size
      let v0 = inlineVal;
      let v1: string | undefined;
      let nv = inlineVal !== undefined ? 1 : 0;
      while (nv < spec.args) {
        if (j >= n) throw new LineError(`option "--${spec.name}" requires ${spec.args === 2 ? 'two arguments' : 'an argument'}`, c, t);
        const a = T[j];
        if (spec.args === 2 && nv === 1 && a.startsWith('-') && !isQuoted(Q, j) && a.length > 1 && !/^-[0-9]/.test(a))
          throw new LineError(`option "--${spec.name}" requires two arguments`, c, t);
        if (nv === 0) v0 = a;
        else v1 = a;
        nv++;
        j++;
      }
      const values: string[] = nv === 0 ? [] : nv === 1 ? [v0!] : [v0!, v1!];
      const opts = mod.opts;
      if (!spec.multi) for (let k = 0; k < opts.length; k++) if (opts[k].name === spec.name) throw new LineError(`option "--${spec.name}" can only be used once`, c, t);
      if (spec.excludes)
        for (const ex of spec.excludes)
          for (let k = 0; k < opts.length; k++) if (opts[k].name === ex) throw new LineError(`option "--${spec.name}" cannot be used together with "--${ex}"`, c, t);
      mod.opts = withOption(opts, { name: spec.name, invert: inv2, values, col: c });
      i = j;
      continue;
    }
    // a bare word: iptables: Bad argument
    if (lastUnknown) {
      lastUnknown.raw.push(quoteRaw(t, isQuoted(Q, i)));
      i++;
      continue;
    }
    throw new LineError(`Bad argument \`${t}'`, c, t, 'a value that belongs to no option (a wrapped line, or a missing --option?)');
  }
  if (invert) throw new LineError('`!` at the end of the rule', invertC || 1, '!');

  // build modules
  const ctx = (env.ctx ??= new RuleBuildContext(family, issues, file)).setRule(table.name, rule, line, C[start - 2] ?? 1);
  // the match list at its exact size (a dump's model holds one per rule)
  let nm = 0;
  for (let k = 0; k < mods.n; k++) if (!(loaded[k].kind === 'target' && targetName !== undefined)) nm++;
  if (nm > 0) {
    const matches: MatchUse[] = new Array(nm);
    let at = 0;
    for (let k = 0; k < mods.n; k++) {
      const m = loaded[k];
      if (m.kind === 'target' && targetName !== undefined) continue;
      matches[at++] = buildMatch(m, ctx, line);
    }
    rule.matches = matches;
  } else if (rule.matches === UNDECODED) rule.matches = [];
  if (targetName !== undefined) {
    let tu: TargetUse;
    if (!targetGoto && isVerdict(targetName)) tu = { kind: 'verdict', name: targetName, goto: false, args: undefined, line, col: targetC };
    else if (targetMod) {
      const m = targetMod;
      if (!m.ext) tu = { kind: 'extension', name: m.name, goto: false, args: undefined, line, col: targetC, unsupported: { reason: `target ${m.name} is not modelled by nfsim`, raw: m.raw.join(' ') } };
      else {
        checkSpecs(m);
        let args: unknown;
        try {
          args = m.ext.build(m.opts, ctx);
        } catch (e) {
          throw toLineError(e, m, { c: targetC, t: targetName });
        }
        const ext = m.ext as Extension & { kind: 'target' };
        if (ext.tables && !ext.tables.includes(table.name))
          issues.push({
            severity: 'warning', loc: { file, line, col: targetC }, text: targetName,
            message: `target ${targetName} is only valid in the ${ext.tables.join('/')} table (the kernel refuses this rule at commit: x_tables check_target)`,
            hint: 'iptables-restore --test does not catch it; a real iptables-restore fails with "line N failed"',
          });
        tu = { kind: 'extension', name: m.ext.name, goto: false, args, line, col: targetC };
      }
    } else if (targetGoto && isVerdict(targetName)) {
      throw new LineError(`goto '${targetName}' is not a chain`, targetC, targetName);
    } else {
      // a user chain; checked at COMMIT (the chain may be declared later in a hand-written file)
      const tc = targetChain ?? chains.get(targetName);
      tu = { kind: 'chain', name: tc ? tc.name : targetName, goto: targetGoto, args: undefined, line, col: targetC };
      rule.target = tu;
      return tc ? undefined : { rule, name: targetName, goto: targetGoto, col: targetC };
    }
    rule.target = tu;
  }
  return undefined;
}

function quoteRaw(t: string, q = false): string {
  if (!q && t !== '' && !/[\s"\\']/.test(t)) return t;
  return '"' + t.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

function hintFor(t: string, loaded: Loaded[]): string {
  const mods = loaded.filter((m) => m.ext).map((m) => m.name);
  return mods.length ? `none of the loaded modules (${mods.join(', ')}) takes ${t}` : `load the module that provides ${t} with -m NAME first`;
}

function requiredOptions(ext: Extension): readonly OptionSpec[] {
  let r = requiredCache.get(ext);
  if (!r) {
    r = ext.options.filter((s) => s.required);
    requiredCache.set(ext, r);
  }
  return r;
}
const requiredCache = new WeakMap<Extension, readonly OptionSpec[]>();

function checkSpecs(m: Loaded): void {
  const req = requiredOptions(m.ext!);
  for (let k = 0; k < req.length; k++) {
    const s = req[k];
    if (!m.opts.some((o) => o.name === s.name))
      throw new LineError(`${m.name}: option "--${s.name}" must be specified`, m.col, m.name);
  }
}

function toLineError(e: unknown, m: Loaded, tok: { c: number; t: string }): LineError {
  if (e instanceof ExtensionError) {
    const o = e.option;
    return new LineError(`${m.name}: ${e.message}`, o ? o.col : tok.c, o ? `--${o.name} ${o.values.join(' ')}`.trim() : m.name, e.hint);
  }
  if (e instanceof LineError) return e;
  throw e;
}

const EMPTY_ARGS = Object.freeze({});

/** `{}` as a module's build() writes it (a plain object literal without properties). */
function isEmptyPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) return false;
  return true;
}

function buildMatch(m: Loaded, ctx: BuildContext, line: number): MatchUse {
  if (!m.ext) {
    return { name: m.name, args: undefined, line, col: m.col, unsupported: { reason: `match ${m.name} is not modelled by nfsim`, raw: m.raw.join(' ') } };
  }
  checkSpecs(m);
  let args: unknown;
  try {
    args = m.ext.build(m.opts, ctx);
  } catch (e) {
    throw toLineError(e, m, { c: m.col, t: m.name });
  }
  // a module without options (`-m tcp` alone, as kube-proxy writes it before DNAT) decodes to `{}`: one
  // shared (frozen) object instead of one per rule
  if (isEmptyPlainObject(args)) args = EMPTY_ARGS;
  // the module's own name string when it is the one written (not one copy per rule)
  const mu: MatchUse = { name: m.ext.name === m.name ? m.ext.name : m.name, args, line, col: m.col };
  if (m.implicit) mu.implicit = true;
  return mu;
}

/**
 * One rule given as separate words, as on an `iptables -A CHAIN ...` command line (after the chain name):
 * decoded exactly like a dump line. `cols[k]` is the column reported for word k, `quoted[k]` whether it
 * was quoted. Returns the rule with its warnings, and the jump to a chain that does not exist in `table`
 * (the caller decides what that means). Throws InputError for a rule iptables refuses.
 */
export function parseRuleWords(
  words: readonly string[],
  cols: readonly number[],
  quoted: readonly boolean[],
  at: { file: string; line: number; family: 4 | 6; table: Table; chain: string; text: string },
): { rule: Rule; warnings: InputIssue[]; missingChain?: { name: string; col: number; goto: boolean } } {
  const issues: InputIssue[] = [];
  const chains = new Map<string, Chain>(at.table.chains.map((c) => [c.name, c]));
  const env: RuleEnv = { table: at.table, chains, family: at.family, file: at.file, issues };
  const rule: Rule = { file: at.file, line: at.line, col: cols[0] ?? 1, text: at.text, chain: at.chain, matches: [] };
  const Q: number[] = [];
  quoted.forEach((q, k) => q && Q.push(k));
  try {
    const d = parseRuleBody(rule, words as string[], cols as number[], Q.length ? Q : null, -1, 0, env, at.line);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length) throw new InputError(errors);
    return { rule, warnings: issues, ...(d ? { missingChain: { name: d.name, col: d.col, goto: d.goto } } : {}) };
  } catch (e) {
    if (e instanceof LineError)
      throw new InputError([{ severity: 'error', loc: { file: at.file, line: at.line, col: e.col }, text: e.text || at.text, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }]);
    if (e instanceof InputError) throw e;
    throw e;
  }
}
