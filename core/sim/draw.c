#include "sim/draw.h"

#include <math.h>

uint64_t seg_sim_splitmix64(uint64_t x)
{
    uint64_t z = x + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t seg_sim_draw_u64(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub)
{
    /* Chain the fields so that (1,2) and (2,1) give unrelated values. */
    uint64_t h = seg_sim_splitmix64(k->seed);
    h = seg_sim_splitmix64(h ^ k->site);
    h = seg_sim_splitmix64(h ^ k->inv);
    h = seg_sim_splitmix64(h ^ k->attempt);
    h = seg_sim_splitmix64(h ^ (uint64_t)p);
    return seg_sim_splitmix64(h ^ sub);
}

double seg_sim_draw_uniform(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub)
{
    return (double)(seg_sim_draw_u64(k, p, sub) >> 11) * 0x1.0p-53;
}

double seg_sim_draw_normal(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub)
{
    /* Two uniforms from sub-indices 2s and 2s+1; 1-u1 avoids log(0). */
    double u1 = 1.0 - seg_sim_draw_uniform(k, p, sub * 2u);
    double u2 = seg_sim_draw_uniform(k, p, sub * 2u + 1u);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double seg_sim_draw_lognormal(const struct seg_sim_drawkey *k, enum seg_sim_purpose p, uint32_t sub,
                              double median, double sigma, double lo, double hi)
{
    double v = median * exp(sigma * seg_sim_draw_normal(k, p, sub));
    return v < lo ? lo : v > hi ? hi : v;
}
