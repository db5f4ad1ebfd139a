/* `segtop replay FILE... | --last` (DESIGN §4): the command around the loaders. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "replay/replay.h"

/* ---- the command ---------------------------------------------------------------------- */

static bool load_one(struct seg_store *s, const char *path, FILE *errf)
{
    struct seg_replay_info info;
    struct seg_errmsg err = {{0}};
    if (seg_replay_load_file(s, path, &info, &err) != SEG_OK) {
        fprintf(errf, "segtop: replay: %s\n", err.text);
        return false;
    }
    if (info.truncated)
        fprintf(errf,
                "segtop: replay: %s: the last line was cut (the session ended abruptly); "
                "replayed the %zu records before it\n",
                path, info.records);
    if (info.stopped)
        fprintf(errf,
                "segtop: replay: %s: the journal reached its size cap; the session went on "
                "unrecorded after it\n",
                path);
    return true;
}

struct seg_store *seg_replay_open(const struct seg_options *o, FILE *errf)
{
    struct seg_store *s = seg_store_new(NULL);
    bool ok = true;
    if (o->replay_last) {
        char *last = NULL;
        struct seg_errmsg err = {{0}};
        if (seg_replay_last_path(&last, &err) != SEG_OK) {
            fprintf(errf, "segtop: replay --last: %s\n", err.text);
            ok = false;
        } else {
            ok = load_one(s, last, errf);
        }
        free(last);
    }
    for (int i = 0; ok && i < o->nreplay; i++)
        ok = load_one(s, o->replay_files[i], errf);
    if (!ok) {
        seg_store_free(s);
        return NULL;
    }
    return s;
}

int seg_replay_run(const struct seg_options *o, bool headless, FILE *out, FILE *errf)
{
    struct seg_store *s = seg_replay_open(o, errf);
    if (!s)
        return 1;
    enum seg_err rc = seg_replay_write_waves(s, out);
    seg_store_free(s);
    if (rc) {
        fprintf(errf, "segtop: replay: writing the waves CSV failed: %s\n", strerror(errno));
        return 1;
    }
    if (!headless)
        fprintf(errf, "segtop: the replay dashboard is not built yet; the waves CSV above is "
                      "what replay shows for now (--headless skips this note)\n");
    return 0;
}

int seg_replay_main(const struct seg_options *o, bool headless)
{
    return seg_replay_run(o, headless, stdout, stderr);
}
