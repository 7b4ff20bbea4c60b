/* The Linux guest's prompt (guests/linux/init/shell.c), run on the host: parsing and built-ins. */
#include "unit.h"
#include "guests/linux/init/shell.h"
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
	static const char *const cmds[] = { "help",   "echo",  "cat",	   "ls",    "uname",
					    "uptime", "dmesg", "poweroff", "reboot" };
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
	};

	return run_unit_tests(tests);
}
