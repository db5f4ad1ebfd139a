#include "fake_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "seg_test.h"

void fake_env_set(struct fake_env *fe, const char *name, const char *value)
{
    for (int i = 0; i < fe->n; i++) {
        if (strcmp(fe->names[i], name) == 0) {
            fe->values[i] = value;
            return;
        }
    }
    assert_true(fe->n < FAKE_ENV_MAX);
    fe->names[fe->n] = name;
    fe->values[fe->n] = value;
    fe->n++;
}

static const char *fake_get(void *ud, const char *name)
{
    const struct fake_env *fe = ud;
    for (int i = 0; i < fe->n; i++)
        if (strcmp(fe->names[i], name) == 0)
            return fe->values[i];
    return NULL;
}

struct seg_env fake_env_env(struct fake_env *fe)
{
    return (struct seg_env){.get = fake_get, .ud = fe};
}

char *fake_home(struct fake_env *fe)
{
    char *home = seg_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/.aws", home);
    assert_int_equal(mkdir(path, 0700), 0);
    fake_env_set(fe, "HOME", home);
    return home;
}

void fake_write_aws(const char *home, const char *name, const char *content)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/.aws/%s", home, name);
    seg_test_write_file(path, content);
}

static void rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
                rmtree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

void fake_rmtree(const char *path)
{
    if (path && !getenv("SEG_TEST_KEEP"))
        rmtree(path);
}

char *fake_write(const char *dir, const char *name, const char *content)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    seg_test_write_file(path, content);
    return path;
}

void assert_no_secret(const char *s)
{
    static const char *const needles[] = {
        SECRET_ID,     SECRET_KEY,   SECRET_TOKEN,      SECRET_ID2,    SECRET_KEY2,
        SECRET_TOKEN2, "SECRETMARK", "SecretKeyMarker", "TokenMarker", "secretmark",
    };
    if (!s)
        return;
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        if (strstr(s, needles[i])) {
            fail_msg("secret '%s' leaked into: %s", needles[i], s);
        }
    }
}
