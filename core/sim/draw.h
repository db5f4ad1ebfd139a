/* Keyed random draws for the simulator (DESIGN §6): every draw is a pure function of
 * (seed, site, invocation index, attempt, purpose, sub-index), so the same seed gives the
 * same truth whatever order requests arrive in. splitmix64 mixes the key. */
#ifndef SEGTOP_CORE_SIM_DRAW_H
#define SEGTOP_CORE_SIM_DRAW_H

#include <stdint.h>

struct seg_sim_drawkey {
    uint64_t seed;
    uint32_t site;    /* site number, 1-based */
    uint32_t inv;     /* per-site invocation index (distinct trigger keys), 1-based */
    uint32_t attempt; /* 1-based; 0 for draws not tied to one attempt */
};

/* What a draw is for: each purpose has its own independent stream. */
enum seg_sim_purpose {
    SEG_SIM_P_DELIVERY = 1, /* S3 delivery offset within the burst */
    SEG_SIM_P_STRAGGLER,    /* whether this event straggles */
    SEG_SIM_P_STRAG_DELAY,  /* how long it straggles */
    SEG_SIM_P_QUEUE,        /* async queue lag */
    SEG_SIM_P_WORK,         /* handler work (billed-equivalent) */
    SEG_SIM_P_INIT,         /* Init Duration */
    SEG_SIM_P_MEMORY,       /* Max Memory Used */
    SEG_SIM_P_ERROR,        /* handler exception? */
    SEG_SIM_P_OOM_AT,       /* share of the work done before OOM */
    SEG_SIM_P_REQID,        /* request id bits */
    SEG_SIM_P_ENV,          /* execution environment id bits (inv = env ordinal) */
    SEG_SIM_P_IDLE,         /* idle timeout of an environment */
    SEG_SIM_P_INGEST,       /* ingestion delay (sub = event index) */
    SEG_SIM_P_APPGAP,       /* gaps between handler lines */
    SEG_SIM_P_RETRY,        /* async retry jitter */
};

uint64_t seg_sim_splitmix64(uint64_t x);
uint64_t seg_sim_draw_u64(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub);
/* Uniform in [0, 1). */
double seg_sim_draw_uniform(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub);
/* Standard normal (Box-Muller over two keyed uniforms). */
double seg_sim_draw_normal(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub);
/* Log-normal with the given median and log-sd, clamped to [lo, hi]. */
double seg_sim_draw_lognormal(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub,
                              double median, double sigma, double lo, double hi);

#endif
