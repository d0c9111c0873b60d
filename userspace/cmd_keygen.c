// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate keygen: a key pair and a self-signed certificate to sign
 * allowlists with, for labs and tests. Real deployments keep the key in the
 * operator's PKI or an HSM; hashgate only needs the certificate.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sign_cms.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate keygen [--rsa BITS | --ecdsa p256|p384] [--days N]\n"
	"                       [--subject CN] -o PREFIX\n"
	"  Write PREFIX.key (private key, PEM, mode 0600), PREFIX.crt (PEM) and\n"
	"  PREFIX.der (the certificate for 'hashgate keys add' or SIGNING_CERT).\n"
	"  --rsa BITS        RSA key, 2048 bits or more (default: RSA 3072)\n"
	"  --ecdsa CURVE     ECDSA key on NIST P-256 or P-384\n"
	"  --days N          validity of the certificate (default 365)\n"
	"  --subject CN      common name (default 'hashgate allowlist signing key')\n"
	"  -o, --output P    prefix of the three files\n";

struct keygen_opts {
	const char *subject;
	enum hg_key_type type;
	int bits, days, have_type;
};

static int keygen_option(void *ctx, int c, const char *arg)
{
	struct keygen_opts *k = ctx;
	uint64_t v;

	switch (c) {
	case 'r':
		if (hg_parse_u64(arg, &v) || v > 16384)
			return hg_usage_error(usage, "invalid RSA size '%s'", arg);
		k->type = HG_KEY_RSA;
		k->bits = (int)v;
		k->have_type++;
		break;
	case 'e':
		if (!strcmp(arg, "p256") || !strcmp(arg, "P-256"))
			k->type = HG_KEY_P256;
		else if (!strcmp(arg, "p384") || !strcmp(arg, "P-384"))
			k->type = HG_KEY_P384;
		else
			return hg_usage_error(usage, "invalid curve '%s' (p256 or "
					      "p384)", arg);
		k->have_type++;
		break;
	case 'd':
		if (hg_parse_u64(arg, &v) || v < 1 || v > 36500)
			return hg_usage_error(usage, "invalid --days '%s'", arg);
		k->days = (int)v;
		break;
	default:	/* 'S' */
		if (!*arg)
			return hg_usage_error(usage, "empty --subject");
		k->subject = arg;
		break;
	}
	return 0;
}

int keygen_main(int argc, char *argv[])
{
	struct keygen_opts k = { .subject = "hashgate allowlist signing key",
				 .type = HG_KEY_RSA, .bits = 3072, .days = 365 };
	const char *subject, *prefix = NULL;
	const struct hg_opt opts[] = {
		HG_OPT_LONG("rsa", required_argument, 'r'),
		HG_OPT_LONG("ecdsa", required_argument, 'e'),
		HG_OPT_LONG("days", required_argument, 'd'),
		HG_OPT_LONG("subject", required_argument, 'S'),
		HG_OPT_ARG("output", 'o', &prefix),
		{ NULL }
	};
	enum hg_key_type type;
	int bits, days, have_type;
	int ret = hg_options(argc, argv, opts, usage, keygen_option, &k);

	if (ret >= 0)
		return ret;
	subject = k.subject;
	type = k.type;
	bits = k.bits;
	days = k.days;
	have_type = k.have_type;
	if (have_type > 1)
		return hg_usage_error(usage, "give one of --rsa and --ecdsa");
	if (!prefix || !*prefix)
		return hg_usage_error(usage, "-o PREFIX is required");
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (type == HG_KEY_RSA && bits < HG_RSA_MIN_BITS) {
		hg_errorf("RSA keys of %d bits are too weak: hashgate needs at least %d",
			  bits, HG_RSA_MIN_BITS);
		return HG_EXIT_USAGE;
	}

	fprintf(stderr, "hashgate: keygen: warning: a key made here is for labs and "
		"tests; real deployments sign with the operator's PKI or an HSM and "
		"keep the private key off the servers\n");
	if (hg_keygen(type, bits, days, subject, prefix))
		return HG_EXIT_FAIL;
	printf("wrote %s.key (private, 0600), %s.crt and %s.der: %s, valid %d days\n",
	       prefix, prefix, prefix,
	       type == HG_KEY_P256 ? "ECDSA P-256" : type == HG_KEY_P384 ?
	       "ECDSA P-384" : bits == 2048 ? "RSA 2048" : bits == 3072 ? "RSA 3072" :
	       bits == 4096 ? "RSA 4096" : "RSA", days);
	return HG_EXIT_OK;
}
