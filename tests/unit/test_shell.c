/* The Linux guest's prompt (guests/linux/init/shell.c), run on the host: parsing and built-ins. */
#include "unit.h"
#include "guests/linux/init/shell.h"
#include "guests/linux/init/cksum.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char outbuf[65536];
static FILE *out;
static int power_calls, power_arg;

static int fake_power(int reboot)
{
	power_calls++;
	power_arg = reboot;
	return 0;
}

static struct shell sh_new(void)
{
	memset(outbuf, 0, sizeof(outbuf));
	out = fmemopen(outbuf, sizeof(outbuf), "w");
	power_calls = 0;
	return (struct shell){ .out = out, .power = fake_power };
}

static const char *run(struct shell *sh, const char *line, int *status)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", line);
	*status = shell_run(sh, buf);
	fflush(out);
	return outbuf;
}

static void test_split(void **state)
{
	char line[] = "  echo \t a  bb\tccc \n";
	char *argv[SHELL_MAX_ARGS];

	(void)state;
	assert_int_equal(shell_split(line, argv, SHELL_MAX_ARGS), 4);
	assert_string_equal(argv[0], "echo");
	assert_string_equal(argv[3], "ccc");
	char many[] = "a b c d e";

	assert_int_equal(shell_split(many, argv, 3), 3);
	char empty[] = " \t\n";

	assert_int_equal(shell_split(empty, argv, SHELL_MAX_ARGS), 0);
}

static void test_echo_and_unknown(void **state)
{
	struct shell sh = sh_new();
	int st;

	(void)state;
	assert_string_equal(run(&sh, "echo keel  says   hi", &st), "keel says hi\n");
	assert_int_equal(st, 0);
	fclose(out);
	sh = sh_new();
	assert_string_equal(run(&sh, "frobnicate now", &st), "frobnicate: unknown command (try help)\n");
	assert_int_equal(st, 127);
	fclose(out);
	sh = sh_new();
	assert_string_equal(run(&sh, "   ", &st), "");
	assert_int_equal(st, 0);
	fclose(out);
}

static void test_help_lists_every_command(void **state)
{
	static const char *const cmds[] = { "help",  "echo",   "cat",	"ls",	    "mount", "umount",
					    "df",    "sync",   "mkdir", "rm",	    "cksum", "ddtest",
					    "uname", "uptime", "dmesg", "poweroff", "reboot" };
	struct shell sh = sh_new();
	int st;
	const char *text = run(&sh, "help", &st);

	(void)state;
	assert_int_equal(st, 0);
	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[32];

		snprintf(want, sizeof(want), "  %s ", cmds[i]);
		if (!strstr(text, want))
			fail_msg("help does not list %s", cmds[i]);
	}
	fclose(out);
}

static void test_cat_and_ls(void **state)
{
	char dir[] = "/tmp/keel-shell-XXXXXX", path[64], line[160];
	struct shell sh;
	int st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.txt", dir);
	FILE *f = fopen(path, "w");

	fputs("line one\nline two\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a-dir", dir);
	mkdir(path, 0755);

	sh = sh_new();
	snprintf(line, sizeof(line), "cat %s/b.txt", dir);
	assert_string_equal(run(&sh, line, &st), "line one\nline two\n");
	assert_int_equal(st, 0);
	fclose(out);

	sh = sh_new();
	snprintf(line, sizeof(line), "ls %s", dir);
	assert_string_equal(run(&sh, line, &st), "a-dir/\nb.txt\n");
	fclose(out);

	sh = sh_new();
	snprintf(line, sizeof(line), "cat %s/missing", dir);
	run(&sh, line, &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(outbuf, "No such file"));
	fclose(out);

	sh = sh_new();
	assert_string_equal(run(&sh, "cat", &st), "usage: cat FILE...\n");
	assert_int_equal(st, 2);
	fclose(out);

	snprintf(path, sizeof(path), "%s/b.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a-dir", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_uname_uptime(void **state)
{
	struct shell sh = sh_new();
	int st;

	(void)state;
	assert_string_equal(run(&sh, "uname", &st), "Linux\n");
	fclose(out);
	sh = sh_new();
	run(&sh, "uptime", &st);
	assert_int_equal(st, 0);
	assert_int_equal(strncmp(outbuf, "up ", 3), 0);
	assert_non_null(strstr(outbuf, "MiB free of"));
	fclose(out);
}

static void test_power_commands(void **state)
{
	struct shell sh = sh_new();
	int st;

	(void)state;
	run(&sh, "poweroff", &st);
	assert_int_equal(power_calls, 1);
	assert_int_equal(power_arg, 0);
	run(&sh, "reboot", &st);
	assert_int_equal(power_calls, 2);
	assert_int_equal(power_arg, 1);
	fclose(out);
}

static void test_loop_until_eof(void **state)
{
	static char input[] = "echo one\nnosuch\necho two\n";
	FILE *in = fmemopen(input, strlen(input), "r");
	struct shell sh = sh_new();

	(void)state;
	shell_loop(&sh, in);
	fflush(out);
	assert_string_equal(outbuf, "keel# one\nkeel# nosuch: unknown command (try help)\nkeel# two\nkeel# ");
	fclose(in);
	fclose(out);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A fresh directory on a disk filesystem (O_DIRECT needs one; /tmp may be tmpfs). */
static void make_dir(char *dir)
{
	strcpy(dir, "/var/tmp/keel-shell-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* Run "fmt" with the directory substituted for %s; returns the output. */
static const char *run_in(const char *dir, const char *fmt, int *status)
{
	char line[256];
	struct shell sh = sh_new();

	snprintf(line, sizeof(line), fmt, dir, dir);
	run(&sh, line, status);
	fclose(out);
	return outbuf;
}

static void test_redirect_parsing(void **state)
{
	static const struct {
		const char *line, *file;
		int argc, append;
	} cases[] = {
		{ "echo a b", NULL, 3, 0 },	{ "echo a > f", "f", 2, 0 },  { "echo a >> f", "f", 2, 1 },
		{ "echo a >f", "f", 2, 0 },	{ "echo a >>f", "f", 2, 1 },  { "echo > f", "f", 1, 0 },
		{ "echo a >", NULL, -1, 0 },	{ "echo a >>", NULL, -1, 1 }, { "echo a > f g", NULL, -1, 0 },
		{ "echo a >f g", NULL, -1, 0 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		char line[64], *argv[SHELL_MAX_ARGS];
		const char *file;
		int append, argc;

		snprintf(line, sizeof(line), "%s", cases[i].line);
		argc = shell_redirect(shell_split(line, argv, SHELL_MAX_ARGS), argv, &file, &append);
		assert_int_equal(argc, cases[i].argc);
		if (argc >= 0) {
			assert_int_equal(append, cases[i].append);
			if (cases[i].file)
				assert_string_equal(file, cases[i].file);
			else
				assert_null(file);
		}
	}
}

static void test_echo_into_files(void **state)
{
	char dir[32];
	int st;

	(void)state;
	make_dir(dir);
	assert_string_equal(run_in(dir, "echo first line > %s/f.txt", &st), "");
	assert_int_equal(st, 0);
	assert_string_equal(run_in(dir, "echo second >>%s/f.txt", &st), "");
	assert_string_equal(run_in(dir, "cat %s/f.txt", &st), "first line\nsecond\n");
	assert_string_equal(run_in(dir, "echo new >%s/f.txt", &st), "");
	assert_string_equal(run_in(dir, "cat %s/f.txt", &st), "new\n");
	/* errors: a file that cannot be made, a dangling '>' */
	run_in(dir, "echo x > %s/no/such/dir", &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(outbuf, "No such file or directory"));
	run_in(dir, "echo x >", &st);
	assert_int_equal(st, 2);
	assert_non_null(strstr(outbuf, "needs one file name"));
	/* an unknown command never creates the file */
	run_in(dir, "frob > %s/g.txt", &st);
	assert_int_equal(st, 127);
	run_in(dir, "rm %s/f.txt", &st);
	assert_int_equal(st, 0);
	run_in(dir, "rm %s/g.txt", &st);
	assert_int_equal(st, 1);
	assert_int_equal(rmdir(dir), 0);
}

static void test_cksum_matches_posix(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = { { "hello\n", "3015617425 6" }, { "123456789", "930766865 9" }, { "", "4294967295 0" } };
	char dir[32], path[64], want[96];
	int st;

	(void)state;
	make_dir(dir);
	snprintf(path, sizeof(path), "%s/c", dir);
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		FILE *f = fopen(path, "w");

		fputs(cases[i].text, f);
		fclose(f);
		snprintf(want, sizeof(want), "%s %s\n", cases[i].want, path);
		assert_string_equal(run_in(dir, "cksum %s/c", &st), want);
		assert_int_equal(st, 0);
	}
	run_in(dir, "cksum %s/missing", &st);
	assert_int_equal(st, 1);
	assert_string_equal(run_in(dir, "cksum", &st), "usage: cksum FILE...\n");
	assert_int_equal(st, 2);
	unlink(path);
	rmdir(dir);
}

/* The disk checks' 1 MiB pattern has the cksum tests/qemu/cases.py expects on the host (PATTERN_CKSUM). */
static void test_pattern_cksum(void **state)
{
	static uint8_t buf[1 << 20];
	struct cksum c;
	uint32_t s1, s2;

	(void)state;
	pattern_fill(PATTERN_SEED, buf, sizeof(buf));
	cksum_init(&c);
	cksum_update(&c, buf, sizeof(buf));
	assert_int_equal(cksum_final(&c), 3513887405u);
	/* in pieces: the same bytes */
	s1 = pattern_fill(PATTERN_SEED, buf, 4096);
	s2 = pattern_fill(s1, buf + 4096, 8192);
	(void)s2;
	cksum_init(&c);
	cksum_update(&c, buf, 3);
	cksum_update(&c, buf + 3, sizeof(buf) - 3);
	assert_int_equal(cksum_final(&c), 3513887405u);
}

static void test_mkdir_ls_rm(void **state)
{
	char dir[32];
	int st;

	(void)state;
	make_dir(dir);
	assert_string_equal(run_in(dir, "mkdir %s/sub", &st), "");
	assert_int_equal(st, 0);
	run_in(dir, "echo 12345 > %s/five", &st);
	/* a directory's size depends on the filesystem */
	assert_true(starts_with(run_in(dir, "ls -l %s", &st), "         6 five\n"));
	assert_non_null(strstr(outbuf, " sub/\n"));
	run_in(dir, "mkdir %s/sub", &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(outbuf, "File exists"));
	assert_string_equal(run_in(dir, "rm %s/sub", &st), "");
	assert_string_equal(run_in(dir, "rm %s/five", &st), "");
	assert_string_equal(run_in(dir, "ls %s", &st), "");
	assert_string_equal(run_in(dir, "mkdir", &st), "usage: mkdir DIR...\n");
	assert_string_equal(run_in(dir, "rm", &st), "usage: rm PATH...\n");
	rmdir(dir);
}

static void test_mount_df_errors(void **state)
{
	char dir[32];
	int st;

	(void)state;
	make_dir(dir);
	/* listing: the host's own mounts, in mount(8)'s words */
	run_in(dir, "mount", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(outbuf, " on / type "));
	run_in(dir, "mount /dev/keel-no-such-disk %s", &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(outbuf, "mount: /dev/keel-no-such-disk on /var/tmp/keel-shell-"));
	assert_string_equal(run_in(dir, "mount -r only-one", &st),
			    "usage: mount [-r] DEVICE DIR [TYPE]   (no arguments: list the mounts)\n");
	assert_int_equal(st, 2);
	run_in(dir, "umount %s", &st); /* not a mount point */
	assert_int_equal(st, 1);
	assert_string_equal(run_in(dir, "umount", &st), "usage: umount DIR\n");
	/* df of a directory: the header and the filesystem holding it, with sane numbers */
	run_in(dir, "df %s", &st);
	assert_int_equal(st, 0);
	assert_true(starts_with(outbuf, "Filesystem        1K-blocks       Used  Available Use% Mounted on\n"));
	unsigned long long total, used, avail;
	unsigned pct;

	assert_int_equal(sscanf(strchr(outbuf, '\n') + 1, "%*s %llu %llu %llu %u%%", &total, &used, &avail, &pct), 4);
	assert_true(total > 0 && used <= total && avail <= total && pct <= 100);
	run_in(dir, "df %s/missing", &st);
	assert_int_equal(st, 1);
	run_in(dir, "df", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(outbuf, "% /\n"));
	assert_string_equal(run_in(dir, "sync", &st), "");
	assert_int_equal(st, 0);
	rmdir(dir);
}

static void test_ddtest(void **state)
{
	char dir[32], path[64];
	struct stat sb;
	int st;

	(void)state;
	make_dir(dir);
	snprintf(path, sizeof(path), "%s/dd", dir);
	run_in(dir, "ddtest write %s/dd 2 64", &st);
	assert_int_equal(st, 0);
	assert_true(starts_with(outbuf, "ddtest: wrote 2097152 bytes in 64 KiB requests: "));
	assert_non_null(strstr(outbuf, " MB/s\n"));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 2 << 20);
	run_in(dir, "ddtest read %s/dd 2 1024", &st);
	assert_int_equal(st, 0);
	assert_true(starts_with(outbuf, "ddtest: read 2097152 bytes in 1024 KiB requests: "));
	/* asking for more than the file holds reads what is there */
	run_in(dir, "ddtest read %s/dd 3", &st);
	assert_true(starts_with(outbuf, "ddtest: read 2097152 bytes in 64 KiB requests: "));
	static const char *const bad[] = { "ddtest",
					   "ddtest write %s/dd",
					   "ddtest copy %s/dd 1",
					   "ddtest write %s/dd 0",
					   "ddtest read %s/dd 1 0",
					   "ddtest read %s/dd 1 64 9" };

	for (unsigned i = 0; i < ARRAY_LEN(bad); i++) {
		run_in(dir, bad[i], &st);
		assert_int_equal(st, 2);
		assert_true(starts_with(outbuf, "usage: ddtest"));
	}
	run_in(dir, "ddtest read %s/missing 1", &st);
	assert_int_equal(st, 1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_echo_and_unknown),
		cmocka_unit_test(test_help_lists_every_command),
		cmocka_unit_test(test_cat_and_ls),
		cmocka_unit_test(test_uname_uptime),
		cmocka_unit_test(test_power_commands),
		cmocka_unit_test(test_loop_until_eof),
		cmocka_unit_test(test_redirect_parsing),
		cmocka_unit_test(test_echo_into_files),
		cmocka_unit_test(test_cksum_matches_posix),
		cmocka_unit_test(test_pattern_cksum),
		cmocka_unit_test(test_mkdir_ls_rm),
		cmocka_unit_test(test_mount_df_errors),
		cmocka_unit_test(test_ddtest),
	};

	return run_unit_tests(tests);
}
