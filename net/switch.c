/*
 * The learning switch (net/switch.h). One lock covers the table and the queues: a frame's
 * lookup and its copies into the queues it floods to are one step that no other hart sees half
 * done. The learning table is a hash of (network, MAC) into buckets of FDB_WAYS entries; a
 * full bucket forgets its oldest entry.
 */
#include <string.h>
#include "core/errno.h"
#include "net/switch.h"

#define FDB_WAYS 8

static unsigned fdb_bucket(unsigned net, const uint8_t *mac)
{
	unsigned h = net * 0x9e3779b1u;

	for (int i = 0; i < ETH_ALEN; i++)
		h = (h ^ mac[i]) * 0x01000193u; /* FNV-1a step */
	return (h & (SWITCH_FDB_ENTRIES - 1)) & ~(FDB_WAYS - 1u);
}

static int is_group(const uint8_t *mac)
{
	return mac[0] & ETH_ADDR_GROUP;
}

/* The entry for mac on net, or NULL. */
static struct switch_fdb_entry *fdb_find(struct netswitch *sw, unsigned net, const uint8_t *mac)
{
	struct switch_fdb_entry *e = &sw->fdb[fdb_bucket(net, mac)];

	for (int i = 0; i < FDB_WAYS; i++, e++)
		if (e->used && sw->port[e->port].net == net && !memcmp(e->mac, mac, ETH_ALEN))
			return e;
	return NULL;
}

static void fdb_learn(struct netswitch *sw, unsigned port, const uint8_t *mac, uint64_t now)
{
	unsigned net = sw->port[port].net;
	struct switch_fdb_entry *e = fdb_find(sw, net, mac);

	if (!e) {
		struct switch_fdb_entry *b = &sw->fdb[fdb_bucket(net, mac)];

		e = b; /* the first free way, else the one that sent longest ago */
		for (int i = 1; i < FDB_WAYS && e->used; i++)
			if (!b[i].used || b[i].seen < e->seen)
				e = &b[i];
		memcpy(e->mac, mac, ETH_ALEN);
		e->used = 1;
	}
	e->port = port; /* a station that moved is now behind its new port */
	e->seen = now;
}

/* Where a unicast frame for mac goes: a port, or -1 to flood (unknown or forgotten). */
static int fdb_lookup(struct netswitch *sw, unsigned net, const uint8_t *mac, uint64_t now)
{
	const struct switch_fdb_entry *e = fdb_find(sw, net, mac);

	return e && now - e->seen <= sw->fdb_age ? e->port : -1;
}

/* Slots of each port's queue one source may hold: an equal share among the net's other ports. */
static unsigned fair_share(const struct netswitch *sw, unsigned net)
{
	unsigned ports = 0;

	for (int i = 0; i < SWITCH_PORTS; i++)
		ports += sw->port[i].used && sw->port[i].net == net;
	return ports > 2 ? SWITCH_QUEUE_SLOTS / (ports - 1) : SWITCH_QUEUE_SLOTS;
}

/* Queue the frame for port dst; returns 1 if queued and whether dst needs a kick in *kick. */
static int enqueue(struct netswitch *sw, unsigned dst, unsigned src, const void *frame, unsigned len, unsigned share,
		   int group)
{
	struct switch_port *p = &sw->port[dst];
	struct switch_queue *q = p->queue;
	struct switch_frame *f;

	if (q->count == SWITCH_QUEUE_SLOTS) {
		p->stats.queue_full++;
		return 0;
	}
	if (q->held[src] >= share) {
		p->stats.over_share++;
		return 0;
	}
	if (group && q->held_group[src] >= SWITCH_GROUP_SHARE) {
		p->stats.storm++;
		return 0;
	}
	f = &q->slot[(q->head + q->count) % SWITCH_QUEUE_SLOTS];
	memcpy(f->data, frame, len);
	f->len = len;
	f->src_port = src;
	f->group = (uint8_t)group;
	q->held[src]++;
	q->held_group[src] += (uint8_t)group;
	q->count++;
	return 1;
}

void switch_init(struct netswitch *sw, uint64_t fdb_age)
{
	memset(sw, 0, sizeof(*sw));
	sw->fdb_age = fdb_age;
}

void switch_set_group_rate(struct netswitch *sw, uint64_t interval)
{
	sw->group_interval = interval;
}

/* With the lock held: may this port send a group frame at `now`? Takes a token when it may. */
static int group_token(struct netswitch *sw, struct switch_port *p, uint64_t now)
{
	uint64_t add;

	if (!sw->group_interval)
		return 1;
	add = (now - p->group_refill) / sw->group_interval;
	if (add >= SWITCH_GROUP_BURST - p->group_tokens) {
		p->group_tokens = SWITCH_GROUP_BURST;
		p->group_refill = now;
	} else {
		p->group_tokens += (unsigned)add;
		p->group_refill += add * sw->group_interval;
	}
	if (!p->group_tokens)
		return 0;
	p->group_tokens--;
	return 1;
}

int switch_add_port(struct netswitch *sw, unsigned net, struct switch_queue *q, void (*kick)(void *), void *ctx)
{
	int port = -EBUSY;

	if (!q)
		return -EINVAL;
	spin_lock(&sw->lock);
	for (int i = 0; i < SWITCH_PORTS; i++)
		if (!sw->port[i].used) {
			memset(q, 0, sizeof(*q));
			sw->port[i] = (struct switch_port){ .used = 1,
							    .net = net,
							    .queue = q,
							    .kick = kick,
							    .ctx = ctx,
							    .group_tokens = SWITCH_GROUP_BURST };
			port = i;
			break;
		}
	spin_unlock(&sw->lock);
	return port;
}

int switch_input(struct netswitch *sw, unsigned port, const void *frame, unsigned len, uint64_t now)
{
	const uint8_t *dst_mac = frame, *src_mac = (const uint8_t *)frame + ETH_ALEN;
	unsigned kick = 0; /* ports whose queue this frame made non-empty */
	int queued = 0;

	if (port >= SWITCH_PORTS || !sw->port[port].used)
		return -EINVAL;
	spin_lock(&sw->lock);
	struct switch_port *in = &sw->port[port];
	if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
		if (len < ETH_HLEN)
			in->stats.runt++;
		else
			in->stats.oversize++;
		spin_unlock(&sw->lock);
		return -EINVAL;
	}
	if (is_group(src_mac)) {
		in->stats.bad_source++;
		spin_unlock(&sw->lock);
		return -EINVAL;
	}
	fdb_learn(sw, port, src_mac, now);
	if (is_group(dst_mac) && !group_token(sw, in, now)) {
		in->stats.rate_limited++;
		spin_unlock(&sw->lock);
		return 0;
	}
	in->stats.rx_frames++;

	unsigned share = fair_share(sw, in->net);
	int to = is_group(dst_mac) ? -1 : fdb_lookup(sw, in->net, dst_mac, now);
	for (unsigned i = 0; i < SWITCH_PORTS; i++) {
		struct switch_port *out = &sw->port[i];

		if (i == port || !out->used || out->net != in->net || (to >= 0 && (unsigned)to != i))
			continue;
		int was_empty = out->queue->count == 0;
		if (enqueue(sw, i, port, frame, len, share, is_group(dst_mac))) {
			queued++;
			kick |= (unsigned)was_empty << i;
		}
	}
	spin_unlock(&sw->lock);
	for (unsigned i = 0; kick; i++, kick >>= 1)
		if ((kick & 1) && sw->port[i].kick)
			sw->port[i].kick(sw->port[i].ctx);
	return queued;
}

int switch_take(struct netswitch *sw, unsigned port, void *buf, unsigned buflen)
{
	int len = 0;

	if (port >= SWITCH_PORTS || !sw->port[port].used)
		return -EINVAL;
	spin_lock(&sw->lock);
	struct switch_port *p = &sw->port[port];
	struct switch_queue *q = p->queue;
	if (q->count) {
		const struct switch_frame *f = &q->slot[q->head];

		if (f->len <= buflen) {
			memcpy(buf, f->data, f->len);
			len = f->len;
			p->stats.tx_frames++;
		} else {
			p->stats.too_big++;
			len = -ENOSPC;
		}
		q->held[f->src_port]--;
		q->held_group[f->src_port] -= f->group;
		q->head = (q->head + 1) % SWITCH_QUEUE_SLOTS;
		q->count--;
	}
	spin_unlock(&sw->lock);
	return len;
}

unsigned switch_pending(struct netswitch *sw, unsigned port)
{
	return port < SWITCH_PORTS && sw->port[port].used ? sw->port[port].queue->count : 0;
}
