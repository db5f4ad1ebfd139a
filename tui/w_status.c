/* The status line (prompts, export paths, messages) and the key bar (htop's FunctionBar). */
#include <stdio.h>
#include <string.h>

#include "ui.h"

static const char *const sort_names[SEG_SORT__COUNT] = {
    [SEG_SORT_SITE] = "site",     [SEG_SORT_STATE] = "state", [SEG_SORT_P95] = "p95 exec",
    [SEG_SORT_ERRORS] = "errors", [SEG_SORT_COLD] = "cold %",
};

void w_status_draw(struct seg_ui *ui, struct seg_rect r)
{
    seg_ui_fill(ui, r.y, r.x, r.w, SEG_ROLE_STATUS);
    char b[256];
    if (ui->prompt == SEG_PROMPT_QUIT) {
        seg_ui_put(ui, r.y, r.x, r.w, SEG_ROLE_WARN,
                   "A wave is running. Quit? y/N  (e: export a snapshot, then quit)");
        return;
    }
    if (ui->prompt == SEG_PROMPT_FILTER) {
        snprintf(b, sizeof b, "filter sites (name or state; Enter keeps, Esc clears): /%s_",
                 ui->filter);
        seg_ui_put(ui, r.y, r.x, r.w, SEG_ROLE_STATUS, b);
        return;
    }
    int x = r.x;
    if (ui->message[0]) {
        /* Already sanitised when stored. Too long: export paths written once with braces
         * for what differs; then elide the middle, since both ends matter (what happened,
         * and the file:line or path it ends with). */
        char brief[sizeof ui->message];
        const char *msg = ui->message;
        int mw = seg_text_width(msg);
        if (mw > r.w && seg_text_brace_paths(msg, brief, sizeof brief)) {
            msg = brief;
            mw = seg_text_width(msg);
        }
        if (mw <= r.w) {
            x += seg_ui_put(ui, r.y, x, r.w, SEG_ROLE_STATUS, msg);
        } else if (r.w > 8) {
            int head = r.w / 4, tail = r.w - head - 1;
            x += seg_ui_put(ui, r.y, x, head, SEG_ROLE_STATUS, msg);
            x += seg_ui_put(ui, r.y, x, 1, SEG_ROLE_STATUS, ui->g.ellipsis);
            /* The tail: skip characters until the rest fits. */
            const char *t = msg;
            while (*t && seg_text_width(t) > tail)
                t += seg_text_fit(t, 1, NULL) ? seg_text_fit(t, 1, NULL) : 1;
            x += seg_ui_put(ui, r.y, x, tail, SEG_ROLE_STATUS, t);
        }
        x += seg_ui_put(ui, r.y, x, r.x + r.w - x, SEG_ROLE_STATUS, "  ");
    }
    snprintf(b, sizeof b, "[theme %s | sort %s%s%s]", ui->themes.themes[ui->theme].name,
             sort_names[ui->sort], ui->filter[0] ? " | filter /" : "", ui->filter);
    int w = seg_text_width(b);
    if (r.x + r.w - w > x)
        seg_ui_put(ui, r.y, r.x + r.w - w, w, SEG_ROLE_STATUS, b);
}

const char *seg_ui_sort_name(enum seg_sort s)
{
    return (int)s >= 0 && s < SEG_SORT__COUNT ? sort_names[s] : "?";
}

void w_keys_draw(struct seg_ui *ui, struct seg_rect r)
{
    static const char *const keys[][2] = {
        {"?", "Help"},    {"q", "Quit"},    {"w", "Wave"},     {"1-9", "Step"},
        {"+-", "Ladder"}, {"r", "Rest"},    {"x", "Stop"},     {"e", "Export"},
        {"t", "Theme"},   {"v", "Scaling"}, {"Tab", "Panel"},  {"Spc", "Freeze"},
        {"/", "Filter"},  {"s", "Sort"},    {"Ent", "Detail"}, {"u", "UTC"},
    };
    int x = r.x, end = r.x + r.w;
    for (size_t i = 0; i < SEG_ARRAY_LEN(keys) && x < end; i++) {
        x += seg_ui_put(ui, r.y, x, end - x, SEG_ROLE_KEY, keys[i][0]);
        x += seg_ui_put(ui, r.y, x, end - x, SEG_ROLE_KEY_LABEL, keys[i][1]);
        if (x < end)
            x += seg_ui_put(ui, r.y, x, end - x, SEG_ROLE_KEY_LABEL, " ");
    }
}
