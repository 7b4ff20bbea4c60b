/*
 * Host tests for net/switch.c: learning, flooding, networks kept apart, bad frames dropped and
 * counted, bounded queues with a fair share per source, and a buffer too small for a frame;
 * locked ports (a guest's NIC sends only from its MAC) and a learning table no sprayer of source
 * addresses can take over (a port owns at most half of a bucket: its new addresses replace its own).
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

/* Station n's MAC. */
static void station(uint8_t *mac, unsigned n)
{
	const uint8_t m[ETH_ALEN] = { 0x52, 0x54, 0, 0, (uint8_t)(n >> 8), (uint8_t)n };

	memcpy(mac, m, ETH_ALEN);
}

/* A port on net: locked to station `locked`'s MAC, or (locked < 0) learning any, as the uplink. */
static int add_port(unsigned net, int locked)
{
	uint8_t mac[ETH_ALEN];

	station(mac, (unsigned)locked);
	int port = switch_add_port(&sw, net, locked < 0 ? NULL : mac, &queues[next], kick, &queues[next]);
	assert_int_equal(port, next);
	next++;
	return port;
}

static int add(unsigned net)
{
	return add_port(net, -1);
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
static unsigned frame(uint8_t *f, unsigned to, unsigned from, uint8_t tag, unsigned len)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	memset(f, 0, len);
	if (to == 0xff)
		memcpy(f, bcast, ETH_ALEN);
	else
		station(f, to);
	station(f + ETH_ALEN, from);
	f[12] = 0x08; /* IPv4 */
	f[ETH_HLEN] = tag;
	return len;
}

static int send(unsigned port, unsigned to, unsigned from, uint8_t tag, uint64_t now)
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
	assert_int_equal(switch_add_port(&sw, 0, NULL, &queues[0], NULL, NULL), -EBUSY);
	assert_int_equal(switch_add_port(&sw, 0, NULL, NULL, NULL, NULL), -EINVAL);
}

static void a_port_is_locked_to_one_mac_per_network(void **state)
{
	(void)state;
	uint8_t mac[ETH_ALEN];

	add_port(0, 1);
	station(mac, 1);
	assert_int_equal(switch_add_port(&sw, 0, mac, &queues[1], NULL, NULL), -EEXIST); /* two cards, one MAC */
	assert_int_equal(add_port(1, 1), 1); /* on another network it is another station */
	mac[0] |= ETH_ADDR_GROUP;
	assert_int_equal(switch_add_port(&sw, 0, mac, &queues[2], NULL, NULL), -EINVAL);
	assert_int_equal(switch_add_port(&sw, SWITCH_NETS, NULL, &queues[2], NULL, NULL), -EINVAL);
}

/* Entries of the learning table port owns. */
static unsigned owned(unsigned port)
{
	unsigned n = 0;

	for (int i = 0; i < SWITCH_FDB_ENTRIES; i++)
		n += sw.fdb[i].used && sw.fdb[i].port == port;
	return n;
}

/* Every port's queue emptied. */
static void drain(void)
{
	for (int p = 0; p < next; p++)
		while (take_tag(p) >= 0)
			;
}

/* Port sends from count made-up addresses (stations from first on), broadcast, at time now. */
static void spray(unsigned port, unsigned first, unsigned count, uint64_t now)
{
	for (unsigned s = first; s < first + count; s++) {
		uint8_t f[64];

		frame(f, 0xff, 0, 0, sizeof(f));
		station(f + ETH_ALEN, s);
		switch_input(&sw, port, f, sizeof(f), now);
		drain();
	}
}

#define SPRAYED 0x1000 /* the sprayers' made-up stations start here, apart from the tests' own */

static void a_spoofed_source_is_dropped_and_counted(void **state)
{
	(void)state;
	int victim = add_port(0, 1), talker = add_port(0, 2), attacker = add_port(0, 3), up = add(0);

	assert_int_equal(send(victim, 0xff, 1, 0, 0), 3);
	assert_int_equal(send(talker, 0xff, 2, 0, 0), 3);
	assert_int_equal(send(up, 2, 9, 0, 0), 1); /* station 9, the gateway, is behind the uplink */
	drain();
	/* The attacker sends as the victim, as the gateway and as nobody: all dropped, none learned. */
	assert_int_equal(send(attacker, 2, 1, 60, 1), -EINVAL);
	assert_int_equal(send(attacker, 2, 9, 61, 1), -EINVAL);
	assert_int_equal(send(attacker, 2, 77, 62, 1), -EINVAL);
	assert_int_equal(sw.port[attacker].stats.spoofed, 3);
	assert_int_equal(sw.port[attacker].stats.rx_frames, 0);
	assert_int_equal(switch_pending(&sw, talker), 0);
	/* The victim's unicast still reaches the victim, the gateway's the uplink, and nothing the attacker. */
	assert_int_equal(send(talker, 1, 2, 63, 2), 1);
	assert_int_equal(take_tag(victim), 63);
	assert_int_equal(send(talker, 9, 2, 64, 2), 1);
	assert_int_equal(take_tag(up), 64);
	assert_int_equal(switch_pending(&sw, attacker), 0);
	/* From its own MAC it sends as before. */
	assert_int_equal(send(attacker, 2, 3, 65, 3), 1);
	assert_int_equal(take_tag(talker), 65);
	assert_int_equal(sw.port[victim].stats.spoofed + sw.port[talker].stats.spoofed, 0);
}

static void the_uplink_cannot_claim_a_guests_mac(void **state)
{
	(void)state;
	int victim = add_port(0, 1), talker = add_port(0, 2), up = add(0);

	/* From outside, a frame with the victim's MAC as its source: dropped, counted on the uplink. */
	assert_int_equal(send(up, 2, 1, 70, 0), -EINVAL);
	assert_int_equal(sw.port[up].stats.spoofed, 1);
	assert_int_equal(switch_pending(&sw, talker), 0);
	/* The victim has sent nothing yet, and long ago is as good: a locked port's MAC is never forgotten. */
	assert_int_equal(send(talker, 1, 2, 71, 100 * AGE), 1);
	assert_int_equal(take_tag(victim), 71);
	assert_int_equal(switch_pending(&sw, up), 0);
	/* The same MAC on another network is not the victim. */
	int other = add(1), peer = add_port(1, 5);
	assert_int_equal(send(other, 5, 1, 72, 0), 1);
	assert_int_equal(take_tag(peer), 72);
}

/* A removed port frees its number and its MAC, forgets what it learned, and gets no more frames. */
static void a_removed_port_leaves_nothing_behind(void **state)
{
	(void)state;
	int card = add_port(0, 1), up = add(0), peer = add(0);

	assert_int_equal(send(up, 0xff, 9, 90, 0), 2); /* station 9 learned behind the uplink */
	take_tag(card);
	take_tag(peer);
	assert_int_equal(switch_remove_port(&sw, (unsigned)card), 0);
	assert_int_equal(switch_remove_port(&sw, (unsigned)card), -EINVAL);
	assert_int_equal(switch_remove_port(&sw, SWITCH_PORTS), -EINVAL);
	assert_int_equal(send(peer, 1, 2, 91, 1), 1); /* the card's MAC is unknown again: flooded to the uplink */
	assert_int_equal(take_tag(up), 91);
	assert_int_equal(switch_remove_port(&sw, (unsigned)up), 0);
	assert_int_equal(send(peer, 9, 2, 92, 2), 0); /* nothing left to reach, and nothing queued for the gone */
	/* Both numbers come back, the card's MAC with one of them. */
	uint8_t mac[ETH_ALEN];

	station(mac, 1);
	assert_int_equal(switch_add_port(&sw, 0, mac, &queues[card], kick, &queues[card]), card);
	assert_int_equal(switch_add_port(&sw, 0, NULL, &queues[up], kick, &queues[up]), up);
	assert_int_equal(send(peer, 9, 2, 93, 3), 2); /* station 9 was forgotten with its port: flooded */
	assert_int_equal(take_tag(card), 93);
	assert_int_equal(take_tag(up), 93);
}

static void a_sprayer_cannot_evict_another_networks_stations(void **state)
{
	(void)state;
	int sprayer = add(0), peer = add(0);
	int c = add(1), d = add(1), e = add(1); /* learning ports: their stations are in the table */

	(void)peer;
	assert_int_equal(send(c, 0xff, 1, 0, 0), 2);
	take_tag(d);
	take_tag(e);
	spray((unsigned)sprayer, SPRAYED, 4 * SWITCH_FDB_ENTRIES, 1);
	assert_int_equal(send(d, 1, 2, 80, 2), 1); /* station 1 is still known behind c: not flooded */
	assert_int_equal(take_tag(c), 80);
	assert_int_equal(switch_pending(&sw, e), 0);
	assert_true(owned((unsigned)sprayer) <= SWITCH_FDB_PORT_MAX);
}

static void an_uplink_sprayer_owns_at_most_its_bound(void **state)
{
	(void)state;
	int up = add(0), g1 = add_port(0, 1), g2 = add_port(0, 2), learner = add(0);

	assert_int_equal(send(learner, 0xff, 4, 0, 0), 3); /* another learning port's station */
	assert_int_equal(send(g2, 0xff, 2, 0, 0), 3);
	drain();
	spray((unsigned)up, SPRAYED, 4 * SWITCH_FDB_ENTRIES, 1);
	/* Neither the guests' stations nor the other learner's were evicted: unicast goes straight. */
	assert_int_equal(send(g1, 2, 1, 90, 2), 1);
	assert_int_equal(take_tag(g2), 90);
	assert_int_equal(send(g1, 4, 1, 91, 2), 1);
	assert_int_equal(take_tag(learner), 91);
	assert_int_equal(owned((unsigned)up), SWITCH_FDB_PORT_MAX);
	for (int b = 0; b < SWITCH_FDB_ENTRIES; b += SWITCH_FDB_WAYS) {
		unsigned mine = 0;

		for (int w = 0; w < SWITCH_FDB_WAYS; w++)
			mine += sw.fdb[b + w].used && sw.fdb[b + w].port == up;
		assert_true(mine <= SWITCH_FDB_PORT_WAYS);
	}
	/* Its newest address is known (it replaced its own oldest), and the other learner still learns. */
	assert_int_equal(send(g1, SPRAYED + 4 * SWITCH_FDB_ENTRIES - 1, 1, 92, 2), 1);
	assert_int_equal(take_tag(up), 92);
	assert_int_equal(send(learner, 0xff, 5, 0, 3), 3);
	drain();
	assert_int_equal(send(g1, 5, 1, 93, 3), 1);
	assert_int_equal(take_tag(learner), 93);
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
		cmocka_unit_test_setup(a_port_is_locked_to_one_mac_per_network, setup),
		cmocka_unit_test_setup(a_spoofed_source_is_dropped_and_counted, setup),
		cmocka_unit_test_setup(the_uplink_cannot_claim_a_guests_mac, setup),
		cmocka_unit_test_setup(a_removed_port_leaves_nothing_behind, setup),
		cmocka_unit_test_setup(a_sprayer_cannot_evict_another_networks_stations, setup),
		cmocka_unit_test_setup(an_uplink_sprayer_owns_at_most_its_bound, setup),
	};
	return run_unit_tests(tests);
}
