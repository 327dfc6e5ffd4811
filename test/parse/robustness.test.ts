/** Randomly mutated corpus files and random bundles never throw anything but InputError. */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/model/source.js';
import { parseIpAddr } from '../../src/parse/ipAddr.js';
import { parseIpRoute } from '../../src/parse/ipRoute.js';
import { parseIpRule } from '../../src/parse/ipRule.js';
import { parseSysctl } from '../../src/parse/sysctl.js';
import { parseConntrack } from '../../src/parse/conntrack.js';
import { loadWorld } from '../../src/parse/world.js';
import { ADDR_FILES, CONNTRACK_FILES, ROUTE_FILES, RULE_FILES, SYSCTL_FILES, corpusAvailable, readCorpus } from './ipCorpusFiles.js';

const onlyInputError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
};

const mutate = (s: string, muts: [number, number, string][]) => {
  for (const [pos, del, ins] of muts) {
    const p = pos % (s.length + 1);
    s = s.slice(0, p) + ins + s.slice(p + del);
  }
  return s;
};
const muts = fc.array(fc.tuple(fc.nat(), fc.nat(12), fc.string({ maxLength: 8 })), { maxLength: 6 });

describe.runIf(corpusAvailable)('mutated corpus files', () => {
  const kinds: [string, readonly string[], (t: string) => unknown][] = [
    ['ip-route', ROUTE_FILES, (t) => parseIpRoute(t, 'f')],
    ['ip-addr', ADDR_FILES, (t) => parseIpAddr(t, 'f')],
    ['ip-rule', RULE_FILES, (t) => parseIpRule(t, 'f')],
    ['sysctl', SYSCTL_FILES.slice(0, 1), (t) => parseSysctl(t, 'f')],
    ['conntrack', CONNTRACK_FILES, (t) => parseConntrack(t.slice(0, 20000), 'f')],
  ];
  for (const [name, files, parse] of kinds) {
    it(name, () => {
      const texts = files.map(readCorpus);
      fc.assert(fc.property(fc.nat(texts.length - 1), muts, (k, m) => onlyInputError(() => parse(mutate(texts[k], m)))), { numRuns: 150 });
    });
  }
});

describe('random bundles', () => {
  it('loadWorld of a mutated bundle throws only InputError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfsim-bundle-'));
    try {
      const base = `#nfsim-bundle v1\n#nfsim-host a\n#nfsim-section ip-addr exit=0 cmd=ip addr\n2: eth0    inet 10.0.0.1/24 scope global eth0\n#nfsim-section ip-route exit=0 cmd=ip route\ndefault via 10.0.0.254 dev eth0\n#nfsim-section sysctl absent cmd=sysctl -a\nnope\n#nfsim-host b\n#nfsim-section ip-rule exit=1 cmd=ip rule\n0:\tfrom all lookup local\n`;
      let n = 0;
      fc.assert(
        fc.property(muts, (m) => {
          const p = join(dir, `b${n++}`);
          writeFileSync(p, mutate(base, m));
          onlyInputError(() => loadWorld(p));
        }),
        { numRuns: 200 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
