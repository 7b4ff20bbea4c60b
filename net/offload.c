/* TCP/IPv4 segmentation and checksum completion for offloaded frames (net/offload.h). */
#include "net/offload.h"
#include <string.h>
#include "core/errno.h"

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

uint64_t net_csum_add(uint64_t sum, const uint8_t *p, unsigned len)
{
	if ((uintptr_t)p & 1) { /* odd start: byte pairs (rare: headers start on even offsets) */
		for (; len >= 2; len -= 2, p += 2)
			sum += get16(p);
		return len ? sum + ((unsigned)p[0] << 8) : sum;
	}
	if ((uintptr_t)p & 2 && len >= 2) {
		sum += get16(p);
		p += 2;
		len -= 2;
	}
	/* Aligned 32-bit loads, byte-swapped at the end (a ones'-complement sum commutes with that). */
	uint64_t s = 0;
	const uint32_t *w = (const uint32_t *)(const void *)p;

	for (; len >= 16; len -= 16, w += 4)
		s += (uint64_t)w[0] + w[1] + w[2] + w[3];
	for (; len >= 4; len -= 4)
		s += *w++;
	p = (const uint8_t *)w;
	/* s sums little-endian 32-bit words: fold to 16 bits, then swap the two bytes. */
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffffffffULL) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	sum += ((s & 0xff) << 8) | (s >> 8);
	for (; len >= 2; len -= 2, p += 2)
		sum += get16(p);
	if (len)
		sum += (unsigned)p[0] << 8;
	return sum;
}

uint16_t net_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	return sum ? (uint16_t)sum : CSUM_MANGLED_0;
}

int net_offload_check(const uint8_t *frame, unsigned len, struct net_offload *o, unsigned seg_max)
{
	const uint8_t *ip = frame + ETH_HLEN, *tcp;
	unsigned ihl, doff;

	if (o->flags & ~(NET_OFF_CSUM | NET_OFF_TSO4))
		return -EINVAL;
	if (o->flags & NET_OFF_CSUM) {
		/* The 16-bit field lies wholly inside the frame: summed in 32 bits, two uint16_t cannot wrap. */
		if ((uint32_t)o->csum_start + o->csum_offset + sizeof(uint16_t) > len)
			return -EINVAL;
	}
	if (!(o->flags & NET_OFF_TSO4))
		return 0;
	if (!(o->flags & NET_OFF_CSUM) || !o->gso_size || len > NET_GSO_FRAME_MAX ||
	    len < ETH_HLEN + IPV4_HDR_MIN + TCP_HDR_MIN || get16(frame + ETH_TYPE_OFF) != ETH_P_IPV4)
		return -EINVAL;
	ihl = (ip[0] & 0xf) * 4;
	if (ip[0] >> 4 != IPV4_VERSION || ihl < IPV4_HDR_MIN || ip[IPV4_OFF_PROTO] != IPPROTO_TCP ||
	    (get16(ip + IPV4_OFF_FRAG) & (IPV4_FRAG_MF | IPV4_FRAG_OFFSET_MASK)) || len < ETH_HLEN + ihl + TCP_HDR_MIN)
		return -EINVAL;
	tcp = ip + ihl;
	doff = (tcp[TCP_OFF_DOFF] >> 4) * 4;
	if (doff < TCP_HDR_MIN || len < ETH_HLEN + ihl + doff || o->csum_start != ETH_HLEN + ihl ||
	    o->csum_offset != TCP_OFF_CSUM)
		return -EINVAL;
	o->hdr_len = (uint16_t)(ETH_HLEN + ihl + doff);
	if ((unsigned)o->hdr_len + o->gso_size > seg_max)
		return -EINVAL;
	if (len - o->hdr_len <= o->gso_size) /* one segment's worth: a plain frame with a partial checksum */
		o->flags &= ~NET_OFF_TSO4;
	return 0;
}

void net_csum_complete(uint8_t *frame, unsigned len, const struct net_offload *o)
{
	/* The field holds the pseudo-header sum, so it is part of the sum (virtio 1.1, 5.1.6.2). */
	put16(frame + o->csum_start + o->csum_offset,
	      net_csum_fold(net_csum_add(0, frame + o->csum_start, len - o->csum_start)));
}

int net_gso_segment(const uint8_t *frame, unsigned len, const struct net_offload *o,
		    uint8_t *(*reserve)(void *ctx, unsigned len), void *ctx)
{
	unsigned hl = o->hdr_len, ihl = o->csum_start - ETH_HLEN, id = get16(frame + ETH_HLEN + IPV4_OFF_ID);
	uint32_t seq = get32(frame + o->csum_start + TCP_OFF_SEQ);
	uint8_t flags = frame[o->csum_start + TCP_OFF_FLAGS];
	int n = 0;

	for (unsigned off = hl; off < len; off += o->gso_size, n++) {
		unsigned pay = len - off < o->gso_size ? len - off : o->gso_size, tcp_len = hl - o->csum_start + pay;
		uint8_t *seg = reserve(ctx, hl + pay), *ip, *tcp;
		uint64_t sum;

		if (!seg)
			break;
		ip = seg + ETH_HLEN;
		tcp = seg + o->csum_start;

		memcpy(seg, frame, hl);
		memcpy(seg + hl, frame + off, pay);
		put16(ip + IPV4_OFF_TOTAL_LEN, ihl + tcp_len);
		put16(ip + IPV4_OFF_ID, (id + (unsigned)n) & 0xffff);
		put16(ip + IPV4_OFF_CSUM, 0);
		put16(ip + IPV4_OFF_CSUM, net_csum_fold(net_csum_add(0, ip, ihl)) & 0xffff);
		put32(tcp + TCP_OFF_SEQ, seq + (uint32_t)(off - hl));
		/* FIN and PSH end the whole send, CWR marks its start (RFC 3168 6.1.2) */
		tcp[TCP_OFF_FLAGS] = (uint8_t)(flags & ~(off + pay < len ? TCP_FLAG_FIN | TCP_FLAG_PSH : 0) &
					       ~(off > hl ? TCP_FLAG_CWR : 0));
		/* The full checksum: pseudo header (RFC 793 3.1), the TCP header and this payload. */
		put16(tcp + TCP_OFF_CSUM, 0);
		sum = net_csum_add(0, ip + IPV4_OFF_SADDR, 2 * IPV4_ADDR_LEN) + IPPROTO_TCP + tcp_len;
		put16(tcp + TCP_OFF_CSUM, net_csum_fold(net_csum_add(sum, tcp, tcp_len)));
	}
	return n;
}
