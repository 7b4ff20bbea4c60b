/* A test-and-set spinlock (harts only; Keel never takes interrupts in HS-mode). */
#ifndef KEEL_CORE_SPINLOCK_H
#define KEEL_CORE_SPINLOCK_H

typedef struct {
	volatile int locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
