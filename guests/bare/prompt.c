/*
 * Console lines with several VMs (Keel only), bootargs "keel prompt" or "keel busy". The prompt
 * VM prints a line slowly (a byte every 2 ms: it must still come out whole), then a prompt
 * without a newline, and waits up to 10 s for the line the harness types once it sees the
 * prompt. Between the two it stops for PAUSE_MS in the middle of a line, long enough for Keel to
 * show its start and for the busy VM's lines to break in: the line must still come out whole once.
 * The busy VM prints short lines steadily meanwhile.
 */
#include "guests/common/guest.h"
#include <libfdt.h>
#include <string.h>

#define TICKS_PER_MS 10000UL /* QEMU virt timebase is 10 MHz */
#define SLOW_GAP_MS 2
#define ANSWER_WAIT_MS 10000
#define BUSY_LINES 300
#define BUSY_GAP_MS 1
#define PAUSE_MS 150
#define ANSWER "keel-answer"

static void sleep_ms(unsigned long ms)
{
	unsigned long start = read_time();

	while (read_time() - start < ms * TICKS_PER_MS)
		;
}

static int bootargs_say(const char *word)
{
	int chosen = fdt_path_offset(guest_dtb, "/chosen");
	const char *args = chosen < 0 ? NULL : fdt_getprop(guest_dtb, chosen, "bootargs", NULL);

	for (const char *p = args; p && *p; p++)
		if (!strncmp(p, word, strlen(word)))
			return 1;
	return 0;
}

/* Read a line typed on the console (SBI getchar), or give up after ms. */
static void read_line(char *buf, unsigned len, unsigned long ms)
{
	unsigned long start = read_time();
	unsigned n = 0;

	while (n + 1 < len && read_time() - start < ms * TICKS_PER_MS) {
		long c = sbi_legacy(SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0);

		if (c < 0)
			continue;
		if (c == '\n' || c == '\r')
			break;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
}

void guest_main(unsigned long hartid)
{
	const char *slow = "0123456789abcdef";
	char line[32];

	(void)hartid;
	if (bootargs_say("busy")) {
		for (int i = 0; i < BUSY_LINES; i++) {
			gprintf("busy line %d of %d\n", i + 1, BUSY_LINES);
			sleep_ms(BUSY_GAP_MS);
		}
		tap_ok(1, "busy: %d lines printed", BUSY_LINES);
		return;
	}
	gprintf("slow line: ");
	for (const char *p = slow; *p; p++) {
		gputc(*p);
		sleep_ms(SLOW_GAP_MS);
	}
	gputc('\n');
	gprintf("paused line: before-");
	sleep_ms(PAUSE_MS);
	gprintf("after\n");
	gprintf("type a line> ");
	read_line(line, sizeof(line), ANSWER_WAIT_MS);
	gputc('\n');
	tap_ok(!strcmp(line, ANSWER), "prompt: the prompt showed without a newline and the answer came (\"%s\")", line);
}
