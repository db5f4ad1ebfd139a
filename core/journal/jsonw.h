/* A minimal JSON-lines writer for the journal: one flat object per line, appended to a
 * seg_buf, no allocation per record (cJSON would build a tree per mutation). */
#ifndef SEGTOP_CORE_JOURNAL_JSONW_H
#define SEGTOP_CORE_JOURNAL_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

struct seg_jsonw {
    struct seg_buf *b;
    bool failed; /* the buffer refused bytes (its cap): the caller drops the line */
};

/* {"op":"<op>" */
void seg_jsonw_begin(struct seg_jsonw *w, struct seg_buf *b, const char *op);
/* {"segtop_journal":<version> */
void seg_jsonw_header(struct seg_jsonw *w, struct seg_buf *b, int version);
void seg_jsonw_int(struct seg_jsonw *w, const char *key, int64_t v);
/* Epoch ms; SEG_TIME_NONE (INT64_MIN) writes null. */
void seg_jsonw_time(struct seg_jsonw *w, const char *key, int64_t v);
/* The shortest of %.15g / %.17g that reads back exactly; NAN and infinities write null. */
void seg_jsonw_num(struct seg_jsonw *w, const char *key, double v);
void seg_jsonw_bool(struct seg_jsonw *w, const char *key, bool v);
/* A string (NULL writes null); invalid UTF-8 becomes U+FFFD. */
void seg_jsonw_str(struct seg_jsonw *w, const char *key, const char *s);
/* Free text from outside (error messages): like seg_jsonw_str, with the values of
 * secret-looking parameters (Signature=, Credential=, Security-Token=, secret_access_key)
 * masked as "***". */
void seg_jsonw_text(struct seg_jsonw *w, const char *key, const char *s);
/* } and the line end. */
void seg_jsonw_end(struct seg_jsonw *w);

#endif
