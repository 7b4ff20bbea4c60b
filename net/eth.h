/* Ethernet frame constants (IEEE 802.3) shared by the switch and the offload helpers. */
#ifndef KEEL_NET_ETH_H
#define KEEL_NET_ETH_H

#define ETH_ALEN 6
#define ETH_HLEN 14 /* destination, source, EtherType */
#define ETH_TYPE_OFF 12 /* the EtherType after two addresses */
#define ETH_FRAME_MAX 1518 /* 1500 bytes of payload, the header and one 802.1Q tag; no FCS */
#define ETH_ADDR_GROUP 0x01 /* I/G bit of the first octet: broadcast and multicast */
#define ETH_ADDR_LOCAL 0x02 /* U/L bit of the first octet: locally administered */
#define ETH_P_IPV4 0x0800 /* EtherType (RFC 894) */

#endif
