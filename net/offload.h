/*
 * Offloaded frames on Keel's switch: a frame may carry a partial L4 checksum (the sender left the
 * pseudo-header sum in the checksum field, as virtio's VIRTIO_NET_HDR_F_NEEDS_CSUM) and may be a
 * TCP/IPv4 segmentation offload (TSO) frame of up to NET_GSO_FRAME_MAX bytes that stands for
 * several wire frames of gso_size payload bytes each. Ports that accept such frames get them as
 * they are (one copy for up to 64 KiB of a TCP stream); for the others (the uplink, guests that did
 * not negotiate the offloads) Keel completes the checksum and cuts the segments itself.
 *
 * Pure functions over a frame in Keel's memory: nothing here reads guest memory, so a check made
 * once stays true.
 */
#ifndef KEEL_NET_OFFLOAD_H
#define KEEL_NET_OFFLOAD_H
#include <stdint.h>
#include "net/eth.h"

#define IPV4_VERSION 4
#define IPV4_HDR_MIN 20 /* RFC 791: IHL 5 */
#define IPV4_MAX_PACKET 65535 /* RFC 791: Total Length is 16 bits */
#define IPV4_OFF_TOTAL_LEN 2
#define IPV4_OFF_ID 4
#define IPV4_OFF_FRAG 6
#define IPV4_FRAG_MF 0x2000 /* More Fragments; the low 13 bits are the fragment offset */
#define IPV4_FRAG_OFFSET_MASK 0x1fff
#define IPV4_OFF_PROTO 9
#define IPV4_OFF_CSUM 10
#define IPV4_OFF_SADDR 12
#define IPV4_ADDR_LEN 4
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_HDR_MIN 20 /* RFC 793: data offset 5 */
#define TCP_OFF_SEQ 4
#define TCP_OFF_DOFF 12 /* data offset in the high nibble */
#define TCP_OFF_FLAGS 13
#define TCP_OFF_CSUM 16
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_CWR 0x80 /* RFC 3168 */
#define CSUM_MANGLED_0 0xffff /* a computed 0 is sent as its ones'-complement twin (RFC 768 for UDP) */

/* The largest offloaded frame: an IPv4 packet of the most Total Length allows behind an Ethernet header. */
#define NET_GSO_FRAME_MAX (ETH_HLEN + IPV4_MAX_PACKET)

/* struct net_offload flags */
#define NET_OFF_CSUM 1U /* partial checksum: the sum of [csum_start, end) goes at csum_start + csum_offset */
#define NET_OFF_TSO4 2U /* TCP/IPv4 segmentation: gso_size payload bytes per wire frame */

/* Port capabilities (switch_set_caps): which offloaded frames the port takes as they are. */
#define NET_CAP_CSUM NET_OFF_CSUM
#define NET_CAP_TSO4 NET_OFF_TSO4

struct net_offload {
	uint16_t flags; /* NET_OFF_* */
	uint16_t csum_start, csum_offset;
	uint16_t gso_size; /* with NET_OFF_TSO4 */
	uint16_t hdr_len; /* with NET_OFF_TSO4: Ethernet, IPv4 and TCP headers (set by net_offload_check) */
};

/*
 * Check an offloaded frame before it goes anywhere: 0, or -EINVAL (dropped and counted by the
 * caller). A TSO frame must be untagged, unfragmented TCP over IPv4 with its checksum partial at
 * the TCP checksum field; one whose payload fits in one segment becomes a plain partial-checksum
 * frame, and its segments (headers and gso_size bytes) must fit in seg_max bytes. Fills o->hdr_len.
 */
int net_offload_check(const uint8_t *frame, unsigned len, struct net_offload *o, unsigned seg_max);
/* Complete a partial checksum in place (the frame passed net_offload_check). */
void net_csum_complete(uint8_t *frame, unsigned len, const struct net_offload *o);
/*
 * Cut a checked TSO frame into wire frames with complete checksums, each built where reserve
 * says (room for the given length; NULL stops the cutting). Returns how many were built.
 */
int net_gso_segment(const uint8_t *frame, unsigned len, const struct net_offload *o,
		    uint8_t *(*reserve)(void *ctx, unsigned len), void *ctx);
/* RFC 1071 sum of len bytes (big-endian 16-bit words, an odd last byte padded), not folded. */
uint64_t net_csum_add(uint64_t sum, const uint8_t *p, unsigned len);
/* The folded, complemented checksum of a sum; 0 becomes CSUM_MANGLED_0. */
uint16_t net_csum_fold(uint64_t sum);

#endif
