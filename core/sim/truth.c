#include "sim/truth.h"

#include <errno.h>
#include <string.h>

#include "sim/loglines.h"

enum seg_err seg_sim_truth_open(const char *path, FILE **out, struct seg_errmsg *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        seg_errmsg_set(err, "--sim-truth: cannot write %s: %s", path, strerror(errno));
        return SEG_ERR_IO;
    }
    fputs(SEG_SIM_TRUTH_HEADER "\n", f);
    fflush(f);
    *out = f;
    return SEG_OK;
}

/* RFC 4180: quote a cell holding a comma, quote, CR or LF. */
static void cell(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void seg_sim_truth_write(FILE *f, const struct seg_sim_truth_row *r)
{
    if (!f)
        return;
    char start[32], end[32];
    seg_sim_fmt_iso_ms(r->start_ms, start, sizeof start);
    seg_sim_fmt_iso_ms(r->end_ms, end, sizeof end);
    fprintf(f, "%d,%d,", r->wave, r->site);
    cell(f, r->request_id);
    fputc(',', f);
    cell(f, r->trigger_key);
    fprintf(f, ",%d,%s,", r->attempt, r->cold ? "true" : "false");
    if (r->ran) {
        if (r->cold)
            fprintf(f, "%.2f", r->init_ms);
        fprintf(f, ",%.2f,%ld,%d,", r->duration_ms, r->billed_ms, r->max_memory_mb);
    } else {
        fputs(",,,,", f);
    }
    fprintf(f, "%s,", r->status);
    cell(f, r->error_type);
    fprintf(f, ",%s,%s\n", start, end);
    fflush(f);
}
