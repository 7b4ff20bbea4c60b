/*
 * Fuzz target: the switch's frame path (net/switch.c), as the NIC models will drive it: frames of any
 * length and content from any port, takes into buffers of any size, time moving on.
 *
 * Input: the number of ports (1..SWITCH_PORTS), each port's network (0..3), offload capabilities
 * and whether it is locked to a MAC (port i to 52:54:00:00:00:i+1, as a guest's NIC), then operations: input(port, length, bytes), take(port, buffer size), advance the clock, and (kind 3) an
 * offloaded input: a TCP/IPv4 frame (addresses, header lengths, flags and payload from the input,
 * any length up to NET_GSO_FRAME_MAX) with any offload metadata (flags, csum_start/offset, gso_size;
 * the start anywhere in 16 bits, among the headers, or in the frame's last bytes). In an input's kind
 * byte, OWN_SOURCE puts the port's locked MAC in the source, SPRAY a made-up one new at every operation.
 *
 * Checked after every operation: bad frames (runt, oversize, group source) are refused with -EINVAL
 * and nothing else is; a frame is never queued for its own port or for a port on another network;
 * no queue holds more than SWITCH_QUEUE_SLOTS frames, its per-source counts add up to its length and
 * none is over its fair share; a taken frame is no longer than the buffer and is a valid frame.
 * Offloads: a queued frame carries only the offloads its port takes, is longer than ETH_FRAME_MAX
 * only as a TSO frame, and its ring bytes lie inside the ring and add up; offload metadata is accepted
 * only when its checksum field lies inside the frame (the switch writes there); a frame taken from a port
 * without offloads has a complete TCP checksum when it is a TCP/IPv4 frame cut or completed by Keel.
 * Sources: a locked port's frame from any other MAC, and any other port's frame
 * from a locked port's MAC, is refused; every queued frame from a locked port carries its MAC; the
 * learning table never holds a locked port's MAC or an entry of a locked port, an entry lies in its
 * network's share and belongs to a port of that network, no bucket holds a MAC twice, and no port
 * owns more than SWITCH_FDB_PORT_WAYS of a bucket or SWITCH_FDB_PORT_MAX in all.
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
/* Bits of an input's kind byte (above the kind itself) and of a port's byte (between network and caps). */
#define OWN_SOURCE 0x04
#define SPRAY 0x08
#define PORT_LOCKED 0x20

/* Port i's MAC when it is locked. */
static void port_mac(uint8_t *mac, unsigned i)
{
	const uint8_t m[ETH_ALEN] = { 0x52, 0x54, 0, 0, 0, (uint8_t)(i + 1) };

	memcpy(mac, m, ETH_ALEN);
}

/* The source the kind byte asks for, written into frame f sent by port at operation op. */
static void set_source(uint8_t *f, uint8_t kind, unsigned port, unsigned op)
{
	if ((kind & OWN_SOURCE) && port < nports)
		port_mac(f + ETH_ALEN, port);
	else if (kind & SPRAY) {
		const uint8_t m[ETH_ALEN] = { 0x02, 0x5a, 0, 0, (uint8_t)(op >> 8), (uint8_t)op };

		memcpy(f + ETH_ALEN, m, ETH_ALEN);
	}
}

/* The rule, written apart from the switch's: may port send from mac (a locked port only from its own)? */
static int source_ok(unsigned port, const uint8_t *mac)
{
	uint8_t own[ETH_ALEN];

	if (port >= nports)
		return 1;
	port_mac(own, port);
	if (sw.port[port].locked)
		return !memcmp(mac, own, ETH_ALEN);
	for (unsigned i = 0; i < nports; i++) {
		port_mac(own, i);
		if (sw.port[i].locked && sw.port[i].net == sw.port[port].net && !memcmp(mac, own, ETH_ALEN))
			return 0;
	}
	return 1;
}

static void check_fdb(void)
{
	unsigned total[SWITCH_PORTS] = { 0 };

	for (unsigned b = 0; b < SWITCH_FDB_ENTRIES; b += SWITCH_FDB_WAYS) {
		unsigned mine[SWITCH_PORTS] = { 0 }, net = b / SWITCH_FDB_NET_ENTRIES;

		for (unsigned w = 0; w < SWITCH_FDB_WAYS; w++) {
			const struct switch_fdb_entry *e = &sw.fdb[b + w];

			if (!e->used)
				continue;
			FUZZ_CHECK(e->port < nports && sw.port[e->port].net == net,
				   "entry %u (network %u's share) belongs to port %u", b + w, net, e->port);
			FUZZ_CHECK(!sw.port[e->port].locked, "entry %u belongs to locked port %u", b + w, e->port);
			FUZZ_CHECK(!(e->mac[0] & ETH_ADDR_GROUP), "entry %u: a group address learned", b + w);
			FUZZ_CHECK(source_ok(e->port, e->mac), "entry %u: a locked port's MAC learned behind port %u",
				   b + w, e->port);
			for (unsigned v = 0; v < w; v++)
				FUZZ_CHECK(!sw.fdb[b + v].used || memcmp(sw.fdb[b + v].mac, e->mac, ETH_ALEN),
					   "bucket %u holds a MAC twice", b);
			mine[e->port]++;
			total[e->port]++;
		}
		for (unsigned p = 0; p < nports; p++)
			FUZZ_CHECK(mine[p] <= SWITCH_FDB_PORT_WAYS, "port %u owns %u entries of bucket %u", p, mine[p],
				   b);
	}
	for (unsigned p = 0; p < nports; p++)
		FUZZ_CHECK(total[p] <= SWITCH_FDB_PORT_MAX, "port %u owns %u entries", p, total[p]);
}

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
			FUZZ_CHECK(source_ok(f->src_port, q->data + f->off + ETH_ALEN),
				   "port %u has a frame from port %u with a source it may not send from", d,
				   f->src_port);
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

		uint8_t mac[ETH_ALEN];

		port_mac(mac, i);
		FUZZ_CHECK(switch_add_port(&sw, b % 4, b & PORT_LOCKED ? mac : NULL, &queues[i], NULL, NULL) == (int)i,
			   "add port %u", i);
		switch_set_caps(&sw, i, b >> 6); /* NET_CAP_CSUM and NET_CAP_TSO4 in any mix */
	}

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint8_t kind = take_u8(&in), port = take_u8(&in) % (SWITCH_PORTS + 1);
		unsigned len = take_u16(&in) % sizeof(frame);

		switch (kind % 4) {
		case 0: {
			memset(frame, 0, len);
			take_bytes(&in, frame, len);
			if (len >= ETH_HLEN)
				set_source(frame, kind, port, (unsigned)op);
			int bad = len < ETH_HLEN || len > ETH_FRAME_MAX || (frame[ETH_ALEN] & ETH_ADDR_GROUP) ||
				  port >= nports || !source_ok(port, frame + ETH_ALEN);
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
			/* Any 16-bit start and offset; bit 7 puts the start in the frame's last bytes. */
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
			if (blen >= ETH_HLEN)
				set_source(big, kind, port, (unsigned)op);
			int r = switch_input_offload(&sw, port, big, blen, &o, now);
			FUZZ_CHECK(r == -EINVAL || (r >= 0 && r < (int)nports), "offloaded input of %u bytes: %d", blen,
				   r);
			FUZZ_CHECK(r == -EINVAL || blen < ETH_HLEN || source_ok(port, big + ETH_ALEN),
				   "an offloaded frame from a source port %u may not send from: %d", port, r);
			FUZZ_CHECK(r == -EINVAL || csum_field_fits(&o, blen),
				   "accepted a checksum field at %u+%u in a frame of %u bytes", o.csum_start,
				   o.csum_offset, blen);
			break;
		}
		default:
			now += len;
		}
		check_queues();
		if (kind % 4 == 0 || kind % 4 == 3) /* only inputs change the learning table */
			check_fdb();
	}
	return 0;
}
