/* The Linux guest's interactive prompt: a line parser and a table of built-in commands. */
#ifndef KEEL_INIT_SHELL_H
#define KEEL_INIT_SHELL_H
#include <stdio.h>

#define SHELL_MAX_ARGS 16

struct shell {
	FILE *out;
	/* Power actions are injected so the shell can run (and be tested) off the guest. */
	int (*power)(int reboot);
};

/* Split line into argv (whitespace-separated, no quoting); returns argc. Modifies line. */
int shell_split(char *line, char **argv, int max);
/* A trailing "> FILE" / ">> FILE" (or ">FILE"): returns the argc before it (-1: bad syntax). */
int shell_redirect(int argc, char **argv, const char **file, int *append);
/* Run one command line (its output redirected by a trailing "> FILE" or ">> FILE"); returns the command's status (127: unknown command). */
int shell_run(struct shell *sh, char *line);
/* Prompt, read and run lines from `in` until end of file. */
void shell_loop(struct shell *sh, FILE *in);

#endif
