/* Guest-facing virtio-mmio transport, version 2 (virtio 1.1, 4.2.2). */
#include "vdev/virtio/transport.h"
#include <stddef.h>
#include <string.h>

static void shadow_reg(struct virtio_mmio *t, uint64_t off);
static void shadow_live(struct virtio_mmio *t);
static void shadow_all(struct virtio_mmio *t);

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_dev_ops *ops, void *dev, const struct vq_mem *mem,
		      void (*set_irq)(void *, int), void *irq_ctx)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->dev = dev;
	t->mem = *mem;
	t->set_irq = set_irq;
	t->irq_ctx = irq_ctx;
	shadow_all(t);
}

/* With the lock held: one turn on queue q; what is left is resumed later (defer). */
static void turn(struct virtio_mmio *t, unsigned q)
{
	if (!t->ops->notify(t->dev, q)) {
		t->resume &= ~(1U << q);
		return;
	}
	t->resume |= 1U << q;
	if (t->defer)
		t->defer(t->defer_ctx);
}

void virtio_mmio_notify(struct virtio_mmio *t, unsigned q)
{
	t->vq[q].notified = 1; /* entries published before it may start a batch, even in a resume turn */
	turn(t, q);
}

int virtio_mmio_resume(struct virtio_mmio *t)
{
	uint32_t q;

	spin_lock(&t->lock);
	q = t->resume;
	t->resume = 0; /* each queue still with work left sets its bit again (turn) */
	for (unsigned i = 0; q; i++, q >>= 1)
		if ((q & 1) && i < t->ops->nqueues && t->vq[i].ready && virtio_mmio_live(t)) {
			t->vq[i].hold = 1;
			turn(t, i);
			t->vq[i].hold = 0;
		}
	q = t->resume;
	virtio_mmio_unlock(t);
	return q != 0;
}

static void reset_locked(struct virtio_mmio *t)
{
	t->ops->reset(t->dev);
	t->status = 0;
	t->driver_features = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->gen++;
	t->resume = 0; /* the rings go with the work left in them */
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&t->vq[i]);
	if (t->isr) {
		t->isr = 0;
		t->set_irq(t->irq_ctx, 0);
	}
	shadow_live(t);
}

void virtio_mmio_unlock(struct virtio_mmio *t)
{
	if (!t->ops->kicked) {
		spin_unlock(&t->lock);
		return;
	}
	for (;;) {
		uint32_t q = __atomic_load_n(&t->deferred, __ATOMIC_RELAXED)
				     ? __atomic_exchange_n(&t->deferred, 0, __ATOMIC_ACQ_REL)
				     : 0;

		for (unsigned i = 0; q; i++, q >>= 1)
			if ((q & 1) && i < t->ops->nqueues && t->vq[i].ready && virtio_mmio_live(t))
				virtio_mmio_notify(t, i);
		spin_unlock(&t->lock);
		/* A kick that found the lock taken after the exchange above is ours to do. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&t->deferred, __ATOMIC_RELAXED) || !spin_trylock(&t->lock))
			return;
	}
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned q)
{
	__atomic_fetch_or(&t->deferred, 1U << q, __ATOMIC_SEQ_CST);
	if (spin_trylock(&t->lock))
		virtio_mmio_unlock(t);
}

void virtio_mmio_reset(struct virtio_mmio *t)
{
	spin_lock(&t->lock);
	reset_locked(t);
	virtio_mmio_unlock(t);
}

void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits)
{
	t->isr |= bits;
	shadow_reg(t, VIRTIO_MMIO_INTERRUPT_STATUS);
	/* The guest's handler reads the shadow without an exit: it must see the bits before the interrupt. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->set_irq(t->irq_ctx, 1);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t)
{
	t->protocol_errors++;
	if (t->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	shadow_reg(t, VIRTIO_MMIO_STATUS);
	/* 2.1.2: a device entering NEEDS_RESET sends a configuration change notification once live. */
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

int virtio_mmio_live(const struct virtio_mmio *t)
{
	return (t->status & (VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_NEEDS_RESET |
			     VIRTIO_CONFIG_S_FAILED)) == (VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK);
}

static struct virtq *selected(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->nqueues ? &t->vq[t->queue_sel] : NULL;
}

static uint64_t device_features(const struct virtio_mmio *t)
{
	return t->ops->features(t->dev) | VIRTIO_BIT(VIRTIO_F_VERSION_1);
}

/* The ring features the driver accepted, as the queue walker applies them (fixed once FEATURES_OK sticks). */
static void queue_features(const struct virtio_mmio *t, struct virtq *q)
{
	q->indirect = (t->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
		      (t->driver_features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC));
}

static uint32_t reg_read(struct virtio_mmio *t, uint64_t off)
{
	struct virtq *q = selected(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_KEEL_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->dev_features_sel < 2 ? (uint32_t)(device_features(t) >> (32 * t->dev_features_sel)) : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? (uint32_t)q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->isr;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return ~0U; /* 4.2.2: no shared memory region */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0; /* the configuration never changes */
	default:
		return 0;
	}
}

/* ---- the shadow page: every word as reg_read or the device's config_read gives it ---- */

/* Registers whose value follows the driver's writes or the device's state; the others never change. */
static const uint16_t live_regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES,  VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_STATUS,
};

/* One word; a guest on another hart may be reading it meanwhile. */
static void shadow_set(struct virtio_mmio *t, uint64_t off, uint32_t val)
{
	__atomic_store_n(&t->shadow[off / sizeof(uint32_t)], val, __ATOMIC_RELAXED);
}

static void shadow_reg(struct virtio_mmio *t, uint64_t off)
{
	shadow_set(t, off, reg_read(t, off));
}

static void shadow_live(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < sizeof(live_regs) / sizeof(live_regs[0]); i++)
		shadow_reg(t, live_regs[i]);
}

/* The whole page: the registers, then the configuration space (fixed while the device exists). */
static void shadow_all(struct virtio_mmio *t)
{
	uint64_t off;

	for (off = 0; off < VIRTIO_MMIO_CONFIG; off += sizeof(uint32_t))
		shadow_reg(t, off);
	for (; off < VIRTIO_MMIO_WINDOW; off += sizeof(uint32_t)) {
		unsigned cfg_off = (unsigned)(off - VIRTIO_MMIO_CONFIG);

		shadow_set(t, off, (uint32_t)t->ops->config_read(t->dev, cfg_off, sizeof(uint32_t)));
	}
}

static void set_u64_half(uint64_t *v, int high, uint32_t val)
{
	*v = high ? (*v & 0xffffffffULL) | ((uint64_t)val << 32) : (*v & ~0xffffffffULL) | val;
}

static void write_status(struct virtio_mmio *t, uint32_t val)
{
	uint32_t old = t->status;

	if (!val) {
		reset_locked(t);
		return;
	}
	val &= ~VIRTIO_CONFIG_S_NEEDS_RESET; /* the device's bit, not the driver's */
	/* 3.1.1: bits are only ever added until reset. */
	if ((old & ~VIRTIO_CONFIG_S_NEEDS_RESET) & ~val) {
		virtio_mmio_needs_reset(t);
		return;
	}
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* 2.2.2: accept only a subset of what was offered, and only the modern interface. */
		if ((t->driver_features & ~device_features(t)) ||
		    !(t->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
			val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(val & VIRTIO_CONFIG_S_FEATURES_OK)) {
		t->status = (old | val) & ~VIRTIO_CONFIG_S_DRIVER_OK;
		virtio_mmio_needs_reset(t);
		return;
	}
	t->status = val | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Queues made ready before FEATURES_OK (3.1.1 puts them after) get the final set now. */
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !(old & VIRTIO_CONFIG_S_FEATURES_OK))
		for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
			queue_features(t, &t->vq[i]);
	/* Buffers may have been offered before DRIVER_OK (3.1.1 allows it). */
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK) && virtio_mmio_live(t))
		for (unsigned i = 0; i < t->ops->nqueues; i++)
			if (t->vq[i].ready)
				virtio_mmio_notify(t, i);
}

static void reg_write(struct virtio_mmio *t, uint64_t off, uint32_t val)
{
	struct virtq *q = selected(t);
	/* Queue layout is fixed while the queue is ready (4.2.3.2). */
	struct virtq *qw = q && !q->ready ? q : NULL;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Only while negotiating: after FEATURES_OK the set is fixed. */
		if (t->drv_features_sel < 2 && !(t->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_u64_half(&t->driver_features, t->drv_features_sel == 1, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (qw)
			qw->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (qw)
			set_u64_half(&qw->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (qw)
			set_u64_half(&qw->avail_gpa, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (qw)
			set_u64_half(&qw->used_gpa, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q)
			break;
		if (!val) {
			q->ready = 0;
		} else if (!q->ready) {
			if (virtq_enable(q, &t->mem, t->ops->queue_num_max))
				virtio_mmio_needs_reset(t);
			else
				queue_features(t, q);
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val < t->ops->nqueues && t->vq[val].ready && virtio_mmio_live(t))
			virtio_mmio_notify(t, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->isr &= ~val;
		if (!t->isr)
			t->set_irq(t->irq_ctx, 0);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, val);
		break;
	default:
		break; /* read-only or unknown: ignored */
	}
}

static int vmmio_read(void *dev, uint64_t off, unsigned width, uint64_t *val)
{
	struct virtio_mmio *t = dev;

	if (off >= VIRTIO_MMIO_CONFIG) {
		spin_lock(&t->lock);
		*val = t->ops->config_read(t->dev, (unsigned)(off - VIRTIO_MMIO_CONFIG), width);
		virtio_mmio_unlock(t);
		return MMIO_OK;
	}
	if (width != 4)
		return MMIO_FAULT;
	spin_lock(&t->lock);
	*val = reg_read(t, off);
	virtio_mmio_unlock(t);
	return MMIO_OK;
}

static int vmmio_write(void *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct virtio_mmio *t = dev;

	if (off >= VIRTIO_MMIO_CONFIG)
		return MMIO_OK; /* no writable configuration fields are offered */
	if (width != 4)
		return MMIO_FAULT;
	spin_lock(&t->lock);
	reg_write(t, off, (uint32_t)val);
	/* The writes of every request change one word or none (a notify's interrupt and NEEDS_RESET
	 * write their own); the rest are setup, which may change any live register. */
	if (off == VIRTIO_MMIO_INTERRUPT_ACK)
		shadow_reg(t, VIRTIO_MMIO_INTERRUPT_STATUS);
	else if (off != VIRTIO_MMIO_QUEUE_NOTIFY)
		shadow_live(t);
	virtio_mmio_unlock(t);
	return MMIO_OK;
}

const struct mmio_ops virtio_mmio_ops = { .read = vmmio_read, .write = vmmio_write };
