/* Where segtop talks to and how: profile, region, endpoints and retry settings, resolved
 * from the command line, the environment and the shared AWS files (DESIGN §2-§3,
 * aws-wire.md §6). Every value records where it came from, for `segtop doctor`. The
 * environment is injected (struct seg_env) so tests never touch the process's own. */
#ifndef SEGTOP_CORE_AWS_AWSCONFIG_H
#define SEGTOP_CORE_AWS_AWSCONFIG_H

#include <stdbool.h>

#include "aws/ini.h"
#include "util/errmsg.h"
#include "util/seg.h"

/* getenv-like lookup: returns NULL when unset. Like getenv's, the string stays valid until
 * the environment is changed; callers copy what they keep. */
typedef const char *seg_getenv_fn(void *ud, const char *name);

struct seg_env {
    seg_getenv_fn *get;
    void *ud;
};

/* The process environment (getenv). */
struct seg_env seg_env_process(void);
/* Looks name up; an empty value counts as unset (as the AWS SDKs treat most variables). A
 * NULL env means the process environment. */
const char *seg_env_get(const struct seg_env *env, const char *name);

enum seg_aws_service { SEG_AWS_LAMBDA, SEG_AWS_S3, SEG_AWS_LOGS, SEG_AWS__SERVICES };

/* "lambda", "s3", "logs": the endpoint prefix and signing name. */
/* Endpoint prefix and SigV4 signing name: "lambda", "s3", "logs". */
const char *seg_aws_service_name(enum seg_aws_service svc);
/* The service's SigV4 canonicalisation flags (SEG_SIGV4_FLAGS_*). */
unsigned seg_aws_service_sigv4_flags(enum seg_aws_service svc);

enum seg_retry_mode { SEG_RETRY_STANDARD, SEG_RETRY_ADAPTIVE, SEG_RETRY_LEGACY };
const char *seg_retry_mode_name(enum seg_retry_mode mode);

struct seg_aws_endpoint {
    char *url;     /* validated; no trailing '/', e.g. "http://127.0.0.1:4566" */
    char *scheme;  /* "http" or "https", lowercase */
    char *host;    /* without brackets for IPv6 */
    unsigned port; /* explicit port, or 443/80 from the scheme */
    char *path;    /* "" or "/prefix" without trailing '/' */
    /* true: the AWS default endpoint (TLS verification always on, virtual-hosted S3).
     * false: a custom endpoint (path-style S3). */
    bool is_default;
    char *source; /* "--endpoint", "AWS_ENDPOINT_URL_S3", "~/.aws/config:12", "default" */
};

struct seg_aws_config {
    char *profile;          /* "default" unless named */
    char *profile_source;   /* "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "default" */
    bool profile_explicit;  /* named by --profile: environment keys then do not apply */
    char *config_file;      /* full path (may not exist) */
    char *config_name;      /* as shown in messages: "~/.aws/config" or the given path */
    bool config_present;    /* the file exists */
    char *credentials_file; /* full path (may not exist) */
    char *credentials_name;
    bool credentials_present;
    bool profile_in_config;      /* the config file has the profile's section */
    bool profile_in_credentials; /* the credentials file has [profile] */

    char *region;
    char *region_source; /* "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "~/.aws/config:3",
                            "default" */

    struct seg_aws_endpoint endpoints[SEG_AWS__SERVICES];
    bool ignore_configured_endpoints; /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / profile */

    unsigned max_attempts; /* 1..20, counts the first call too */
    char *max_attempts_source;
    enum seg_retry_mode retry_mode; /* recorded; segtop always behaves as standard */
    char *retry_mode_source;
};

struct seg_aws_config_opts {
    const struct seg_env *env; /* NULL: the process environment */
    const char *region;        /* --region, or NULL */
    const char *endpoint;      /* --endpoint (all services), or NULL */
    const char *profile;       /* --profile, or NULL */
};

/* Zeroes cfg, so _release is safe on it. */
void seg_aws_config_init(struct seg_aws_config *cfg);
/* Resolves everything. On success cfg (which must be initialised or released) is filled;
 * on failure it is left released and err explains what, where and what to do. */
enum seg_err seg_aws_config_resolve(struct seg_aws_config *cfg,
                                    const struct seg_aws_config_opts *opts,
                                    struct seg_errmsg *err) SEG_MUST_USE;
void seg_aws_config_release(struct seg_aws_config *cfg);

/* Validates an endpoint URL (scheme http/https, a host, optional port and path; no user
 * info, query or fragment). where names its origin in the message ("AWS_ENDPOINT_URL",
 * "~/.aws/config:7"). out is released by seg_aws_endpoint_release. */
enum seg_err seg_aws_endpoint_parse(struct seg_aws_endpoint *out, const char *url,
                                    const char *where, struct seg_errmsg *err) SEG_MUST_USE;
void seg_aws_endpoint_release(struct seg_aws_endpoint *ep);

/* Section of the config file for a profile: "[profile NAME]" (botocore: two
 * whitespace-separated words), or "[default]" for "default". NULL when absent. */
const struct seg_ini_section *seg_aws_config_profile_section(const struct seg_ini *config,
                                                             const char *profile);

/* Loads the shared files named by cfg (missing files give empty ini objects). */
enum seg_err seg_aws_config_load_files(const struct seg_aws_config *cfg, struct seg_ini *config,
                                       struct seg_ini *credentials,
                                       struct seg_errmsg *err) SEG_MUST_USE;

#endif
