// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate load: text allowlist -> checked blob -> kernel (or a file). The
 * kernel is only touched once the whole file parsed and the blob passed the
 * same hg_list_parse() the module runs, so a typo never half-loads a list.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "list_format.h"
#include "listblob.h"
#include "listtext.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate load [--serial N] [--dry-run] [-o BLOB] FILE\n"
	"  FILE is sha256sum-format text ('-' for stdin); see hashgate(8).\n"
	"  -s, --serial N   serial of the list (default: '# hashgate-serial:' line,\n"
	"                   else the current time in seconds)\n"
	"  -n, --dry-run    parse and compile only\n"
	"  -o, --output F   write the compiled blob to F instead of the kernel\n";

static const char *load_strerror(int err)
{
	switch (err) {
	case EINVAL:
		return "the kernel rejected the allowlist as malformed; "
		       "the previous list stays active";
	case EFBIG:
		return "the allowlist is larger than the kernel accepts";
	case ENODATA:
		return "an empty allowlist would deny every program while "
		       "enforcing; the previous list stays active";
	default:
		return hg_sfs_strerror(err);
	}
}

static int write_file(const char *path, const uint8_t *blob, size_t size)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		hg_error("cannot create", path, errno);
		return HG_EXIT_FAIL;
	}
	if (fwrite(blob, 1, size, f) != size || fflush(f) || ferror(f)) {
		hg_error("cannot write", path, errno ? errno : EIO);
		fclose(f);
		return HG_EXIT_FAIL;
	}
	if (fclose(f)) {
		hg_error("cannot write", path, errno);
		return HG_EXIT_FAIL;
	}
	return HG_EXIT_OK;
}

static int load_kernel(const uint8_t *blob, size_t size)
{
	char path[4096];
	int ret;

	ret = hg_sfs_require();
	if (ret)
		return ret;
	ret = hg_sfs_write("allowlist", blob, size);
	if (!ret)
		return HG_EXIT_OK;
	hg_sfs_path(path, sizeof(path), "allowlist");
	hg_error_text("cannot write", path, load_strerror(-ret));
	return hg_errno_exit(-ret);
}

int load_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "serial", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *output = NULL, *file;
	struct hg_text_list list;
	struct hg_list_view view;
	bool dry_run = false, have_serial = false;
	uint64_t serial = 0;
	uint8_t *blob = NULL;
	size_t size = 0;
	FILE *in;
	int c, ret;

	while ((c = getopt_long(argc, argv, "s:no:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (hg_parse_u64(optarg, &serial))
				return hg_usage_error(usage, "invalid serial '%s'",
						      optarg);
			have_serial = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return HG_EXIT_OK;
		default:
			return hg_usage_error(usage, NULL);
		}
	}
	if (optind != argc - 1)
		return hg_usage_error(usage, "expected exactly one FILE");
	file = argv[optind];

	in = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!in) {
		hg_error("cannot open", file, errno);
		return HG_EXIT_FAIL;
	}
	ret = hg_listtext_parse(in, strcmp(file, "-") ? file : "<stdin>", &list, stderr);
	if (in != stdin)
		fclose(in);
	if (ret < 0) {
		hg_error("cannot read", file, -ret);
		return HG_EXIT_FAIL;
	}
	if (ret > 0) {
		hg_errorf("%d error%s in '%s'; nothing loaded", ret,
			  ret == 1 ? "" : "s", file);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	if (!have_serial)
		serial = list.has_serial ? list.serial : (uint64_t)time(NULL);

	ret = hg_listblob_build(&list, serial, &blob, &size);
	if (ret) {
		hg_error("cannot compile", file, -ret);
		ret = HG_EXIT_FAIL;
		goto out;
	}
	/* Self-check with the kernel's own validator before anything is sent. */
	ret = hg_list_parse(blob, size, &view);
	if (ret) {
		hg_error("internal error: compiled blob fails validation", file, -ret);
		ret = HG_EXIT_FAIL;
		goto out;
	}

	if (dry_run)
		ret = HG_EXIT_OK;
	else if (output)
		ret = write_file(output, blob, size);
	else
		ret = load_kernel(blob, size);
	if (ret)
		goto out;
	printf("%s allowlist serial %llu: %u digests, %u paths%s%s\n",
	       dry_run ? "checked" : output ? "wrote" : "loaded",
	       (unsigned long long)view.serial,
	       view.digest_count, view.path_count, output && !dry_run ? " to " : "",
	       output && !dry_run ? output : "");
out:
	free(blob);
	hg_listtext_free(&list);
	return ret;
}
