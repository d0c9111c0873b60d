/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HG_JSON_H
#define _HG_JSON_H

#include <stddef.h>

/*
 * A small JSON reader for the few documents the tool reads (an OCI image
 * layout's index and manifests): the whole text into a tree, strings
 * unescaped to UTF-8. Numbers are kept as text.
 */
enum hg_json_type {
	HG_JSON_NULL, HG_JSON_BOOL, HG_JSON_NUMBER, HG_JSON_STRING,
	HG_JSON_ARRAY, HG_JSON_OBJECT,
};

struct hg_json {
	enum hg_json_type type;
	char *key;		/* in an object: the member's name */
	char *str;		/* STRING, NUMBER: the text; BOOL: "true"/"false" */
	struct hg_json *child;	/* ARRAY, OBJECT: the first element */
	struct hg_json *next;	/* the next element of the parent */
};

struct hg_json *hg_json_parse(const char *text, size_t len, const char **why);
const struct hg_json *hg_json_get(const struct hg_json *obj, const char *key);
const char *hg_json_str(const struct hg_json *obj, const char *key);
void hg_json_free(struct hg_json *j);

#endif /* _HG_JSON_H */
