/* The prompt's file and disk commands (fscmds.c), listed in shell.c's table of built-ins. */
#ifndef KEEL_INIT_FSCMDS_H
#define KEEL_INIT_FSCMDS_H
#include "shell.h"

int cmd_mount(struct shell *sh, int argc, char **argv);
int cmd_umount(struct shell *sh, int argc, char **argv);
int cmd_df(struct shell *sh, int argc, char **argv);
int cmd_sync(struct shell *sh, int argc, char **argv);
int cmd_mkdir(struct shell *sh, int argc, char **argv);
int cmd_rm(struct shell *sh, int argc, char **argv);
int cmd_cksum(struct shell *sh, int argc, char **argv);
int cmd_ddtest(struct shell *sh, int argc, char **argv);

#endif
