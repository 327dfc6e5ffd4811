/**
 * Corpus files the loader refuses, with every error (line:col message). Anything else must load.
 * Why: github-issue-1/4, iptables-extension-owner: no COMMIT (truncated fixtures; iptables-restore: "COMMIT expected");
 * github-issue-4 also jumps to an undeclared chain; maiki: jumps to undeclared chains ("Couldn't load target");
 * test.txt (ferm): -i in POSTROUTING and a network as DNAT/SNAT address; unknown.txt / Parser_Test: unknown options;
 * config_private_root: redacted addresses "<private_ip>"; jvehent: a host name (iptables would resolve it);
 * linux.gda.pl: iptables 1.3 `-m time --days`; openwrt.org: a dump broken by line wrapping.
 */
export const EXPECTED_ERRORS: Record<string, string[]> = {
  "app-iptables2dot/t/iptables-save/github-issue-1.txt": [
    "7:1 COMMIT expected at line 7 (table filter opened at line 1 is not closed)",
  ],
  "app-iptables2dot/t/iptables-save/github-issue-4.txt": [
    "3:4 Chain 'output_fs' does not exist",
    "4:1 COMMIT expected at line 4 (table filter opened at line 1 is not closed)",
  ],
  "app-iptables2dot/t/iptables-save/iptables-extension-owner.txt": [
    "7:1 COMMIT expected at line 7 (table filter opened at line 2 is not closed)",
  ],
  "app-iptables2dot/t/iptables-save/maiki.txt": [
    "12:68 Couldn't load target `LOG_IN_SRV_ACCEPT_APPLI':No such file or directory",
    "13:61 Couldn't load target `LOG_OUT_SRV_ACCEPT_APPLI':No such file or directory",
  ],
  "app-iptables2dot/t/iptables-save/test.txt": [
    "5:16 Can't use -i with POSTROUTING",
    "6:16 Can't use -i with POSTROUTING",
    "7:71 DNAT: invalid IPv4 address \"192.168.1.0/24\"",
  ],
  "app-iptables2dot/t/iptables-save/unknown.txt": [
    "10:12 unknown option \"--unknown-opt\"",
  ],
  "iptables-semantics/Iptables_Semantics/Examples/Parser_Test/data/iptables-save": [
    "12:55 unknown option \"--something-else\"",
  ],
  "net-network/config_private_root/iptables-save": [
    "23:13 invalid IPv4 address \"<private_ip>\"",
    "24:13 invalid IPv4 address \"<private_ip>\"",
  ],
  "net-network/found_online/jvehent/firewall": [
    "61:38 host name \"ntp.example.net\" cannot be resolved offline",
  ],
  "net-network/found_online/linux.gda.pl/firewallp.txt": [
    "6:86 unknown option \"--days\"",
    "7:88 unknown option \"--days\"",
    "8:88 unknown option \"--days\"",
    "9:63 unknown option \"--days\"",
  ],
  "net-network/found_online/openwrt.org/iptables-save-AA.txt": [
    "24:204 Bad argument `8.1.1:22'",
    "25:204 Bad argument `168.1.1:55555'",
    "26:204 Bad argument `168.1.1:55555'",
    "27:204 Bad argument `.1.1:1194'",
    "28:204 Bad argument `8.1.1:21'",
    "29:204 Bad argument `8.1.1:21'",
    "86:204 Bad argument `EPT'",
    "88:76 option \"--cts\" is ambiguous; possibilities: --ctstate --ctstatus",
    "103:204 Bad argument `ec'",
    "118:204 Bad argument `AT'",
    "122:204 Bad argument `AT'",
    "123:204 Bad argument `AT'",
  ],
};

/** Files whose re-saved text differs from the input, with the number of differing lines and why. */
export const ROUNDTRIP_DIFFS: Record<string, [number, string]> = {
  "app-iptables2dot/t/iptables-save/dashes.txt": [3, "ferm output uses long option spellings (--jump, --in-interface); iptables-save prints -j/-i"],
  "iptables-semantics/Iptables_Semantics/Examples/Contrived/iptables-save": [9, "hand-written: options not in iptables-save order, no /32"],
  "iptables-semantics/Iptables_Semantics/Examples/containern/iptables-save.topos1": [15, "topoS-generated: options not in iptables-save order, no /32"],
  "iptables-semantics/Iptables_Semantics/Examples/topoS_generated/imaginray_factory_network.iptables-save": [20, "topoS-generated: options not in iptables-save order, no /32"],
  "iptables-semantics/LOFT/Examples/RFC2544/iptables-save": [25, "generated: addresses without /32"],
  "net-network/config_eduroam_laptop/iptables-save": [2, "address with host bits (131.159.198.38/19): iptables masks them (prints 131.159.192.0/19)"],
  "net-network/config_home_user/typical_home_user_iptables-save": [31, "iptables < 1.4.11 printed recent without --mask; host bits in addresses"],
  "net-network/config_internal_office_fw/iptables-save.anonymized": [9, "CryptoPAn anonymisation left host bits set in masked addresses; iptables masks them"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/ip6tables-save-2016-03-16_13-53-28": [6, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/ip6tables-save-2016-06-27_16-29-01": [6, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-05-13_10-53-20": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-05-15_14-14-46": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-05-15_14-35-03": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-05-15_15-11-14": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-05-15_15-23-41": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2015-09-03_15-56-50": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2016-03-16_13-53-28": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables-save-2016-06-27_16-29-01": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables_20.10.2013": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_chair_for_Network_Architectures_and_Services/iptables_25.07.2014": [7, "recent printed without --mask (iptables 1.4.14)"],
  "net-network/configs_serverfault/762193.txt": [2, "user-edited: host bits in masked addresses"],
  "net-network/configs_serverfault/766198.txt": [14, "serverfault fragment: rules of several chains interleaved, ESTABLISHED,RELATED order, REJECT without --reject-with"],
  "net-network/configs_synology_diskstation_ds414/ip6tables-save_jul_2016": [10, "old ip6tables printed -p icmpv6; 1.8.9 prints -p ipv6-icmp"],
  "net-network/configs_ugent/iptables-save": [219, "iptables 1.3 style: dotted masks /255.255.255.0, addresses without /32"],
  "net-network/configs_ugent/iptables-save.v1.4.21": [209, "iptables 1.3 style: dotted masks /255.255.255.0, addresses without /32"],
  "net-network/found_online/myiptables/firewall.conf.txt": [2, "recent printed without --mask (old iptables)"],
  "net-network/found_online/rimuhosting.com/script.sh": [9, "script output: icmp type names, option order as written"],
  "net-network/found_online/sargon/iptables-save.txt": [6, "recent printed without --mask (old iptables)"],
  "net-network/found_online/tptp.cc/iptables.save.txt": [2, "recent printed without --mask (old iptables)"],
  "net-network/majek_dump_vpn/vpn/iptables.up.rules": [19, "hand-written iptables.up.rules: option order as written, ESTABLISHED,RELATED order"],
};
