/* The prompt's network commands (netcmds.c), listed in shell.c's table of built-ins. */
#ifndef KEEL_INIT_NETCMDS_H
#define KEEL_INIT_NETCMDS_H
#include "shell.h"

int cmd_ifconfig(struct shell *sh, int argc, char **argv);
int cmd_udpecho(struct shell *sh, int argc, char **argv);
int cmd_udpflood(struct shell *sh, int argc, char **argv);
int cmd_tcpecho(struct shell *sh, int argc, char **argv);
int cmd_tcpsend(struct shell *sh, int argc, char **argv);
int cmd_tcpsink(struct shell *sh, int argc, char **argv);
int cmd_httpd(struct shell *sh, int argc, char **argv);

#endif
