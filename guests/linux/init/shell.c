/* Built-in commands of the Linux guest's prompt. Plain libc and syscalls: no BusyBox here. */
#define _GNU_SOURCE
#include "shell.h"
#include "fscmds.h"
#include "netcmds.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KLOG_READ_ALL 3
#define KLOG_SIZE_BUFFER 10

struct builtin {
	const char *name, *help;
	int (*fn)(struct shell *sh, int argc, char **argv);
};

static const struct builtin builtins[];

static int cmd_help(struct shell *sh, int argc, char **argv);

static int cmd_echo(struct shell *sh, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		fprintf(sh->out, "%s%s", argv[i], i + 1 < argc ? " " : "");
	fputc('\n', sh->out);
	return 0;
}

static int cat_file(struct shell *sh, const char *path)
{
	char buf[512];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(sh->out, "cat: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, sh->out);
	fclose(f);
	return 0;
}

static int cmd_cat(struct shell *sh, int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(sh->out, "usage: cat FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		status |= cat_file(sh, argv[i]);
	return status;
}

/* ls [-l] [DIR]: names, directories with a trailing '/'; -l puts the size in bytes first. */
static int cmd_ls(struct shell *sh, int argc, char **argv)
{
	int lng = argc > 1 && !strcmp(argv[1], "-l");
	const char *path = argc > 1 + lng ? argv[1 + lng] : ".";
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	int dir = lng && n >= 0 ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (n < 0) {
		fprintf(sh->out, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (names[i]->d_name[0] != '.') {
			if (lng)
				fprintf(sh->out, "%10lld ",
					fstatat(dir, names[i]->d_name, &st, AT_SYMLINK_NOFOLLOW)
						? -1LL
						: (long long)st.st_size);
			fprintf(sh->out, "%s%s\n", names[i]->d_name, names[i]->d_type == DT_DIR ? "/" : "");
		}
		free(names[i]);
	}
	free(names);
	if (dir >= 0)
		close(dir);
	return 0;
}

static int cmd_uname(struct shell *sh, int argc, char **argv)
{
	struct utsname u;

	(void)argv;
	if (uname(&u))
		return 1;
	if (argc > 1)
		fprintf(sh->out, "%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
	else
		fprintf(sh->out, "%s\n", u.sysname);
	return 0;
}

static int cmd_uptime(struct shell *sh, int argc, char **argv)
{
	struct sysinfo si;

	(void)argc;
	(void)argv;
	if (sysinfo(&si))
		return 1;
	fprintf(sh->out, "up %ld s, %u process(es), %lu MiB free of %lu MiB\n", si.uptime, si.procs,
		(unsigned long)(si.freeram * si.mem_unit >> 20), (unsigned long)(si.totalram * si.mem_unit >> 20));
	return 0;
}

static int cmd_dmesg(struct shell *sh, int argc, char **argv)
{
	int size = klogctl(KLOG_SIZE_BUFFER, NULL, 0);
	char *buf;

	(void)argc;
	(void)argv;
	if (size <= 0 || !(buf = malloc((size_t)size))) {
		fprintf(sh->out, "dmesg: kernel log not readable\n");
		return 1;
	}
	size = klogctl(KLOG_READ_ALL, buf, size);
	if (size > 0)
		fwrite(buf, 1, (size_t)size, sh->out);
	free(buf);
	return size > 0 ? 0 : 1;
}

static int cmd_poweroff(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return sh->power ? sh->power(0) : 1;
}

static int cmd_reboot(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return sh->power ? sh->power(1) : 1;
}

static const struct builtin builtins[] = {
	{ "help", "list the commands", cmd_help },
	{ "echo", "print the arguments", cmd_echo },
	{ "cat", "print files", cmd_cat },
	{ "ls", "list a directory (-l: with sizes)", cmd_ls },
	{ "mount", "list mounts; mount [-r] DEV DIR [TYPE]", cmd_mount },
	{ "umount", "unmount DIR", cmd_umount },
	{ "df", "free space of the mounted filesystems", cmd_df },
	{ "sync", "write cached data to the disks", cmd_sync },
	{ "mkdir", "make directories", cmd_mkdir },
	{ "rm", "remove files or empty directories", cmd_rm },
	{ "cksum", "CRC and size of files, as cksum(1)", cmd_cksum },
	{ "ddtest", "write|read FILE MIB [KIB]: O_DIRECT MB/s", cmd_ddtest },
	{ "ifconfig", "network interfaces: state, address, counters", cmd_ifconfig },
	{ "udpecho", "server PORT [N] | client ADDR PORT N: UDP echo", cmd_udpecho },
	{ "udpflood", "ADDR PORT SECONDS SIZE [TRIGGER]: send UDP flat out", cmd_udpflood },
	{ "tcpecho", "server PORT [N] | client ADDR PORT TEXT: TCP echo", cmd_tcpecho },
	{ "tcpsink", "PORT [N [unchecked]]: take TCP streams, answer bytes and cksum", cmd_tcpsink },
	{ "tcpsend", "ADDR PORT MIB [unchecked]: a checked TCP stream to a tcpsink", cmd_tcpsend },
	{ "httpd", "PORT [N]: a tiny HTTP server", cmd_httpd },
	{ "uname", "system name (-a: everything)", cmd_uname },
	{ "uptime", "time since boot and memory", cmd_uptime },
	{ "dmesg", "the kernel log", cmd_dmesg },
	{ "poweroff", "stop this VM (disks unmounted first)", cmd_poweroff },
	{ "reboot", "restart this VM", cmd_reboot },
	{ NULL, NULL, NULL },
};

static int cmd_help(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct builtin *b = builtins; b->name; b++)
		fprintf(sh->out, "  %-9s %s\n", b->name, b->help);
	return 0;
}

int shell_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *save = NULL;

	for (char *tok = strtok_r(line, " \t\r\n", &save); tok && argc < max; tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	return argc;
}

/*
 * "> FILE" or ">> FILE" (also ">FILE") ending a command line: where its output goes. Returns the
 * new argc, leaving *file NULL when there is no redirection; -1 if the syntax is wrong.
 */
int shell_redirect(int argc, char **argv, const char **file, int *append)
{
	*file = NULL;
	*append = 0;
	for (int i = 1; i < argc; i++) {
		int tokens = 1;

		if (argv[i][0] != '>')
			continue;
		*append = argv[i][1] == '>';
		*file = argv[i] + 1 + *append;
		if (!**file && i + 1 < argc) {
			*file = argv[i + 1];
			tokens = 2;
		}
		return **file && i + tokens == argc ? i : -1;
	}
	return argc;
}

static const struct builtin *find_builtin(const char *name)
{
	for (const struct builtin *b = builtins; b->name; b++)
		if (!strcmp(name, b->name))
			return b;
	return NULL;
}

int shell_run(struct shell *sh, char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(line, argv, SHELL_MAX_ARGS), append, status, bad;
	const struct builtin *b = argc ? find_builtin(argv[0]) : NULL;
	const char *file;
	FILE *out = sh->out, *to;

	if (!argc)
		return 0;
	if (!b) {
		fprintf(sh->out, "%s: unknown command (try help)\n", argv[0]);
		return 127;
	}
	argc = shell_redirect(argc, argv, &file, &append);
	if (argc < 0) {
		fprintf(sh->out, "%s: '>' or '>>' needs one file name, at the end\n", argv[0]);
		return 2;
	}
	if (!file)
		return b->fn(sh, argc, argv);
	if (!(to = fopen(file, append ? "a" : "w"))) {
		fprintf(sh->out, "%s: %s: %s\n", argv[0], file, strerror(errno));
		return 1;
	}
	sh->out = to;
	status = b->fn(sh, argc, argv);
	sh->out = out;
	errno = 0;
	bad = fflush(to) != 0;
	bad |= ferror(to) != 0;
	bad |= fclose(to) != 0;
	if (bad) {
		fprintf(sh->out, "%s: %s: %s\n", argv[0], file, strerror(errno ? errno : EIO));
		status = 1;
	}
	return status;
}

void shell_loop(struct shell *sh, FILE *in)
{
	char line[256];

	for (;;) {
		fprintf(sh->out, "keel# ");
		fflush(sh->out);
		if (!fgets(line, sizeof(line), in))
			return;
		shell_run(sh, line);
		fflush(sh->out);
	}
}
