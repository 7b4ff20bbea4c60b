/*
 * A learning L2 switch between VMs' NICs and the machine's uplink. Each port sits on one named
 * network (an index here); frames never cross networks. Unicast goes to the port that last sent
 * from the destination MAC on that network, broadcast, multicast and unknown destinations flood
 * within it. Every port has a bounded queue of frames waiting for it, and a source may hold only
 * its fair share of any queue, so a port flooding the switch cannot starve the others.
 *
 * Pure logic, no hart or device: the NIC models feed it frames (switch_input) and take theirs
 * (switch_take) when they have receive buffers; kick() tells a port's owner it has frames.
 */
#ifndef KEEL_NET_SWITCH_H
#define KEEL_NET_SWITCH_H
#include <stdint.h>
#include "core/spinlock.h"
#include "net/eth.h"
#include "net/offload.h"

#define SWITCH_PORTS 16
#define SWITCH_QUEUE_SLOTS 128 /* frames waiting for one port */
/* Bytes of frames waiting for one port: room for several 64 KiB offloaded frames. */
#define SWITCH_QUEUE_BYTES (512 * 1024)
#define SWITCH_FRAME_ALIGN 8 /* frames start on word boundaries in the ring: word copies and checksums */
/*
 * Storm control: of any queue, one source's broadcast and multicast frames may hold at most this
 * many slots (its unicast frames are bound by the fair share only), so a broadcast flood, which
 * reaches every port of the network, takes a small part of each receiver's frames.
 */
#define SWITCH_GROUP_SHARE (SWITCH_QUEUE_SLOTS / 8)
/* ... and over time, a port sends broadcast/multicast frames at a set rate with bursts of this many. */
#define SWITCH_GROUP_BURST 32
#define SWITCH_NETS 8 /* networks 0..SWITCH_NETS-1 */
#define SWITCH_FDB_ENTRIES 1024 /* learned addresses, all networks together; a power of two */
/* Each network learns in its own share of the table: a port spraying source addresses on one never evicts another's. */
#define SWITCH_FDB_NET_ENTRIES (SWITCH_FDB_ENTRIES / SWITCH_NETS)
#define SWITCH_FDB_WAYS 8 /* entries of a bucket: a (network, MAC) hashes to one bucket of its network's share */
/* One port owns at most half of any bucket, so half its network's share: a new address it sends from
 * then replaces its own oldest, and the other ports of the network keep room to learn. */
#define SWITCH_FDB_PORT_WAYS (SWITCH_FDB_WAYS / 2)
#define SWITCH_FDB_PORT_MAX (SWITCH_FDB_NET_ENTRIES / SWITCH_FDB_WAYS * SWITCH_FDB_PORT_WAYS)

/* A queued frame: len bytes at data[off] of its queue, span bytes of the ring counted to it. */
struct switch_frame {
	uint32_t off, len, span;
	uint8_t src_port;
	uint8_t group; /* to a broadcast or multicast address */
	struct net_offload o; /* flags 0: a plain frame */
};

/* The frames waiting for one port, oldest first, their bytes in a ring. Its owner provides it (it is large). */
struct switch_queue {
	struct switch_frame slot[SWITCH_QUEUE_SLOTS];
	unsigned head, count;
	uint32_t data_head, data_used; /* the oldest frame's first byte; bytes taken, padding included */
	uint8_t held[SWITCH_PORTS]; /* slots holding frames from each source port */
	uint8_t held_group[SWITCH_PORTS]; /* of those, frames to group addresses */
	uint32_t held_bytes[SWITCH_PORTS]; /* ring bytes holding frames from each source port */
	uint8_t data[SWITCH_QUEUE_BYTES];
};

struct switch_port_stats {
	uint64_t rx_frames; /* accepted from this port */
	uint64_t tx_frames; /* taken by this port's owner */
	uint64_t runt; /* shorter than an Ethernet header */
	uint64_t oversize; /* longer than ETH_FRAME_MAX */
	uint64_t bad_source; /* group source address: never learned, never forwarded */
	uint64_t spoofed; /* dropped on the way in: not its locked MAC, or (an unlocked port) a locked port's MAC */
	uint64_t over_share; /* dropped on the way in: the source held its share of this port's queue */
	uint64_t storm; /* dropped on the way in: the source held its SWITCH_GROUP_SHARE of group frames */
	uint64_t rate_limited; /* group frames this port sent over its rate (switch_set_group_rate) */
	uint64_t queue_full; /* dropped on the way in: this port's queue was full */
	uint64_t too_big; /* taken into a buffer too small for it: dropped */
	uint64_t bad_offload; /* offload metadata that does not fit the frame: dropped on the way in */
	uint64_t segmented; /* offloaded frames cut into wire frames for this port (it does not take them) */
};

struct switch_fdb_entry {
	uint8_t mac[ETH_ALEN];
	uint8_t used;
	uint8_t port;
	uint64_t seen; /* switch_input's `now` when the address last sent */
};

struct switch_port {
	int used;
	unsigned net;
	uint8_t locked; /* sends only from mac, and no other port may; else it learns any source address */
	uint8_t mac[ETH_ALEN];
	struct switch_queue *queue;
	void (*kick)(void *ctx); /* the queue went from empty to not empty (called without the lock) */
	void *ctx;
	unsigned caps; /* NET_CAP_*: offloaded frames it takes as they are */
	unsigned group_tokens; /* group frames it may send now */
	uint64_t group_refill; /* `now` of the last token counted */
	struct switch_port_stats stats;
};

struct netswitch {
	spinlock_t lock;
	uint64_t fdb_age; /* a learned address older than this (in `now` units) is forgotten */
	uint64_t group_interval; /* `now` units per group frame a port may send; 0: no limit */
	struct switch_port port[SWITCH_PORTS];
	struct switch_fdb_entry fdb[SWITCH_FDB_ENTRIES];
};

void switch_init(struct netswitch *sw, uint64_t fdb_age);
/* Storm control over time: each port may send one broadcast/multicast frame per `interval` (in
 * `now` units) on average, in bursts of up to SWITCH_GROUP_BURST; 0 (the default) for no limit. */
void switch_set_group_rate(struct netswitch *sw, uint64_t interval);
/*
 * A port on network `net` (< SWITCH_NETS), locked to `mac` (a guest's NIC), or NULL for a port that
 * learns any source address (the uplink, which carries the outside world's). Returns its number, or
 * -EINVAL, -EEXIST (a port on the network is locked to that MAC) or -EBUSY (no port left).
 */
int switch_add_port(struct netswitch *sw, unsigned net, const uint8_t *mac, struct switch_queue *q,
		    void (*kick)(void *), void *ctx);
/*
 * The port goes: its number, its MAC and what was learned on it are free for another port, and no
 * frame is queued for it any more (its queue is its owner's again). Frames it sent that wait in
 * other queues are still delivered. -EINVAL for a port that is not in use.
 */
int switch_remove_port(struct netswitch *sw, unsigned port);
/*
 * A frame sent by `port` at time `now`. Returns how many ports it was queued for (0 when filtered
 * or dropped for lack of room), or -EINVAL when the frame itself is bad or its source address one
 * the port may not send from (counted on the port).
 */
int switch_input(struct netswitch *sw, unsigned port, const void *frame, unsigned len, uint64_t now);
/*
 * The same for a frame with offload metadata (NULL or flags 0: plain). An offloaded frame may be up
 * to NET_GSO_FRAME_MAX bytes; ports without the capability get it checksummed and cut into wire frames.
 */
int switch_input_offload(struct netswitch *sw, unsigned port, const void *frame, unsigned len,
			 const struct net_offload *o, uint64_t now);
/* Which offloaded frames the port takes as they are (NET_CAP_*; 0, the default, for plain frames only). */
void switch_set_caps(struct netswitch *sw, unsigned port, unsigned caps);
/* The oldest frame waiting for `port`, copied into buf: its length, 0 when none, -ENOSPC when buf
 * is too small for it (it is dropped and counted, so one bad buffer cannot wedge the queue). A
 * partial checksum the port cannot take is completed in buf. */
int switch_take(struct netswitch *sw, unsigned port, void *buf, unsigned buflen);
/*
 * The oldest frame waiting for `port`, handed to deliver (with the lock held: it must not call the
 * switch) and removed: deliver's result (<= 0 when it could not use the frame: dropped and counted
 * as too_big), or 0 when none waits.
 */
int switch_deliver(struct netswitch *sw, unsigned port,
		   int (*deliver)(void *ctx, const uint8_t *frame, unsigned len, const struct net_offload *o),
		   void *ctx);
unsigned switch_pending(struct netswitch *sw, unsigned port);
/* The length of the oldest frame waiting for `port`, 0 when none. */
unsigned switch_next_len(struct netswitch *sw, unsigned port);

#endif
