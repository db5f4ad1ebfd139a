/* credential_process (aws-wire.md §6.1): runs the configured command with a timeout and an
 * output cap, and parses its JSON. Its stdout holds secrets: it is wiped, never quoted. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/creds.h"
#include "aws/creds_internal.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#define STDERR_KEEP 1024 /* bytes of a failing process's stderr kept for the message */

extern char **environ; /* POSIX: the application declares it */

/* ---- credential_process output ------------------------------------------------------------ */

/* cJSON frees without wiping: overwrite every string in the tree first. */
static void wipe_json(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->valuestring)
            seg_creds_wipe_str(item->valuestring);
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
    rc = seg_creds_set(&c, id, secret, token, names, what, err);
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
