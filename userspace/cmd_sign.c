// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate sign: compile a text allowlist as 'load' does, with
 * HG_LIST_F_SIGNED in the header, and append a detached CMS signature over
 * every byte of it (sign_cms.c). The output is what 'hashgate load' writes
 * to the kernel, unchanged. --blob signs an already compiled, unsigned blob.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list_format.h"
#include "listblob.h"
#include "sign_cms.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate sign --key KEY --cert CERT [--serial N] [--no-paths] [-o OUT] LIST\n"
	"       hashgate sign --key KEY --cert CERT --blob [-o OUT] BLOB\n"
	"  Compile the text allowlist LIST and sign it; write blob and signature\n"
	"  to OUT (default: LIST with its suffix replaced by .hgl).\n"
	"  -k, --key KEY     private key, PEM: RSA (2048+ bits), ECDSA P-256/P-384\n"
	"  -c, --cert CERT   its X.509 certificate, PEM or DER\n"
	"  -s, --serial N    serial of the list (default: '# hashgate-serial:'\n"
	"                    line, else the current time in seconds)\n"
	"  -P, --no-paths    leave the path index out (32 bytes a digest)\n"
	"  -b, --blob        input is an unsigned blob from 'hashgate load -o'\n"
	"  -o, --output OUT  where to write the signed blob ('-': stdout)\n";

/* LIST.txt -> LIST.hgl; LIST -> LIST.hgl. */
static char *default_output(const char *in)
{
	const char *slash = strrchr(in, '/'), *dot = strrchr(in, '.');
	size_t stem = dot && dot > (slash ? slash : in) && dot[1] ? (size_t)(dot - in) :
		      strlen(in);
	char *out = malloc(stem + 5);

	if (out) {
		memcpy(out, in, stem);
		memcpy(out + stem, ".hgl", 5);
	}
	return out;
}

/* An unsigned blob from 'load -o': check it, set the flag. */
static int prepare_blob(const char *name, uint8_t *buf, size_t len)
{
	struct hg_list_header h;
	struct hg_list_view view;
	int ret;

	if (!hg_listblob_is_blob(buf, len)) {
		hg_error_text("not a compiled allowlist", name,
			      "no blob magic (sign a text list without --blob)");
		return HG_EXIT_FAIL;
	}
	ret = hg_list_parse(buf, len, &view);
	if (ret) {
		hg_error_text("not a valid allowlist blob", name,
			      "malformed or truncated");
		return HG_EXIT_FAIL;
	}
	if (view.sig) {
		hg_error_text("already signed", name, "sign the text list instead");
		return HG_EXIT_FAIL;
	}
	memcpy(&h, buf, sizeof(h));
	h.flags = htole16(le16toh(h.flags) | HG_LIST_F_SIGNED);
	memcpy(buf, &h, sizeof(h));
	return HG_EXIT_OK;
}

int sign_main(int argc, char *argv[])
{
	struct hg_serial_opt so = { .usage = usage };
	const char *key = NULL, *cert = NULL, *output = NULL, *file, *name, *md = "";
	bool have_serial, is_blob = false, no_paths = false, with_paths;
	const struct hg_opt opts[] = {
		HG_OPT_ARG("key", 'k', &key),
		HG_OPT_ARG("cert", 'c', &cert),
		HG_OPT_CALL("serial", required_argument, 's'),
		HG_OPT_FLAG("blob", 'b', &is_blob),
		HG_OPT_ARG("output", 'o', &output),
		HG_OPT_FLAG("no-paths", 'P', &no_paths),
		{ NULL }
	};
	uint8_t *in = NULL, *blob = NULL, *sig = NULL, *all = NULL;
	size_t in_len = 0, size = 0, sig_len = 0;
	struct hg_list_view view;
	char *def_out = NULL;
	uint64_t serial;
	int ret = hg_options(argc, argv, opts, usage, hg_serial_option, &so);

	if (ret >= 0)
		return ret;
	serial = so.serial;
	have_serial = so.have;
	with_paths = !no_paths;
	if (!key || !cert)
		return hg_usage_error(usage, "--key and --cert are required");
	if (optind != argc - 1)
		return hg_usage_error(usage, "expected exactly one input file");
	if (is_blob && (have_serial || !with_paths))
		return hg_usage_error(usage, "--serial and --no-paths cannot change a "
				      "compiled blob");
	file = argv[optind];
	name = strcmp(file, "-") ? file : "<stdin>";
	if (!output) {
		if (!strcmp(file, "-"))
			return hg_usage_error(usage, "reading stdin needs -o");
		output = def_out = default_output(file);
		if (!def_out) {
			hg_error("cannot allocate", NULL, ENOMEM);
			return HG_EXIT_FAIL;
		}
	}

	ret = hg_read_file(file, HG_INPUT_MAX, &in, &in_len);
	if (ret) {
		hg_error_text("cannot open", file, ret == -EFBIG ?
			      "larger than the kernel accepts" : strerror(-ret));
		ret = HG_EXIT_FAIL;
		goto out;
	}
	if (is_blob) {
		ret = prepare_blob(name, in, in_len);
		if (ret)
			goto out;
		blob = in;
		size = in_len;
		in = NULL;
	} else {
		if (hg_listblob_is_blob(in, in_len)) {
			hg_error_text("is a compiled blob", name, "use --blob to sign it");
			ret = HG_EXIT_FAIL;
			goto out;
		}
		ret = hg_listblob_compile(name, in, in_len, have_serial ? &serial : NULL,
					  HG_LIST_F_SIGNED, with_paths, &blob, &size);
		if (ret)
			goto out;
	}

	if (hg_cms_sign(blob, size, key, cert, &sig, &sig_len, &md)) {
		ret = HG_EXIT_FAIL;
		goto out;
	}
	/* What the kernel will see must parse, the signature where it should be. */
	all = malloc(size + sig_len);
	if (!all) {
		hg_error("cannot allocate", NULL, ENOMEM);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	memcpy(all, blob, size);
	memcpy(all + size, sig, sig_len);
	ret = hg_list_parse(all, size + sig_len, &view);
	if (ret || view.signed_size != size || view.sig_len != sig_len) {
		hg_error("internal error: signed blob fails validation", name,
			 ret ? -ret : EINVAL);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	ret = hg_write_file(strcmp(output, "-") ? output : NULL, all, size + sig_len) ?
	      HG_EXIT_FAIL : HG_EXIT_OK;
	if (ret)
		goto out;
	fprintf(strcmp(output, "-") ? stdout : stderr,
		"signed allowlist serial %llu: %u digests, %u paths, %zu-byte %s "
		"signature; wrote %s\n", (unsigned long long)view.serial,
		view.digest_count, view.path_count, sig_len, md,
		strcmp(output, "-") ? output : "<stdout>");
out:
	free(def_out);
	free(in);
	free(blob);
	free(sig);
	free(all);
	return ret;
}
