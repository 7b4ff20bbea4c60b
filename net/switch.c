/*
 * The learning switch (net/switch.h). One lock covers the table and the queues: a frame's
 * lookup and its copies into the queues it floods to are one step that no other hart sees half
 * done. The learning table holds only what unlocked ports (the uplink) learn: a guest's locked
 * port is found by its MAC among the ports. Each network has its own share of the table, hashed by
 * MAC into buckets of SWITCH_FDB_WAYS entries; a port owns at most SWITCH_FDB_PORT_WAYS of a bucket,
 * and a new address takes a free entry, a forgotten one or the sender's own oldest, never another
 * port's live entry (so a port spraying source addresses evicts only its own).
 */
#include <string.h>
#include "core/errno.h"
#include "net/switch.h"

_Static_assert(SWITCH_FDB_NET_ENTRIES % SWITCH_FDB_WAYS == 0 &&
		       (SWITCH_FDB_NET_ENTRIES & (SWITCH_FDB_NET_ENTRIES - 1)) == 0,
	       "a network's share is a power of two of whole buckets");

static int is_group(const uint8_t *mac)
{
	return mac[0] & ETH_ADDR_GROUP;
}

/* The first entry of mac's bucket in net's share of the table. */
static struct switch_fdb_entry *fdb_bucket(struct netswitch *sw, unsigned net, const uint8_t *mac)
{
	unsigned h = 0x811c9dc5u; /* FNV-1a offset basis */

	for (int i = 0; i < ETH_ALEN; i++)
		h = (h ^ mac[i]) * 0x01000193u; /* FNV-1a step */
	return &sw->fdb[net * SWITCH_FDB_NET_ENTRIES + ((h & (SWITCH_FDB_NET_ENTRIES - 1)) & ~(SWITCH_FDB_WAYS - 1u))];
}

/* Has the entry's address sent within the ageing time? (A `now` read a little earlier on another hart is not later.) */
static int fdb_live(const struct netswitch *sw, const struct switch_fdb_entry *e, uint64_t now)
{
	return e->seen > now || now - e->seen <= sw->fdb_age;
}

/* The entry for mac on net, or NULL. */
static struct switch_fdb_entry *fdb_find(struct netswitch *sw, unsigned net, const uint8_t *mac)
{
	struct switch_fdb_entry *e = fdb_bucket(sw, net, mac);

	for (int i = 0; i < SWITCH_FDB_WAYS; i++, e++)
		if (e->used && !memcmp(e->mac, mac, ETH_ALEN))
			return e;
	return NULL;
}

/* The entry that sent longer ago (either may be NULL). */
static struct switch_fdb_entry *older(struct switch_fdb_entry *a, struct switch_fdb_entry *b)
{
	return !a || (b && b->seen < a->seen) ? b : a;
}

/*
 * The entry a new address sent from port takes in bucket b: a free one, else the oldest it may take
 * (its own, or a forgotten one); only its own oldest once it owns SWITCH_FDB_PORT_WAYS of the bucket.
 * NULL when the bucket is all other ports' live entries: the address is not learned (frames to it flood).
 */
static struct switch_fdb_entry *fdb_way(struct netswitch *sw, unsigned port, struct switch_fdb_entry *b, uint64_t now)
{
	struct switch_fdb_entry *free = NULL, *own = NULL, *forgotten = NULL;
	unsigned mine = 0;

	for (int i = 0; i < SWITCH_FDB_WAYS; i++) {
		struct switch_fdb_entry *e = &b[i];

		if (!e->used)
			free = free ? free : e;
		else if (e->port == port) {
			mine++;
			own = older(own, e);
		} else if (!fdb_live(sw, e, now))
			forgotten = older(forgotten, e);
	}
	if (mine >= SWITCH_FDB_PORT_WAYS)
		return own;
	return free ? free : older(own, forgotten);
}

/* An unlocked port sent from mac (a unicast address no locked port on its network has). */
static void fdb_learn(struct netswitch *sw, unsigned port, const uint8_t *mac, uint64_t now)
{
	unsigned net = sw->port[port].net;
	struct switch_fdb_entry *e = fdb_find(sw, net, mac);

	if (e && e->port != port)
		e->used = 0; /* a station that moved: learned anew behind its new port, within that port's bound */
	if (!e || !e->used) {
		e = fdb_way(sw, port, fdb_bucket(sw, net, mac), now);
		if (!e)
			return;
		memcpy(e->mac, mac, ETH_ALEN);
		e->used = 1;
		e->port = (uint8_t)port;
	}
	e->seen = now;
}

/* The port on net locked to mac, or -1. */
static int locked_port(const struct netswitch *sw, unsigned net, const uint8_t *mac)
{
	for (int i = 0; i < SWITCH_PORTS; i++) {
		const struct switch_port *p = &sw->port[i];

		if (p->used && p->locked && p->net == net && !memcmp(p->mac, mac, ETH_ALEN))
			return i;
	}
	return -1;
}

/* Where a unicast frame for mac goes: a port, or -1 to flood (unknown or forgotten). */
static int fdb_lookup(struct netswitch *sw, unsigned net, const uint8_t *mac, uint64_t now)
{
	int locked = locked_port(sw, net, mac);
	const struct switch_fdb_entry *e;

	if (locked >= 0)
		return locked;
	e = fdb_find(sw, net, mac);
	return e && fdb_live(sw, e, now) ? e->port : -1;
}

/* May port send from mac? A locked port only from its own; any other port from none of theirs. */
static int source_allowed(const struct netswitch *sw, unsigned port, const uint8_t *mac)
{
	const struct switch_port *p = &sw->port[port];

	return p->locked ? !memcmp(mac, p->mac, ETH_ALEN) : locked_port(sw, p->net, mac) < 0;
}

/* Slots of each port's queue one source may hold: an equal share among the net's other ports. */
static unsigned fair_share(const struct netswitch *sw, unsigned net)
{
	unsigned ports = 0;

	for (int i = 0; i < SWITCH_PORTS; i++)
		ports += sw->port[i].used && sw->port[i].net == net;
	return ports > 2 ? SWITCH_QUEUE_SLOTS / (ports - 1) : SWITCH_QUEUE_SLOTS;
}

/* Room for len bytes in q's ring: their offset and the bytes they take (padding too), or -1. */
static int ring_alloc(struct switch_queue *q, uint32_t len, uint32_t *span)
{
	uint32_t tail, pad = 0;

	if (!q->data_used)
		q->data_head = 0; /* empty: start again at the beginning */
	tail = (q->data_head + q->data_used) % SWITCH_QUEUE_BYTES;
	len = (len + SWITCH_FRAME_ALIGN - 1) & ~(SWITCH_FRAME_ALIGN - 1U);
	if (len > SWITCH_QUEUE_BYTES - tail) { /* a frame's bytes never wrap: skip to the start */
		pad = SWITCH_QUEUE_BYTES - tail;
		tail = 0;
	}
	if (len > SWITCH_QUEUE_BYTES - q->data_used || pad > SWITCH_QUEUE_BYTES - q->data_used - len)
		return -1;
	*span = pad + len;
	return (int)tail;
}

/* A slot and len bytes in port dst's queue for a frame from src, or NULL (dropped and counted). */
static uint8_t *reserve(struct netswitch *sw, unsigned dst, unsigned src, unsigned len, unsigned share, int group,
			const struct net_offload *o)
{
	struct switch_port *p = &sw->port[dst];
	struct switch_queue *q = p->queue;
	struct switch_frame *f;
	uint32_t span;
	int off;

	if (q->count == SWITCH_QUEUE_SLOTS) {
		p->stats.queue_full++;
		return NULL;
	}
	if (q->held[src] >= share ||
	    q->held_bytes[src] + len > (uint64_t)SWITCH_QUEUE_BYTES / SWITCH_QUEUE_SLOTS * share) {
		p->stats.over_share++;
		return NULL;
	}
	if (group && q->held_group[src] >= SWITCH_GROUP_SHARE) {
		p->stats.storm++;
		return NULL;
	}
	off = ring_alloc(q, len, &span);
	if (off < 0) {
		p->stats.queue_full++;
		return NULL;
	}
	f = &q->slot[(q->head + q->count) % SWITCH_QUEUE_SLOTS];
	f->off = (uint32_t)off;
	f->len = len;
	f->span = span;
	f->src_port = (uint8_t)src;
	f->group = (uint8_t)group;
	f->o = o ? *o : (struct net_offload){ 0 };
	q->data_used += span;
	q->held[src]++;
	q->held_group[src] += (uint8_t)group;
	q->held_bytes[src] += span;
	q->count++;
	return q->data + off;
}

/* The oldest frame of q leaves it. */
static void dequeue(struct switch_queue *q)
{
	const struct switch_frame *f = &q->slot[q->head];

	q->held[f->src_port]--;
	q->held_group[f->src_port] -= f->group;
	q->held_bytes[f->src_port] -= f->span;
	q->data_used -= f->span;
	q->data_head = (f->off + ((f->len + SWITCH_FRAME_ALIGN - 1) & ~(SWITCH_FRAME_ALIGN - 1U))) % SWITCH_QUEUE_BYTES;
	q->head = (q->head + 1) % SWITCH_QUEUE_SLOTS;
	q->count--;
}

struct seg_ctx {
	struct netswitch *sw;
	unsigned dst, src, share;
	int group, queued;
};

static uint8_t *reserve_seg(void *ctx, unsigned len)
{
	struct seg_ctx *c = ctx;
	uint8_t *at = reserve(c->sw, c->dst, c->src, len, c->share, c->group, NULL);

	c->queued |= at != NULL; /* no room stops the cutting: the rest of the send would not arrive either */
	return at;
}

/* Queue a frame for port dst as that port takes it: offloads it lacks are done here. 1 if queued. */
static int deliver_to(struct netswitch *sw, unsigned dst, unsigned src, const uint8_t *frame, unsigned len,
		      unsigned share, int group, const struct net_offload *o)
{
	struct switch_port *p = &sw->port[dst];
	unsigned lack = o ? o->flags & ~p->caps : 0;

	if (lack && (o->flags & NET_OFF_TSO4)) { /* a TSO frame's checksum is partial too: cut it whole */
		struct seg_ctx c = { sw, dst, src, share, group, 0 };

		p->stats.segmented++;
		net_gso_segment(frame, len, o, reserve_seg, &c);
		return c.queued;
	}
	uint8_t *at = reserve(sw, dst, src, len, share, group, o);
	if (!at)
		return 0;
	memcpy(at, frame, len);
	if (lack & NET_OFF_CSUM) {
		struct switch_frame *f = &p->queue->slot[(p->queue->head + p->queue->count - 1) % SWITCH_QUEUE_SLOTS];

		net_csum_complete(p->queue->data + f->off, f->len, &f->o);
		f->o.flags = 0;
	}
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

int switch_add_port(struct netswitch *sw, unsigned net, const uint8_t *mac, struct switch_queue *q,
		    void (*kick)(void *), void *ctx)
{
	struct switch_fdb_entry *learned;
	int port = -EBUSY;

	if (!q || net >= SWITCH_NETS || (mac && is_group(mac)))
		return -EINVAL;
	spin_lock(&sw->lock);
	learned = mac ? fdb_find(sw, net, mac) : NULL;
	if (mac && locked_port(sw, net, mac) >= 0)
		port = -EEXIST;
	else if (learned)
		learned->used = 0; /* learned from the uplink before the card existed: the card's now */
	for (int i = 0; i < SWITCH_PORTS && port == -EBUSY; i++)
		if (!sw->port[i].used) {
			memset(q, 0, sizeof(*q));
			sw->port[i] = (struct switch_port){ .used = 1,
							    .net = net,
							    .locked = mac != NULL,
							    .queue = q,
							    .kick = kick,
							    .ctx = ctx,
							    .group_tokens = SWITCH_GROUP_BURST };
			if (mac)
				memcpy(sw->port[i].mac, mac, ETH_ALEN);
			port = i;
		}
	spin_unlock(&sw->lock);
	return port;
}

int switch_remove_port(struct netswitch *sw, unsigned port)
{
	int ret = -EINVAL;

	spin_lock(&sw->lock);
	if (port < SWITCH_PORTS && sw->port[port].used) {
		for (int i = 0; i < SWITCH_FDB_ENTRIES; i++)
			if (sw->fdb[i].used && sw->fdb[i].port == port)
				sw->fdb[i].used = 0;
		memset(&sw->port[port], 0, sizeof(sw->port[port]));
		ret = 0;
	}
	spin_unlock(&sw->lock);
	return ret;
}

int switch_input(struct netswitch *sw, unsigned port, const void *frame, unsigned len, uint64_t now)
{
	return switch_input_offload(sw, port, frame, len, NULL, now);
}

void switch_set_caps(struct netswitch *sw, unsigned port, unsigned caps)
{
	if (port >= SWITCH_PORTS)
		return;
	spin_lock(&sw->lock);
	sw->port[port].caps = caps & (NET_CAP_CSUM | NET_CAP_TSO4);
	spin_unlock(&sw->lock);
}

int switch_input_offload(struct netswitch *sw, unsigned port, const void *frame, unsigned len,
			 const struct net_offload *o, uint64_t now)
{
	struct net_offload off = o ? *o : (struct net_offload){ 0 };
	const uint8_t *dst_mac = frame, *src_mac = (const uint8_t *)frame + ETH_ALEN;
	unsigned kick = 0; /* ports whose queue this frame made non-empty */
	int queued = 0;

	if (port >= SWITCH_PORTS || !sw->port[port].used)
		return -EINVAL;
	spin_lock(&sw->lock);
	struct switch_port *in = &sw->port[port];
	if (len < ETH_HLEN || len > (off.flags & NET_OFF_TSO4 ? NET_GSO_FRAME_MAX : ETH_FRAME_MAX)) {
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
	if (!source_allowed(sw, port, src_mac)) {
		in->stats.spoofed++;
		spin_unlock(&sw->lock);
		return -EINVAL;
	}
	if (off.flags && net_offload_check(frame, len, &off, ETH_FRAME_MAX)) {
		in->stats.bad_offload++;
		spin_unlock(&sw->lock);
		return -EINVAL;
	}
	if (!in->locked)
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
		if (deliver_to(sw, i, port, frame, len, share, is_group(dst_mac), off.flags ? &off : NULL)) {
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

int switch_deliver(struct netswitch *sw, unsigned port,
		   int (*deliver)(void *ctx, const uint8_t *frame, unsigned len, const struct net_offload *o),
		   void *ctx)
{
	int got = 0;

	if (port >= SWITCH_PORTS || !sw->port[port].used)
		return -EINVAL;
	spin_lock(&sw->lock);
	struct switch_port *p = &sw->port[port];
	struct switch_queue *q = p->queue;
	if (q->count) {
		struct switch_frame *f = &q->slot[q->head];
		uint8_t *data = q->data + f->off;

		/* The port gave up an offload since the frame was queued (its driver reset). */
		if ((f->o.flags & ~p->caps) & NET_OFF_CSUM && !(f->o.flags & NET_OFF_TSO4)) {
			net_csum_complete(data, f->len, &f->o);
			f->o.flags = 0;
		}
		if (f->o.flags & ~p->caps)
			got = -ENOSPC;
		else
			got = deliver(ctx, data, f->len, &f->o);
		if (got > 0)
			p->stats.tx_frames++;
		else
			p->stats.too_big++;
		dequeue(q);
	}
	spin_unlock(&sw->lock);
	return got;
}

struct take_ctx {
	uint8_t *buf;
	unsigned buflen;
};

static int take_copy(void *ctx, const uint8_t *frame, unsigned len, const struct net_offload *o)
{
	struct take_ctx *t = ctx;

	if (len > t->buflen || (o->flags & NET_OFF_TSO4))
		return -ENOSPC;
	memcpy(t->buf, frame, len);
	if (o->flags & NET_OFF_CSUM)
		net_csum_complete(t->buf, len, o);
	return (int)len;
}

int switch_take(struct netswitch *sw, unsigned port, void *buf, unsigned buflen)
{
	struct take_ctx t = { buf, buflen };

	return switch_deliver(sw, port, take_copy, &t);
}

unsigned switch_pending(struct netswitch *sw, unsigned port)
{
	return port < SWITCH_PORTS && sw->port[port].used ? sw->port[port].queue->count : 0;
}

unsigned switch_next_len(struct netswitch *sw, unsigned port)
{
	unsigned len = 0;

	if (port >= SWITCH_PORTS || !sw->port[port].used)
		return 0;
	spin_lock(&sw->lock);
	const struct switch_queue *q = sw->port[port].queue;
	if (q->count)
		len = q->slot[q->head].len;
	spin_unlock(&sw->lock);
	return len;
}
