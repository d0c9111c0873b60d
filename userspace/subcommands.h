/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One entry point per subcommand, each in cmd_<name>.c. argv[0] is "hashgate
 * <name>", so every function hands argv straight to getopt_long() and its
 * messages name the command.
 */
#ifndef _HG_SUBCOMMANDS_H
#define _HG_SUBCOMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
int scan_main(int argc, char *argv[]);
int measurements_main(int argc, char *argv[]);
int sign_main(int argc, char *argv[]);
int keygen_main(int argc, char *argv[]);
int keys_main(int argc, char *argv[]);
int apply_main(int argc, char *argv[]);
int config_main(int argc, char *argv[]);
int apt_hook_main(int argc, char *argv[]);

/* Shared between subcommands: 'apply' loads the module as 'module load' does. */
#define HG_LOAD_QUIET		0x1	/* errors only */
#define HG_LOAD_DRY_RUN		0x2	/* work out the options, insert nothing */
int hg_module_load(const char *file, char *const params[], size_t n,
		   unsigned int flags, char **options);

/* ... and says why the kernel refused a list as 'load' does (cmd_load.c) ... */
const char *hg_list_strerror(int err, uint64_t serial, char *buf, size_t size);

/* ... and adds keys as 'keys add' does (cmd_keys.c). */
#define HG_KEY_ID_MAX	(2 * 64 + 1)	/* hex of a key id the kernel names */
int hg_cert_key(const char *cert, unsigned char **der, size_t *len,
		char *subject, size_t subject_size, char id[HG_KEY_ID_MAX]);
int hg_keys_read(char **text);
bool hg_key_trusted(const char *text, const char *id);
int hg_keys_write(const unsigned char *der, size_t len);

#endif /* _HG_SUBCOMMANDS_H */
