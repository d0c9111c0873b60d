// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate keys add|list|lock: hashgate's keyring in the kernel, the
 * certificates whose keys may sign allowlists. Certificates go in as DER,
 * one per write(2), to securityfs 'keys'; 'keys_lock' closes the keyring
 * until reboot.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign_cms.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate keys add CERT\n"
	"       hashgate keys list\n"
	"       hashgate keys lock\n"
	"  add   trust the key of X.509 certificate CERT (PEM or DER) for\n"
	"        signed allowlists\n"
	"  list  show the trusted keys, one per line: '<subject>: <key id>'\n"
	"  lock  forbid adding keys until reboot (pins the module)\n";

static const char *keys_strerror(int err)
{
	switch (err) {
	case EPERM:
		return "keys are locked until reboot (or you lack CAP_MAC_ADMIN)";
	case EBADMSG:
		return "the kernel could not parse the certificate";
	case EKEYREJECTED:
		return "the kernel refused the key";
	case ENOKEY:
	case ENOPKG:
		return "the kernel does not support this key's algorithm (ECDSA "
		       "needs CONFIG_CRYPTO_ECDSA, which Debian's 6.1 cloud kernel "
		       "lacks: use RSA there)";
	case EEXIST:
		return "this key is already trusted";
	default:
		return hg_sfs_strerror(err);
	}
}

static int fail(const char *file, int err)
{
	char path[4096];

	hg_sfs_path(path, sizeof(path), file);
	hg_error_text(err == EACCES || err == ENOENT ? "cannot open" : "cannot write",
		      path, err == ENOENT ? "hashgate module is not loaded or "
		      "does not support signed allowlists" : keys_strerror(err));
	return hg_errno_exit(err);
}

static int keys_add(const char *cert)
{
	char subject[512] = "";
	uint8_t *der = NULL;
	size_t len = 0;
	int ret;

	if (hg_cert_load_der(cert, &der, &len, subject, sizeof(subject)))
		return HG_EXIT_FAIL;
	ret = hg_sfs_require();
	if (!ret) {
		ret = hg_sfs_write("keys", der, len);
		/*
		 * The module is there (hg_sfs_require), so ENOENT came from the
		 * X.509 parser finding no implementation of the key's algorithm.
		 */
		if (ret == -ENOENT)
			ret = -ENOPKG;
		ret = ret ? fail("keys", -ret) : HG_EXIT_OK;
	}
	if (!ret)
		printf("added key %s\n", subject);
	free(der);
	return ret;
}

static int keys_list(void)
{
	char path[4096], buf[4096];
	ssize_t n;
	int fd, ret = hg_sfs_require();

	if (ret)
		return ret;
	hg_sfs_path(path, sizeof(path), "keys");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("keys", errno);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	ret = n < 0 ? errno : 0;
	close(fd);
	if (ret) {
		hg_error("cannot read", path, ret);
		return HG_EXIT_FAIL;
	}
	return fflush(stdout) ? HG_EXIT_FAIL : HG_EXIT_OK;
}

static int keys_lock(void)
{
	int ret = hg_sfs_require();

	if (ret)
		return ret;
	ret = hg_sfs_write("keys_lock", "1", 1);
	if (ret)
		return fail("keys_lock", -ret);
	printf("keys locked until reboot\n");
	return HG_EXIT_OK;
}

int keys_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *action;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return HG_EXIT_OK;
		}
		return hg_usage_error(usage, NULL);
	}
	action = argv[optind];
	if (!action)
		return hg_usage_error(usage, "expected 'add', 'list' or 'lock'");
	if (!strcmp(action, "add")) {
		if (argc - optind != 2)
			return hg_usage_error(usage, "add takes one CERT");
		return keys_add(argv[optind + 1]);
	}
	if (!strcmp(action, "list") || !strcmp(action, "lock")) {
		if (argc - optind != 1)
			return hg_usage_error(usage, "%s takes no arguments", action);
		return action[1] == 'i' ? keys_list() : keys_lock();
	}
	return hg_usage_error(usage, "invalid action '%s'", action);
}
