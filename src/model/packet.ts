/** The packet as the engine sees it at one point of the path: IPv4 header, L4 header and skb metadata. */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;
export type TcpFlagName = keyof typeof TCP_FLAGS;

export const PROTO = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136 } as const;

export interface IcmpHeader {
  type: number;
  code: number;
  /** Echo / timestamp ids. */
  id?: number;
  seq?: number;
  /** For frag-needed: next-hop MTU. */
  mtu?: number;
  /** ICMP errors carry the offending packet's IP header + first 8 bytes of L4. */
  inner?: Packet;
}

export interface Packet {
  /** IPv4 addresses as uint32. */
  src: number;
  dst: number;
  /** IP protocol number. */
  proto: number;
  sport?: number;
  dport?: number;
  /** TCP flag bits (TCP_FLAGS). */
  tcpFlags?: number;
  icmp?: IcmpHeader;
  ttl: number;
  tos: number;
  /** IP total length in bytes. */
  length: number;
  df: boolean;
  /** skb->mark */
  mark: number;
  /** Source MAC of the frame when known (arrive packets only). */
  srcMac?: string;
  /** L2 packet type on receive. */
  pktType?: 'host' | 'broadcast' | 'multicast' | 'otherhost';
  /** Payload bytes as text when given (for `-m string`); unknown otherwise. */
  payload?: string;
}
