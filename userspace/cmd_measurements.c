// SPDX-License-Identifier: GPL-2.0
/*
 * hashgate measurements: the module's measurement list (securityfs
 * 'binary_measurements', root's alone), parsed by measurelist.c and
 * printed as IMA's ASCII list or as JSON, one object an entry. A saved
 * copy (--file) is read the same way, so that a list can be examined
 * offline. Two checks instead of the listing:
 *
 *   --verify-pcr  replay the list per PCR and per TPM bank and compare the
 *                 result with the PCRs the kernel exports under
 *                 /sys/class/tpm/tpm0/pcr-<alg>/<N>: exit 0 when all match,
 *                 6 on a mismatch, 7 when there is no TPM to compare with.
 *   --against L   the measured files (and would-be denials) whose digest
 *                 the allowlist L lacks: exit 0 when none, 5 when some (as
 *                 scan: "found something").
 *
 * 1, 2, 3 and 4 as everywhere: a list that does not parse is 1, with the
 * offset of the fault.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "list_format.h"
#include "listblob.h"
#include "measurelist.h"
#include "subcommands.h"
#include "util.h"

#define TPM_DIR_DEFAULT	"/sys/class/tpm/tpm0"
#define LIVE_TRIES	3	/* a measurement between list and PCR reads */

static const char usage[] =
	"Usage: hashgate measurements [--file PATH] [--json]\n"
	"                             [--verify-pcr [--tpm-dir DIR] | --against LIST]\n"
	"  Print the module's measurement list (needs root) as IMA's ASCII list:\n"
	"  PCR TEMPLATE-SHA1 ima-ng sha256:DIGEST NAME. Or check it.\n"
	"  -f, --file PATH     a saved copy of binary_measurements ('-': stdin)\n"
	"  -j, --json          one JSON object per entry, or per result\n"
	"      --verify-pcr    replay the list per PCR and TPM bank and compare with\n"
	"                      the TPM's PCRs: exit 6 on a mismatch, 7 with no TPM\n"
	"      --tpm-dir DIR   the TPM in sysfs (default " TPM_DIR_DEFAULT ")\n"
	"      --against LIST  the measured files whose digest LIST (text or blob)\n"
	"                      lacks: exit 5 when there are any\n";

static const char *const banks[] = { "sha1", "sha256", "sha384", "sha512" };
#define NBANKS	(sizeof(banks) / sizeof(banks[0]))

struct list {
	const char *name;	/* for messages */
	uint8_t *buf;
	size_t len;
	struct hg_ml ml;
};

static void list_free(struct list *l)
{
	hg_ml_free(&l->ml);
	free(l->buf);
	l->buf = NULL;
}

/* Read and parse @file, or the module's list; 0, or the exit code, said. */
static int read_list(const char *file, struct list *l, char *path, size_t size)
{
	char why[256];
	size_t off;
	int ret;

	if (file) {
		snprintf(path, size, "%s", file);
	} else {
		ret = hg_sfs_require_file(HG_ML_FILE);
		if (ret)
			return ret;
		hg_sfs_path(path, size, HG_ML_FILE);
	}
	l->name = strcmp(path, "-") ? path : "<stdin>";
	ret = hg_read_file(path, HG_ML_MAX, &l->buf, &l->len);
	if (ret == -EFBIG) {
		hg_error_text("cannot read", l->name, "larger than 256 MiB");
		return HG_EXIT_FAIL;
	}
	if (ret == -EACCES || ret == -EPERM) {
		hg_error_text("cannot read", l->name, file ? strerror(-ret) :
			      "permission denied: the list is root's alone (mode 0400; "
			      "run as root, or with CAP_DAC_READ_SEARCH)");
		return HG_EXIT_PERM;
	}
	if (ret) {
		hg_error_text("cannot read", l->name, file ? strerror(-ret) :
			      hg_sfs_strerror(HG_ML_FILE, -ret));
		return file ? HG_EXIT_FAIL : hg_errno_exit(-ret);
	}
	ret = hg_ml_parse(l->buf, l->len, &l->ml, &off, why, sizeof(why));
	if (ret == -EINVAL) {
		hg_errorf("malformed measurement list '%s' at offset %zu: %s",
			  l->name, off, why);
		list_free(l);
		return HG_EXIT_FAIL;
	}
	if (ret) {
		hg_error("cannot parse", l->name, -ret);
		list_free(l);
		return HG_EXIT_FAIL;
	}
	return 0;
}

static void print_json(const struct hg_ml_entry *e)
{
	char hex[2 * HG_ML_SHA256_SIZE + 1];
	enum hg_ml_kind k = hg_ml_kind(e);
	const char *path;
	size_t len;

	hg_hex(hex, e->template_digest, HG_ML_SHA1_SIZE);
	printf("{\"pcr\":%u,\"template_digest\":\"%s\"", e->pcr, hex);
	hg_hex(hex, e->digest, HG_ML_SHA256_SIZE);
	printf(",\"digest\":\"sha256:%s\",\"name\":", hex);
	hg_escape_json(stdout, e->name, e->name_len);
	printf(",\"kind\":\"%s\"", hg_ml_kind_name(k));
	if (k != HG_ML_KIND_HASHGATE) {
		path = hg_ml_path(e, &len);
		fputs(",\"path\":", stdout);
		hg_escape_json(stdout, path, len);
	}
	puts("}");
}

/* --against: the file entries whose digest @file lacks. */
static int against(const struct list *l, const char *file, bool json)
{
	struct hg_list_view view;
	char hex[2 * HG_ML_SHA256_SIZE + 1];
	size_t i, files = 0, missing = 0, len;
	uint8_t *blob = NULL;
	const char *path;

	if (hg_listblob_load(file, &blob, &view))
		return HG_EXIT_FAIL;
	for (i = 0; i < l->ml.count; i++) {
		const struct hg_ml_entry *e = &l->ml.entries[i];
		enum hg_ml_kind k = hg_ml_kind(e);

		if (k == HG_ML_KIND_HASHGATE)
			continue;
		files++;
		if (hg_list_has_digest(&view, e->digest))
			continue;
		missing++;
		path = hg_ml_path(e, &len);
		hg_hex(hex, e->digest, HG_ML_SHA256_SIZE);
		if (json) {
			printf("{\"kind\":\"%s\",\"path\":", hg_ml_kind_name(k));
			hg_escape_json(stdout, path, len);
			printf(",\"digest\":\"sha256:%s\",\"pcr\":%u}\n", hex, e->pcr);
		} else {
			printf("%s ", hg_ml_kind_name(k));
			hg_print_path(stdout, path, len);
			printf(" sha256:%s\n", hex);
		}
	}
	free(blob);
	if (missing)
		fprintf(stderr, "%zu of %zu measured file%s not in %s\n", missing, files,
			files == 1 ? "" : "s", file);
	return missing ? HG_EXIT_FINDINGS : HG_EXIT_OK;
}

/* The list's own word on the TPM: its start entry's "tpm=none". */
static bool made_without_tpm(const struct hg_ml *ml)
{
	static const char start[] = "hashgate:start ", none[] = " tpm=none";
	size_t i, n = sizeof(none) - 1;

	for (i = 0; i < ml->count; i++) {
		const struct hg_ml_entry *e = &ml->entries[i];

		if (e->name_len >= sizeof(start) - 1 &&
		    !memcmp(e->name, start, sizeof(start) - 1))
			return e->name_len >= n && !memcmp(e->name + e->name_len - n, none, n);
	}
	return false;
}

struct result {
	const char *bank;
	uint32_t pcr;
	long entries;
	size_t size;
	uint8_t expected[HG_ML_HASH_MAX], tpm[HG_ML_HASH_MAX];
	bool match;
	bool sha1_padded;	/* matched as the kernel extends a bank it lacks */
};

struct verify {
	const char *dir;
	bool have[NBANKS];
	struct result *res;
	size_t n;
	bool mismatch;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The TPM's PCR @pcr of bank @alg, @size bytes; 0, or -1 with the error said. */
static int read_pcr(const char *dir, const char *alg, uint32_t pcr, uint8_t *out,
		    size_t size)
{
	char path[4096], why[160];
	uint8_t *text;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/pcr-%s/%u", dir, alg, pcr);
	ret = hg_read_file(path, 4096, &text, &len);
	if (ret) {
		hg_error("cannot read PCR", path, -ret);
		return -1;
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	ret = len == 2 * size && !hg_unhex(out, (const char *)text, size) ? 0 : -1;
	free(text);
	if (ret) {
		snprintf(why, sizeof(why), "not %zu hex digits, as a %s PCR has",
			 2 * size, alg);
		hg_error_text("unexpected PCR value in", path, why);
	}
	return ret;
}

/* Replay @l for every bank the TPM has; 0, or the exit code, said. */
static int replay(struct verify *v, const struct list *l)
{
	uint32_t *pcrs;
	size_t i, j, np = 0;

	free(v->res);
	v->res = NULL;
	v->n = 0;
	v->mismatch = false;
	pcrs = calloc(l->ml.count + 1, sizeof(*pcrs));
	v->res = calloc(NBANKS * l->ml.count + 1, sizeof(*v->res));
	if (!pcrs || !v->res) {
		free(pcrs);
		hg_error("cannot allocate", NULL, ENOMEM);
		return HG_EXIT_FAIL;
	}
	for (i = 0; i < l->ml.count; i++)
		pcrs[i] = l->ml.entries[i].pcr;
	if (l->ml.count)
		qsort(pcrs, l->ml.count, sizeof(*pcrs), cmp_u32);
	for (i = 0; i < l->ml.count; i++)
		if (!np || pcrs[np - 1] != pcrs[i])
			pcrs[np++] = pcrs[i];
	for (j = 0; j < NBANKS; j++) {
		if (!v->have[j])
			continue;
		for (i = 0; i < np; i++) {
			struct result *r = &v->res[v->n++];

			r->bank = banks[j];
			r->pcr = pcrs[i];
			r->entries = hg_ml_replay(&l->ml, r->pcr, r->bank, false,
						  r->expected, &r->size);
			if (r->entries < 0) {
				hg_error("cannot replay", l->name, (int)-r->entries);
				free(pcrs);
				return HG_EXIT_FAIL;
			}
			if (read_pcr(v->dir, r->bank, r->pcr, r->tpm, r->size)) {
				free(pcrs);
				return HG_EXIT_FAIL;
			}
			r->match = !memcmp(r->expected, r->tpm, r->size);
			/*
			 * A kernel without this bank's hash (6.1's initramfs
			 * has no sha384 module) extends it with the SHA-1
			 * padded: evmctl accepts that too.
			 */
			if (!r->match && strcmp(r->bank, "sha1")) {
				uint8_t padded[HG_ML_HASH_MAX];
				size_t size;

				if (hg_ml_replay(&l->ml, r->pcr, r->bank, true, padded,
						 &size) >= 0 &&
				    !memcmp(padded, r->tpm, r->size)) {
					memcpy(r->expected, padded, r->size);
					r->match = r->sha1_padded = true;
				}
			}
			v->mismatch |= !r->match;
		}
	}
	free(pcrs);
	return 0;
}

static void print_result(const struct result *r, bool json)
{
	char e[2 * HG_ML_HASH_MAX + 1], t[2 * HG_ML_HASH_MAX + 1];

	hg_hex(e, r->expected, r->size);
	hg_hex(t, r->tpm, r->size);
	if (json)
		printf("{\"bank\":\"%s\",\"pcr\":%u,\"entries\":%ld,\"match\":%s,"
		       "\"sha1_padded\":%s,\"expected\":\"%s\",\"tpm\":\"%s\"}\n",
		       r->bank, r->pcr, r->entries, r->match ? "true" : "false",
		       r->sha1_padded ? "true" : "false", e, t);
	else if (r->match)
		printf("%s PCR %u: match%s (%ld entr%s)\n", r->bank, r->pcr,
		       r->sha1_padded ? ", SHA-1 padded" : "", r->entries,
		       r->entries == 1 ? "y" : "ies");
	else
		printf("%s PCR %u: MISMATCH expected %s tpm %s\n", r->bank, r->pcr, e, t);
}

/* Which banks @v->dir has; 0, or HG_EXIT_NOTPM with why said. */
static int find_banks(struct verify *v, const struct hg_ml *ml)
{
	const char *why = NULL;
	char path[4096];
	struct stat st;
	size_t j;
	bool any = false;

	if (stat(v->dir, &st) || !S_ISDIR(st.st_mode)) {
		why = "no TPM (no such directory)";
	} else {
		for (j = 0; j < NBANKS; j++) {
			snprintf(path, sizeof(path), "%s/pcr-%s", v->dir, banks[j]);
			v->have[j] = !stat(path, &st) && S_ISDIR(st.st_mode);
			any |= v->have[j];
		}
		if (!any)
			why = "no PCR banks exported (no pcr-sha1, pcr-sha256, pcr-sha384 "
			      "or pcr-sha512: a TPM 1.2, or Linux older than 5.12?)";
	}
	if (why) {
		hg_error_text("cannot verify against", v->dir, why);
		if (made_without_tpm(ml))
			hg_errorf("the list says it was made without a TPM (its "
				  "hashgate:start entry has tpm=none)");
		return HG_EXIT_NOTPM;
	}
	if (made_without_tpm(ml))
		hg_errorf("note: the list says it was made without a TPM (tpm=none): "
			  "the module extended no PCR, so none will match");
	return 0;
}

static int verify_pcrs(struct list *l, const char *file, const char *dir, bool json)
{
	struct verify v = { .dir = dir };
	char path[4096];
	size_t i;
	int ret, tries;

	ret = find_banks(&v, &l->ml);
	if (ret)
		return ret;
	/* A live list may grow between the reads of list and PCRs: read again. */
	for (tries = 1; ; tries++) {
		ret = replay(&v, l);
		if (ret || !v.mismatch || file || tries == LIVE_TRIES)
			break;
		list_free(l);
		ret = read_list(NULL, l, path, sizeof(path));
		if (ret)
			break;
	}
	if (!ret) {
		if (!v.n)
			fprintf(stderr, "%s: the list is empty: nothing to replay\n", l->name);
		for (i = 0; i < v.n; i++)
			print_result(&v.res[i], json);
		ret = v.mismatch ? HG_EXIT_MISMATCH : HG_EXIT_OK;
	}
	free(v.res);
	return ret;
}

struct opts {
	const char *file, *tpm_dir, *against;
	bool json, verify;
};

int measurements_main(int argc, char *argv[])
{
	struct opts o = { NULL };
	const struct hg_opt opts[] = {
		HG_OPT_ARG("file", 'f', &o.file),
		HG_OPT_FLAG("json", 'j', &o.json),
		HG_OPT_LONG_FLAG("verify-pcr", 'P', &o.verify),
		HG_OPT_LONG_ARG("tpm-dir", 'T', &o.tpm_dir),
		HG_OPT_LONG_ARG("against", 'A', &o.against),
		{ NULL }
	};
	struct list l = { NULL };
	char path[4096];
	size_t i;
	int ret = hg_options(argc, argv, opts, usage, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (optind != argc)
		return hg_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (o.verify && o.against)
		return hg_usage_error(usage, "--verify-pcr and --against do not go together");
	if (o.tpm_dir && !o.verify)
		return hg_usage_error(usage, "--tpm-dir is for --verify-pcr");
	ret = read_list(o.file, &l, path, sizeof(path));
	if (ret)
		return ret;
	if (o.verify) {
		ret = verify_pcrs(&l, o.file, o.tpm_dir ? o.tpm_dir : TPM_DIR_DEFAULT,
				  o.json);
	} else if (o.against) {
		ret = against(&l, o.against, o.json);
	} else {
		for (i = 0; i < l.ml.count; i++) {
			if (o.json)
				print_json(&l.ml.entries[i]);
			else
				hg_ml_print_ascii(stdout, &l.ml.entries[i]);
		}
		ret = HG_EXIT_OK;
	}
	list_free(&l);
	if (fflush(stdout) && !ret)
		ret = HG_EXIT_FAIL;
	return ret;
}
