#include "engine/budget.h"

#include <math.h>

void seg_budget_init(struct seg_budget *b, double max_tps, double now_ms)
{
    *b = (struct seg_budget){0};
    b->max_tps = max_tps > SEG_BUDGET_MIN_TPS ? max_tps : SEG_BUDGET_MIN_TPS;
    b->rate = b->max_tps;
    b->next_ms = now_ms;
    b->last_change_ms = now_ms;
}

void seg_budget_update(struct seg_budget *b, double now_ms)
{
    /* One recovery step per full quiet second since the last change. */
    while (b->rate < b->max_tps && now_ms - b->last_change_ms >= 1000.0) {
        b->rate = fmin(b->max_tps, b->rate + 0.05 * b->max_tps);
        b->last_change_ms += 1000.0;
    }
    if (b->rate >= b->max_tps)
        b->last_change_ms = fmax(b->last_change_ms, now_ms - 1000.0);
}

bool seg_budget_take(struct seg_budget *b, double now_ms)
{
    seg_budget_update(b, now_ms);
    if (now_ms < b->next_ms)
        return false;
    /* Spacing from the later of now and the scheduled slot: idle time is not banked. */
    b->next_ms = fmax(now_ms, b->next_ms) + 1000.0 / b->rate;
    b->calls++;
    b->recent[b->head] = now_ms;
    b->head = (b->head + 1) % 16;
    if (b->nrecent < 16)
        b->nrecent++;
    return true;
}

int seg_budget_wait_ms(const struct seg_budget *b, double now_ms)
{
    double w = b->next_ms - now_ms;
    return w <= 0 ? 0 : (int)ceil(w);
}

void seg_budget_throttled(struct seg_budget *b, double now_ms)
{
    b->throttles++;
    b->rate = fmax(SEG_BUDGET_MIN_TPS, b->rate / 2.0);
    b->last_change_ms = now_ms;
    b->next_ms = fmax(b->next_ms, now_ms + 1000.0 / b->rate);
}

double seg_budget_calls_per_s(const struct seg_budget *b, double now_ms)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->nrecent; i++)
        if (now_ms - b->recent[i] <= 4000.0)
            n++;
    return n / 4.0;
}
