// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate keys add|list|lock: hashgate's keyring in the kernel, the
 * certificates whose keys may sign allowlists. Certificates go in as DER,
 * one per write(2), to securityfs 'keys'; 'keys_lock' closes the keyring
 * until reboot. Adding a key already trusted changes nothing: the key is
 * recognised by the id the kernel names it with, which takes OpenSSL to
 * read from the certificate (as sign_cms.c does for the rest).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* What an errno means for 'keys' or 'keys_lock', which older modules lack. */
static const char *keys_strerror(const char *file, int err)
{
	switch (err) {
	case ENOENT:
		return "hashgate module is not loaded or does not support signed "
		       "allowlists";
	case EPERM:
		if (strcmp(file, "keys"))
			break;
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
	}
	return hg_sfs_strerror(file, err);
}

/* Of a write, open(2) fails for want of access or of the file. */
static int fail(bool reading, const char *file, int err)
{
	char path[4096];

	hg_sfs_path(path, sizeof(path), file);
	hg_error_text(reading ? "cannot read" : err == EACCES || err == ENOENT ?
		      "cannot open" : "cannot write", path, keys_strerror(file, err));
	return hg_errno_exit(err);
}

/*
 * The id the kernel gives the key in its description, "<subject>: <id>"
 * (x509_key_preparse()): the subjectKeyIdentifier, else the content octets
 * of the serial number, sign byte included, in lower-case hex. 0 or -1.
 */
static int key_id(const unsigned char *der, size_t len, char id[HG_KEY_ID_MAX])
{
	const unsigned char *p = der, *octets;
	const ASN1_OCTET_STRING *skid;
	unsigned char *serial = NULL;
	size_t n;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int ret = -1, dlen;

	if (!x)
		return -1;
	skid = X509_get0_subject_key_id(x);
	if (skid) {
		octets = ASN1_STRING_get0_data(skid);
		n = (size_t)ASN1_STRING_length(skid);
	} else {
		/* DER INTEGER: 0x02, a short length (serials are <= 20 octets). */
		dlen = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &serial);
		if (dlen < 3 || serial[0] != 0x02 || serial[1] != dlen - 2)
			goto out;
		octets = serial + 2;
		n = (size_t)dlen - 2;
	}
	if (!n || 2 * n + 1 > HG_KEY_ID_MAX)
		goto out;
	hg_hex(id, octets, n);
	ret = 0;
out:
	OPENSSL_free(serial);
	X509_free(x);
	return ret;
}

/**
 * hg_cert_key() - read a certificate for the keyring
 * @cert: its path, PEM or DER
 * @der: gets it as DER, malloc()ed
 * @len: its length
 * @subject: gets its subject, one line
 * @subject_size: size of @subject
 * @id: gets the key id the kernel will name it with
 *
 * Return: 0, or HG_EXIT_FAIL with the error printed.
 */
int hg_cert_key(const char *cert, unsigned char **der, size_t *len,
		char *subject, size_t subject_size, char id[HG_KEY_ID_MAX])
{
	if (hg_cert_load_der(cert, der, len, subject, subject_size))
		return HG_EXIT_FAIL;
	if (key_id(*der, *len, id)) {
		hg_error_text("cannot read the key id of", cert, "no subject key "
			      "identifier and no usable serial number");
		free(*der);
		*der = NULL;
		return HG_EXIT_FAIL;
	}
	return HG_EXIT_OK;
}

/**
 * hg_keys_read() - the keys file: one "<subject>: <id>" line per key
 * @text: gets it, malloc()ed, NUL-terminated
 *
 * Return: 0, or an HG_EXIT_* code with the error printed.
 */
int hg_keys_read(char **text)
{
	char *buf = malloc(65536);
	int ret;

	if (!buf) {
		hg_error("cannot allocate", NULL, ENOMEM);
		return HG_EXIT_FAIL;
	}
	ret = hg_sfs_read("keys", buf, 65536);
	if (ret < 0) {
		free(buf);
		return fail(true, "keys", -ret);
	}
	*text = buf;
	return HG_EXIT_OK;
}

/* Does a line of the keys file end in ": @id" (or ": @id (embedded)")? */
bool hg_key_trusted(const char *text, const char *id)
{
	size_t idlen = strlen(id);
	const char *line, *colon, *end;

	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		for (colon = line; (colon = memchr(colon, ':', (size_t)(end - colon)));
		     colon++) {
			if (colon[1] == ' ' && end - colon - 2 >= (long)idlen &&
			    !strncasecmp(colon + 2, id, idlen) &&
			    (colon + 2 + idlen == end || colon[2 + idlen] == ' '))
				return true;
		}
	}
	return false;
}

/**
 * hg_keys_write() - trust a key: one DER certificate in one write(2)
 * @der: the certificate
 * @len: its length
 *
 * Return: 0, or an HG_EXIT_* code with the error printed.
 */
int hg_keys_write(const unsigned char *der, size_t len)
{
	int ret = hg_sfs_write("keys", der, len);

	/*
	 * The module is there (the caller checked), so ENOENT came from the
	 * X.509 parser finding no implementation of the key's algorithm.
	 */
	if (ret == -ENOENT)
		ret = -ENOPKG;
	return ret ? fail(false, "keys", -ret) : HG_EXIT_OK;
}

static int keys_add(const char *cert)
{
	char subject[512] = "", id[HG_KEY_ID_MAX], *text = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	int ret;

	if (hg_cert_key(cert, &der, &len, subject, sizeof(subject), id))
		return HG_EXIT_FAIL;
	ret = hg_sfs_require();
	if (!ret)
		ret = hg_keys_read(&text);
	if (!ret && hg_key_trusted(text, id)) {
		printf("key %s is already trusted (key id %s): nothing to do\n",
		       subject, id);
	} else if (!ret) {
		ret = hg_keys_write(der, len);
		if (!ret)
			printf("added key %s\n", subject);
	}
	free(text);
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
		return fail(false, "keys", errno);
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
		return fail(false, "keys_lock", -ret);
	printf("keys locked until reboot\n");
	return HG_EXIT_OK;
}

int keys_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		HG_COMMON_OPTIONS
	};
	const char *action;
	int c;

	while ((c = getopt_long(argc, argv, "+" HG_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		return hg_common_option(c, usage);
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
