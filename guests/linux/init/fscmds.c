/*
 * The prompt's file and disk commands: mount, umount, df, sync, mkdir, rm, cksum (the same
 * numbers as the host's cksum(1)) and ddtest (sequential O_DIRECT throughput, for the disk bench).
 */
#define _GNU_SOURCE
#include "fscmds.h"
#include "cksum.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define MOUNTS "/proc/mounts"
#define DIRECT_ALIGN 4096 /* O_DIRECT buffers: aligned to the largest logical block size we expect */

static int list_mounts(struct shell *sh)
{
	FILE *f = setmntent(MOUNTS, "r");
	struct mntent *m;

	if (!f) {
		fprintf(sh->out, "mount: %s: %s\n", MOUNTS, strerror(errno));
		return 1;
	}
	while ((m = getmntent(f)))
		fprintf(sh->out, "%s on %s type %s (%s)\n", m->mnt_fsname, m->mnt_dir, m->mnt_type, m->mnt_opts);
	endmntent(f);
	return 0;
}

/* mount: list the mounts; mount [-r] DEVICE DIR [TYPE]: mount (read-only with -r), ext4 by default. */
int cmd_mount(struct shell *sh, int argc, char **argv)
{
	int ro = argc > 1 && !strcmp(argv[1], "-r");
	char **arg = argv + 1 + ro;
	int n = argc - 1 - ro;

	if (argc == 1)
		return list_mounts(sh);
	if (n < 2 || n > 3) {
		fprintf(sh->out, "usage: mount [-r] DEVICE DIR [TYPE]   (no arguments: list the mounts)\n");
		return 2;
	}
	if (mount(arg[0], arg[1], n == 3 ? arg[2] : "ext4", ro ? MS_RDONLY : 0, NULL)) {
		fprintf(sh->out, "mount: %s on %s: %s\n", arg[0], arg[1], strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_umount(struct shell *sh, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(sh->out, "usage: umount DIR\n");
		return 2;
	}
	if (umount(argv[1])) {
		fprintf(sh->out, "umount: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}

static void df_line(struct shell *sh, const char *fs, const char *dir, const struct statvfs *v)
{
	unsigned long long kib = 1024, total = v->f_blocks * (unsigned long long)v->f_frsize / kib;
	unsigned long long avail = v->f_bavail * (unsigned long long)v->f_frsize / kib;
	unsigned long long used = total - v->f_bfree * (unsigned long long)v->f_frsize / kib;
	/* Use% as df(1) shows it: of the space a user can have, rounded up */
	unsigned long long pct = used + avail ? (used * 100 + used + avail - 1) / (used + avail) : 0;

	fprintf(sh->out, "%-16s %10llu %10llu %10llu %3llu%% %s\n", fs, total, used, avail, pct, dir);
}

/* The mount holding `path`: the longest mount point that is a prefix of it. */
static int find_mount(const char *path, char *fs, size_t fslen, char *dir, size_t dirlen)
{
	FILE *f = setmntent(MOUNTS, "r");
	struct mntent *m;
	size_t best = 0;

	if (!f)
		return -1;
	while ((m = getmntent(f))) {
		size_t n = strlen(m->mnt_dir);

		if (strncmp(path, m->mnt_dir, n) || (path[n] && path[n] != '/' && n > 1) || n < best)
			continue;
		best = n;
		snprintf(fs, fslen, "%s", m->mnt_fsname);
		snprintf(dir, dirlen, "%s", m->mnt_dir);
	}
	endmntent(f);
	return best ? 0 : -1;
}

/* df [DIR...]: size, used and available KiB of every mounted filesystem with blocks (or those holding DIRs). */
int cmd_df(struct shell *sh, int argc, char **argv)
{
	struct statvfs v;
	int status = 0;

	fprintf(sh->out, "%-16s %10s %10s %10s %4s %s\n", "Filesystem", "1K-blocks", "Used", "Available", "Use%",
		"Mounted on");
	if (argc == 1) {
		FILE *f = setmntent(MOUNTS, "r");
		struct mntent *m;

		while (f && (m = getmntent(f)))
			if (!statvfs(m->mnt_dir, &v) && v.f_blocks)
				df_line(sh, m->mnt_fsname, m->mnt_dir, &v);
		if (!f) {
			fprintf(sh->out, "df: %s: %s\n", MOUNTS, strerror(errno));
			return 1;
		}
		endmntent(f);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		char path[PATH_MAX], fs[256], dir[PATH_MAX];

		if (!realpath(argv[i], path) || statvfs(path, &v)) {
			fprintf(sh->out, "df: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (find_mount(path, fs, sizeof(fs), dir, sizeof(dir))) {
			snprintf(fs, sizeof(fs), "-");
			snprintf(dir, sizeof(dir), "%s", path);
		}
		df_line(sh, fs, dir, &v);
	}
	return status;
}

int cmd_sync(struct shell *sh, int argc, char **argv)
{
	(void)sh;
	(void)argc;
	(void)argv;
	sync();
	return 0;
}

int cmd_mkdir(struct shell *sh, int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(sh->out, "usage: mkdir DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (mkdir(argv[i], 0755)) {
			fprintf(sh->out, "mkdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	return status;
}

/* rm PATH...: files, and empty directories. */
int cmd_rm(struct shell *sh, int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(sh->out, "usage: rm PATH...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (unlink(argv[i]) && (errno != EISDIR || rmdir(argv[i]))) {
			fprintf(sh->out, "rm: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	return status;
}

int cmd_cksum(struct shell *sh, int argc, char **argv)
{
	static char buf[65536];
	int status = 0;

	if (argc < 2) {
		fprintf(sh->out, "usage: cksum FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		struct cksum c;
		ssize_t n = 0;

		cksum_init(&c);
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			cksum_update(&c, buf, (size_t)n);
		if (fd < 0 || n < 0) {
			fprintf(sh->out, "cksum: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		} else {
			fprintf(sh->out, "%u %llu %s\n", cksum_final(&c), (unsigned long long)c.len, argv[i]);
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * ddtest write|read FILE MIB [KIB]: MIB MiB written (then fsync) or read, sequentially in KIB-KiB
 * requests (64 by default) with O_DIRECT, so each request goes to the disk. Every written request
 * carries the first KIB KiB of the test pattern. Prints the time and MB/s (10^6 bytes per second,
 * as dd does).
 */
int cmd_ddtest(struct shell *sh, int argc, char **argv)
{
	int wr = argc > 1 && !strcmp(argv[1], "write");
	long mib = argc > 3 ? strtol(argv[3], NULL, 0) : 0, kib = argc > 4 ? strtol(argv[4], NULL, 0) : 64;
	struct timespec t0;
	unsigned long long done = 0, total = (unsigned long long)mib << 20;
	void *buf = NULL;
	int fd, err = 0;

	if (argc < 4 || argc > 5 || (!wr && strcmp(argv[1], "read")) || mib <= 0 || mib > 4096 || kib <= 0 ||
	    kib > 16384) {
		fprintf(sh->out, "usage: ddtest write|read FILE MIB [KIB]   (1..4096 MiB in 1..16384 KiB requests)\n");
		return 2;
	}
	fd = open(argv[2], wr ? O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC : O_RDONLY | O_DIRECT | O_CLOEXEC,
		  0644);
	if (fd < 0 || posix_memalign(&buf, DIRECT_ALIGN, (size_t)kib << 10)) {
		fprintf(sh->out, "ddtest: %s: %s\n", argv[2], fd < 0 ? strerror(errno) : "out of memory");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	pattern_fill(PATTERN_SEED, buf, (size_t)kib << 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < total) {
		size_t len =
			total - done < ((unsigned long long)kib << 10) ? (size_t)(total - done) : (size_t)kib << 10;
		ssize_t n;

		n = wr ? write(fd, buf, len) : read(fd, buf, len);
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		done += (unsigned long long)n;
	}
	if (wr && !err && fsync(fd))
		err = errno;
	double secs = seconds_since(&t0);

	close(fd);
	free(buf);
	if (err) {
		fprintf(sh->out, "ddtest: %s: %s after %llu bytes\n", argv[2], strerror(err), done);
		return 1;
	}
	fprintf(sh->out, "ddtest: %s %llu bytes in %ld KiB requests: %.3f s, %.2f MB/s\n", wr ? "wrote" : "read", done,
		kib, secs, secs > 0 ? (double)done / secs / 1e6 : 0.0);
	return 0;
}
