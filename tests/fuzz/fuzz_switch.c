/*
 * Fuzz target: the switch's frame path (net/switch.c), as the NIC models will drive it: frames of any
 * length and content from any port, takes into buffers of any size, time moving on.
 *
 * Input: the number of ports (1..SWITCH_PORTS), each port's network (0..3) and offload capabilities,
 * then operations: input(port, length, bytes), take(port, buffer size), advance the clock, and (kind 3) an
 * offloaded input: a TCP/IPv4 frame (addresses, header lengths, flags and payload from the input,
 * any length up to NET_GSO_FRAME_MAX) with any offload metadata (flags, csum_start/offset, gso_size;
 * the start anywhere in 16 bits, among the headers, or in the frame's last bytes).
 *
 * Checked after every operation: bad frames (runt, oversize, group source) are refused with -EINVAL
 * and nothing else is; a frame is never queued for its own port or for a port on another network;
 * no queue holds more than SWITCH_QUEUE_SLOTS frames, its per-source counts add up to its length and
 * none is over its fair share; a taken frame is no longer than the buffer and is a valid frame.
 * Offloads: a queued frame carries only the offloads its port takes, is longer than ETH_FRAME_MAX
 * only as a TSO frame, and its ring bytes lie inside the ring and add up; offload metadata is accepted
 * only when its checksum field lies inside the frame (the switch writes there); a frame taken from a port
 * without offloads has a complete TCP checksum when it is a TCP/IPv4 frame cut or completed by Keel.
 */
#include "core/errno.h"
#include "fuzz.h"
#include "fuzz_net.h"
#include "net/switch.h"

#define MAX_OPS 512

static struct netswitch sw;
static struct switch_queue queues[SWITCH_PORTS];
static unsigned nports;
static uint8_t big[NET_GSO_FRAME_MAX + 64];

/* RFC 1071 check of a TCP/IPv4 frame's checksum: 1 when it verifies (or the frame is not one). */
static int tcp_csum_ok(const uint8_t *f, unsigned len)
{
	unsigned ihl = (f[ETH_HLEN] & 0xf) * 4, tot;
	uint64_t sum;

	if (len < ETH_HLEN + IPV4_HDR_MIN || f[ETH_TYPE_OFF] != ETH_P_IPV4 >> 8 || f[ETH_TYPE_OFF + 1] ||
	    f[ETH_HLEN] >> 4 != IPV4_VERSION || f[ETH_HLEN + IPV4_OFF_PROTO] != IPPROTO_TCP || ihl < IPV4_HDR_MIN)
		return 1;
	tot = (unsigned)f[ETH_HLEN + IPV4_OFF_TOTAL_LEN] << 8 | f[ETH_HLEN + IPV4_OFF_TOTAL_LEN + 1];
	if (tot != len - ETH_HLEN || tot < ihl + TCP_HDR_MIN)
		return 1; /* not a segment Keel built */
	sum = net_csum_add(0, f + ETH_HLEN + IPV4_OFF_SADDR, 2 * IPV4_ADDR_LEN) + IPPROTO_TCP + (tot - ihl);
	return net_csum_fold(net_csum_add(sum, f + ETH_HLEN + ihl, tot - ihl)) == CSUM_MANGLED_0;
}

/* Input bits of an offloaded frame's first byte, above the three offload flags. */
#define NEAR_TCP 0x40 /* the checksum start within the first 128 bytes, where the headers are */
#define NEAR_END 0x80 /* the checksum start in the frame's last four bytes */

static unsigned share_on(unsigned net)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nports; i++)
		n += sw.port[i].net == net;
	return n > 2 ? SWITCH_QUEUE_SLOTS / (n - 1) : SWITCH_QUEUE_SLOTS;
}

static void check_queues(void)
{
	for (unsigned d = 0; d < nports; d++) {
		const struct switch_queue *q = &queues[d];
		unsigned held = 0, share = share_on(sw.port[d].net);
		uint64_t bytes = 0;

		FUZZ_CHECK(q->data_used <= SWITCH_QUEUE_BYTES, "port %u: %u ring bytes", d, q->data_used);
		for (unsigned s = 0; s < SWITCH_PORTS; s++)
			bytes += q->held_bytes[s];
		FUZZ_CHECK(bytes == q->data_used, "port %u: held bytes %lu != used %u", d, (unsigned long)bytes,
			   q->data_used);
		FUZZ_CHECK(q->count <= SWITCH_QUEUE_SLOTS, "port %u holds %u frames", d, q->count);
		for (unsigned s = 0; s < SWITCH_PORTS; s++) {
			FUZZ_CHECK(q->held[s] <= share, "port %u: source %u holds %u > share %u", d, s, q->held[s],
				   share);
			held += q->held[s];
		}
		FUZZ_CHECK(held == q->count, "port %u: held %u != count %u", d, held, q->count);
		for (unsigned i = 0; i < q->count; i++) {
			const struct switch_frame *f = &q->slot[(q->head + i) % SWITCH_QUEUE_SLOTS];

			FUZZ_CHECK(f->src_port != d, "port %u has its own frame queued", d);
			FUZZ_CHECK(f->src_port < nports && sw.port[f->src_port].net == sw.port[d].net,
				   "port %u (net %u) has a frame from port %u", d, sw.port[d].net, f->src_port);
			FUZZ_CHECK(f->len >= ETH_HLEN &&
					   f->len <= (f->o.flags & NET_OFF_TSO4 ? NET_GSO_FRAME_MAX : ETH_FRAME_MAX),
				   "queued frame of %u bytes (offloads %x)", f->len, f->o.flags);
			FUZZ_CHECK(!(f->o.flags & ~sw.port[d].caps), "port %u (caps %x) has a frame with offloads %x",
				   d, sw.port[d].caps, f->o.flags);
			FUZZ_CHECK(f->off + f->len <= SWITCH_QUEUE_BYTES, "port %u: frame at %u+%u outside the ring", d,
				   f->off, f->len);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	static uint8_t frame[ETH_FRAME_MAX + 64], buf[ETH_FRAME_MAX + 64];
	uint64_t now = 0;

	switch_init(&sw, 16);
	nports = take_u8(&in) % SWITCH_PORTS + 1;
	for (unsigned i = 0; i < nports; i++) {
		uint8_t b = take_u8(&in);

		FUZZ_CHECK(switch_add_port(&sw, b % 4, NULL, &queues[i], NULL, NULL) == (int)i, "add port %u", i);
		switch_set_caps(&sw, i, b >> 6); /* NET_CAP_CSUM and NET_CAP_TSO4 in any mix */
	}

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint8_t kind = take_u8(&in), port = take_u8(&in) % (SWITCH_PORTS + 1);
		unsigned len = take_u16(&in) % sizeof(frame);

		switch (kind % 4) {
		case 0: {
			memset(frame, 0, len);
			take_bytes(&in, frame, len);
			int bad = len < ETH_HLEN || len > ETH_FRAME_MAX || (frame[ETH_ALEN] & ETH_ADDR_GROUP) ||
				  port >= nports;
			int r = switch_input(&sw, port, frame, len, now);
			FUZZ_CHECK(bad ? r == -EINVAL : r >= 0 && r < (int)nports, "input of %u bytes on port %u: %d",
				   len, port, r);
			break;
		}
		case 1: {
			unsigned before = switch_pending(&sw, port);
			int r = switch_take(&sw, port, buf, len);

			if (port >= nports)
				FUZZ_CHECK(r == -EINVAL, "take on no port: %d", r);
			else if (!before)
				FUZZ_CHECK(r == 0, "take from an empty queue: %d", r);
			else
				FUZZ_CHECK(r == -ENOSPC || (r >= ETH_HLEN && r <= ETH_FRAME_MAX && (unsigned)r <= len),
					   "take into %u bytes: %d", len, r);
			if (r > 0 && !sw.port[port].caps)
				FUZZ_CHECK(tcp_csum_ok(buf, (unsigned)r),
					   "port %u took a TCP frame with a bad checksum", port);
			FUZZ_CHECK(port >= nports || switch_pending(&sw, port) == before - (before > 0),
				   "take moved on");
			break;
		}
		case 3: {
			/* an offloaded TCP/IPv4 frame: headers from the input, then any length of payload */
			uint8_t how = take_u8(&in);
			struct net_offload o = { .flags = how & 7,
						 .csum_start = take_u16(&in),
						 .csum_offset = take_u16(&in),
						 .gso_size = take_u16(&in) };
			unsigned blen = take_u16(&in) + take_u8(&in), hdr = take_u8(&in) % 128;

			if (blen > NET_GSO_FRAME_MAX + 16)
				blen = NET_GSO_FRAME_MAX + 16;
			/* Any 16-bit start and offset; bit 7 puts the start in the frame's last bytes (issue 20.1). */
			if (how & NEAR_END)
				o.csum_start = (uint16_t)(blen - o.csum_start % 4);
			else if (how & NEAR_TCP)
				o.csum_start %= 128;
			memset(big, 0, blen);
			for (unsigned i = 0; i < blen; i++)
				big[i] = (uint8_t)(i * 7);
			big[ETH_ALEN] = 0x02; /* a unicast source */
			big[ETH_TYPE_OFF] = ETH_P_IPV4 >> 8;
			big[ETH_TYPE_OFF + 1] = 0;
			big[ETH_HLEN] = (IPV4_VERSION << 4) | (IPV4_HDR_MIN / 4);
			big[ETH_HLEN + IPV4_OFF_PROTO] = IPPROTO_TCP;
			big[ETH_HLEN + IPV4_HDR_MIN + TCP_OFF_DOFF] = (TCP_HDR_MIN / 4) << 4;
			take_bytes(&in, big, hdr < blen ? hdr : blen);
			int r = switch_input_offload(&sw, port, big, blen, &o, now);
			FUZZ_CHECK(r == -EINVAL || (r >= 0 && r < (int)nports), "offloaded input of %u bytes: %d", blen,
				   r);
			FUZZ_CHECK(r == -EINVAL || csum_field_fits(&o, blen),
				   "accepted a checksum field at %u+%u in a frame of %u bytes", o.csum_start,
				   o.csum_offset, blen);
			break;
		}
		default:
			now += len;
		}
		check_queues();
	}
	return 0;
}
