/* Shared by the Logs API's files only: logs_api.c (setup, dispatch), logs_request.c (reading
 * and checking input, rendering output, paging tokens), logs_describe.c, logs_events.c and
 * logs_query.c (the operations). Split so that each operation family reads on its own while
 * all of them answer with the same validation messages and tokens. */
#ifndef SEGTOP_CORE_SIM_LOGS_INTERNAL_H
#define SEGTOP_CORE_SIM_LOGS_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <cjson/cJSON.h>

#include "sim/httpd.h"
#include "sim/logs_api.h"
#include "util/seg.h"

/* A Logs Insights query; its fields are logs_query.c's alone. */
struct query;

struct seg_sim_logs {
    const struct seg_sim_clock *clock;
    struct seg_sim_logstore *store;
    char *region, *account;
    const struct seg_sim_faults *faults;
    struct seg_sim_ratelimit *rl;
    uint64_t seed;
    atomic_uint_fast64_t draws;
    size_t scan_budget;
    int64_t qmin, qmax;
    int max_concurrent;
    pthread_mutex_t qmu;
    struct query **q; /* oldest first */
    size_t nq;
};

/* One request: the parsed input, where the answer goes, and whether an error was rendered
 * (the first error wins; later checks see failed and do nothing). */
struct ctx {
    struct seg_sim_logs *api;
    cJSON *in;
    struct seg_httpd_response *resp;
    bool failed;
    int64_t now;
};

/* ---- logs_api.c ---- */

uint64_t seg_sim_logs_draw(struct seg_sim_logs *api);
bool seg_sim_logs_chance(struct seg_sim_logs *api, double p);

/* ---- logs_request.c ---- */

void seg_sim_logs_error(struct ctx *c, const char *code, const char *fmt, ...) SEG_PRINTF(3, 4);
/* Renders obj (NULL: "{}") with the Logs content type and response stamp; frees obj. */
void seg_sim_logs_send_json(struct seg_httpd_response *resp, int status, cJSON *obj);
void seg_sim_logs_invalid_value(struct ctx *c, const char *field, const char *value,
                                const char *rule);

/* Input members. Absent or null members leave the default (or NULL); a wrong type renders
 * AWS's SerializationException. */
const char *seg_sim_logs_in_str(struct ctx *c, const char *name);
bool seg_sim_logs_in_long(struct ctx *c, const char *name, int64_t *out);
bool seg_sim_logs_in_int(struct ctx *c, const char *name, int64_t *out);
bool seg_sim_logs_in_bool(struct ctx *c, const char *name, bool dflt);
const char **seg_sim_logs_in_strlist(struct ctx *c, const char *name, size_t *n);

void seg_sim_logs_check_len(struct ctx *c, const char *field, const char *v, size_t min,
                            size_t max);
void seg_sim_logs_check_range(struct ctx *c, const char *field, int64_t v, int64_t min,
                              int64_t max);
void seg_sim_logs_check_group_name(struct ctx *c, const char *field, const char *v);
char *seg_sim_logs_resolve_group(struct ctx *c);
void seg_sim_logs_group_not_found(struct ctx *c);
void seg_sim_logs_bad_token(struct ctx *c);

uint32_t seg_sim_logs_token_check(const char *scope, uint64_t a, uint64_t b);
char *seg_sim_logs_token_make(const char *scope, uint64_t a, uint64_t b);
bool seg_sim_logs_token_parse(const char *scope, const char *tok, uint64_t *a, uint64_t *b);

/* ---- the operations (logs_describe.c, logs_events.c, logs_query.c) ---- */

void seg_sim_logs_describe_log_groups(struct ctx *c);
void seg_sim_logs_describe_log_streams(struct ctx *c);
void seg_sim_logs_filter_log_events(struct ctx *c);
void seg_sim_logs_get_log_events(struct ctx *c);
void seg_sim_logs_start_query(struct ctx *c);
void seg_sim_logs_get_query_results(struct ctx *c);
void seg_sim_logs_stop_query(struct ctx *c);
void seg_sim_logs_query_free(struct query *q);

#endif
