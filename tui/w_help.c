/* Help screen (`?`): every key of DESIGN §5, the site glyphs, and the layouts. */
#include <stdio.h>

#include "ui.h"

static const char *const help_keys[][2] = {
    {"w", "fire the next wave of the ladder"},
    {"1..9", "fire ladder step 1..9"},
    {"+ / -", "move the next ladder step up / down"},
    {"r", "run the rest of the ladder"},
    {"x", "stop triggering (executions already running finish)"},
    {"e", "export a snapshot (the paths appear in the status line)"},
    {"t", "next theme"},
    {"v", "scaling view (mean, sd, 95% CI per wave size; Welch tests)"},
    {"Tab", "next panel (Shift-Tab: previous)"},
    {"space", "freeze the display (data keeps coming; space resumes)"},
    {"/", "filter sites by name or state (Enter keeps, Esc clears)"},
    {"s", "cycle the sites sort: site, state, p95 exec, errors, cold %"},
    {"arrows hjkl", "move in the sites grid, scroll tables"},
    {"PgUp PgDn", "scroll faster"},
    {"Enter", "site detail: last log lines, invocations, every REPORT field"},
    {"u", "clock in UTC / local time"},
    {"?", "this help (any of ? q Esc closes it)"},
    {"q", "quit (asks Quit? y/N while a wave runs, offers an export)"},
};

int w_help_lines(void)
{
    return (int)SEG_ARRAY_LEN(help_keys) + 4 + SEG_SITE__COUNT;
}

void w_help_draw(struct seg_ui *ui, struct seg_rect r)
{
    struct seg_rect in = seg_ui_frame(ui, r, "Help: keys", true);
    if (in.h < 1 || in.w < 20)
        return;
    int total = w_help_lines();
    if (ui->scroll_top > total - in.h)
        ui->scroll_top = total - in.h > 0 ? total - in.h : 0;
    int line = 0, y = in.y;
    for (size_t i = 0; i < SEG_ARRAY_LEN(help_keys); i++, line++) {
        if (line < ui->scroll_top || y >= in.y + in.h)
            continue;
        int used = seg_ui_putf(ui, y, in.x, in.w, SEG_ROLE_KEY, " %-11s ", help_keys[i][0]);
        seg_ui_put(ui, y++, in.x + used + 1, in.w - used - 1, SEG_ROLE_NORMAL, help_keys[i][1]);
    }
    const char *extra[3] = {"", "Site states (glyph, then colour):", ""};
    for (int i = 0; i < 2; i++, line++)
        if (line >= ui->scroll_top && y < in.y + in.h)
            seg_ui_put(ui, y++, in.x, in.w, SEG_ROLE_HEADER, extra[i]);
    for (int st = 0; st < SEG_SITE__COUNT; st++, line++) {
        if (line < ui->scroll_top || y >= in.y + in.h)
            continue;
        int used = seg_ui_putf(ui, y, in.x, in.w, SEG_ROLE_NORMAL, "   ");
        used += seg_ui_put(ui, y, in.x + used, in.w - used,
                           seg_ui_site_role((enum seg_site_state)st), ui->g.site[st]);
        seg_ui_putf(ui, y++, in.x + used, in.w - used, SEG_ROLE_NORMAL, "  %s",
                    seg_site_state_name((enum seg_site_state)st));
    }
    for (int i = 0; i < 2; i++, line++) {
        if (line < ui->scroll_top || y >= in.y + in.h)
            continue;
        seg_ui_put(ui, y++, in.x, in.w, SEG_ROLE_DIM,
                   i == 0 ? "" : "Layouts: 80x24 one panel (Tab), 120x36 four, 160x45 all.");
    }
}
