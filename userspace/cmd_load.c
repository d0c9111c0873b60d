// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate load: text allowlist -> checked blob -> kernel (or a file). The
 * kernel is only touched once the whole file parsed and the blob passed the
 * same hg_list_parse() the module runs, so a typo never half-loads a list.
 * A file that already is a blob (from 'load -o' or 'sign') goes in as it is,
 * signature and all. After a load the serial is recorded as the rollback
 * floor (state.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "list_format.h"
#include "listblob.h"
#include "state.h"
#include "subcommands.h"
#include "util.h"

static const char usage[] =
	"Usage: hashgate load [--serial N] [--dry-run] [-o BLOB] FILE\n"
	"  FILE is sha256sum-format text ('-' for stdin), or a compiled blob from\n"
	"  'hashgate load -o' or 'hashgate sign', loaded as is; see hashgate(8).\n"
	"  -s, --serial N   serial of the list (default: '# hashgate-serial:' line,\n"
	"                   else the current time in seconds); text only\n"
	"  -n, --dry-run    parse and compile only\n"
	"  -o, --output F   write the compiled blob to F instead of the kernel\n"
	"  -P, --no-paths   leave the path index out (32 bytes a digest); text only\n";

/**
 * hg_list_strerror() - what a refused write(2) of the allowlist file means
 * @err: its errno, one of those hg_allowlist_load() documents (an unreadable
 *	signature is a bad one there), or EPERM from module/fs.c
 * @serial: the serial of the list written
 * @buf: room for a message that names serials
 * @size: its size
 *
 * Return: the message, for 'load' and 'apply' alike.
 */
const char *hg_list_strerror(int err, uint64_t serial, char *buf, size_t size)
{
	char active[64];

	switch (err) {
	case EINVAL:
		return "the kernel rejected the allowlist as malformed; "
		       "the previous list stays active";
	case EFBIG:
		return "the allowlist is larger than the kernel accepts";
	case ENODATA:
		return "an empty allowlist would deny every program while "
		       "enforcing; the previous list stays active";
	case ESTALE:
		if (hg_sfs_read("allowlist", active, sizeof(active)) > 0)
			*strchrnul(active, ' ') = '\0';
		else
			snprintf(active, sizeof(active), "?");
		snprintf(buf, size, "rollback refused: serial %llu is lower than the "
			 "active list's (%s) or the module's min_serial, or equal with "
			 "other content; the previous list stays active",
			 (unsigned long long)serial, active);
		return buf;
	case EKEYREJECTED:
		return "bad signature: the list or its signature was altered, or it "
		       "was not signed with this certificate's key; the previous "
		       "list stays active";
	case ENOKEY:
		return "no trusted key made this signature: add its certificate "
		       "with 'hashgate keys add' (before 'keys lock'); the previous "
		       "list stays active";
	case EACCES:
		return "the module requires signed allowlists and this one is "
		       "unsigned: sign it with 'hashgate sign'";
	default:
		return hg_sfs_strerror("allowlist", err);
	}
}

/* One write(2): open errors are about access, write errors about the list. */
static int load_kernel(const uint8_t *blob, size_t size, uint64_t serial)
{
	char path[4096], msg[256];
	int fd, ret, err;

	ret = hg_sfs_require();
	if (ret)
		return ret;
	fd = hg_sfs_open("allowlist", O_WRONLY);
	if (fd < 0)
		return hg_sfs_error("cannot open", "allowlist", -fd);
	err = -hg_write_close(fd, blob, size);
	if (!err)
		return HG_EXIT_OK;
	hg_sfs_path(path, sizeof(path), "allowlist");
	hg_error_text("cannot write", path, hg_list_strerror(err, serial, msg, sizeof(msg)));
	return err == EPERM ? HG_EXIT_PERM : HG_EXIT_FAIL;
}

/* The list is live; raise the recorded floor. Failing that is an error. */
static int record_serial(uint64_t serial)
{
	char path[4096];
	uint64_t now;
	int ret = hg_state_record(serial, &now);

	if (!ret)
		return HG_EXIT_OK;
	hg_state_path(path, sizeof(path));
	hg_error_text("the list is active, but the serial cannot be recorded in",
		      path, ret == -EINVAL ? "file is corrupt (fix or remove it)" :
		      strerror(-ret));
	hg_errorf("without it, a reboot loses the rollback floor (min_serial)");
	return HG_EXIT_FAIL;
}

int load_main(int argc, char *argv[])
{
	struct hg_serial_opt so = { .usage = usage };
	const char *output = NULL, *file, *name;
	struct hg_list_view view;
	bool dry_run = false, no_paths = false, with_paths, have_serial, is_blob;
	const struct hg_opt opts[] = {
		HG_OPT_CALL("serial", required_argument, 's'),
		HG_OPT_FLAG("dry-run", 'n', &dry_run),
		HG_OPT_ARG("output", 'o', &output),
		HG_OPT_FLAG("no-paths", 'P', &no_paths),
		{ NULL }
	};
	uint64_t serial;
	uint8_t *blob = NULL, *in = NULL;
	size_t size = 0, in_len = 0;
	int ret = hg_options(argc, argv, opts, usage, hg_serial_option, &so);

	if (ret >= 0)
		return ret;
	serial = so.serial;
	have_serial = so.have;
	with_paths = !no_paths;
	if (optind != argc - 1)
		return hg_usage_error(usage, "expected exactly one FILE");
	file = argv[optind];
	name = strcmp(file, "-") ? file : "<stdin>";

	/* Text is larger than its blob; a blob too large is refused by parse. */
	ret = hg_read_file(file, HG_INPUT_MAX, &in, &in_len);
	if (ret) {
		hg_error_text("cannot open", file, ret == -EFBIG ?
			      "larger than the kernel accepts" : strerror(-ret));
		return HG_EXIT_FAIL;
	}
	is_blob = hg_listblob_is_blob(in, in_len);
	if (is_blob) {
		if (have_serial || !with_paths) {
			ret = hg_usage_error(usage, "'%s' is a compiled blob: its serial "
					     "and paths are fixed (and may be signed); "
					     "--serial and --no-paths apply to text "
					     "lists", file);
			goto out;
		}
		ret = hg_list_parse(in, in_len, &view);
		if (ret) {
			hg_error_text("not a valid allowlist blob", name,
				      ret == -EFBIG ? "larger than the kernel accepts" :
				      "malformed or truncated; nothing loaded");
			ret = HG_EXIT_FAIL;
			goto out;
		}
		blob = in;
		size = in_len;
		in = NULL;
	} else {
		ret = hg_listblob_compile(name, in, in_len, have_serial ? &serial : NULL,
					  0, with_paths, &blob, &size);
		if (ret)
			goto out;
		hg_list_parse(blob, size, &view);
	}

	if (dry_run)
		ret = HG_EXIT_OK;
	else if (output)
		ret = hg_write_file(output, blob, size) ? HG_EXIT_FAIL : HG_EXIT_OK;
	else
		ret = load_kernel(blob, size, view.serial);
	if (ret)
		goto out;
	printf("%s %sallowlist serial %llu: %u digests, %u paths%s%s\n",
	       dry_run ? "checked" : output ? "wrote" : "loaded",
	       view.sig ? "signed " : "",
	       (unsigned long long)view.serial,
	       view.digest_count, view.path_count, output && !dry_run ? " to " : "",
	       output && !dry_run ? output : "");
	if (!dry_run && !output) {
		ret = record_serial(view.serial);
		if (ret == HG_EXIT_OK)
			hg_initramfs_hint();
	}
out:
	free(in);
	free(blob);
	return ret;
}
