#include "sim/model.h"

#include <math.h>

double seg_sim_model_work_ms(const struct seg_sim_drawkey *k)
{
    /* Log-normal with the measured mean and sd (the measured median 19.5 s < mean 20.1 s:
     * right-skewed), clamped to the measured range. */
    double cv = SEG_SIM_WORK_SD_MS / SEG_SIM_WORK_MEAN_MS;
    double s2 = log(1.0 + cv * cv);
    double median = SEG_SIM_WORK_MEAN_MS / sqrt(1.0 + cv * cv);
    return seg_sim_draw_lognormal(k, SEG_SIM_P_WORK, 0, median, sqrt(s2), SEG_SIM_WORK_MIN_MS,
                                  SEG_SIM_WORK_MAX_MS);
}

double seg_sim_model_init_ms(const struct seg_sim_drawkey *k)
{
    return seg_sim_draw_lognormal(k, SEG_SIM_P_INIT, 0, SEG_SIM_INIT_MEDIAN_MS, SEG_SIM_INIT_SIGMA,
                                  SEG_SIM_INIT_MIN_MS, SEG_SIM_INIT_MAX_MS);
}

double seg_sim_model_queue_ms(const struct seg_sim_drawkey *k)
{
    return seg_sim_draw_lognormal(k, SEG_SIM_P_QUEUE, 0, SEG_SIM_QUEUE_MEDIAN_MS,
                                  SEG_SIM_QUEUE_SIGMA, 100.0, 10000.0);
}

double seg_sim_model_delivery_ms(const struct seg_sim_drawkey *k, int pos)
{
    /* The burst drains at ~60 events/s: the pos-th event's slot, pulled earlier by a
     * u^(1/4) jitter (measured offsets crowd the end of the window). */
    double u = seg_sim_draw_uniform(k, SEG_SIM_P_DELIVERY, 0);
    double off = SEG_SIM_DELIVERY_SLOT_MS * (pos - 1) * pow(u, 0.25);
    double p =
        SEG_SIM_STRAGGLER_P * (double)(pos - SEG_SIM_STRAGGLER_FROM) / SEG_SIM_STRAGGLER_SPAN;
    if (p > 0 && seg_sim_draw_uniform(k, SEG_SIM_P_STRAGGLER, 0) < p) {
        double v = 1.0 - seg_sim_draw_uniform(k, SEG_SIM_P_STRAG_DELAY, 0);
        off += -SEG_SIM_STRAGGLER_MEAN_MS * log(v);
    }
    return off;
}

double seg_sim_model_write_gap_ms(const struct seg_sim_drawkey *k)
{
    return seg_sim_draw_lognormal(k, SEG_SIM_P_APPGAP, 7, SEG_SIM_WRITE_GAP_MEDIAN_MS,
                                  SEG_SIM_WRITE_GAP_SIGMA, 25.0, 7000.0);
}

int seg_sim_model_memory_mb(const struct seg_sim_drawkey *k, int memory_size_mb)
{
    double v =
        SEG_SIM_MEMORY_MEAN_MB + SEG_SIM_MEMORY_SD_MB * seg_sim_draw_normal(k, SEG_SIM_P_MEMORY, 0);
    int mb = (int)lround(v);
    if (mb < 128)
        mb = 128;
    return mb > memory_size_mb - 1 ? memory_size_mb - 1 : mb;
}

int64_t seg_sim_model_idle_ms(const struct seg_sim_drawkey *env_key)
{
    double u = seg_sim_draw_uniform(env_key, SEG_SIM_P_IDLE, 0);
    return SEG_SIM_IDLE_MIN_MS + (int64_t)(u * (SEG_SIM_IDLE_MAX_MS - SEG_SIM_IDLE_MIN_MS));
}

int64_t seg_sim_model_ingest_ms(const struct seg_sim_drawkey *k, uint32_t sub,
                                const struct seg_sim_faults *faults)
{
    if (faults && faults->ingest_set) {
        double u = seg_sim_draw_uniform(k, SEG_SIM_P_INGEST, sub);
        return faults->ingest_min_ms +
               (int64_t)(u * (double)(faults->ingest_max_ms - faults->ingest_min_ms));
    }
    return (int64_t)seg_sim_draw_lognormal(k, SEG_SIM_P_INGEST, sub, SEG_SIM_INGEST_MEDIAN_MS,
                                           SEG_SIM_INGEST_SIGMA, SEG_SIM_INGEST_MIN_MS,
                                           SEG_SIM_INGEST_MAX_MS);
}
