/* VM objects: creation from configuration, and whole-VM stop and restart. */
#include "vm/lifecycle.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/sbi_defs.h"
#include "board/board.h"
#include "board/vdisk.h"
#include "board/vnet.h"
#include "core/console.h"
#include "core/errno.h"
#include "vcpu/aia.h"
#include "core/hart.h"
#include "drivers/platform.h"
#include "lib/printf.h"
#include "mm/palloc.h"
#include "vm/config.h"
#include "vm/loader.h"
#include "vm/vmid.h"
#include <libfdt.h>
#include <string.h>

struct vm vms[MAX_VMS];
int nvms;
static struct vcpu vcpu_pool[MAX_VMS * MAX_VCPUS_PER_VM];
static int nvcpu_pool;

/* A VM that could not be created gives back its RAM and stage-2 tables. */
static int vm_create_failed(struct vm *vm)
{
	if (vm->s2.root)
		stage2_destroy(&vm->s2);
	page_free(vm->ram_hpa, vm->cfg.ram_size);
	return -1;
}

/* Returns 0, or -1 with `err` naming the field at fault (nothing stays allocated). */
static int vm_create(struct vm *vm, const struct vm_config *cfg, char *err, unsigned long errlen)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->id = (int)(vm - vms);
	/* The last 2 MiB of guest RAM hold the guest DTB. */
	vm->dtb_gpa = cfg->ram_base + cfg->ram_size - SZ_2M;
	vm->ram_hpa = page_alloc(cfg->ram_size, SZ_2M);
	if (!vm->ram_hpa) {
		snprintf(err, errlen, "field keel,memory: %lu MiB is more than the host has free",
			 (unsigned long)(cfg->ram_size >> 20));
		return -1;
	}
	if (stage2_init(&vm->s2, cfg->stage2_mode, stage2_alloc_table, stage2_free_table) ||
	    stage2_map(&vm->s2, cfg->ram_base, vm->ram_hpa, cfg->ram_size, S2_RWX)) {
		snprintf(err, errlen, "field keel,memory: no memory left for its stage-2 tables");
		return vm_create_failed(vm);
	}
	/* A Linux Image header says how much the kernel needs beyond its file (bss): keep the initrd clear. */
	if (cfg->initrd_size &&
	    cfg->initrd_offset < cfg->kernel_offset + linux_image_size(cfg->kernel_addr, cfg->kernel_size)) {
		snprintf(err, errlen, "field keel,initrd: overlaps the running kernel's memory: give the VM more RAM");
		return vm_create_failed(vm);
	}
	if (vm_load_image(vm)) {
		snprintf(err, errlen, "field keel,kernel: the image and DTB do not fit");
		return vm_create_failed(vm);
	}
	vm->vmid = vmid_assign((unsigned)nvms, cpu.vmid_bits);
	vm->hgatp = stage2_hgatp(&vm->s2, vm->vmid);
	vm->nvcpus = cfg->nvcpus;
	for (int i = 0; i < cfg->nvcpus; i++)
		vm->vcpus[i] = &vcpu_pool[nvcpu_pool + i];
	if (vm_devices_init(vm, err, errlen))
		return vm_create_failed(vm);
	/* New mappings (RAM, devices, shadow pages): no hart may hold stale G-stage translations (priv spec 8.3.2: hfence.gvma). */
	hfence_gvma_all();
	for (int i = 0; i < cfg->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		vcpu_create(v, vm, (unsigned long)i, cfg->harts[i], vm->dtb_gpa);
		vcpu_aia_attach(v, cfg->aia_file[i], platform.imsic_ids);
		vcpu_setup(v, cfg->timer, cfg->wfi_exits, vm->henvcfg);
		vcpu_set_entry(v, cfg->ram_base + cfg->kernel_offset);
		vcpu_set_stage2_root(v, vm->hgatp);
		v->mmio = &vm->mmio;
		vm_irqchip_attach_vcpu(vm, i);
	}
	nvcpu_pool += cfg->nvcpus;
	vm->boot_count = 1;
	vm->state = VM_RUNNING;
	vm->vcpus[0]->hsm_state = SBI_HSM_STATE_STARTED;
	return 0;
}

/* keel,vmid-bits = <N>: use at most N VMID bits (to run as a hart with fewer would; tests). */
static void vmid_bits_cap(const void *fdt, int chosen)
{
	const fdt32_t *p = fdt_getprop(fdt, chosen, "keel,vmid-bits", NULL);

	if (p && fdt32_to_cpu(*p) < cpu.vmid_bits) {
		cpu.vmid_bits = fdt32_to_cpu(*p);
		kprintf("keel: VMID bits capped at %u (keel,vmid-bits)\n", cpu.vmid_bits);
	}
}

/* VMs that share their VMID with another VM: their vCPUs fence the G-stage when switched in. */
static void vmids_mark_shared(void)
{
	unsigned long vmids[MAX_VMS];

	for (int i = 0; i < nvms; i++)
		vmids[i] = vms[i].vmid;
	for (int i = 0; i < nvms; i++) {
		if (!vmid_shared(vmids, (unsigned)nvms, (unsigned)i))
			continue;
		for (int c = 0; c < vms[i].nvcpus; c++)
			vms[i].vcpus[c]->vmid_shared = 1;
		kprintf("keel: vm '%s': VMID %lu is shared with another VM (%u VMID bits): a G-stage fence at every "
			"switch to it\n",
			vms[i].cfg.name, vms[i].vmid, cpu.vmid_bits);
	}
}

static const char *const mode_names[] = { [HGATP_MODE_SV39X4] = "Sv39x4", [HGATP_MODE_SV48X4] = "Sv48x4" };

int vms_create(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), node, index = 0;
	static struct hart_claims claims;
	char err[CONFIG_ERR_MAX];

	vm_loader_init(fdt);
	if (chosen < 0)
		return 0;
	vmid_bits_cap(fdt, chosen);
	fdt_for_each_subnode(node, fdt, chosen)
	{
		const char *name = fdt_get_name(fdt, node, NULL);
		struct vm_config cfg;

		if (!name || strncmp(name, "keel,vm", 7))
			continue;
		if (nvms == MAX_VMS) {
			kprintf("keel: %s: ignored, Keel runs at most %d VMs\n", name, MAX_VMS);
			continue;
		}
		struct hart_claims claims_before = claims;
		struct vm *vm = &vms[nvms];

		if (vm_config_parse(fdt, node, index++, &platform, &cpu, &claims, &cfg, err, sizeof(err)) ||
		    vm_create(vm, &cfg, err, sizeof(err))) {
			kprintf("keel: vm '%s' not started: %s\n", cfg.name, err);
			memset(vm, 0, sizeof(*vm));
			claims = claims_before;
			continue;
		}
		nvms++;
		kprintf("keel: vm '%s': %d vCPU(s) on harts", cfg.name, cfg.nvcpus);
		for (int i = 0; i < cfg.nvcpus; i++)
			kprintf(" %lu", cfg.harts[i]);
		if (cfg.pinned)
			kprintf(" (pinned)");
		else
			kprintf(" (slice %u us, weight %u)", cfg.slice_us, cfg.weight);
		kprintf(", RAM %lu MiB at guest 0x%lx (host 0x%lx-0x%lx), stage-2 %s (%lu x 1G, %lu x 2M, %lu x 4K), "
			"VMID %lu, timer %s\n",
			(unsigned long)(cfg.ram_size >> 20), (unsigned long)cfg.ram_base, (unsigned long)vm->ram_hpa,
			(unsigned long)(vm->ram_hpa + cfg.ram_size), mode_names[cfg.stage2_mode], vm->s2.mapped_1g,
			vm->s2.mapped_2m, vm->s2.mapped_4k, vm->vmid, cfg.timer == TIMER_SSTC ? "sstc" : "sbi");
	}
	vmids_mark_shared();
	return nvms;
}

static int vms_running(void)
{
	int n = 0;

	for (int i = 0; i < nvms; i++)
		n += vm_alive(&vms[i]);
	return n;
}

static void report_exits(struct vm *vm)
{
	static const char *const names[STAT_COUNT] = {
		[STAT_ECALL] = "ecall",
		[STAT_GUEST_PAGE_FAULT] = "guest-page-fault",
		[STAT_VIRTUAL_INST] = "virtual-inst",
		[STAT_TIMER_IRQ] = "timer-irq",
		[STAT_SOFT_IRQ] = "soft-irq",
		[STAT_EXT_IRQ] = "ext-irq",
		[STAT_INJECTED] = "injected",
		[STAT_OTHER] = "other",
	};

	console_lock();
	for (int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		kprintf_locked("keel: vm '%s' vcpu %d exits %lu:", vm->cfg.name, i, v->exits);
		for (int s = 0; s < STAT_COUNT; s++)
			kprintf_locked(" %s=%lu", names[s], v->stats[s]);
		kprintf_locked("\n");
	}
	console_unlock();
}

/* One line on Keel's state: printed whenever a VM stops. */
static void report_health(void)
{
	unsigned long exits = 0, injected = 0, faults = 0;
	int alive = 0;

	for (int i = 0; i < nvms; i++) {
		alive += vm_alive(&vms[i]);
		faults += vms[i].faults_reported;
		for (int c = 0; c < vms[i].nvcpus; c++) {
			exits += vms[i].vcpus[c]->exits;
			injected += vms[i].vcpus[c]->stats[STAT_INJECTED];
		}
	}
	kprintf("keel: health: %lu exits handled, %d of %d VMs alive, %lu exceptions injected (%lu access faults)\n",
		exits, alive, nvms, injected, faults);
}

/* Every vCPU of the VM has stopped itself (HSM hart_stop): nothing can start one again. */
void vm_vcpu_stopped(struct vm *vm)
{
	for (int i = 0; i < vm->nvcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i]->hsm_state, __ATOMIC_ACQUIRE) != SBI_HSM_STATE_STOPPED)
			return;
	vm_shutdown(vm, "every vCPU stopped itself");
}

/* Ask every other vCPU of the VM to stop, and wait until each has. */
static void stop_other_vcpus(struct vm *vm, struct vcpu *self)
{
	for (int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] != self &&
		    __atomic_load_n(&vm->vcpus[i]->hsm_state, __ATOMIC_ACQUIRE) != SBI_HSM_STATE_STOPPED)
			vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
	for (int i = 0; i < vm->nvcpus; i++)
		while (vm->vcpus[i] != self &&
		       __atomic_load_n(&vm->vcpus[i]->hsm_state, __ATOMIC_ACQUIRE) != SBI_HSM_STATE_STOPPED) {
			vcpu_process_fences(self);
			hart_pause();
		}
	/* A vCPU that stopped itself (it lost the race to reset) may still hold our STOP: drop it. */
	for (int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i] != self)
			__atomic_and_fetch(&vm->vcpus[i]->requests, ~VCPU_REQ_STOP, __ATOMIC_ACQ_REL);
}

/*
 * Move a running VM to `state` (STOPPED or RESETTING). Exactly one caller wins; any other
 * vCPU of the VM asking meanwhile stops itself, and the winner waits for it to be STOPPED.
 * With the lock, no HSM start can slip in after the winner looked at the vCPUs (hsm.c).
 */
/*
 * VMs between "claimed for stopping" and the end of their stop report: the last VM to stop powers
 * the machine off only once every other stop has printed its report (they may run on other harts).
 */
static int vms_stopping;
static void (*stop_report)(void);

void vm_on_stop_report(void (*fn)(void))
{
	stop_report = fn;
}

static int vm_claim(struct vm *vm, struct vcpu *self, int state)
{
	int won;

	spin_lock(&vm->lock);
	won = vm->state == VM_RUNNING;
	if (won && state == VM_STOPPED)
		__atomic_add_fetch(&vms_stopping, 1, __ATOMIC_ACQ_REL); /* before the VM stops counting as alive */
	if (won)
		__atomic_store_n(&vm->state, state, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	if (!won && self && self->vm == vm)
		__atomic_store_n(&self->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
	return won;
}

static void vm_set_state(struct vm *vm, int state)
{
	spin_lock(&vm->lock);
	__atomic_store_n(&vm->state, state, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
}

/* The claimed VM (state already STOPPED, counted in vms_stopping) stops for good. */
static void vm_stop(struct vm *vm, struct vcpu *self, const char *why)
{
	stop_other_vcpus(vm, self);
	if (self && self->vm == vm)
		__atomic_store_n(&self->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
	kprintf("keel: vm '%s' stopped: %s (%lu access faults injected)\n", vm->cfg.name, why, vm->faults_reported);
	report_exits(vm);
	vm_console_report(vm);
	vm_disks_report(vm);
	vm_nics_report(vm);
	report_health();
	if (stop_report)
		stop_report();
	if (__atomic_sub_fetch(&vms_stopping, 1, __ATOMIC_ACQ_REL) == 0 && !vms_running()) {
		vnet_uplink_report();
		kprintf("keel: no VM left running, powering off\n");
		host_system_reset(SBI_SRST_RESET_TYPE_SHUTDOWN, SBI_SRST_RESET_REASON_NONE);
	}
}

void vm_shutdown(struct vm *vm, const char *why)
{
	struct vcpu *self = this_hart()->vcpu;

	if (vm_claim(vm, self, VM_STOPPED))
		vm_stop(vm, self, why);
}

/*
 * How long a reboot waits for its disks' requests at the host (a disk answers in milliseconds; the
 * hart waits meanwhile). Past it the VM stops: its RAM is never reused, so late data harms nobody.
 */
#define REBOOT_DRAIN_MS 1000U
#define MSEC_PER_SEC 1000

/* Returns 0 past the bound, else 1 with *waited_ms how long it took. */
static int disks_drained(struct vm *vm, struct vcpu *self, uint64_t *waited_ms)
{
	uint64_t start = read_time(), ticks_per_ms = platform.timebase / MSEC_PER_SEC;

	for (;;) {
		uint64_t waited = read_time() - start;

		*waited_ms = ticks_per_ms ? waited / ticks_per_ms : 0;
		if (vm_disks_idle(vm))
			return 1;
		if (waited >= REBOOT_DRAIN_MS * ticks_per_ms)
			return 0;
		vcpu_process_fences(self);
		hart_pause(); /* takes the disks' interrupts routed here */
	}
}

void vm_reboot(struct vm *vm)
{
	struct vcpu *self = this_hart()->vcpu, *boot = vm->vcpus[0];
	char why[CONFIG_ERR_MAX], note[CONFIG_ERR_MAX] = "";
	uint64_t waited_ms;
	int in_flight;

	if (!vm_claim(vm, self, VM_RESETTING))
		return;
	stop_other_vcpus(vm, self);
	/*
	 * Every other vCPU is STOPPED and parked: only other harts' device paths can still reach in.
	 * The devices are reset first, so that none fills a buffer of the old image's any more, and the
	 * reads already at a host disk are waited for: their data lands in guest RAM when they finish.
	 */
	vm_devices_reset(vm);
	in_flight = !vm_disks_idle(vm);
	why[0] = 0;
	if (!disks_drained(vm, self, &waited_ms))
		snprintf(why, sizeof(why), "reboot failed: disk requests still at the host disk after %u ms",
			 REBOOT_DRAIN_MS);
	else if (vm_load_image(vm))
		snprintf(why, sizeof(why), "reboot failed: cannot reload the image");
	if (why[0]) {
		__atomic_add_fetch(&vms_stopping, 1, __ATOMIC_ACQ_REL);
		vm_set_state(vm, VM_STOPPED);
		vm_stop(vm, self, why);
		return;
	}
	vm->boot_count++;
	if (in_flight)
		snprintf(note, sizeof(note), ", after %lu ms for its disks' requests at the host",
			 (unsigned long)waited_ms);
	kprintf("keel: vm '%s' rebooting (boot %u)%s\n", vm->cfg.name, vm->boot_count, note);
	vm_set_state(vm, VM_RUNNING);
	if (boot == self) {
		vcpu_reset_for_start(self, vm->cfg.ram_base + vm->cfg.kernel_offset, vm->dtb_gpa);
		__atomic_store_n(&self->hsm_state, SBI_HSM_STATE_STARTED, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&self->hsm_state, SBI_HSM_STATE_STOPPED, __ATOMIC_RELEASE);
	boot->start_addr = vm->cfg.ram_base + vm->cfg.kernel_offset;
	boot->start_arg = vm->dtb_gpa;
	__atomic_store_n(&boot->hsm_state, SBI_HSM_STATE_START_PENDING, __ATOMIC_RELEASE);
	vcpu_request(boot, VCPU_REQ_START);
}
