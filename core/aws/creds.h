/* AWS credentials: the resolution chain of aws-wire.md §6.1 (environment keys, the shared
 * credentials file, credential_process, keys in the config file) and a provider that caches
 * them and re-runs credential_process before they expire.
 *
 * Secrets (secret key, session token; the key id too, to be safe) never appear in a
 * message, a log or a source string, and every copy is wiped with seg_wipe before it is
 * freed. */
#ifndef SEGTOP_CORE_AWS_CREDS_H
#define SEGTOP_CORE_AWS_CREDS_H

#include <stddef.h>
#include <time.h>

#include "aws/awsconfig.h"
#include "aws/sigv4.h"
#include "util/errmsg.h"
#include "util/seg.h"

struct seg_creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL when none */
    time_t expiration;   /* UTC epoch seconds; 0 = never expires */
    char *source;        /* safe to print: "environment", "profile 'dev' in /home/u/..." */
};

void seg_creds_init(struct seg_creds *c);
/* Wipes every secret, frees, and zeroes c. Accepts NULL and zeroed objects. */
void seg_creds_release(struct seg_creds *c);
/* Overwrites the secret strings in place with zero bytes, keeping the allocations (release
 * calls it first; exposed so tests can check the wiping without reading freed memory). */
void seg_creds_wipe(struct seg_creds *c);
/* Deep copy into dst (which must be initialised or released). */
void seg_creds_copy(struct seg_creds *dst, const struct seg_creds *src);

struct seg_creds_opts {
    unsigned process_timeout_ms; /* credential_process deadline */
    size_t process_output_cap;   /* bytes of stdout accepted from it */
    time_t refresh_window;       /* re-run credential_process this many seconds before expiry */
};

/* 30 s, 64 KiB, 5 minutes. */
struct seg_creds_opts seg_creds_opts_default(void);

/* Runs one credential_process command (/bin/sh -c, stdin from /dev/null, in its own
 * process group so a timeout kills its children too) and parses its JSON. what names it in
 * messages and becomes out->source ("credential_process of profile 'dev' in ..."). Errors
 * quote the first line of its stderr (sanitised) but never its stdout. Credentials that
 * have already expired at now are refused. */
enum seg_err seg_creds_run_process(const char *command, const char *what,
                                   const struct seg_creds_opts *opts, time_t now,
                                   struct seg_creds *out, struct seg_errmsg *err) SEG_MUST_USE;

/* Parses credential_process output ({"Version": 1, "AccessKeyId": ..., ...}). */
enum seg_err seg_creds_parse_process_json(const char *json, size_t len, const char *what,
                                          struct seg_creds *out,
                                          struct seg_errmsg *err) SEG_MUST_USE;

/* "2026-11-27T03:00:00Z" (optional fraction, 'Z' or +HH:MM offset) to epoch seconds. */
enum seg_err seg_creds_parse_time(const char *s, time_t *out) SEG_MUST_USE;

struct seg_creds_provider;

/* Snapshots what it needs from env (credential variables) and cfg (profile and file
 * paths), so neither has to outlive it. Nothing is read or run until the first get. opts
 * may be NULL for the defaults. Never fails (allocation failure aborts). */
struct seg_creds_provider *seg_creds_provider_new(const struct seg_env *env,
                                                  const struct seg_aws_config *cfg,
                                                  const struct seg_creds_opts *opts);
/* Fills out (initialised or released; caller releases) with current credentials: resolves
 * the chain on first use, then serves the cache, re-running credential_process when the
 * cached credentials expire within opts->refresh_window of now. Environment keys win over
 * AWS_PROFILE but not over an explicit --profile (botocore's rule). On a failed refresh the
 * cache is kept and the error returned, so a later call can retry. Thread-safe. */
enum seg_err seg_creds_provider_get(struct seg_creds_provider *p, time_t now, struct seg_creds *out,
                                    struct seg_errmsg *err) SEG_MUST_USE;
/* Wipes the cache and the snapshot of environment keys. Accepts NULL. */
void seg_creds_provider_free(struct seg_creds_provider *p);

/* Adapts a provider to the HTTP client's per-signature callback (seg_creds_fn): the
 * credentials handed out stay valid until the next call; release wipes them. */
struct seg_creds_source {
    struct seg_creds_provider *provider; /* borrowed */
    struct seg_creds current;
};
void seg_creds_source_init(struct seg_creds_source *s, struct seg_creds_provider *provider);
void seg_creds_source_release(struct seg_creds_source *s);
enum seg_err seg_creds_source_get(void *ud, time_t now, struct seg_sigv4_creds *out,
                                  struct seg_errmsg *err) SEG_MUST_USE;

#endif
