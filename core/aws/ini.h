/* Parser for the AWS shared files ~/.aws/credentials and ~/.aws/config (aws-wire.md §6.1),
 * following botocore's configparser dialect: [section] headers, "key = value" (or
 * "key: value"), whole-line '#'/';' comments, lowercased keys, and the indented nested form
 * ("s3 =\n  endpoint_url = ..."). The input is untrusted: sizes are capped, errors name the
 * file and line and never quote line contents (a broken line may be a secret). */
#ifndef SEGTOP_CORE_AWS_INI_H
#define SEGTOP_CORE_AWS_INI_H

#include <stddef.h>

#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_INI_MAX_FILE ((size_t)1 << 20) /* 1 MiB: real files are a few KiB */
#define SEG_INI_MAX_LINE ((size_t)16384)   /* session tokens can run to a few KiB */

struct seg_ini_entry {
    char *key;    /* lowercased; for a nested entry, the parent key ("s3") */
    char *subkey; /* lowercased nested key ("endpoint_url"), or NULL at top level */
    char *value;  /* trimmed; "" for a nested parent ("s3 =") */
    unsigned line;
};

struct seg_ini_section {
    char *name; /* text between the brackets, trimmed: "default", "profile dev" */
    unsigned line;
    struct seg_ini_entry *entries;
    size_t n_entries, cap_entries;
};

/* Owns everything it points to. Values may be secrets: release wipes them. */
struct seg_ini {
    char *name; /* how errors name the file, e.g. "~/.aws/config" */
    struct seg_ini_section *sections;
    size_t n_sections, cap_sections;
};

void seg_ini_init(struct seg_ini *ini);
void seg_ini_release(struct seg_ini *ini);

/* Parses len bytes (need not be NUL-terminated). name is only used in messages. On error ini
 * is left released (zeroed) and err says "name:line: what; what to do". */
enum seg_err seg_ini_parse(struct seg_ini *ini, const char *name, const char *text, size_t len,
                           struct seg_errmsg *err) SEG_MUST_USE;

/* Reads and parses path (at most SEG_INI_MAX_FILE bytes). A file that does not exist gives
 * SEG_ERR_NOTFOUND with ini left empty (callers usually treat that as "no settings"); other
 * failures give SEG_ERR_IO / SEG_ERR_TOOBIG / SEG_ERR_PARSE with a message. */
enum seg_err seg_ini_load(struct seg_ini *ini, const char *path, const char *name,
                          struct seg_errmsg *err) SEG_MUST_USE;

/* Lookups: NULL when absent. Section names are case-sensitive (as in configparser), keys
 * are matched lowercase. */
const struct seg_ini_section *seg_ini_find(const struct seg_ini *ini, const char *section);
const struct seg_ini_entry *seg_ini_get(const struct seg_ini_section *sec, const char *key);
const struct seg_ini_entry *seg_ini_get_nested(const struct seg_ini_section *sec, const char *key,
                                               const char *subkey);

#endif
