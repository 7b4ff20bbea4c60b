/*
 * Fuzz target: the switch's frame path (net/switch.c), as the NIC models will drive it: frames of any
 * length and content from any port, takes into buffers of any size, time moving on.
 *
 * Input: the number of ports (1..SWITCH_PORTS) and each port's network (0..3), then operations:
 * input(port, length, bytes), take(port, buffer size), advance the clock.
 *
 * Checked after every operation: bad frames (runt, oversize, group source) are refused with -EINVAL
 * and nothing else is; a frame is never queued for its own port or for a port on another network;
 * no queue holds more than SWITCH_QUEUE_SLOTS frames, its per-source counts add up to its length and
 * none is over its fair share; a taken frame is no longer than the buffer and is a valid frame.
 */
#include "core/errno.h"
#include "fuzz.h"
#include "net/switch.h"

#define MAX_OPS 512

static struct netswitch sw;
static struct switch_queue queues[SWITCH_PORTS];
static unsigned nports;

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
			FUZZ_CHECK(f->len >= ETH_HLEN && f->len <= ETH_FRAME_MAX, "queued frame of %u bytes", f->len);
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
	for (unsigned i = 0; i < nports; i++)
		FUZZ_CHECK(switch_add_port(&sw, take_u8(&in) % 4, &queues[i], NULL, NULL) == (int)i, "add port %u", i);

	for (int op = 0; op < MAX_OPS && in.left; op++) {
		uint8_t kind = take_u8(&in), port = take_u8(&in) % (SWITCH_PORTS + 1);
		unsigned len = take_u16(&in) % sizeof(frame);

		switch (kind % 3) {
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
			FUZZ_CHECK(port >= nports || switch_pending(&sw, port) == before - (before > 0),
				   "take moved on");
			break;
		}
		default:
			now += len;
		}
		check_queues();
	}
	return 0;
}
