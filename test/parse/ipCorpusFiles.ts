/** Corpus files by kind (from the corpus's PROVENANCE.md), read in place. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from './corpusFiles.js';

export { CORPUS };
export const corpusAvailable = existsSync(CORPUS);
export function readCorpus(rel: string): string {
  return readFileSync(join(CORPUS, rel), 'utf8');
}

export const ROUTE_FILES: readonly string[] = [
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-route-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-route-2016-06-27_16-29-01',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-route-500-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-route-500-2016-06-27_16-29-01',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-route-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-route-2016-06-27_16-29-01',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-route-500-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-route-500-2016-06-27_16-29-01',
  'net-network/configs_openlab/stettenstr/doku/ip-route-list.txt',
  'net-network/configs_openlab/stettenstr/doku/ip-route-list-table-DSL.txt',
  'net-network/configs_openlab/stettenstr/doku/ip-route-list-table-FREIFUNK.txt',
  'net-network/configs_openlab/stettenstr/doku/ip-route-list-table-KABEL.txt',
  'net-network/configs_sqrl_shorewall/routing2014',
  'net-network/configs_sqrl_shorewall/routing2016',
  'net-network/configs_synology_diskstation_ds414/ip_route_show_jul_2016',
  'net-network/found_online/solaris.unsoft.hu/ip2.txt',
  'net-network/configs_corny_docker/dfwfw/routingtbldocker',
  'iptables-semantics/LOFT/Examples/RFC2544/ip-route',
  'iptables-semantics/LOFT/Examples/OF_conv_test/ip-route',
  'iptables-semantics/Routing/ip-route-ex',
  'iptables-semantics/Routing/ip-6-route-ex',
  'jc/centos-7.7/ip_route.out',
  'jc/ubuntu-18.04/ip_route.out',
  'coreos-sosreport/sos_commands/networking/ip_route_show_table_all',
  'coreos-sosreport/sos_commands/networking/ip_-6_route_show_table_all',
  'genieparser/linux/tests/IpRouteShowTableAll/cli/equal/golden_output_output.txt',
];

export const ADDR_FILES: readonly string[] = [
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2015-05-13_10-53-20',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2015-09-03_15-56-50',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-addr-2016-06-27_16-29-01',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-addr-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-addr-2016-06-27_16-29-01',
  'net-network/config_home_user/ip_addr',
  'net-network/config_random_srv/ip_addr',
  'net-network/config_ongy_flat_share/2015_aug_ipaddrs',
  'net-network/configs_openlab/stettenstr/doku/ip-4-addr-show.txt',
  'net-network/configs_psa/2016/ip.4as.2016-07-07',
  'net-network/configs_psa/team_a/ip.4as.2016-01-27',
  'net-network/configs_psa/team_a/ip.4as.2016-03-02',
  'net-network/configs_psa/team_a/psa1_ip.4as.2015-11-14',
  'net-network/configs_psa/team_a/psa2_ip.4as.2015-11-14',
  'net-network/configs_psa/team_a/psa3_ip.4as.2015-11-14',
  'net-network/configs_psa/team_b/ip.4as.2015-11-19',
  'net-network/configs_psa/team_c/ip.4as.2015-12-01',
  'net-network/configs_sqrl_shorewall/2015_aug_ip-addr',
  'net-network/configs_synology_diskstation_ds414/ip_addr_show_jul_2016',
  'net-network/configs_ugent/ip.4as',
  'net-network/found_online/solaris.unsoft.hu/ip1.txt',
  'coreos-sosreport/sos_commands/networking/ip_-d_address',
  'coreos-sosreport/sos_commands/networking/ip_-o_addr',
];

export const RULE_FILES: readonly string[] = [
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-rule-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip-rule-2016-06-27_16-29-01',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-rule-2016-03-16_13-53-28',
  'net-network/configs_chair_for_Network_Architectures_and_Services/ip6-rule-2016-06-27_16-29-01',
  'net-network/configs_openlab/stettenstr/doku/ip-rule.txt',
  'coreos-sosreport/sos_commands/networking/ip_-4_rule',
  'coreos-sosreport/sos_commands/networking/ip_-6_rule',
];

export const SYSCTL_FILES: readonly string[] = [
  'jc/centos-7.7/sysctl-a.out',
  'jc/ubuntu-18.04/sysctl-a.out',
  'coreos-sosreport/sos_commands/kernel/sysctl_-a',
];

export const CONNTRACK_FILES: readonly string[] = [
  'coreos-sosreport/proc/3255/net/nf_conntrack',
];
