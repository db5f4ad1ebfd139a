/* CloudWatch Logs filter patterns for FilterLogEvents (aws-wire.md §2.10), the subset the
 * simulator supports:
 *   - terms, all of which must occur (case-sensitive substrings): ERROR ARGUMENTS
 *   - quoted phrases with \" and \\ escapes: "REPORT RequestId"
 *   - ?term / ?"phrase" alternatives: at least one must occur when any is given
 *   - -term / -"phrase" exclusions: none may occur
 *   - %regex% terms (POSIX ERE, at most 2 per pattern, AWS's character set: no ( ) )
 *   - an empty pattern, or one made only of blank quoted phrases (" "), matches everything.
 * JSON patterns ({ $.x = ... }) and space-delimited patterns ([a, b]) are refused with an
 * error the API turns into InvalidParameterException. */
#ifndef SEGTOP_CORE_SIM_FILTERPATTERN_H
#define SEGTOP_CORE_SIM_FILTERPATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_SIM_FILTERPATTERN_MAX_LEN   1024 /* the model's filterPattern cap */
#define SEG_SIM_FILTERPATTERN_MAX_REGEX 2

struct seg_sim_filterpattern;

/* Compiles pattern[0..len) (any bytes; NUL is refused). SEG_ERR_TOOBIG past the cap,
 * SEG_ERR_PARSE for bad syntax, SEG_ERR_INVALID for an unsupported kind; err says why in
 * AWS's words where AWS has them. */
enum seg_err seg_sim_filterpattern_compile(const char *pattern, size_t len,
                                           struct seg_sim_filterpattern **out,
                                           struct seg_errmsg *err) SEG_MUST_USE;
/* msg must be NUL-terminated at msg[len] (regex terms need it). */
bool seg_sim_filterpattern_match(const struct seg_sim_filterpattern *fp, const char *msg,
                                 size_t len);
/* True when the pattern matches every event (no terms). */
bool seg_sim_filterpattern_matches_all(const struct seg_sim_filterpattern *fp);
void seg_sim_filterpattern_free(struct seg_sim_filterpattern *fp);

/* Whether a POSIX ERE is small enough to hand to regcomp (shared with insights.c): glibc
 * expands repetitions when compiling, so stacked operators (a+++, a{9}{9}) and large bounds
 * make it allocate without limit. Refuses operators that follow another repetition, bounds
 * above 255 and a product of bounds above 10000. */
bool seg_sim_regex_size_ok(const char *re, size_t len);

#endif
