/* libFuzzer target over the two response parsers the log poller feeds from the network
 * (core/logs/events.c): a FilterLogEvents page and a Logs Insights results page, plus the
 * StartQuery id. Any bytes: an error or events whose strings are NUL-terminated and whose
 * lengths agree, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/events.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ud, const struct seg_log_event *ev)
{
    (void)ud;
    if (strlen(ev->message) != ev->message_len || !ev->stream)
        __builtin_trap();
    (void)strlen(ev->stream);
    if (ev->group)
        (void)strlen(ev->group);
    if (ev->event_id)
        (void)strlen(ev->event_id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = seg_xmalloc(size ? size : 1); /* exactly size bytes: ASan sees overreads */
    if (size)
        memcpy(text, data, size);
    char *tok = NULL;
    size_t skipped;
    if (seg_logs_parse_filter_page(text, size, check, NULL, &tok, &skipped) == SEG_OK && tok &&
        (!tok[0] || strlen(tok) > SEG_LOGS_TOKEN_MAX))
        __builtin_trap();
    free(tok);
    struct seg_query_page pg;
    if (seg_logs_parse_query_page(text, size, check, NULL, &pg) == SEG_OK) {
        if (pg.skipped > pg.rows)
            __builtin_trap();
        free(pg.next_token);
    }
    char id[64];
    if (seg_logs_parse_query_id(text, size, id, sizeof id) == SEG_OK && strlen(id) >= sizeof id)
        __builtin_trap();
    free(text);
    return 0;
}
