/* G-stage (stage-2) page tables: Sv39x4 and Sv48x4 (priv spec 8.5). */
#ifndef KEEL_MM_STAGE2_H
#define KEEL_MM_STAGE2_H
#include <stdint.h>

#define S2_READ 0x1
#define S2_WRITE 0x2
#define S2_EXEC 0x4
#define S2_RWX (S2_READ | S2_WRITE | S2_EXEC)

#define S2_ROOT_SIZE (16 * 1024) /* x4 modes: 2 extra GPA bits in the root */
#define S2_TABLE_SIZE 4096
#define SZ_4K 0x1000UL
#define SZ_2M 0x200000UL
#define SZ_1G 0x40000000UL

/* Returns the physical address of a zeroed table of `size` bytes aligned to `size`, or 0. */
typedef uint64_t (*s2_alloc_fn)(uint64_t size);
/* Gives back a table s2_alloc_fn returned. */
typedef void (*s2_free_fn)(uint64_t pa, uint64_t size);

struct stage2 {
	uint64_t root; /* physical address of the 16 KiB root */
	unsigned long mode; /* HGATP_MODE_SV39X4 or HGATP_MODE_SV48X4 */
	int levels;
	s2_alloc_fn alloc;
	s2_free_fn release;
	unsigned long mapped_4k, mapped_2m, mapped_1g; /* mapping counts, for the boot log and tests */
};

/* Keel's tables are reached by physical address (satp is Bare); host tests use real pointers. */
#define S2_TABLE(pa) ((uint64_t *)(uintptr_t)(pa))

int stage2_init(struct stage2 *s2, unsigned long mode, s2_alloc_fn alloc, s2_free_fn release);
/* Free every table, the root included. */
void stage2_destroy(struct stage2 *s2);
/*
 * Map [gpa, gpa+size) to [hpa, ...) with the largest pages alignment allows. All or nothing:
 * on an error the part already mapped is taken out again and the tables it added are freed.
 */
int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned prot);
/* Software walk: 0 and the host address, or -1 if unmapped. */
int stage2_translate(const struct stage2 *s2, uint64_t gpa, uint64_t *hpa, unsigned *prot);
uint64_t stage2_hgatp(const struct stage2 *s2, unsigned long vmid);
/*
 * The leaf PTE that maps gpa, for switching that mapping off and on in place (stage2_leaf_set):
 * NULL when gpa is not mapped. While it is off the guest's accesses fault as if it were unmapped.
 */
uint64_t *stage2_leaf(struct stage2 *s2, uint64_t gpa);
/*
 * Switch a leaf from stage2_leaf off (0) or on (1), one atomic store. Off takes effect on a hart
 * once it runs HFENCE.GVMA; on needs none (no hart keeps a translation it could not make).
 */
void stage2_leaf_set(uint64_t *pte, int on);
/* Highest guest-physical address + 1 this mode can map. */
uint64_t stage2_gpa_limit(unsigned long mode);

#endif
