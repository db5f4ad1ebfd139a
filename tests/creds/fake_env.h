/* Shared helpers for the creds tests: an injected environment and secret checks. */
#ifndef SEGTOP_TESTS_CREDS_FAKE_ENV_H
#define SEGTOP_TESTS_CREDS_FAKE_ENV_H

#include "aws/awsconfig.h"

#define FAKE_ENV_MAX 32

struct fake_env {
    const char *names[FAKE_ENV_MAX];
    const char *values[FAKE_ENV_MAX];
    int n;
};

/* Sets (or, with NULL, unsets) a variable. Strings are borrowed. */
void fake_env_set(struct fake_env *fe, const char *name, const char *value);
struct seg_env fake_env_env(struct fake_env *fe);

/* A temporary HOME with .aws/; returns the home path (caller frees). The fake env gets HOME. */
char *fake_home(struct fake_env *fe);
/* Writes home/.aws/<name> with content. */
void fake_write_aws(const char *home, const char *name, const char *content);
/* Removes a temporary tree (kept when SEG_TEST_KEEP is set, for debugging). */
void fake_rmtree(const char *path);
/* Writes dir/name, returns the path (caller frees). */
char *fake_write(const char *dir, const char *name, const char *content);

/* Secrets the tests plant; none may ever appear in a message or source string. */
#define SECRET_ID     "AKIDSECRETMARKER0001"
#define SECRET_KEY    "SecretKeyMarker/0123456789abcdefABCDEF+x"
#define SECRET_TOKEN  "TokenMarker0123456789ZZZZ"
#define SECRET_ID2    "AKIDSECRETMARKER0002"
#define SECRET_KEY2   "SecretKeyMarker/second+second+second+xx"
#define SECRET_TOKEN2 "TokenMarkerSecondSecond"
/* Fails the test if s contains any planted secret (or a recognisable part of one). */
void assert_no_secret(const char *s);

#endif
