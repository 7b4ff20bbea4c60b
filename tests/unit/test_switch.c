/*
 * Host tests for net/switch.c: learning, flooding, networks kept apart, bad frames dropped and
 * counted, bounded queues with a fair share per source, and a buffer too small for a frame.
 */
#include "unit.h"
#include <string.h>
#include "core/errno.h"
#include "net/switch.h"

#define AGE 1000

static struct netswitch sw;
static struct switch_queue queues[SWITCH_PORTS];
static int kicks[SWITCH_PORTS];

static void kick(void *ctx)
{
	kicks[(struct switch_queue *)ctx - queues]++;
}

static int next; /* the next port add() makes */

static int add(unsigned net)
{
	int port = switch_add_port(&sw, net, &queues[next], kick, &queues[next]);

	assert_int_equal(port, next);
	next++;
	return port;
}

static int setup(void **state)
{
	(void)state;
	switch_init(&sw, AGE);
	next = 0;
	memset(kicks, 0, sizeof(kicks));
	return 0;
}

/* A frame from station `from` to station `to` (0xff: broadcast); byte 14 carries `tag`. */
static unsigned frame(uint8_t *f, uint8_t to, uint8_t from, uint8_t tag, unsigned len)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t dst[ETH_ALEN] = { 0x52, 0x54, 0, 0, 0, to }, src[ETH_ALEN] = { 0x52, 0x54, 0, 0, 0, from };

	memset(f, 0, len);
	memcpy(f, to == 0xff ? bcast : dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = 0x08; /* IPv4 */
	f[ETH_HLEN] = tag;
	return len;
}

static int send(unsigned port, uint8_t to, uint8_t from, uint8_t tag, uint64_t now)
{
	uint8_t f[64];

	return switch_input(&sw, port, f, frame(f, to, from, tag, sizeof(f)), now);
}

/* The tag of the next frame waiting for port, -1 if none. */
static int take_tag(unsigned port)
{
	uint8_t buf[ETH_FRAME_MAX];
	int len = switch_take(&sw, port, buf, sizeof(buf));

	return len > 0 ? buf[ETH_HLEN] : -1;
}

static void unknown_unicast_floods_then_learned_goes_direct(void **state)
{
	(void)state;
	int a = add(0), b = add(0), c = add(0);

	assert_int_equal(send(a, 2, 1, 10, 0), 2); /* 2 unknown: flooded to b and c */
	assert_int_equal(take_tag(b), 10);
	assert_int_equal(take_tag(c), 10);
	assert_int_equal(take_tag(a), -1); /* never back out of its own port */
	assert_int_equal(send(b, 1, 2, 11, 1), 1); /* 1 was learned on a */
	assert_int_equal(take_tag(a), 11);
	assert_int_equal(take_tag(c), -1);
	assert_int_equal(send(a, 2, 1, 12, 2), 1); /* and 2 on b */
	assert_int_equal(take_tag(b), 12);
	assert_int_equal(take_tag(c), -1);
	assert_int_equal(sw.port[a].stats.rx_frames, 2);
	assert_int_equal(sw.port[b].stats.tx_frames, 2);
}

static void broadcast_floods_only_its_network(void **state)
{
	(void)state;
	int a = add(0), b = add(1), c = add(0), d = add(1);

	assert_int_equal(send(a, 0xff, 1, 20, 0), 1);
	assert_int_equal(take_tag(c), 20);
	assert_int_equal(take_tag(b), -1);
	assert_int_equal(take_tag(d), -1);
	/* A station known on network 0 is unknown on network 1: flooded there, never crossing. */
	assert_int_equal(send(d, 1, 4, 21, 1), 1);
	assert_int_equal(take_tag(b), 21);
	assert_int_equal(take_tag(a), -1);
}

static void a_moved_station_is_followed(void **state)
{
	(void)state;
	int a = add(0), b = add(0), c = add(0);

	send(a, 0xff, 1, 0, 0);
	take_tag(b);
	take_tag(c);
	send(c, 1, 3, 30, 1);
	assert_int_equal(take_tag(a), 30);
	send(b, 0xff, 1, 0, 2); /* station 1 now sends from b */
	take_tag(a);
	take_tag(c);
	assert_int_equal(send(c, 1, 3, 31, 3), 1);
	assert_int_equal(take_tag(b), 31);
	assert_int_equal(take_tag(a), -1);
}

static void a_forgotten_station_is_flooded(void **state)
{
	(void)state;
	int a = add(0), b = add(0), c = add(0);

	send(a, 0xff, 1, 0, 0);
	take_tag(b);
	take_tag(c);
	assert_int_equal(send(b, 1, 2, 40, AGE), 1);
	take_tag(a);
	assert_int_equal(send(b, 1, 2, 41, 2 * AGE + 1), 2); /* station 1 silent for longer than AGE */
}

static void bad_frames_are_dropped_and_counted(void **state)
{
	(void)state;
	uint8_t f[ETH_FRAME_MAX + 1];
	int a = add(0), b = add(0);

	assert_int_equal(switch_input(&sw, a, f, frame(f, 2, 1, 0, ETH_HLEN - 1), 0), -EINVAL);
	assert_int_equal(switch_input(&sw, a, f, 0, 0), -EINVAL);
	assert_int_equal(switch_input(&sw, a, f, frame(f, 2, 1, 0, ETH_FRAME_MAX + 1), 0), -EINVAL);
	frame(f, 2, 1, 0, 60);
	f[ETH_ALEN] |= ETH_ADDR_GROUP; /* a group address as the source */
	assert_int_equal(switch_input(&sw, a, f, 60, 0), -EINVAL);
	assert_int_equal(switch_input(&sw, SWITCH_PORTS, f, 60, 0), -EINVAL);
	assert_int_equal(switch_input(&sw, 5, f, 60, 0), -EINVAL); /* no such port */
	assert_int_equal(sw.port[a].stats.runt, 2);
	assert_int_equal(sw.port[a].stats.oversize, 1);
	assert_int_equal(sw.port[a].stats.bad_source, 1);
	assert_int_equal(sw.port[a].stats.rx_frames, 0);
	assert_int_equal(switch_pending(&sw, b), 0);
	/* The largest frame and the smallest go through whole. */
	assert_int_equal(switch_input(&sw, a, f, frame(f, 2, 1, 7, ETH_FRAME_MAX), 0), 1);
	assert_int_equal(switch_input(&sw, a, f, frame(f, 2, 1, 7, ETH_HLEN), 0), 1);
	uint8_t buf[ETH_FRAME_MAX];
	assert_int_equal(switch_take(&sw, b, buf, sizeof(buf)), ETH_FRAME_MAX);
	assert_int_equal(switch_take(&sw, b, buf, sizeof(buf)), ETH_HLEN);
}

static void a_flood_leaves_room_for_the_others(void **state)
{
	(void)state;
	int flooder = add(0), victim = add(0), talker = add(0);
	unsigned share = SWITCH_QUEUE_SLOTS / 2; /* three ports: each source may hold half a queue */
	int queued = 0;

	/* to an address nobody has sent from: flooded to every port, but unicast (no storm control) */
	for (int i = 0; i < 4 * SWITCH_QUEUE_SLOTS; i++)
		queued += send(flooder, 9, 1, 1, 0);
	assert_int_equal(queued, 2 * share); /* half of each other port's queue */
	assert_int_equal(sw.port[victim].stats.over_share, 4 * SWITCH_QUEUE_SLOTS - share);
	for (unsigned i = 0; i < share; i++)
		assert_int_equal(send(talker, 2, 3, 2, 0), 2); /* 2 is unknown: flooded, and there is room */
	assert_int_equal(switch_pending(&sw, victim), SWITCH_QUEUE_SLOTS);
	assert_int_equal(send(talker, 2, 3, 2, 0), 0); /* now full: dropped, counted */
	assert_true(sw.port[victim].stats.queue_full + sw.port[victim].stats.over_share > 0);
	/* Taking a frame frees its source's slot. */
	assert_int_equal(take_tag(victim), 1);
	assert_int_equal(send(flooder, 9, 1, 1, 0), 1); /* victim had room again, flooder's own held at share */
}

static void a_broadcast_storm_holds_few_slots(void **state)
{
	(void)state;
	int flooder = add(0), victim = add(0), talker = add(0);
	int queued = 0;

	for (int i = 0; i < 4 * SWITCH_QUEUE_SLOTS; i++)
		queued += send(flooder, 0xff, 1, 1, 0);
	assert_int_equal(queued, 2 * SWITCH_GROUP_SHARE); /* storm control, on each other port */
	assert_int_equal(sw.port[victim].stats.storm, 4 * SWITCH_QUEUE_SLOTS - SWITCH_GROUP_SHARE);
	assert_int_equal(sw.port[victim].stats.over_share, 0);
	/* the flooder's unicast still has the rest of its share; the talker its whole share */
	for (unsigned i = 0; i < SWITCH_QUEUE_SLOTS / 2 - SWITCH_GROUP_SHARE; i++)
		assert_int_equal(send(flooder, 9, 1, 1, 0), 2);
	assert_int_equal(send(flooder, 9, 1, 1, 0), 0);
	for (unsigned i = 0; i < SWITCH_QUEUE_SLOTS / 2; i++)
		assert_int_equal(send(talker, 2, 3, 2, 0), 2);
	/* a broadcast frame taken frees a group slot */
	assert_int_equal(take_tag(victim), 1);
	assert_int_equal(send(flooder, 0xff, 1, 1, 0),
			 1); /* the talker's queue (port 2) has room, victim's gained one */
}

static void broadcasts_over_the_rate_are_dropped(void **state)
{
	(void)state;
	int a = add(0), b = add(0);
	int passed = 0;

	switch_set_group_rate(&sw, 10);
	for (int i = 0; i < SWITCH_GROUP_BURST + 5; i++) {
		passed += send(a, 0xff, 1, 1, 100) > 0;
		take_tag(b);
	}
	assert_int_equal(passed, SWITCH_GROUP_BURST); /* the burst, then nothing */
	assert_int_equal(sw.port[a].stats.rate_limited, 5);
	assert_int_equal(send(a, 2, 1, 1, 100), 1); /* unicast is not limited */
	take_tag(b);
	assert_int_equal(send(a, 0xff, 1, 1, 119), 1); /* one interval later: one more (9 units carried over) */
	take_tag(b);
	assert_int_equal(send(a, 0xff, 1, 1, 120), 1); /* ... so the next interval ends at 120 */
	take_tag(b);
	assert_int_equal(send(a, 0xff, 1, 1, 129), 0);
	assert_int_equal(send(a, 0xff, 1, 1, 130), 1);
	take_tag(b);
	passed = 0;
	for (int i = 0; i < SWITCH_GROUP_BURST + 5; i++) {
		passed += send(a, 0xff, 1, 1, 100000) > 0;
		take_tag(b);
	}
	assert_int_equal(passed, SWITCH_GROUP_BURST); /* a long quiet time refills the burst, no more */
	assert_int_equal(send(b, 0xff, 2, 1, 100000), 1); /* b has its own bucket */
}

static void kick_when_a_queue_fills_from_empty(void **state)
{
	(void)state;
	int a = add(0), b = add(0);

	send(a, 2, 1, 0, 0);
	send(a, 2, 1, 0, 0);
	assert_int_equal(kicks[b], 1);
	assert_int_equal(kicks[a], 0);
	take_tag(b);
	take_tag(b);
	send(a, 2, 1, 0, 0);
	assert_int_equal(kicks[b], 2);
}

static void a_small_buffer_drops_the_frame(void **state)
{
	(void)state;
	uint8_t f[200], buf[100];
	int a = add(0), b = add(0);

	switch_input(&sw, a, f, frame(f, 2, 1, 5, sizeof(f)), 0);
	send(a, 2, 1, 6, 0);
	assert_int_equal(switch_take(&sw, b, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(sw.port[b].stats.too_big, 1);
	assert_int_equal(take_tag(b), 6); /* the queue moves on */
	assert_int_equal(switch_take(&sw, b, buf, sizeof(buf)), 0);
}

static void ports_run_out(void **state)
{
	(void)state;
	for (int i = 0; i < SWITCH_PORTS; i++)
		add(i % 3);
	assert_int_equal(switch_add_port(&sw, 0, &queues[0], NULL, NULL), -EBUSY);
	assert_int_equal(switch_add_port(&sw, 0, NULL, NULL, NULL), -EINVAL);
}

static void a_full_table_keeps_learning(void **state)
{
	(void)state;
	int a = add(0), b = add(0), c = add(0);

	/* More stations than the table holds, all behind a: the newest are known, nothing breaks. */
	for (int s = 0; s < 2 * SWITCH_FDB_ENTRIES; s++) {
		uint8_t f[64];

		frame(f, 0xff, 0, 0, sizeof(f));
		f[ETH_ALEN + 4] = (uint8_t)(s >> 8);
		f[ETH_ALEN + 5] = (uint8_t)s;
		switch_input(&sw, a, f, sizeof(f), (uint64_t)s);
		take_tag(b);
		take_tag(c);
	}
	uint8_t f[64];
	frame(f, 0, 0, 50, sizeof(f));
	f[4] = (uint8_t)((2 * SWITCH_FDB_ENTRIES - 1) >> 8);
	f[5] = (uint8_t)(2 * SWITCH_FDB_ENTRIES - 1);
	f[ETH_ALEN + 5] = 9;
	assert_int_equal(switch_input(&sw, b, f, sizeof(f), 2 * SWITCH_FDB_ENTRIES), 1);
	assert_int_equal(take_tag(a), 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(unknown_unicast_floods_then_learned_goes_direct, setup),
		cmocka_unit_test_setup(broadcast_floods_only_its_network, setup),
		cmocka_unit_test_setup(a_broadcast_storm_holds_few_slots, setup),
		cmocka_unit_test_setup(broadcasts_over_the_rate_are_dropped, setup),
		cmocka_unit_test_setup(a_moved_station_is_followed, setup),
		cmocka_unit_test_setup(a_forgotten_station_is_flooded, setup),
		cmocka_unit_test_setup(bad_frames_are_dropped_and_counted, setup),
		cmocka_unit_test_setup(a_flood_leaves_room_for_the_others, setup),
		cmocka_unit_test_setup(kick_when_a_queue_fills_from_empty, setup),
		cmocka_unit_test_setup(a_small_buffer_drops_the_frame, setup),
		cmocka_unit_test_setup(ports_run_out, setup),
		cmocka_unit_test_setup(a_full_table_keeps_learning, setup),
	};
	return run_unit_tests(tests);
}
