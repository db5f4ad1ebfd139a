/* Errors (DESIGN §5 panel 7): per site, folded by signature (timeout, out of memory, handler
 * exception, runtime exit, throttled, trigger failed, REPORT missing), count, last message.
 * Messages come from the logs: drawn through the sanitiser. */
#include <stdio.h>

#include "ui.h"

void w_errors_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    char title[64];
    snprintf(title, sizeof title, "Errors %zu", s ? s->n_errors : 0);
    struct seg_rect in = seg_ui_frame(ui, r, title, focused);
    if (in.h < 2 || in.w < 30)
        return;
    if (!s || s->n_errors == 0) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_GOOD, "no errors");
        return;
    }
    seg_ui_putf(ui, in.y, in.x, in.w, SEG_ROLE_HEADER, "%-8s %-17s %6s  %s", "site", "signature",
                "count", "last message");
    int n = (int)s->n_errors, vis = in.h - 1;
    if (ui->errors_cursor >= n)
        ui->errors_cursor = n - 1;
    ui->errors_top = seg_layout_scroll(n, vis, ui->errors_cursor, ui->errors_top);
    for (int i = 0; i < vis && ui->errors_top + i < n; i++) {
        const struct seg_error_row *e = &s->errors[ui->errors_top + i];
        int y = in.y + 1 + i;
        bool sel = focused && ui->errors_top + i == ui->errors_cursor;
        if (sel)
            seg_ui_fill(ui, y, in.x, in.w, SEG_ROLE_SELECTION);
        char site[16];
        snprintf(site, sizeof site, "site%d", e->site);
        int used = seg_ui_putf(ui, y, in.x, in.w, sel ? SEG_ROLE_SELECTION : SEG_ROLE_BAD,
                               "%-8s %-17s %6u  ", site, seg_errsig_name(e->sig), e->count);
        seg_ui_put_untrusted(ui, y, in.x + used, in.w - used,
                             sel ? SEG_ROLE_SELECTION : SEG_ROLE_NORMAL, e->last_message);
    }
}
