/*
 * /init of Keel's Linux guest: mount the pseudo filesystems, run the in-guest checks when the
 * command line asks for them (keel.checks=1), power off if asked (keel.poweroff=1), else offer
 * the prompt on the console.
 */
#define _GNU_SOURCE
#include "checks.h"
#include "shell.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

static void mount_fs(const char *source, const char *target, const char *type)
{
	mkdir(target, 0755);
	if (mount(source, target, type, 0, NULL))
		fprintf(stderr, "init: mount %s on %s failed\n", type, target);
}

static int power(int restart)
{
	sync();
	return reboot(restart ? RB_AUTOBOOT : RB_POWER_OFF);
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
	if ((flag = checks_param("keel.checks")) && !strcmp(flag, "1"))
		checks_run();
	if ((flag = checks_param("keel.poweroff")) && !strcmp(flag, "1"))
		power(0);
	printf("keel-init: type help for the commands\n");
	shell_loop(&sh, stdin);
	/* End of input on the console: nothing more to do. */
	power(0);
	return 0;
}
