/* libFuzzer target over the replay loaders (invocations CSV, logsdata.csv, journal): any
 * bytes load or fail with a "<file>:<line>: " message; never a crash, a leak or a store
 * left in a state its snapshot cannot describe. The first byte picks a header to prepend, so
 * the fuzzer reaches the row parsers of every format without having to guess a header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export/exporters.h"
#include "metrics/snapshot.h"
#include "replay/replay.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *head = NULL;
    switch (data[0] & 3) {
    case 1:
        head = seg_export_header(SEG_EXPORT_INVOCATIONS);
        break;
    case 2:
        head = seg_export_header(SEG_EXPORT_SEED);
        break;
    case 3:
        head = "{\"segtop_journal\":1}";
        break;
    default:
        break;
    }
    size_t hl = head ? strlen(head) + 1 : 0;
    char *buf = seg_xmalloc(hl + size);
    if (head) {
        memcpy(buf, head, hl - 1);
        buf[hl - 1] = '\n';
    }
    memcpy(buf + hl, data + 1, size - 1);
    struct seg_store *s = seg_store_new(NULL);
    struct seg_errmsg err = {{0}};
    struct seg_replay_info info;
    if (seg_replay_load_buffer(s, "f", buf, hl + size - 1, &info, &err) != SEG_OK &&
        strncmp(err.text, "f:", 2) != 0)
        __builtin_trap(); /* every error names the file */
    struct seg_snapshot *snap = seg_store_snapshot(s);
    seg_snapshot_release(snap);
    seg_store_free(s);
    free(buf);
    return 0;
}
