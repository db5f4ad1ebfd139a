/* simfleet.clock: the simulated clock's maths and the keyed draws' stability. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "seg_test.h"
#include "sim/clock.h"
#include "sim/draw.h"
#include "sim/model.h"

static void test_clock(void **state)
{
    (void)state;
    struct seg_sim_clock c;
    seg_sim_clock_init(&c, 100.0);
    assert_true(c.speed == 100.0);
    /* T0 is the wall clock now. */
    assert_true(llabs(seg_sim_clock_now_ms(&c) - c.t0_epoch_ms) < 1000);
    /* 20 ms of wall time are ~2 s of simulated time. */
    int64_t a = seg_sim_clock_now_ms(&c);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t d = seg_sim_clock_now_ms(&c) - a;
    assert_true(d >= 2000 && d < 2000 + 100 * 200 * seg_test_time_scale());
    /* 10 s of simulated time ahead is 100 ms of wall time. */
    int64_t w = seg_sim_clock_wall_until_ms(&c, seg_sim_clock_now_ms(&c) + 10000);
    assert_true(w >= 99 && w <= 101);
    assert_true(seg_sim_clock_wall_until_ms(&c, c.t0_epoch_ms) <= 0);
    /* Fixed clock: sim = T0 + speed * (wall - T0). */
    struct seg_sim_clock f = {
        .speed = 2.0, .t0_epoch_ms = 1000000, .t0_mono_ns = seg_sim_clock_mono_ns() - 500000000};
    int64_t now = seg_sim_clock_now_ms(&f);
    assert_true(now >= 1001000 && now < 1001000 + 200);
    seg_sim_clock_init(&c, 0); /* a bad speed falls back to real time */
    assert_true(c.speed == 1.0);
}

static void test_draws_stable(void **state)
{
    (void)state;
    struct seg_sim_drawkey k = {.seed = 1, .site = 7, .inv = 3, .attempt = 1};
    /* Pinned values: a change here changes every seeded truth file. */
    assert_true(seg_sim_splitmix64(0) == 0xE220A8397B1DCDAFULL);
    uint64_t v = seg_sim_draw_u64(&k, SEG_SIM_P_WORK, 0);
    assert_true(v == seg_sim_draw_u64(&k, SEG_SIM_P_WORK, 0));
    struct seg_sim_drawkey k2 = k;
    k2.attempt = 2;
    assert_true(v != seg_sim_draw_u64(&k2, SEG_SIM_P_WORK, 0));
    assert_true(v != seg_sim_draw_u64(&k, SEG_SIM_P_INIT, 0));
    assert_true(v != seg_sim_draw_u64(&k, SEG_SIM_P_WORK, 1));
    struct seg_sim_drawkey swapped = {.seed = 1, .site = 3, .inv = 7, .attempt = 1};
    assert_true(v != seg_sim_draw_u64(&swapped, SEG_SIM_P_WORK, 0));
    /* Uniforms in [0,1) with the right mean; normals with mean 0, sd 1. */
    double sum = 0, sn = 0, sn2 = 0;
    for (uint32_t i = 0; i < 20000; i++) {
        double u = seg_sim_draw_uniform(&k, SEG_SIM_P_QUEUE, i);
        assert_true(u >= 0 && u < 1);
        sum += u;
        double z = seg_sim_draw_normal(&k, SEG_SIM_P_MEMORY, i);
        sn += z;
        sn2 += z * z;
    }
    assert_true(fabs(sum / 20000 - 0.5) < 0.01);
    assert_true(fabs(sn / 20000) < 0.03);
    assert_true(fabs(sqrt(sn2 / 20000) - 1) < 0.03);
}

static void test_model_ranges(void **state)
{
    (void)state;
    double sum = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        struct seg_sim_drawkey k = {.seed = 9,
                                    .site = (uint32_t)(i % 300 + 1),
                                    .inv = (uint32_t)(i / 300 + 1),
                                    .attempt = 1};
        double w = seg_sim_model_work_ms(&k);
        assert_true(w >= SEG_SIM_WORK_MIN_MS && w <= SEG_SIM_WORK_MAX_MS);
        sum += w;
        double init = seg_sim_model_init_ms(&k);
        assert_true(init >= SEG_SIM_INIT_MIN_MS && init <= SEG_SIM_INIT_MAX_MS);
        int64_t idle = seg_sim_model_idle_ms(&k);
        assert_true(idle >= SEG_SIM_IDLE_MIN_MS && idle <= SEG_SIM_IDLE_MAX_MS);
        assert_true(seg_sim_model_delivery_ms(&k, 1) == 0);
    }
    assert_true(fabs(sum / n - SEG_SIM_WORK_MEAN_MS) < 0.02 * SEG_SIM_WORK_MEAN_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_draws_stable),
        cmocka_unit_test(test_model_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
