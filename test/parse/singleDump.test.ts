import { describe, expect, it } from 'vitest';
import { loadWorld, singleDumpKind } from '../../src/parse/world.js';
import { CORPUS } from './corpusFiles.js';

// (the shared corpus, found as test/parse/corpusFiles.ts says)
const C = CORPUS;

describe('a lone dump file is a one-host world', () => {
  it.each([
    [`${C}/net-network/config_home_router/iptables-save`, 'iptables-save'],
    [`${C}/jc/centos-7.7/sysctl-a.out`, 'sysctl'],
    [`${C}/coreos-sosreport/sos_commands/networking/ip_-4_rule`, 'ip-rule'],
    [`${C}/coreos-sosreport/sos_commands/networking/ip_-o_addr`, 'ip-addr'],
    [`${C}/coreos-sosreport/sos_commands/networking/ip_route_show_table_all`, 'ip-route'],
  ])('%s is %s', (file, kind) => {
    const w = loadWorld(file);
    expect(w.hosts).toHaveLength(1);
    expect(Object.keys(w.hosts[0].inputs)).toEqual([kind]);
  });

  it('a bundle is not taken for a dump', () => {
    expect(singleDumpKind('#nfsim-bundle v1\n#nfsim-host a\n', 'x')).toBeUndefined();
  });
});
