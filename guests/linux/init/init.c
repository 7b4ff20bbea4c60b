/*
 * /init of Keel's Linux guest (also /sbin/init of the root filesystem image): mount the pseudo
 * filesystems, run the in-guest checks when the command line asks for them (keel.checks=1, or
 * keel.checks=disk for the disk checks alone), power off if asked (keel.poweroff=1), else offer
 * the prompt on the console. Disk filesystems are unmounted cleanly before power-off or reboot.
 */
#define _GNU_SOURCE
#include "checks.h"
#include "shell.h"
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 2026-01-01 00:00 UTC: no clock reading before this is real */
#define CLOCK_FLOOR 1767225600

static void mount_fs(const char *source, const char *target, const char *type)
{
	mkdir(target, 0755);
	/* EBUSY: already there (the kernel mounts devtmpfs itself on a disk root) */
	if (mount(source, target, type, 0, NULL) && errno != EBUSY)
		fprintf(stderr, "init: mount %s on %s failed: %s\n", type, target, strerror(errno));
}

/*
 * Linux finds no real-time clock in this guest and starts in 1970; ext4 would then record times
 * (a deleted inode's dtime) of 0, which e2fsck reads as never set. As fake-hwclock does, start the
 * clock at the root directory's last change instead (on a disk root: the last boot's), or at
 * CLOCK_FLOOR.
 */
static void start_clock(void)
{
	struct timespec now;
	struct stat st;
	char when[32];

	if (clock_gettime(CLOCK_REALTIME, &now) || now.tv_sec >= CLOCK_FLOOR)
		return;
	now.tv_sec = !stat("/", &st) && st.st_mtime > CLOCK_FLOOR ? st.st_mtime : CLOCK_FLOOR;
	now.tv_nsec = 0;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&now.tv_sec));
	if (clock_settime(CLOCK_REALTIME, &now))
		printf("keel-init: no real-time clock, and setting it failed: %s\n", strerror(errno));
	else
		printf("keel-init: no real-time clock; starting it at %s UTC\n", when);
}

#define MAX_DISK_MOUNTS 32

/* Unmount every filesystem on a disk, newest first; the root one is remounted read-only. */
static void unmount_disks(void)
{
	static char dirs[MAX_DISK_MOUNTS][256];
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int n = 0;

	while (f && n < MAX_DISK_MOUNTS && (m = getmntent(f)))
		if (!strncmp(m->mnt_fsname, "/dev/", 5))
			snprintf(dirs[n++], sizeof(dirs[0]), "%s", m->mnt_dir);
	if (f)
		endmntent(f);
	while (n--) {
		if (strcmp(dirs[n], "/") && !umount(dirs[n]))
			continue;
		if (mount(NULL, dirs[n], NULL, MS_REMOUNT | MS_RDONLY, NULL))
			fprintf(stderr, "init: %s stays mounted read-write: %s\n", dirs[n], strerror(errno));
	}
}

static int power(int restart)
{
	sync();
	unmount_disks();
	return reboot(restart ? RB_AUTOBOOT : RB_POWER_OFF);
}

/*
 * keel.run=CMD,ARG,...+CMD,...: prompt commands run in order at boot, each one a TAP line (its
 * exit status); one whose last argument is "&" runs in the background (a server for the others),
 * one starting with "!" must fail (a network that must not be reachable).
 */
static void run_commands(struct shell *sh, const char *spec)
{
	char list[256], *save = NULL;

	snprintf(list, sizeof(list), "%s", spec);
	for (char *cmd = strtok_r(list, "+", &save); cmd; cmd = strtok_r(NULL, "+", &save)) {
		size_t len = strlen(cmd);
		int bg = len >= 2 && !strcmp(cmd + len - 2, ",&");
		int must_fail = cmd[0] == '!';
		int status;

		if (bg)
			cmd[len - 2] = '\0';
		cmd += must_fail;
		for (char *c = cmd; *c; c++)
			if (*c == ',')
				*c = ' ';
		if (bg) {
			if (fork() == 0)
				_exit(shell_run(sh, cmd));
			checks_ok(1, "run: %s (in the background)", cmd);
			continue;
		}
		char shown[256];

		snprintf(shown, sizeof(shown), "%s", cmd);
		status = shell_run(sh, cmd);
		checks_ok(must_fail ? status != 0 : status == 0, "run: %s%s", shown,
			  must_fail ? " (fails, as it must)" : "");
	}
	checks_plan();
}

int main(void)
{
	struct shell sh = { .out = stdout, .power = power };
	const char *flag;

	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("devtmpfs", "/dev", "devtmpfs");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("keel-init: Linux guest up\n");
	start_clock();
	if ((flag = checks_param("keel.checks")) && (!strcmp(flag, "1") || !strcmp(flag, "disk")))
		checks_run(!strcmp(flag, "disk"));
	if ((flag = checks_param("keel.run")))
		run_commands(&sh, flag);
	if ((flag = checks_param("keel.poweroff")) && !strcmp(flag, "1"))
		power(0);
	printf("keel-init: type help for the commands\n");
	shell_loop(&sh, stdin);
	/* End of input on the console: nothing more to do. */
	power(0);
	return 0;
}
