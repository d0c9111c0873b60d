/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One entry point per subcommand, each in <name>.c. argv[0] is "hashgate
 * <name>", so every function hands argv straight to getopt_long() and its
 * messages name the command.
 */
#ifndef _HG_SUBCOMMANDS_H
#define _HG_SUBCOMMANDS_H

int version_main(int argc, char *argv[]);
int module_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int mode_main(int argc, char *argv[]);
int lock_main(int argc, char *argv[]);
int build_main(int argc, char *argv[]);
int load_main(int argc, char *argv[]);
int events_main(int argc, char *argv[]);
int diff_main(int argc, char *argv[]);
int verify_main(int argc, char *argv[]);
int check_main(int argc, char *argv[]);
int sign_main(int argc, char *argv[]);
int keygen_main(int argc, char *argv[]);
int keys_main(int argc, char *argv[]);

#endif /* _HG_SUBCOMMANDS_H */
