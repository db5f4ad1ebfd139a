#include "export/files.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <dirent.h>

#include "export/csv.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define MAX_CLASH 10000
#define STALE_S   (24 * 3600)

void seg_export_stamp(int64_t ms, char out[SEG_EXPORT_STAMP_LEN + 1])
{
    char iso[32];
    seg_time_format_ms(ms, 'T', true, true, iso); /* 2025-05-08T23:00:17.123Z */
    size_t o = 0;
    for (size_t i = 0; iso[i] && o < SEG_EXPORT_STAMP_LEN; i++)
        if (iso[i] != '-' && iso[i] != ':')
            out[o++] = iso[i];
    out[o] = '\0';
}

static bool stale(const char *dir, const char *name)
{
    /* .segtop-tmp-<pid>-... */
    const char *p = name + strlen(SEG_EXPORT_TMP_PREFIX);
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (errno || end == p || *end != '-' || pid <= 0)
        return true; /* not one we could have written: malformed, so leftover */
    if ((pid_t)pid == getpid())
        return false;
    if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
        return true;
    /* A live pid may be a reused one: very old temp files are leftovers anyway. */
    char *path = seg_xasprintf("%s/%s", dir, name);
    struct stat st;
    bool old = stat(path, &st) == 0 && time(NULL) - st.st_mtime > STALE_S;
    free(path);
    return old;
}

enum seg_err seg_export_cleanup(const char *dir, size_t *removed)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return SEG_ERR_IO;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, SEG_EXPORT_TMP_PREFIX, strlen(SEG_EXPORT_TMP_PREFIX)) != 0)
            continue;
        if (!stale(dir, e->d_name))
            continue;
        char *path = seg_xasprintf("%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            n++;
        free(path);
    }
    closedir(d);
    if (removed)
        *removed = n;
    return SEG_OK;
}

static enum seg_err fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return SEG_ERR_IO;
    /* Some filesystems refuse fsync on a directory (EINVAL): the rename is still done. */
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    return rc == 0 || saved == EINVAL || saved == EROFS ? SEG_OK : SEG_ERR_IO;
}

/* Publishes tmp under a new name (<stem>.csv, <stem>-2.csv, ...) without overwriting. */
static enum seg_err publish_new(const char *dir, const char *stem, const char *tmp, char **path,
                                struct seg_errmsg *err)
{
    for (int k = 1; k <= MAX_CLASH; k++) {
        char *p = k == 1 ? seg_xasprintf("%s/%s.csv", dir, stem)
                         : seg_xasprintf("%s/%s-%d.csv", dir, stem, k);
        if (link(tmp, p) == 0) {
            unlink(tmp);
            *path = p;
            return SEG_OK;
        }
        int e = errno;
        if (e == EEXIST) {
            free(p);
            continue;
        }
        if (e == EPERM || e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK) {
            /* No hard links here (some FUSE/network filesystems): check, then rename. The
             * check-then-rename window is the price of such a filesystem. */
            struct stat st;
            if (lstat(p, &st) == 0) {
                free(p);
                continue;
            }
            if (rename(tmp, p) == 0) {
                *path = p;
                return SEG_OK;
            }
            e = errno;
        }
        seg_errmsg_set(err, "cannot create %s: %s", p, strerror(e));
        free(p);
        return SEG_ERR_IO;
    }
    seg_errmsg_set(err, "cannot create %s/%s.csv: %d names taken", dir, stem, MAX_CLASH);
    return SEG_ERR_IO;
}

enum seg_err seg_export_write_atomic(const char *dir, const char *stem, bool replace,
                                     seg_export_write_fn *fn, void *ud, char **path,
                                     struct seg_errmsg *err)
{
    static unsigned counter; /* the export worker is the only writer */
    enum seg_err rc = SEG_OK;
    char *tmp = seg_xasprintf("%s/" SEG_EXPORT_TMP_PREFIX "%ld-%u-%s.csv", dir, (long)getpid(),
                              counter++, stem);
    char *final = NULL;
    FILE *f = NULL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        seg_errmsg_set(err, "cannot create %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        rc = SEG_ERR_IO;
        goto out;
    }
    rc = fn(f, ud);
    if (!rc && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
        seg_errmsg_set(err, "cannot write %s: %s", tmp, strerror(errno));
        rc = SEG_ERR_IO;
    } else if (rc) {
        seg_errmsg_set(err, "cannot write %s: %s", tmp, seg_strerror(rc));
    }
    if (fclose(f) != 0 && !rc) {
        seg_errmsg_set(err, "cannot write %s: %s", tmp, strerror(errno));
        rc = SEG_ERR_IO;
    }
    if (rc)
        goto out;
    if (replace) {
        final = seg_xasprintf("%s/%s.csv", dir, stem);
        if (rename(tmp, final) != 0) {
            seg_errmsg_set(err, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
            rc = SEG_ERR_IO;
            goto out;
        }
    } else if ((rc = publish_new(dir, stem, tmp, &final, err))) {
        goto out;
    }
    if ((rc = fsync_dir(dir))) {
        seg_errmsg_set(err, "cannot sync directory %s: %s", dir, strerror(errno));
        goto out;
    }
    *path = final;
    final = NULL;
out:
    if (rc)
        unlink(tmp); /* harmless when already renamed or linked away */
    free(final);
    free(tmp);
    return rc;
}
