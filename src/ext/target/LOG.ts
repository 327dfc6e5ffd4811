import type { TargetExtension } from '../types.js';
import { fail, parseUInt, saveString } from '../helpers.js';

export interface LogArgs {
  level: number;
  prefix: string;
  tcpSequence: boolean;
  tcpOptions: boolean;
  ipOptions: boolean;
  uid: boolean;
  macdecode: boolean;
}

const LEVELS: Record<string, number> = { emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warning: 4, warn: 4, notice: 5, info: 6, debug: 7 };

export const LOG: TargetExtension<LogArgs> = {
  kind: 'target',
  name: 'LOG',
  families: [4, 6],
  options: [
    { name: 'log-level', args: 1 },
    { name: 'log-prefix', args: 1 },
    { name: 'log-tcp-sequence', args: 0 },
    { name: 'log-tcp-options', args: 0 },
    { name: 'log-ip-options', args: 0 },
    { name: 'log-uid', args: 0 },
    { name: 'log-macdecode', args: 0 },
  ],
  build(opts) {
    const a: LogArgs = { level: 4, prefix: '', tcpSequence: false, tcpOptions: false, ipOptions: false, uid: false, macdecode: false };
    for (const o of opts) {
      switch (o.name) {
        case 'log-level': {
          const v = o.values[0];
          const l = LEVELS[v.toLowerCase()];
          a.level = l !== undefined ? l : parseUInt(v, 7, 'log level');
          break;
        }
        case 'log-prefix':
          if (o.values[0].length > 29) fail(`Maximum prefix length 29 for --log-prefix`, 'the kernel keeps 29 characters', o);
          if (o.values[0].length === 0) fail('No prefix specified for --log-prefix', undefined, o);
          a.prefix = o.values[0];
          break;
        case 'log-tcp-sequence': a.tcpSequence = true; break;
        case 'log-tcp-options': a.tcpOptions = true; break;
        case 'log-ip-options': a.ipOptions = true; break;
        case 'log-uid': a.uid = true; break;
        case 'log-macdecode': a.macdecode = true; break;
      }
    }
    return a;
  },
  save(a) {
    let s = '';
    if (a.prefix !== '') s += ' --log-prefix' + saveString(a.prefix);
    if (a.level !== 4) s += ` --log-level ${a.level}`;
    if (a.tcpSequence) s += ' --log-tcp-sequence';
    if (a.tcpOptions) s += ' --log-tcp-options';
    if (a.ipOptions) s += ' --log-ip-options';
    if (a.uid) s += ' --log-uid';
    if (a.macdecode) s += ' --log-macdecode';
    return s;
  },
  describe: (a) => `log${a.prefix ? ` with prefix "${a.prefix}"` : ''} at level ${a.level}`,
  apply: (a) => ({ verdict: 'continue', effects: [{ kind: 'log', text: a.prefix }] }),
};
