#include "aws/ini.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/crypto.h"
#include "util/xalloc.h"

/* Bounds that keep the quadratic duplicate checks cheap on hostile input. */
#define MAX_SECTIONS 1000
#define MAX_ENTRIES  10000

static void free_secret(char *s)
{
    if (s) {
        seg_wipe(s, strlen(s));
        free(s);
    }
}

void seg_ini_init(struct seg_ini *ini)
{
    memset(ini, 0, sizeof *ini);
}

void seg_ini_release(struct seg_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n_sections; i++) {
        struct seg_ini_section *s = &ini->sections[i];
        for (size_t j = 0; j < s->n_entries; j++) {
            free(s->entries[j].key);
            free(s->entries[j].subkey);
            free_secret(s->entries[j].value);
        }
        free(s->entries);
        free(s->name);
    }
    free(ini->sections);
    free(ini->name);
    memset(ini, 0, sizeof *ini);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* Trims [*b, *e) in place. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_blank(**b))
        (*b)++;
    while (*e > *b && is_blank((*e)[-1]))
        (*e)--;
}

static char *dup_lower(const char *b, const char *e)
{
    char *s = seg_xstrndup(b, (size_t)(e - b));
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* Keys are quoted in messages only when they look like setting names (snake_case, or a
 * short word such as "s3"): a 20-character access key id pasted on a line of its own would
 * otherwise be echoed back. */
static const char *printable_key(const char *k)
{
    size_t n = strlen(k);
    bool underscore = strchr(k, '_') != NULL;
    if (n == 0 || n > 40 || (!underscore && n > 12))
        return "(key)";
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return "(key)";
    return k;
}

struct parser {
    struct seg_ini *ini;
    struct seg_errmsg *err;
    unsigned line;
    struct seg_ini_section *cur; /* NULL before the first header */
    long parent;                 /* index in cur of the last top-level key, or -1 */
    size_t parent_indent;
    size_t total_entries;
};

static enum seg_err fail(struct parser *p, enum seg_err code, const char *what)
{
    seg_errmsg_set(p->err, "%s:%u: %s", p->ini->name, p->line, what);
    return code;
}

static enum seg_err add_section(struct parser *p, const char *b, const char *e)
{
    trim(&b, &e);
    if (b == e)
        return fail(p, SEG_ERR_PARSE, "empty section name '[]'; write e.g. [default]");
    char *name = seg_xstrndup(b, (size_t)(e - b));
    for (size_t i = 0; i < p->ini->n_sections; i++) {
        if (strcmp(p->ini->sections[i].name, name) == 0) {
            seg_errmsg_set(p->err,
                           "%s:%u: section [%.100s] already started at line %u; merge the two",
                           p->ini->name, p->line, name, p->ini->sections[i].line);
            free(name);
            return SEG_ERR_PARSE;
        }
    }
    if (p->ini->n_sections >= MAX_SECTIONS) {
        free(name);
        return fail(p, SEG_ERR_TOOBIG, "more than 1000 sections; this is not an AWS config file");
    }
    struct seg_ini *ini = p->ini;
    if (ini->n_sections == ini->cap_sections) {
        ini->cap_sections = ini->cap_sections ? ini->cap_sections * 2 : 8;
        ini->sections = seg_xrealloc(ini->sections, ini->cap_sections * sizeof *ini->sections);
    }
    p->cur = &ini->sections[ini->n_sections++];
    memset(p->cur, 0, sizeof *p->cur);
    p->cur->name = name;
    p->cur->line = p->line;
    p->parent = -1;
    return SEG_OK;
}

/* Takes ownership of key, subkey and value. */
static enum seg_err add_entry(struct parser *p, char *key, char *subkey, char *value)
{
    struct seg_ini_section *s = p->cur;
    enum seg_err rc = SEG_OK;
    for (size_t i = 0; i < s->n_entries; i++) {
        const struct seg_ini_entry *o = &s->entries[i];
        bool same_sub =
            (!o->subkey && !subkey) || (o->subkey && subkey && strcmp(o->subkey, subkey) == 0);
        if (same_sub && strcmp(o->key, key) == 0) {
            seg_errmsg_set(p->err,
                           "%s:%u: key '%s%s%s' already set at line %u in [%.100s]; "
                           "remove one of them",
                           p->ini->name, p->line, printable_key(key), subkey ? "." : "",
                           subkey ? printable_key(subkey) : "", o->line, s->name);
            rc = SEG_ERR_PARSE;
            goto out;
        }
    }
    if (p->total_entries >= MAX_ENTRIES) {
        rc = fail(p, SEG_ERR_TOOBIG, "more than 10000 settings; this is not an AWS config file");
        goto out;
    }
    if (s->n_entries == s->cap_entries) {
        s->cap_entries = s->cap_entries ? s->cap_entries * 2 : 8;
        s->entries = seg_xrealloc(s->entries, s->cap_entries * sizeof *s->entries);
    }
    s->entries[s->n_entries++] =
        (struct seg_ini_entry){.key = key, .subkey = subkey, .value = value, .line = p->line};
    p->total_entries++;
    key = subkey = value = NULL;
out:
    free(key);
    free(subkey);
    free_secret(value);
    return rc;
}

/* One line without its terminator. */
static enum seg_err parse_line(struct parser *p, const char *b, const char *e)
{
    if (memchr(b, '\0', (size_t)(e - b)))
        return fail(p, SEG_ERR_PARSE, "NUL byte in line; is this a text file?");
    const char *start = b;
    trim(&b, &e);
    size_t indent = (size_t)(b - start);
    if (b == e || *b == '#' || *b == ';')
        return SEG_OK; /* blank lines and comments do not end a nested block */

    if (indent > 0 && p->cur && p->parent >= 0 && indent > p->parent_indent) {
        const struct seg_ini_entry *par = &p->cur->entries[p->parent];
        if (par->value[0])
            return fail(p, SEG_ERR_PARSE,
                        "indented line under a key that already has a value; nested "
                        "settings need a parent with nothing after '=' (e.g. 's3 =')");
        const char *eq = memchr(b, '=', (size_t)(e - b));
        if (!eq)
            return fail(p, SEG_ERR_PARSE, "expected an indented 'key = value' (nested setting)");
        const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
        trim(&kb, &ke);
        trim(&vb, &ve);
        if (kb == ke)
            return fail(p, SEG_ERR_PARSE, "missing key before '='");
        return add_entry(p, seg_xstrdup(par->key), dup_lower(kb, ke),
                         seg_xstrndup(vb, (size_t)(ve - vb)));
    }

    if (*b == '[') {
        const char *close = memchr(b, ']', (size_t)(e - b));
        if (!close)
            return fail(p, SEG_ERR_PARSE, "section header without ']'; write e.g. [profile dev]");
        const char *rest = close + 1, *rest_e = e;
        trim(&rest, &rest_e);
        if (rest != rest_e && *rest != '#' && *rest != ';')
            return fail(p, SEG_ERR_PARSE, "text after the section header's ']'");
        return add_section(p, b + 1, close);
    }

    if (!p->cur)
        return fail(p, SEG_ERR_PARSE,
                    "setting before any '[section]' header; add e.g. [default] above it");
    /* configparser splits at the first '=' or ':', whichever comes first. */
    const char *eq = b;
    while (eq < e && *eq != '=' && *eq != ':')
        eq++;
    if (eq == e)
        return fail(p, SEG_ERR_PARSE, "expected 'key = value' or '[section]'");
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    if (kb == ke)
        return fail(p, SEG_ERR_PARSE, "missing key before '='; expected 'key = value'");
    enum seg_err rc = add_entry(p, dup_lower(kb, ke), NULL, seg_xstrndup(vb, (size_t)(ve - vb)));
    if (rc == SEG_OK) {
        p->parent = (long)p->cur->n_entries - 1;
        p->parent_indent = indent;
    }
    return rc;
}

enum seg_err seg_ini_parse(struct seg_ini *ini, const char *name, const char *text, size_t len,
                           struct seg_errmsg *err)
{
    seg_ini_init(ini);
    ini->name = seg_xstrdup(name ? name : "(config)");
    struct parser p = {.ini = ini, .err = err, .parent = -1};
    enum seg_err rc = SEG_OK;
    if (len > SEG_INI_MAX_FILE) {
        seg_errmsg_set(err, "%s: larger than 1 MiB; this is not an AWS config file", ini->name);
        rc = SEG_ERR_TOOBIG;
        goto out;
    }
    const char *s = text, *end = text + len;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3; /* UTF-8 byte order mark from Windows editors */
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        p.line++;
        if ((size_t)(le - s) > SEG_INI_MAX_LINE) {
            rc = fail(&p, SEG_ERR_TOOBIG, "line longer than 16384 bytes");
            goto out;
        }
        const char *ce = le;
        if (ce > s && ce[-1] == '\r')
            ce--;
        rc = parse_line(&p, s, ce);
        if (rc)
            goto out;
        s = nl ? nl + 1 : end;
    }
out:
    if (rc)
        seg_ini_release(ini);
    return rc;
}

enum seg_err seg_ini_load(struct seg_ini *ini, const char *path, const char *name,
                          struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    char *buf = NULL;
    size_t len = 0;
    if (!name)
        name = path;
    seg_ini_init(ini);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SEG_ERR_NOTFOUND;
        seg_errmsg_set(err, "%s: cannot open: %s; check the path and its permissions", name,
                       strerror(errno));
        return SEG_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        seg_errmsg_set(err, "%s: not a regular file; point the setting at a file", name);
        rc = SEG_ERR_IO;
        goto out;
    }
    /* Read into our own buffer (not stdio's) so the secrets can be wiped afterwards. */
    buf = seg_xmalloc(SEG_INI_MAX_FILE + 1);
    for (;;) {
        ssize_t n = read(fd, buf + len, SEG_INI_MAX_FILE + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            seg_errmsg_set(err, "%s: read failed: %s", name, strerror(errno));
            rc = SEG_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > SEG_INI_MAX_FILE) {
            seg_errmsg_set(err, "%s: larger than 1 MiB; this is not an AWS config file", name);
            rc = SEG_ERR_TOOBIG;
            goto out;
        }
    }
    rc = seg_ini_parse(ini, name, buf, len, err);
out:
    if (buf) {
        seg_wipe(buf, len);
        free(buf);
    }
    close(fd);
    return rc;
}

const struct seg_ini_section *seg_ini_find(const struct seg_ini *ini, const char *section)
{
    for (size_t i = 0; ini && i < ini->n_sections; i++)
        if (strcmp(ini->sections[i].name, section) == 0)
            return &ini->sections[i];
    return NULL;
}

const struct seg_ini_entry *seg_ini_get(const struct seg_ini_section *sec, const char *key)
{
    for (size_t i = 0; sec && i < sec->n_entries; i++)
        if (!sec->entries[i].subkey && strcmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}

const struct seg_ini_entry *seg_ini_get_nested(const struct seg_ini_section *sec, const char *key,
                                               const char *subkey)
{
    for (size_t i = 0; sec && i < sec->n_entries; i++) {
        const struct seg_ini_entry *e = &sec->entries[i];
        if (e->subkey && strcmp(e->key, key) == 0 && strcmp(e->subkey, subkey) == 0)
            return e;
    }
    return NULL;
}
