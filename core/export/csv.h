/* CSV for exports (DESIGN §8): RFC 4180 quoting (a cell holding a comma, a quote, CR or LF
 * is quoted and its quotes doubled), rows end with LF (as pandas writes logsdata.csv), and
 * formula neutralisation: a text cell starting with =, +, -, @, TAB or CR gets a leading '
 * so spreadsheets do not evaluate it. To keep that reversible, a text cell that is already
 * a run of ' followed by one of those characters gets one more '. Numbers are never
 * neutralised: -5 is written as -5. */
#ifndef SEGTOP_CORE_EXPORT_CSV_H
#define SEGTOP_CORE_EXPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/seg.h"

struct seg_csv {
    FILE *f;
    bool row_started; /* a cell was written on the current row */
};

void seg_csv_init(struct seg_csv *w, FILE *f);
/* A text cell: quoted when needed, neutralised when needed. NULL writes an empty cell. */
void seg_csv_text(struct seg_csv *w, const char *s);
void seg_csv_textn(struct seg_csv *w, const char *s, size_t n);
/* A cell written exactly as given (numbers, fixed words): the caller guarantees it needs
 * neither quoting nor neutralisation. */
void seg_csv_raw(struct seg_csv *w, const char *s);
void seg_csv_empty(struct seg_csv *w);
void seg_csv_i64(struct seg_csv *w, int64_t v);
/* printf-style number ("%.1f" ...); NAN or infinity writes an empty cell. */
void seg_csv_double(struct seg_csv *w, const char *fmt, double v);
/* Milliseconds with at most 2 decimals and no trailing zeros ("22215", "234.5");
 * NAN writes an empty cell. */
void seg_csv_ms(struct seg_csv *w, double v);
/* Epoch ms as YYYY-MM-DDTHH:MM:SS.mmmZ; INT64_MIN (unknown) writes an empty cell. */
void seg_csv_time(struct seg_csv *w, int64_t ms);
void seg_csv_end_row(struct seg_csv *w);
/* SEG_ERR_IO when any write failed. */
enum seg_err seg_csv_status(const struct seg_csv *w) SEG_MUST_USE;

/* True when a text cell must get a leading ' (see the top of this file). */
bool seg_csv_needs_neutralize(const char *s, size_t n);
/* The reader's inverse: s without the leading ' that the writer added (a pointer into s),
 * or s itself. */
const char *seg_csv_unneutralize(const char *s);

/* Reader for replay: one RFC 4180 record from data[*pos..len) (quoted cells may hold
 * commas, doubled quotes, CR and LF; CRLF or LF ends a record). Cells are unquoted and, when
 * strip is set, un-neutralised. *pos moves past the record. SEG_ERR_NOTFOUND at the end of
 * the data, SEG_ERR_PARSE for a malformed quoted cell (message in err if given),
 * SEG_ERR_TOOBIG beyond max_cells. */
struct seg_csv_record {
    size_t n;
    char **cells; /* point into storage */
    size_t cells_alloc;
    struct seg_buf storage;
};
void seg_csv_record_init(struct seg_csv_record *r);
void seg_csv_record_release(struct seg_csv_record *r);
enum seg_err seg_csv_read_record(const char *data, size_t len, size_t *pos, bool strip,
                                 size_t max_cells, struct seg_csv_record *r) SEG_MUST_USE;

#endif
