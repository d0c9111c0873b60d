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

int keygen_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "rsa", required_argument, NULL, 'r' },
		{ "ecdsa", required_argument, NULL, 'e' },
		{ "days", required_argument, NULL, 'd' },
		{ "subject", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		HG_COMMON_OPTIONS
	};
	const char *subject = "hashgate allowlist signing key", *prefix = NULL;
	enum hg_key_type type = HG_KEY_RSA;
	uint64_t v;
	int c, bits = 3072, days = 365, have_type = 0;

	while ((c = getopt_long(argc, argv, "o:" HG_COMMON_SHORTOPTS, opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (hg_parse_u64(optarg, &v) || v > 16384)
				return hg_usage_error(usage, "invalid RSA size '%s'", optarg);
			type = HG_KEY_RSA;
			bits = (int)v;
			have_type++;
			break;
		case 'e':
			if (!strcmp(optarg, "p256") || !strcmp(optarg, "P-256"))
				type = HG_KEY_P256;
			else if (!strcmp(optarg, "p384") || !strcmp(optarg, "P-384"))
				type = HG_KEY_P384;
			else
				return hg_usage_error(usage, "invalid curve '%s' (p256 or "
						      "p384)", optarg);
			have_type++;
			break;
		case 'd':
			if (hg_parse_u64(optarg, &v) || v < 1 || v > 36500)
				return hg_usage_error(usage, "invalid --days '%s'", optarg);
			days = (int)v;
			break;
		case 'S':
			if (!*optarg)
				return hg_usage_error(usage, "empty --subject");
			subject = optarg;
			break;
		case 'o':
			prefix = optarg;
			break;
		default:
			return hg_common_option(c, usage);
		}
	}
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
