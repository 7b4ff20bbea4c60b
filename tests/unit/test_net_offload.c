/*
 * Host tests for net/offload.c and the switch's offload path: the RFC 1071 sum, metadata checks,
 * TCP/IPv4 segmentation and checksum completion for ports that take no offloads, and offloaded
 * frames passed whole to ports that do.
 */
#include "unit.h"
#include <string.h>
#include "core/errno.h"
#include "net/offload.h"
#include "net/switch.h"

#define IP_OFF ETH_HLEN
#define TCP_OFF (ETH_HLEN + IPV4_HDR_MIN)
#define HDRS (TCP_OFF + TCP_HDR_MIN)
#define MSS 1448
#define PAYLOAD (2 * MSS + 104)
#define SEQ 0x11223344u
#define IP_ID 0x0100

static struct netswitch sw;
static struct switch_queue queues[3];
static uint8_t tso[HDRS + PAYLOAD];

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* A TCP/IPv4 frame from MAC ..:01 to ..:02 with `payload` bytes, its checksum partial as Linux leaves it. */
static unsigned tcp_frame(uint8_t *f, unsigned payload, uint8_t flags)
{
	static const uint8_t macs[2 * ETH_ALEN] = { 0x52, 0x54, 0, 0, 0, 2, 0x52, 0x54, 0, 0, 0, 1 };
	unsigned len = HDRS + payload;
	uint64_t pseudo;

	memset(f, 0, HDRS);
	memcpy(f, macs, sizeof(macs));
	f[ETH_TYPE_OFF] = ETH_P_IPV4 >> 8;
	f[IP_OFF] = (IPV4_VERSION << 4) | (IPV4_HDR_MIN / 4);
	f[IP_OFF + IPV4_OFF_ID] = IP_ID >> 8;
	f[IP_OFF + IPV4_OFF_PROTO] = IPPROTO_TCP;
	memcpy(f + IP_OFF + IPV4_OFF_SADDR, "\x0a\x00\x03\x01\x0a\x00\x03\x02", 2 * IPV4_ADDR_LEN);
	for (int i = 0; i < 4; i++)
		f[TCP_OFF + TCP_OFF_SEQ + i] = (uint8_t)(SEQ >> (24 - 8 * i));
	f[TCP_OFF + TCP_OFF_DOFF] = (TCP_HDR_MIN / 4) << 4;
	f[TCP_OFF + TCP_OFF_FLAGS] = flags;
	for (unsigned i = 0; i < payload; i++)
		f[HDRS + i] = (uint8_t)(i * 13 + 1);
	/* the pseudo-header sum, folded, not complemented (the partial checksum) */
	pseudo = net_csum_add(0, f + IP_OFF + IPV4_OFF_SADDR, 2 * IPV4_ADDR_LEN) + IPPROTO_TCP + TCP_HDR_MIN + payload;
	pseudo = (uint16_t)~net_csum_fold(pseudo);
	f[TCP_OFF + TCP_OFF_CSUM] = (uint8_t)(pseudo >> 8);
	f[TCP_OFF + TCP_OFF_CSUM + 1] = (uint8_t)pseudo;
	return len;
}

/* The TCP checksum of a whole wire frame verifies (its IPv4 Total Length says how long it is). */
static int tcp_ok(const uint8_t *f)
{
	unsigned tot = get16(f + IP_OFF + IPV4_OFF_TOTAL_LEN);
	uint64_t sum =
		net_csum_add(0, f + IP_OFF + IPV4_OFF_SADDR, 2 * IPV4_ADDR_LEN) + IPPROTO_TCP + tot - IPV4_HDR_MIN;

	return net_csum_fold(net_csum_add(sum, f + TCP_OFF, tot - IPV4_HDR_MIN)) == CSUM_MANGLED_0;
}

static const struct net_offload tso_meta = { NET_OFF_CSUM | NET_OFF_TSO4, TCP_OFF, TCP_OFF_CSUM, MSS, 0 };

static int setup(void **state)
{
	(void)state;
	switch_init(&sw, 1000);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(switch_add_port(&sw, 0, NULL, &queues[i], NULL, NULL), (int)i);
	switch_set_caps(&sw, 2, NET_CAP_CSUM | NET_CAP_TSO4); /* port 1 takes plain frames only, like the uplink */
	return 0;
}

static void rfc1071_sum(void **state)
{
	/* RFC 1071 section 3's example: the sum of these bytes is ddf2, so the checksum is 220d */
	static const uint8_t b[9] = { 0, 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static uint8_t odd[64];

	(void)state;
	assert_int_equal(net_csum_fold(net_csum_add(0, b + 1, 8)), 0x220d);
	/* any alignment and length gives the same sum */
	for (unsigned i = 0; i < sizeof(odd); i++)
		odd[i] = (uint8_t)(i * 31 + 7);
	for (unsigned a = 0; a < 4; a++)
		for (unsigned n = 0; n + a < 60; n += 2) {
			uint64_t ref = 0;

			for (unsigned k = 0; k + 1 < n; k += 2)
				ref += get16(odd + a + k);
			assert_int_equal(net_csum_fold(net_csum_add(0, odd + a, n)), net_csum_fold(ref));
		}
}

static void tso_is_cut_for_a_plain_port(void **state)
{
	static uint8_t got[ETH_FRAME_MAX];
	unsigned len = tcp_frame(tso, PAYLOAD, TCP_FLAG_PSH | TCP_FLAG_FIN | TCP_FLAG_CWR), off = 0;

	(void)state;
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), 2);
	assert_int_equal(switch_pending(&sw, 1), 3);
	assert_int_equal(sw.port[1].stats.segmented, 1);
	for (unsigned i = 0; i < 3; i++) {
		int n = switch_take(&sw, 1, got, sizeof(got));
		unsigned pay = i < 2 ? MSS : PAYLOAD - 2 * MSS;
		uint8_t flags = got[TCP_OFF + TCP_OFF_FLAGS];

		assert_int_equal(n, HDRS + pay);
		assert_int_equal(get16(got + IP_OFF + IPV4_OFF_TOTAL_LEN), IPV4_HDR_MIN + TCP_HDR_MIN + pay);
		assert_int_equal(get16(got + IP_OFF + IPV4_OFF_ID), IP_ID + i);
		assert_int_equal(net_csum_fold(net_csum_add(0, got + IP_OFF, IPV4_HDR_MIN)), CSUM_MANGLED_0);
		assert_int_equal(get32(got + TCP_OFF + TCP_OFF_SEQ), SEQ + off);
		assert_true(tcp_ok(got));
		/* CWR on the first segment only, PSH and FIN on the last only */
		assert_int_equal(!!(flags & TCP_FLAG_CWR), i == 0);
		assert_int_equal(!!(flags & (TCP_FLAG_PSH | TCP_FLAG_FIN)), i == 2);
		assert_memory_equal(got + HDRS, tso + HDRS + off, pay);
		off += pay;
	}
	assert_int_equal(switch_pending(&sw, 1), 0);
}

static int keep(void *ctx, const uint8_t *frame, unsigned len, const struct net_offload *o)
{
	memcpy(ctx, o, sizeof(*o));
	return frame == NULL ? -1 : (int)len;
}

static void tso_passes_whole_to_a_port_that_takes_it(void **state)
{
	unsigned len = tcp_frame(tso, PAYLOAD, 0);
	struct net_offload o;

	(void)state;
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), 2);
	assert_int_equal(switch_pending(&sw, 2), 1);
	assert_int_equal(switch_deliver(&sw, 2, keep, &o), (int)len);
	assert_int_equal(o.flags, NET_OFF_CSUM | NET_OFF_TSO4);
	assert_int_equal(o.gso_size, MSS);
	assert_int_equal(o.hdr_len, HDRS);
	assert_int_equal(o.csum_start, TCP_OFF);
	/* a port that takes TSO but not partial checksums gets wire frames */
	switch_set_caps(&sw, 2, NET_CAP_TSO4);
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), 2);
	assert_int_equal(switch_pending(&sw, 2), 3);
	while (switch_pending(&sw, 2))
		assert_int_equal(switch_deliver(&sw, 2, keep, &o) > 0 && o.flags == 0, 1);
	switch_set_caps(&sw, 2, NET_CAP_CSUM | NET_CAP_TSO4);
	/* a port that gave the offloads up meanwhile (its driver reset) drops such a frame */
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), 2);
	switch_set_caps(&sw, 2, 0);
	assert_true(switch_deliver(&sw, 2, keep, &o) < 0);
	assert_int_equal(sw.port[2].stats.too_big, 1);
}

static void a_partial_checksum_is_completed_for_a_plain_port(void **state)
{
	static uint8_t got[ETH_FRAME_MAX];
	struct net_offload csum = { NET_OFF_CSUM, TCP_OFF, TCP_OFF_CSUM, 0, 0 }, o;
	unsigned len = tcp_frame(tso, 1000, 0);

	(void)state;
	tso[IP_OFF + IPV4_OFF_TOTAL_LEN] = (IPV4_HDR_MIN + TCP_HDR_MIN + 1000) >> 8;
	tso[IP_OFF + IPV4_OFF_TOTAL_LEN + 1] = (uint8_t)(IPV4_HDR_MIN + TCP_HDR_MIN + 1000);
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &csum, 0), 2);
	assert_int_equal(switch_take(&sw, 1, got, sizeof(got)), (int)len);
	assert_true(tcp_ok(got));
	assert_int_equal(switch_deliver(&sw, 2, keep, &o), (int)len);
	assert_int_equal(o.flags, NET_OFF_CSUM); /* still partial: the receiver trusts it */
	/* a TSO frame whose payload fits one segment is a plain partial-checksum frame */
	struct net_offload one = tso_meta;
	assert_int_equal(net_offload_check(tso, len, &one, ETH_FRAME_MAX), 0);
	assert_int_equal(one.flags, NET_OFF_CSUM);
}

static void bad_metadata_is_dropped_and_counted(void **state)
{
	unsigned len = tcp_frame(tso, PAYLOAD, 0);
	struct net_offload bad[] = {
		{ NET_OFF_CSUM, (uint16_t)len, 0, 0, 0 }, /* checksum start past the end */
		{ NET_OFF_CSUM, TCP_OFF, (uint16_t)(len - TCP_OFF - 1), 0, 0 }, /* field past the end */
		{ NET_OFF_TSO4, TCP_OFF, TCP_OFF_CSUM, MSS, 0 }, /* TSO without a partial checksum */
		{ NET_OFF_CSUM | NET_OFF_TSO4, TCP_OFF, TCP_OFF_CSUM, 0, 0 }, /* no segment size */
		{ NET_OFF_CSUM | NET_OFF_TSO4, TCP_OFF, TCP_OFF_CSUM, ETH_FRAME_MAX, 0 }, /* segments too big */
		{ NET_OFF_CSUM | NET_OFF_TSO4, TCP_OFF + 1, TCP_OFF_CSUM, MSS, 0 }, /* not at the TCP header */
		{ NET_OFF_CSUM | NET_OFF_TSO4, TCP_OFF, 0, MSS, 0 }, /* not the TCP checksum field */
		{ 0x80, TCP_OFF, TCP_OFF_CSUM, MSS, 0 }, /* an unknown offload */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(switch_input_offload(&sw, 0, tso, len, &bad[i], 0), -EINVAL);
	/* not TCP over IPv4, or a fragment */
	tso[IP_OFF + IPV4_OFF_PROTO] = IPPROTO_UDP;
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), -EINVAL);
	tso[IP_OFF + IPV4_OFF_PROTO] = IPPROTO_TCP;
	tso[IP_OFF + IPV4_OFF_FRAG] = IPV4_FRAG_MF >> 8;
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), -EINVAL);
	tso[IP_OFF + IPV4_OFF_FRAG] = 0;
	tso[ETH_TYPE_OFF + 1] = 0xdd; /* IPv6's EtherType */
	assert_int_equal(switch_input_offload(&sw, 0, tso, len, &tso_meta, 0), -EINVAL);
	/* a frame longer than ETH_FRAME_MAX that is not TSO is oversize (so are bad[0], bad[1] and bad[7]) */
	assert_int_equal(switch_input(&sw, 0, tso, len, 0), -EINVAL);
	assert_int_equal(sw.port[0].stats.oversize, 4);
	assert_int_equal(sw.port[0].stats.bad_offload, sizeof(bad) / sizeof(bad[0]) - 3 + 3);
	assert_int_equal(switch_pending(&sw, 1) + switch_pending(&sw, 2), 0);
}

/*
 * The wrap this guards against: a checksum start in the frame's last byte left len - start - 2 to wrap, and the
 * switch wrote the sum up to 64 KiB past the frame for a port without GUEST_CSUM. Every start and
 * offset whose 16-bit field does not lie wholly inside the frame is refused before any copy.
 */
static void a_checksum_field_past_the_frame_is_refused(void **state)
{
	unsigned len = tcp_frame(tso, 1000, 0);

	(void)state;
	for (unsigned start = len - sizeof(uint16_t) - 1; start < len + 2; start++)
		for (unsigned off = 0; off <= UINT16_MAX; off += off < 4 ? 1 : 4093) {
			struct net_offload o = { NET_OFF_CSUM, (uint16_t)start, (uint16_t)off, 0, 0 };
			int fits = start + off + sizeof(uint16_t) <= len;

			assert_int_equal(net_offload_check(tso, len, &o, ETH_FRAME_MAX), fits ? 0 : -EINVAL);
			if (fits)
				continue;
			/* port 1 takes no offloads: the switch would have completed the sum in its queue */
			assert_int_equal(switch_input_offload(&sw, 0, tso, len, &o, 0), -EINVAL);
		}
	assert_int_equal(switch_pending(&sw, 1) + switch_pending(&sw, 2), 0);
	assert_true(sw.port[0].stats.bad_offload > 0);
	/* the largest start and offset the 16-bit fields allow, on the largest TSO frame */
	struct net_offload far = { NET_OFF_CSUM | NET_OFF_TSO4, UINT16_MAX, UINT16_MAX, MSS, 0 };
	assert_int_equal(net_offload_check(tso, len, &far, ETH_FRAME_MAX), -EINVAL);
}

static void the_ring_holds_big_frames_and_wraps(void **state)
{
	unsigned len = tcp_frame(tso, PAYLOAD, 0);
	struct net_offload o;
	int queued = 0;

	(void)state;
	/* fill port 2's ring with frames from port 0 until it refuses, take them, do it again (wrapping) */
	for (int round = 0; round < 3; round++) {
		int n = 0;

		while (switch_input_offload(&sw, 0, tso, len, &tso_meta, 0) > 0 && n < SWITCH_QUEUE_SLOTS)
			n++;
		assert_true(queues[2].data_used <= SWITCH_QUEUE_BYTES);
		for (int i = 0; i < n; i++) {
			if (switch_pending(&sw, 1))
				while (switch_pending(&sw, 1))
					switch_take(&sw, 1, tso + HDRS + PAYLOAD - 1, 0); /* drop the segments */
			if (switch_pending(&sw, 2))
				queued += switch_deliver(&sw, 2, keep, &o) == (int)len;
		}
		while (switch_pending(&sw, 2))
			queued += switch_deliver(&sw, 2, keep, &o) == (int)len;
		assert_int_equal(queues[2].data_used, 0);
	}
	assert_true(queued > 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc1071_sum),
		cmocka_unit_test_setup(tso_is_cut_for_a_plain_port, setup),
		cmocka_unit_test_setup(tso_passes_whole_to_a_port_that_takes_it, setup),
		cmocka_unit_test_setup(a_partial_checksum_is_completed_for_a_plain_port, setup),
		cmocka_unit_test_setup(bad_metadata_is_dropped_and_counted, setup),
		cmocka_unit_test_setup(a_checksum_field_past_the_frame_is_refused, setup),
		cmocka_unit_test_setup(the_ring_holds_big_frames_and_wraps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
