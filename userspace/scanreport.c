// SPDX-License-Identifier: GPL-2.0
/*
 * The report of the last scan of resident code, as the module's securityfs
 * 'scan' file gives it (uapi/hashgate.h): a first line of "key=value"
 * words, then one "finding key=value ... path=P" line per finding kept,
 * comm and path escaped as in /proc/mounts (a backslash and three octal
 * digits). Strict where a mistake would mislead: every documented key
 * present once, numbers that are numbers, escapes that decode, as many
 * finding lines as the summary's kept says (a report cut short is an
 * error, not a shorter list). Lenient where a newer module may add: keys
 * this tool does not know are skipped. Shared by 'hashgate scan' and
 * 'hashgate status'.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scanreport.h"

#define U(x) ((unsigned long long)(x))

#define FIELD(name) { #name, offsetof(struct hg_scan_summary, name) }

/* The summary's keys, in the module's order. */
static const struct {
	const char *key;
	size_t off;
} summary_keys[] = {
	FIELD(scans), FIELD(time), FIELD(duration_ms), FIELD(processes), FIELD(busy),
	FIELD(mappings), FIELD(pages), FIELD(files), FIELD(file_pages), FIELD(findings),
	FIELD(kept), FIELD(repeated),
};
#define NSUMMARY	(sizeof(summary_keys) / sizeof(summary_keys[0]))

/* A finding line's keys; path comes last and takes the rest of the line. */
enum {
	F_REASON, F_PID, F_COMM, F_OFFSET, F_ADDRESS, F_COUNT, F_EXPECTED, F_ACTUAL,
	F_PATH, NFINDING
};
static const char *const finding_keys[NFINDING] = {
	[F_REASON] = "reason", [F_PID] = "pid", [F_COMM] = "comm", [F_OFFSET] = "offset",
	[F_ADDRESS] = "address", [F_COUNT] = "count", [F_EXPECTED] = "expected",
	[F_ACTUAL] = "actual", [F_PATH] = "path",
};

struct word {
	const char *key, *val;
	size_t key_len, val_len;
};

/*
 * The next word of [*@p, @end), words separated by single spaces, as
 * key=value: 1; 0 at the end; -1 for a word that is not key=value.
 */
static int next_word(const char **p, const char *end, struct word *w)
{
	const char *s = *p, *sp, *eq;

	while (s < end && *s == ' ')
		s++;
	if (s >= end)
		return 0;
	sp = memchr(s, ' ', (size_t)(end - s));
	if (!sp)
		sp = end;
	eq = memchr(s, '=', (size_t)(sp - s));
	*p = sp;
	if (!eq || eq == s)
		return -1;
	w->key = s;
	w->key_len = (size_t)(eq - s);
	w->val = eq + 1;
	w->val_len = (size_t)(sp - eq - 1);
	return 1;
}

/* The index of @w's key in @keys, or @n. */
static size_t key_index(const struct word *w, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(keys[i]) == w->key_len && !memcmp(keys[i], w->key, w->key_len))
			break;
	return i;
}

/* Decimal digits only, at most @max. */
static bool parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "0x" and 1 to 16 hex digits. */
static bool parse_addr(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len < 3 || len > 18 || s[0] != '0' || s[1] != 'x')
		return false;
	for (i = 2; i < len; i++) {
		if (hex_digit(s[i]) < 0)
			return false;
		v = v << 4 | (uint64_t)hex_digit(s[i]);
	}
	*out = v;
	return true;
}

/* A page digest in hex, or "-" (*@has false) when the module has none. */
static bool parse_digest(const char *s, size_t len, uint8_t *out, bool *has)
{
	size_t i;

	*has = false;
	if (len == 1 && s[0] == '-')
		return true;
	if (len != 2 * HG_PAGE_DIGEST_SIZE)
		return false;
	for (i = 0; i < len; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	for (i = 0; i < HG_PAGE_DIGEST_SIZE; i++)
		out[i] = (uint8_t)(hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]));
	*has = true;
	return true;
}

/*
 * Undo the octal escapes of /proc/mounts (\040 space, \011 tab, \012
 * newline, \134 backslash; any \NNN decodes) into @out, at most @cap
 * bytes. False for a backslash not followed by three octal digits, a NUL
 * or a value too long.
 */
static bool unescape(const char *s, size_t len, char *out, size_t cap, size_t *out_len)
{
	size_t i, n = 0;
	unsigned int c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\\') {
			if (len - i < 4 || s[i + 1] < '0' || s[i + 1] > '3' ||
			    s[i + 2] < '0' || s[i + 2] > '7' || s[i + 3] < '0' || s[i + 3] > '7')
				return false;
			c = (unsigned int)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
					   (s[i + 3] - '0'));
			i += 3;
		}
		if (!c || n >= cap)
			return false;
		out[n++] = (char)c;
	}
	*out_len = n;
	return true;
}

/*
 * Parse the summary, the first line of the report (@len bytes, no
 * newline). 0, or -EINVAL with the reason in @why. "scans=0" alone (no
 * scan yet) leaves the rest 0.
 */
int hg_scan_summary_parse(const char *line, size_t len, struct hg_scan_summary *sum,
			  char *why, size_t size)
{
	const char *p = line, *end = line + len;
	bool seen[NSUMMARY] = { false };
	struct word w;
	size_t i;
	int r;

	memset(sum, 0, sizeof(*sum));
	while ((r = next_word(&p, end, &w))) {
		if (r < 0) {
			snprintf(why, size, "a word of the summary is not key=value");
			return -EINVAL;
		}
		for (i = 0; i < NSUMMARY; i++)
			if (strlen(summary_keys[i].key) == w.key_len &&
			    !memcmp(summary_keys[i].key, w.key, w.key_len))
				break;
		if (i == NSUMMARY)
			continue;	/* a newer module's */
		if (seen[i]) {
			snprintf(why, size, "%s given twice", summary_keys[i].key);
			return -EINVAL;
		}
		seen[i] = true;
		if (!parse_dec(w.val, w.val_len, UINT64_MAX,
			       (uint64_t *)((char *)sum + summary_keys[i].off))) {
			snprintf(why, size, "%s is not a number", summary_keys[i].key);
			return -EINVAL;
		}
	}
	if (!seen[0]) {
		snprintf(why, size, "no scans= in the summary");
		return -EINVAL;
	}
	if (!sum->scans) {
		memset(sum, 0, sizeof(*sum));
		return 0;
	}
	for (i = 0; i < NSUMMARY; i++) {
		if (!seen[i]) {
			snprintf(why, size, "no %s= in the summary", summary_keys[i].key);
			return -EINVAL;
		}
	}
	if (sum->kept > sum->findings || sum->repeated > sum->findings ||
	    sum->kept > HG_SCAN_FINDINGS_MAX) {
		snprintf(why, size, "kept=%llu and repeated=%llu do not fit findings=%llu",
			 U(sum->kept), U(sum->repeated), U(sum->findings));
		return -EINVAL;
	}
	return 0;
}

/* Each of the @len bytes at @s (not NUL-terminated) is one of @set. */
static bool all_of(const char *s, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

/* The value of one known key of a finding line into @f; false if bad. */
static bool finding_value(struct hg_scan_finding *f, size_t k, const struct word *w)
{
	uint64_t v;

	switch (k) {
	case F_REASON:
		if (!w->val_len || w->val_len >= sizeof(f->reason) ||
		    !all_of(w->val, w->val_len, "abcdefghijklmnopqrstuvwxyz0123456789-"))
			return false;
		memcpy(f->reason, w->val, w->val_len);
		f->reason[w->val_len] = '\0';
		return true;
	case F_PID:
		if (!parse_dec(w->val, w->val_len, UINT32_MAX, &v))
			return false;
		f->pid = (uint32_t)v;
		return true;
	case F_COMM:
		return unescape(w->val, w->val_len, f->comm, sizeof(f->comm) - 1,
				&f->comm_len);
	case F_OFFSET:
		return parse_dec(w->val, w->val_len, UINT64_MAX, &f->offset);
	case F_ADDRESS:
		return parse_addr(w->val, w->val_len, &f->address);
	case F_COUNT:
		if (!parse_dec(w->val, w->val_len, UINT32_MAX, &v))
			return false;
		f->count = (uint32_t)v;
		return true;
	case F_EXPECTED:
		return parse_digest(w->val, w->val_len, f->expected, &f->has_expected);
	case F_ACTUAL:
		return parse_digest(w->val, w->val_len, f->actual, &f->has_actual);
	}
	return false;
}

/* "-" is anonymous memory; anything else a path, unescaped and malloc()ed. */
static int finding_path(struct hg_scan_finding *f, const char *s, size_t len)
{
	char *buf;

	if (len == 1 && s[0] == '-')
		return 0;
	if (!len)
		return -EINVAL;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	if (!unescape(s, len, buf, HG_SCAN_PATH_MAX, &f->path_len)) {
		free(buf);
		return -EINVAL;
	}
	buf[f->path_len] = '\0';
	f->path = buf;
	return 0;
}

/* One "finding ..." line, "finding " already checked. 0, -EINVAL, -ENOMEM. */
static int parse_finding(const char *line, size_t len, struct hg_scan_finding *f,
			 char *why, size_t size)
{
	const char *p = line + strlen("finding "), *end = line + len;
	unsigned int seen = 0;
	struct word w;
	size_t k;
	int r;

	while ((r = next_word(&p, end, &w))) {
		if (r < 0) {
			snprintf(why, size, "a word of the finding is not key=value");
			return -EINVAL;
		}
		k = key_index(&w, finding_keys, NFINDING);
		if (k == NFINDING)
			continue;	/* a newer module's */
		if (seen & (1U << k)) {
			snprintf(why, size, "%s given twice", finding_keys[k]);
			return -EINVAL;
		}
		seen |= 1U << k;
		if (k == F_PATH) {
			/* Last, and the rest of the line: nothing can follow it. */
			r = finding_path(f, w.val, (size_t)(end - w.val));
			if (r == -ENOMEM)
				return r;
			if (r) {
				snprintf(why, size, "the path does not decode");
				return r;
			}
			break;
		}
		if (!finding_value(f, k, &w)) {
			snprintf(why, size, "bad %s", finding_keys[k]);
			return -EINVAL;
		}
	}
	for (k = 0; k < NFINDING; k++) {
		if (!(seen & (1U << k))) {
			snprintf(why, size, "no %s= in the finding", finding_keys[k]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Parse the whole report, @len bytes of @text. 0, or -EINVAL with the
 * reason in @why and the line in *@lineno (nothing is left to free), or
 * -ENOMEM.
 */
int hg_scan_parse(const char *text, size_t len, struct hg_scan_report *rep,
		  unsigned long *lineno, char *why, size_t size)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;
	int ret;

	memset(rep, 0, sizeof(*rep));
	*lineno = 1;
	if (memchr(text, '\0', len)) {
		snprintf(why, size, "a NUL byte in the report");
		return -EINVAL;
	}
	nl = memchr(p, '\n', len);
	n = (size_t)((nl ? nl : end) - p);
	ret = hg_scan_summary_parse(p, n, &rep->sum, why, size);
	if (ret)
		return ret;
	if (rep->sum.kept) {
		rep->findings = calloc((size_t)rep->sum.kept, sizeof(*rep->findings));
		if (!rep->findings)
			return -ENOMEM;
	}
	for (p = nl ? nl + 1 : end; p < end; p += n + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		++*lineno;
		if (!n)
			continue;
		if (n < strlen("finding ") || memcmp(p, "finding ", strlen("finding "))) {
			snprintf(why, size, "not a finding line");
			ret = -EINVAL;
		} else if (rep->count == rep->sum.kept) {
			snprintf(why, size, "more finding lines than kept=%llu",
				 U(rep->sum.kept));
			ret = -EINVAL;
		} else {
			ret = parse_finding(p, n, &rep->findings[rep->count++], why, size);
		}
		if (ret)
			goto fail;
	}
	if (rep->count == rep->sum.kept)
		return 0;
	++*lineno;	/* where the next finding should have been */
	snprintf(why, size, "%zu finding lines, but kept=%llu: the report is cut short",
		 rep->count, U(rep->sum.kept));
	ret = -EINVAL;
fail:
	hg_scan_free(rep);
	return ret;
}

void hg_scan_free(struct hg_scan_report *rep)
{
	size_t i;

	for (i = 0; i < rep->count; i++)
		free(rep->findings[i].path);
	free(rep->findings);
	rep->findings = NULL;
	rep->count = 0;
}

/*
 * The summary as JSON members, without braces, in the module's order:
 * every value null but scans before the first scan. The count of findings
 * is "findings_total", so that "findings" can be their list.
 */
void hg_scan_summary_json(FILE *f, const struct hg_scan_summary *sum)
{
	size_t i;

	fprintf(f, "\"scans\":%llu", U(sum->scans));
	for (i = 1; i < NSUMMARY; i++) {
		const char *key = summary_keys[i].key;

		fprintf(f, ",\"%s%s\":", key, strcmp(key, "findings") ? "" : "_total");
		if (sum->scans)
			fprintf(f, "%llu", U(*(const uint64_t *)((const char *)sum +
								 summary_keys[i].off)));
		else
			fputs("null", f);
	}
}
