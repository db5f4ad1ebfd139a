#include "aws/creds.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/ini.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#define STDERR_KEEP 1024 /* bytes of a failing process's stderr kept for the message */

extern char **environ; /* POSIX: the application declares it */

/* ---- struct seg_creds ------------------------------------------------------------------- */

static void wipe_str(char *s)
{
    if (s)
        seg_wipe(s, strlen(s));
}

static void free_secret(char *s)
{
    wipe_str(s);
    free(s);
}

void seg_creds_init(struct seg_creds *c)
{
    memset(c, 0, sizeof *c);
}

void seg_creds_wipe(struct seg_creds *c)
{
    if (!c)
        return;
    wipe_str(c->access_key_id);
    wipe_str(c->secret_access_key);
    wipe_str(c->session_token);
}

void seg_creds_release(struct seg_creds *c)
{
    if (!c)
        return;
    seg_creds_wipe(c);
    free(c->access_key_id);
    free(c->secret_access_key);
    free(c->session_token);
    free(c->source);
    memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
    return s ? seg_xstrdup(s) : NULL;
}

void seg_creds_copy(struct seg_creds *dst, const struct seg_creds *src)
{
    seg_creds_release(dst);
    dst->access_key_id = dup_or_null(src->access_key_id);
    dst->secret_access_key = dup_or_null(src->secret_access_key);
    dst->session_token = dup_or_null(src->session_token);
    dst->expiration = src->expiration;
    dst->source = dup_or_null(src->source);
}

struct seg_creds_opts seg_creds_opts_default(void)
{
    return (struct seg_creds_opts){
        .process_timeout_ms = 30000,
        .process_output_cap = 64 * 1024,
        .refresh_window = 5 * 60,
    };
}

/* Values go into HTTP headers and the signature: printable ASCII without spaces only, so a
 * stray newline cannot inject a header. */
static bool header_safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e)
            return false;
    return true;
}

/* Checks and takes the three values (copies them). where names their origin; names[]
 * names the three settings as the user wrote them. */
static enum seg_err make_creds(struct seg_creds *out, const char *id, const char *secret,
                               const char *token, const char *const names[3], const char *where,
                               struct seg_errmsg *err)
{
    const char *vals[3] = {id, secret, token};
    for (int i = 0; i < 3; i++) {
        if (i == 2 && !token)
            break;
        if (!header_safe(vals[i])) {
            seg_errmsg_set(err,
                           "%s: %s is empty or contains spaces or control characters; "
                           "fix the value (it is not shown here)",
                           where, names[i]);
            return SEG_ERR_AUTH;
        }
    }
    seg_creds_release(out);
    out->access_key_id = seg_xstrdup(id);
    out->secret_access_key = seg_xstrdup(secret);
    out->session_token = dup_or_null(token);
    return SEG_OK;
}

/* ---- time -------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): timegm()
 * is not POSIX. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

enum seg_err seg_creds_parse_time(const char *s, time_t *out)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return SEG_ERR_PARSE;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return SEG_ERR_PARSE;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh)) {
        sign = *p == '+' ? 1 : -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (!digits(q, 2, &om) || q[2] != '\0')
            return SEG_ERR_PARSE;
    } else {
        return SEG_ERR_PARSE;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60 ||
        oh > 23 || om > 59)
        return SEG_ERR_PARSE;
    long long t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    t -= (long long)sign * (oh * 3600 + om * 60);
    if (t <= 0 || (sizeof(time_t) < 8 && t > 0x7fffffffLL))
        return SEG_ERR_PARSE;
    *out = (time_t)t;
    return SEG_OK;
}

/* ---- credential_process output ------------------------------------------------------------ */

/* cJSON frees without wiping: overwrite every string in the tree first. */
static void wipe_json(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->valuestring)
            wipe_str(item->valuestring);
        wipe_json(item->child);
    }
}

static const char *json_str(const cJSON *root, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

enum seg_err seg_creds_parse_process_json(const char *json, size_t len, const char *what,
                                          struct seg_creds *out, struct seg_errmsg *err)
{
    static const char *const names[3] = {"AccessKeyId", "SecretAccessKey", "SessionToken"};
    enum seg_err rc = SEG_ERR_PARSE;
    struct seg_creds c;
    seg_creds_init(&c);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(root)) {
        seg_errmsg_set(err,
                       "%s: output is not a JSON object; it must print "
                       "{\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}",
                       what);
        goto out;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1.0) {
        seg_errmsg_set(err, "%s: output has no \"Version\": 1 (the only version AWS defines)",
                       what);
        goto out;
    }
    const char *id = json_str(root, "AccessKeyId");
    const char *secret = json_str(root, "SecretAccessKey");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "SessionToken");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "Expiration");
    if (!id || !secret) {
        seg_errmsg_set(err, "%s: output lacks the string \"%s\"", what,
                       !id ? "AccessKeyId" : "SecretAccessKey");
        goto out;
    }
    if (tok && !cJSON_IsNull(tok) && !cJSON_IsString(tok)) {
        seg_errmsg_set(err, "%s: \"SessionToken\" is not a string", what);
        goto out;
    }
    const char *token = cJSON_IsString(tok) && tok->valuestring[0] ? tok->valuestring : NULL;
    if (exp && !cJSON_IsNull(exp)) {
        if (!cJSON_IsString(exp) || seg_creds_parse_time(exp->valuestring, &c.expiration)) {
            seg_errmsg_set(err,
                           "%s: \"Expiration\" is not an ISO 8601 UTC time like "
                           "2026-11-27T03:00:00Z",
                           what);
            goto out;
        }
    }
    time_t expiration = c.expiration;
    rc = make_creds(&c, id, secret, token, names, what, err);
    if (rc)
        goto out;
    c.expiration = expiration;
    seg_creds_release(out);
    *out = c;
    seg_creds_init(&c);
out:
    if (root) {
        wipe_json(root);
        cJSON_Delete(root);
    }
    seg_creds_release(&c);
    return rc;
}

/* ---- running credential_process ---------------------------------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* First line of stderr, printable ASCII only, for quoting in a message. */
static void first_line(char *out, size_t out_size, const char *s, size_t len)
{
    size_t n = 0, i = 0;
    while (i < len && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '\t'))
        i++;
    for (; i < len && s[i] != '\n' && s[i] != '\r' && n + 1 < out_size; i++)
        out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static void set_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

struct proc_result {
    char *out; /* stdout, cap + 1 bytes allocated up front: never reallocated (secrets) */
    size_t out_len, out_alloc;
    char errbuf[STDERR_KEEP];
    size_t err_len;
    int status;
};

/* Runs cmd; fills r. Errors here are about running it, not about what it printed. */
static enum seg_err spawn_and_collect(const char *cmd, const char *what,
                                      const struct seg_creds_opts *o, struct proc_result *r,
                                      struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, devnull = -1;
    pid_t pid = -1;
    char scratch[4096];
    char *cmd_copy = seg_xstrdup(cmd); /* execve takes char *const[] */
    if (pipe(outp) != 0 || pipe(errp) != 0) {
        seg_errmsg_set(err, "%s: cannot create a pipe: %s", what, strerror(errno));
        rc = SEG_ERR_IO;
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        set_cloexec(outp[i]);
        set_cloexec(errp[i]);
    }
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        seg_errmsg_set(err, "%s: cannot open /dev/null: %s", what, strerror(errno));
        rc = SEG_ERR_IO;
        goto out;
    }
    /* argv is built before fork: the child may only make async-signal-safe calls. */
    char sh[] = "sh", dash_c[] = "-c";
    char *argv[] = {sh, dash_c, cmd_copy, NULL};
    pid = fork();
    if (pid < 0) {
        seg_errmsg_set(err, "%s: cannot start a process: %s", what, strerror(errno));
        rc = SEG_ERR_IO;
        goto out;
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only (the parent may have threads). Its own process
         * group lets a timeout kill whatever the shell started. */
        setpgid(0, 0);
        if (dup2(devnull, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
            _exit(126);
        execve("/bin/sh", argv, environ);
        _exit(127);
    }
    setpgid(pid, pid); /* also from the parent, so kill(-pid) works whoever runs first */
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    fcntl(outp[0], F_SETFL, fcntl(outp[0], F_GETFL) | O_NONBLOCK);
    fcntl(errp[0], F_SETFL, fcntl(errp[0], F_GETFL) | O_NONBLOCK);

    long long deadline = mono_ms() + o->process_timeout_ms;
    bool out_open = true, err_open = true, exited = false;
    while (!exited) {
        long long left = deadline - mono_ms();
        if (left <= 0) {
            kill_group(pid);
            waitpid(pid, NULL, 0);
            pid = -1;
            seg_errmsg_set(err,
                           "%s: timed out after %.1f s; make sure it does not wait for "
                           "input (it runs without a terminal)",
                           what, o->process_timeout_ms / 1000.0);
            rc = SEG_ERR_TIMEOUT;
            goto out;
        }
        if (!out_open && !err_open) {
            /* Both pipes closed: wait for the exit, polling so the deadline still holds. */
            pid_t w = waitpid(pid, &r->status, WNOHANG);
            if (w == pid) {
                exited = true;
                pid = -1;
                break;
            }
            if (w < 0 && errno != EINTR) {
                seg_errmsg_set(err, "%s: cannot wait for it: %s", what, strerror(errno));
                pid = -1;
                rc = SEG_ERR_IO;
                goto out;
            }
            poll(NULL, 0, left < 10 ? (int)left : 10);
            continue;
        }
        struct pollfd pf[2] = {{.fd = out_open ? outp[0] : -1, .events = POLLIN},
                               {.fd = err_open ? errp[0] : -1, .events = POLLIN}};
        int n = poll(pf, 2, left > 1000 ? 1000 : (int)left);
        if (n < 0 && errno != EINTR) {
            seg_errmsg_set(err, "%s: poll failed: %s", what, strerror(errno));
            rc = SEG_ERR_IO;
            goto out;
        }
        if (n <= 0)
            continue;
        if (out_open && pf[0].revents) {
            size_t room = r->out_alloc - 1 - r->out_len;
            ssize_t k = read(outp[0], r->out + r->out_len, room ? room : 1);
            if (k > 0 && room == 0) {
                kill_group(pid);
                waitpid(pid, NULL, 0);
                pid = -1;
                seg_errmsg_set(err,
                               "%s: printed more than %zu bytes; it must print one small "
                               "JSON object",
                               what, o->process_output_cap);
                rc = SEG_ERR_TOOBIG;
                goto out;
            }
            if (k > 0)
                r->out_len += (size_t)k;
            else if (k == 0 || (errno != EAGAIN && errno != EINTR))
                out_open = false;
        }
        if (err_open && pf[1].revents) {
            ssize_t k = read(errp[0], scratch, sizeof scratch);
            if (k > 0) {
                size_t keep = sizeof r->errbuf - r->err_len;
                if ((size_t)k < keep)
                    keep = (size_t)k;
                memcpy(r->errbuf + r->err_len, scratch, keep);
                r->err_len += keep;
            } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
                err_open = false;
            }
        }
    }
    r->out[r->out_len] = '\0';
out:
    if (pid > 0) {
        kill_group(pid);
        waitpid(pid, NULL, 0);
    }
    seg_wipe(scratch, sizeof scratch);
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    if (devnull >= 0)
        close(devnull);
    free(cmd_copy);
    return rc;
}

enum seg_err seg_creds_run_process(const char *command, const char *what,
                                   const struct seg_creds_opts *opts, time_t now,
                                   struct seg_creds *out, struct seg_errmsg *err)
{
    struct seg_creds_opts o = opts ? *opts : seg_creds_opts_default();
    struct proc_result r = {.status = 0};
    struct seg_creds c;
    seg_creds_init(&c);
    char line[201];
    r.out_alloc = o.process_output_cap + 1;
    r.out = seg_xmalloc(r.out_alloc);

    enum seg_err rc = spawn_and_collect(command, what, &o, &r, err);
    if (rc)
        goto out;
    first_line(line, sizeof line, r.errbuf, r.err_len);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        char how[48];
        if (WIFSIGNALED(r.status))
            snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(r.status));
        else
            snprintf(how, sizeof how, "failed with exit status %d", WEXITSTATUS(r.status));
        seg_errmsg_set(err, "%s %s: %s%s%s; run the command by hand to see what it needs", what,
                       how, line[0] ? "'" : "(nothing on stderr)", line, line[0] ? "'" : "");
        rc = SEG_ERR_AUTH;
        goto out;
    }
    rc = seg_creds_parse_process_json(r.out, r.out_len, what, &c, err);
    if (rc) {
        if (line[0] && err) { /* its stderr may say why; stdout is never quoted (secrets) */
            size_t n = strlen(err->text);
            snprintf(err->text + n, sizeof err->text - n, " (its stderr: '%s')", line);
        }
        goto out;
    }
    if (c.expiration && c.expiration <= now) {
        seg_errmsg_set(err,
                       "%s returned credentials that have already expired; check its "
                       "cache and the system clock",
                       what);
        rc = SEG_ERR_AUTH;
        goto out;
    }
    c.source = seg_xstrdup(what);
    seg_creds_release(out);
    *out = c;
    seg_creds_init(&c);
out:
    seg_creds_release(&c);
    seg_wipe(r.out, r.out_alloc);
    free(r.out);
    return rc;
}

/* ---- the provider ------------------------------------------------------------------------ */

enum kind { K_UNRESOLVED, K_STATIC, K_PROCESS };

struct seg_creds_provider {
    pthread_mutex_t mu;
    struct seg_creds_opts opts;
    /* Snapshot of the inputs. */
    char *env_id, *env_secret, *env_token;
    const char *env_token_name;
    struct seg_aws_config paths; /* profile and file fields only */
    /* Resolved state. */
    enum kind kind;
    char *command; /* credential_process */
    char *what;    /* its description for messages and the source string */
    struct seg_creds cache;
};

struct seg_creds_provider *seg_creds_provider_new(const struct seg_env *env,
                                                  const struct seg_aws_config *cfg,
                                                  const struct seg_creds_opts *opts)
{
    struct seg_creds_provider *p = seg_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->opts = opts ? *opts : seg_creds_opts_default();
    p->env_id = dup_or_null(seg_env_get(env, "AWS_ACCESS_KEY_ID"));
    p->env_secret = dup_or_null(seg_env_get(env, "AWS_SECRET_ACCESS_KEY"));
    p->env_token_name = "AWS_SESSION_TOKEN";
    p->env_token = dup_or_null(seg_env_get(env, "AWS_SESSION_TOKEN"));
    if (!p->env_token) {
        p->env_token_name = "AWS_SECURITY_TOKEN"; /* the legacy name */
        p->env_token = dup_or_null(seg_env_get(env, "AWS_SECURITY_TOKEN"));
    }
    seg_aws_config_init(&p->paths);
    p->paths.profile = seg_xstrdup(cfg && cfg->profile ? cfg->profile : "default");
    p->paths.profile_source =
        seg_xstrdup(cfg && cfg->profile_source ? cfg->profile_source : "default");
    p->paths.profile_explicit = cfg && cfg->profile_explicit;
    p->paths.config_file = cfg ? dup_or_null(cfg->config_file) : NULL;
    p->paths.config_name = seg_xstrdup(cfg && cfg->config_name ? cfg->config_name : "config");
    p->paths.credentials_file = cfg ? dup_or_null(cfg->credentials_file) : NULL;
    p->paths.credentials_name =
        seg_xstrdup(cfg && cfg->credentials_name ? cfg->credentials_name : "credentials");
    return p;
}

void seg_creds_provider_free(struct seg_creds_provider *p)
{
    if (!p)
        return;
    free_secret(p->env_id);
    free_secret(p->env_secret);
    free_secret(p->env_token);
    seg_creds_release(&p->cache);
    free(p->command);
    free(p->what);
    seg_aws_config_release(&p->paths);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Keys from an ini section: aws_access_key_id + aws_secret_access_key (+ token). Sets *found
 * when the section has any key at all. */
static enum seg_err keys_from_section(const struct seg_ini *ini, const struct seg_ini_section *s,
                                      const char *path, const char *profile, bool *found,
                                      struct seg_creds *out, struct seg_errmsg *err)
{
    static const char *const names[3] = {"aws_access_key_id", "aws_secret_access_key",
                                         "aws_session_token"};
    const struct seg_ini_entry *id = seg_ini_get(s, "aws_access_key_id");
    const struct seg_ini_entry *sk = seg_ini_get(s, "aws_secret_access_key");
    const struct seg_ini_entry *tok = seg_ini_get(s, "aws_session_token");
    if (!tok)
        tok = seg_ini_get(s, "aws_security_token"); /* botocore's legacy name */
    *found = id || sk;
    if (!*found)
        return SEG_OK;
    if (!id || !sk) {
        seg_errmsg_set(err, "%s:%u: profile '%s' has %s but no %s; add it or remove both",
                       ini->name, (id ? id : sk)->line, profile,
                       id ? "aws_access_key_id" : "aws_secret_access_key",
                       id ? "aws_secret_access_key" : "aws_access_key_id");
        return SEG_ERR_AUTH;
    }
    char *where = seg_xasprintf("%s:%u", ini->name, id->line);
    enum seg_err rc = make_creds(out, id->value, sk->value,
                                 tok && tok->value[0] ? tok->value : NULL, names, where, err);
    free(where);
    if (rc == SEG_OK)
        out->source = seg_xasprintf("profile '%s' in %s", profile, path);
    return rc;
}

static enum seg_err resolve(struct seg_creds_provider *p, time_t now, struct seg_errmsg *err)
{
    static const char *const env_names[3] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_SESSION_TOKEN"};
    const struct seg_aws_config *c = &p->paths;
    struct seg_ini config, creds;
    seg_ini_init(&config);
    seg_ini_init(&creds);
    struct seg_creds got;
    seg_creds_init(&got);
    enum seg_err rc = SEG_OK;
    bool found = false;

    /* 1. Environment keys, unless --profile named a profile explicitly. */
    if (!c->profile_explicit && (p->env_id || p->env_secret)) {
        if (!p->env_id || !p->env_secret) {
            seg_errmsg_set(err,
                           "%s is set but %s is not; set both, or unset it to use profile "
                           "'%s'",
                           p->env_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                           p->env_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID", c->profile);
            rc = SEG_ERR_AUTH;
            goto out;
        }
        const char *names[3] = {env_names[0], env_names[1], p->env_token_name};
        rc = make_creds(&got, p->env_id, p->env_secret, p->env_token, names, "environment", err);
        if (rc)
            goto out;
        got.source = seg_xstrdup("environment");
        p->kind = K_STATIC;
        goto done;
    }

    rc = seg_aws_config_load_files(c, &config, &creds, err);
    if (rc)
        goto out;

    /* 2. The shared credentials file: bare [profile] sections. */
    rc = keys_from_section(&creds, seg_ini_find(&creds, c->profile), c->credentials_file,
                           c->profile, &found, &got, err);
    if (rc || found) {
        p->kind = K_STATIC;
        goto done;
    }

    /* 3. credential_process, then 4. keys, in the config file's profile section. */
    const struct seg_ini_section *prof = seg_aws_config_profile_section(&config, c->profile);
    const struct seg_ini_entry *cp = seg_ini_get(prof, "credential_process");
    if (cp && cp->value[0]) {
        p->command = seg_xstrdup(cp->value);
        p->what =
            seg_xasprintf("credential_process of profile '%s' in %s", c->profile, c->config_file);
        rc = seg_creds_run_process(p->command, p->what, &p->opts, now, &got, err);
        if (rc == SEG_OK)
            p->kind = K_PROCESS;
        goto done;
    }
    rc = keys_from_section(&config, prof, c->config_file, c->profile, &found, &got, err);
    if (rc || found) {
        p->kind = K_STATIC;
        goto done;
    }

    seg_errmsg_set(err,
                   "no AWS credentials for profile '%s': set AWS_ACCESS_KEY_ID and "
                   "AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key "
                   "to [%s] in %s, or credential_process to its section in %s",
                   c->profile, c->profile, c->credentials_name, c->config_name);
    rc = SEG_ERR_AUTH;
done:
    if (rc == SEG_OK) {
        seg_creds_release(&p->cache);
        p->cache = got;
        seg_creds_init(&got);
    } else {
        p->kind = K_UNRESOLVED;
        free(p->command);
        free(p->what);
        p->command = p->what = NULL;
    }
out:
    seg_creds_release(&got);
    seg_ini_release(&config);
    seg_ini_release(&creds);
    return rc;
}

enum seg_err seg_creds_provider_get(struct seg_creds_provider *p, time_t now, struct seg_creds *out,
                                    struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    pthread_mutex_lock(&p->mu);
    if (p->kind == K_UNRESOLVED) {
        rc = resolve(p, now, err);
    } else if (p->kind == K_PROCESS && p->cache.expiration &&
               p->cache.expiration - now <= p->opts.refresh_window) {
        struct seg_creds fresh;
        seg_creds_init(&fresh);
        rc = seg_creds_run_process(p->command, p->what, &p->opts, now, &fresh, err);
        if (rc == SEG_OK) {
            seg_creds_release(&p->cache);
            p->cache = fresh;
        }
    }
    if (rc == SEG_OK)
        seg_creds_copy(out, &p->cache);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* ---- adapter for the HTTP client ---------------------------------------------------------- */

void seg_creds_source_init(struct seg_creds_source *s, struct seg_creds_provider *provider)
{
    s->provider = provider;
    seg_creds_init(&s->current);
}

void seg_creds_source_release(struct seg_creds_source *s)
{
    seg_creds_release(&s->current);
}

enum seg_err seg_creds_source_get(void *ud, time_t now, struct seg_sigv4_creds *out,
                                  struct seg_errmsg *err)
{
    struct seg_creds_source *s = ud;
    seg_creds_release(&s->current);
    enum seg_err rc = seg_creds_provider_get(s->provider, now, &s->current, err);
    if (rc)
        return rc;
    out->access_key_id = s->current.access_key_id;
    out->secret_access_key = s->current.secret_access_key;
    out->session_token = s->current.session_token;
    return SEG_OK;
}
