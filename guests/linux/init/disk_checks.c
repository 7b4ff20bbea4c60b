/*
 * Disk checks (TAP), chosen by keel.disk= on the kernel command line, on the disk keel.disk.dev=
 * (default /dev/vda) holding an ext4 filesystem, mounted on /mnt:
 *   write     write a 1 MiB file of the test pattern and a line of text, fsync both, read the
 *             pattern back with O_DIRECT (from the disk, not the page cache), unmount;
 *   cut       the same, but leave the filesystem mounted: the harness then cuts the power (kills
 *             QEMU), and what was fsync'ed must be on the disk all the same;
 *   verify    (a later boot, same image) mount read-only, the file's cksum and the text match;
 *   readonly  (a read-only disk) the kernel sees it read-only, a read-write mount and writes to
 *             the filesystem and to the device itself are refused, reading works.
 * The host checks the same image afterwards (tests/qemu/cases.py: e2fsck, debugfs + cksum).
 */
#define _GNU_SOURCE
#include "checks.h"
#include "cksum.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define ok checks_ok

#define DISK_DIR "/mnt"
#define DATA_FILE DISK_DIR "/keel-disk.bin"
#define TEXT_FILE DISK_DIR "/keel-disk.txt"
#define DATA_SIZE (1u << 20)
#define CHUNK (64u << 10)
#define DIRECT_ALIGN 4096
#define TEXT "Keel disk check: written by the Linux guest, read back after a power cycle.\n"

static char chunk[CHUNK] __attribute__((aligned(DIRECT_ALIGN)));

/* ": <error>" after a failed call (read errno right after it), else nothing */
static const char *why(int failed)
{
	static char buf[80];

	snprintf(buf, sizeof(buf), ": %s", strerror(errno));
	return failed ? buf : "";
}

/* cksum of the first DATA_SIZE bytes of the test pattern */
static uint32_t pattern_cksum(void)
{
	uint32_t state = PATTERN_SEED;
	struct cksum c;

	cksum_init(&c);
	for (unsigned done = 0; done < DATA_SIZE; done += CHUNK) {
		state = pattern_fill(state, chunk, CHUNK);
		cksum_update(&c, chunk, CHUNK);
	}
	return cksum_final(&c);
}

/* cksum and size of a file, read with the given extra open flags; -1 in *len when unreadable. */
static uint32_t file_cksum(const char *path, int flags, long long *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	struct cksum c;
	ssize_t n = 0;

	cksum_init(&c);
	while (fd >= 0 && (n = read(fd, chunk, CHUNK)) > 0)
		cksum_update(&c, chunk, (size_t)n);
	*len = fd >= 0 && n == 0 ? (long long)c.len : -1;
	if (fd >= 0)
		close(fd);
	return cksum_final(&c);
}

static int write_pattern(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint32_t state = PATTERN_SEED;
	int bad = fd < 0;

	for (unsigned done = 0; !bad && done < DATA_SIZE; done += CHUNK) {
		state = pattern_fill(state, chunk, CHUNK);
		bad = write(fd, chunk, CHUNK) != CHUNK;
	}
	bad = bad || fsync(fd);
	if (fd >= 0)
		bad |= close(fd) != 0;
	return bad ? -1 : 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int bad = fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd);

	if (fd >= 0)
		bad |= close(fd) != 0;
	return bad ? -1 : 0;
}

/* fsync the directory too, so the new names are on the disk with the data */
static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int bad = fd < 0 || fsync(fd);

	if (fd >= 0)
		close(fd);
	return bad ? -1 : 0;
}

static const char *read_text(const char *path)
{
	static char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

static int check_device(const char *dev)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/block/%s/size", name);
	long long sectors = strtoll(read_text(path), NULL, 10);
	int blk = !stat(dev, &st) && S_ISBLK(st.st_mode);

	ok(blk && sectors > 0, "linux disk: %s is a block device of %lld KiB", dev, sectors / 2);
	return blk ? 0 : -1;
}

static void disk_write(const char *dev, int unmount)
{
	uint32_t want = pattern_cksum(), got;
	long long len;
	int r = mount(dev, DISK_DIR, "ext4", 0, NULL);

	ok(!r, "linux disk: %s mounted read-write on %s%s", dev, DISK_DIR, why(r));
	if (r)
		return;
	ok(!write_pattern(DATA_FILE), "linux disk: wrote %u bytes to %s and fsync'ed it", DATA_SIZE, DATA_FILE);
	ok(!write_text(TEXT_FILE, TEXT) && !sync_dir(DISK_DIR), "linux disk: wrote and fsync'ed %s", TEXT_FILE);
	got = file_cksum(DATA_FILE, O_DIRECT, &len);
	printf("# disk: %s cksum %u %lld\n", DATA_FILE, got, len);
	ok(got == want && len == DATA_SIZE,
	   "linux disk: read back from the disk with O_DIRECT: cksum %u %lld (want %u %u)", got, len, want, DATA_SIZE);
	if (!unmount) {
		printf("# disk: %s stays mounted, for the power cut\n", DISK_DIR);
		return;
	}
	r = umount(DISK_DIR);
	ok(!r, "linux disk: %s unmounted%s", DISK_DIR, why(r));
}

static void disk_verify(const char *dev)
{
	uint32_t want = pattern_cksum(), got;
	long long len;
	int r = mount(dev, DISK_DIR, "ext4", MS_RDONLY, NULL);

	ok(!r, "linux disk: %s mounted read-only on %s%s", dev, DISK_DIR, why(r));
	if (r)
		return;
	got = file_cksum(DATA_FILE, 0, &len);
	printf("# disk: %s cksum %u %lld\n", DATA_FILE, got, len);
	ok(got == want && len == DATA_SIZE, "linux disk: %s kept its data: cksum %u %lld (want %u %u)", DATA_FILE, got,
	   len, want, DATA_SIZE);
	ok(!strcmp(read_text(TEXT_FILE), TEXT), "linux disk: %s kept its text", TEXT_FILE);
	r = umount(DISK_DIR);
	ok(!r, "linux disk: %s unmounted%s", DISK_DIR, why(r));
}

static void disk_readonly(const char *dev)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char path[128];
	int r, fd, err;

	snprintf(path, sizeof(path), "/sys/block/%s/ro", name);
	ok(!strcmp(read_text(path), "1\n"), "linux disk: the kernel sees %s read-only (%s)", dev, path);
	r = mount(dev, DISK_DIR, "ext4", 0, NULL);
	err = errno;
	if (!r)
		umount(DISK_DIR);
	ok(r && (err == EACCES || err == EROFS), "linux disk: a read-write mount is refused (%s)",
	   r ? strerror(err) : "it succeeded");
	r = mount(dev, DISK_DIR, "ext4", MS_RDONLY, NULL);
	ok(!r, "linux disk: %s mounted read-only%s", dev, why(r));
	fd = open(DISK_DIR "/new-file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	err = errno;
	if (fd >= 0)
		close(fd);
	ok(fd < 0 && err == EROFS, "linux disk: creating a file is refused (%s)", fd < 0 ? strerror(err) : "created");
	ok(strlen(read_text(DISK_DIR "/README")) > 0, "linux disk: reading %s/README works", DISK_DIR);
	r = umount(DISK_DIR);
	ok(!r, "linux disk: %s unmounted%s", DISK_DIR, why(r));

	/* The device itself: the open or the write must fail, and nothing may reach the disk. */
	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	err = errno;
	memset(chunk, 0xa5, 4096);
	r = -1;
	if (fd >= 0) {
		r = (int)write(fd, chunk, 4096);
		err = r < 0 ? errno : 0;
		if (r >= 0 && fsync(fd)) {
			r = -1;
			err = errno;
		}
		close(fd);
	}
	ok(r < 0 && err, "linux disk: writing to %s itself fails (%s at %s)", dev, err ? strerror(err) : "no error",
	   fd < 0 ? "open" : "write");
}

void checks_disk(const char *mode)
{
	const char *param = checks_param("keel.disk.dev");
	char dev[64];

	snprintf(dev, sizeof(dev), "%s", param ? param : "/dev/vda");
	mkdir(DISK_DIR, 0755);
	if (check_device(dev))
		return;
	if (!strcmp(mode, "write") || !strcmp(mode, "cut"))
		disk_write(dev, !strcmp(mode, "write"));
	else if (!strcmp(mode, "verify"))
		disk_verify(dev);
	else if (!strcmp(mode, "readonly"))
		disk_readonly(dev);
	else
		ok(0, "linux disk: keel.disk=%s is not write, cut, verify or readonly", mode);
}
