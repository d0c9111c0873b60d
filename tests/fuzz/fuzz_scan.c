// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the parser of the scan report (securityfs 'scan'):
 * the very scanreport.c the tool builds, fed arbitrary text. A report
 * that parses must hold what the parser promises: as many findings as
 * kept=, counts that fit, reasons of [a-z0-9-], paths and comms within
 * their bounds and without NUL; its summary is then printed as JSON.
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/scanreport.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_scan_report rep;
	unsigned long line;
	char why[160], *copy, *out = NULL;
	size_t i, len = 0;
	FILE *f;

	/* An exact-size heap copy: ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	why[0] = '\0';
	if (hg_scan_parse(copy, size, &rep, &line, why, sizeof(why))) {
		if (rep.findings || rep.count || !why[0] || !memchr(why, '\0', sizeof(why)))
			abort();
		free(copy);
		return 0;
	}
	if (rep.count != rep.sum.kept || rep.sum.kept > rep.sum.findings ||
	    rep.sum.repeated > rep.sum.findings || rep.count > HG_SCAN_FINDINGS_MAX ||
	    (!rep.sum.scans && rep.count))
		abort();
	for (i = 0; i < rep.count; i++) {
		const struct hg_scan_finding *fi = &rep.findings[i];

		if (!fi->reason[0] || strspn(fi->reason, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
		    strlen(fi->reason))
			abort();
		if (fi->comm_len >= sizeof(fi->comm) || memchr(fi->comm, '\0', fi->comm_len))
			abort();
		if (fi->path && (!fi->path_len || fi->path_len > HG_SCAN_PATH_MAX ||
				 strlen(fi->path) != fi->path_len))
			abort();
	}
	f = open_memstream(&out, &len);
	if (f) {
		hg_scan_summary_json(f, &rep.sum);
		fclose(f);
	}
	free(out);
	hg_scan_free(&rep);
	free(copy);
	return 0;
}
