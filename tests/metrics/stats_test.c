/* Statistics against reference values.
 * Sources: R's ?t.test example (Welch on the sleep data prints t = -1.8608, df = 17.776,
 * p-value = 0.07939); the extra digits below, the t quantiles (R: qt(p, df)) and the
 * incomplete beta values (R: pbeta(x, a, b)) were computed with mpmath 1.3.0 at 30 digits:
 * betainc(a, b, 0, x, regularized=True), findroot on the t CDF. */
#include <math.h>

#include "metrics/stats.h"
#include "seg_test.h"

static void test_t_quantile(void **state)
{
    (void)state;
    static const struct {
        double p, df, q;
    } cases[] = {
        {0.975, 1, 12.706204736174693},  {0.975, 2, 4.3026527297494618},
        {0.975, 5, 2.5705818356363148},  {0.975, 10, 2.2281388519862742},
        {0.975, 30, 2.0422724563012379}, {0.975, 100, 1.9839715185235519},
        {0.95, 3, 2.3533634348018229},   {0.995, 20, 2.8453397097861081},
        {0.975, 7.5, 2.333039626864974}, {0.9, 1000, 1.2823987214609246},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double q = seg_stats_t_quantile(cases[i].p, cases[i].df);
        assert_true(fabs(q - cases[i].q) < 1e-9 * cases[i].q);
        assert_true(fabs(seg_stats_t_quantile(1 - cases[i].p, cases[i].df) + cases[i].q) <
                    1e-9 * cases[i].q);
    }
    assert_true(seg_stats_t_quantile(0.5, 4) == 0.0);
    assert_true(isnan(seg_stats_t_quantile(1.0, 4)));
    assert_true(isnan(seg_stats_t_quantile(0.9, 0)));
}

static void test_ibeta(void **state)
{
    (void)state;
    static const struct {
        double a, b, x, v;
    } cases[] = {
        {2, 3, 0.4, 0.5248},
        {0.5, 0.5, 0.3, 0.36901011956554538},
        {10, 0.5, 0.9, 0.15164090963470997},
        {5, 5, 0.5, 0.5},
        {1.5, 20, 0.05, 0.44342120168569028},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_true(fabs(seg_stats_ibeta(cases[i].a, cases[i].b, cases[i].x) - cases[i].v) < 1e-12);
    assert_true(seg_stats_ibeta(2, 3, 0) == 0.0);
    assert_true(seg_stats_ibeta(2, 3, 1) == 1.0);
    assert_true(isnan(seg_stats_ibeta(-1, 3, 0.5)));
    assert_true(fabs(seg_stats_lgamma(5) - log(24.0)) < 1e-12);
    assert_true(fabs(seg_stats_lgamma(0.5) - 0.5 * log(3.14159265358979323846)) < 1e-12);
}

static void acc_of(const double *x, size_t n, struct seg_stats_acc *a)
{
    *a = (struct seg_stats_acc){0};
    for (size_t i = 0; i < n; i++)
        seg_stats_acc_add(a, x[i]);
}

static void test_welch_sleep(void **state)
{
    (void)state;
    /* R: t.test(extra ~ group, data = sleep) (var.equal = FALSE by default). */
    static const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    static const double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    struct seg_stats_acc a, b;
    acc_of(g1, 10, &a);
    acc_of(g2, 10, &b);
    assert_true(fabs(a.mean - 0.75) < 1e-12);
    assert_true(fabs(seg_stats_acc_sd(&a) - 1.7890096577591624) < 1e-12);
    struct seg_stats_welch w;
    seg_stats_welch(a.mean, seg_stats_acc_sd(&a), a.n, b.mean, seg_stats_acc_sd(&b), b.n, &w);
    assert_true(w.valid);
    assert_true(fabs(w.t - -1.8608134674868531) < 1e-9);
    assert_true(fabs(w.df - 17.77647351617849) < 1e-9);
    assert_true(fabs(w.p - 0.079394140187358138) < 1e-9);
    assert_true(fabs(w.p - 0.07939) < 1e-4); /* as R prints it */
}

static void test_welch_second(void **state)
{
    (void)state;
    static const double x[] = {19.9, 21.3, 20.1, 22.4, 18.7, 20.9};
    static const double y[] = {23.5, 22.1, 25.8, 24.0, 21.9, 26.3, 24.4, 23.0};
    struct seg_stats_acc a, b;
    acc_of(x, 6, &a);
    acc_of(y, 8, &b);
    struct seg_stats_welch w;
    seg_stats_welch(a.mean, seg_stats_acc_sd(&a), a.n, b.mean, seg_stats_acc_sd(&b), b.n, &w);
    assert_true(fabs(w.t - -4.327624442639135) < 1e-9);
    assert_true(fabs(w.df - 11.90593375743675) < 1e-9);
    assert_true(fabs(w.p - 0.0010005698307950365) < 1e-10);
    assert_true(fabs(seg_stats_bonferroni(w.p, 7) - 7 * 0.0010005698307950365) < 1e-9);
    assert_true(seg_stats_bonferroni(0.4, 7) == 1.0);
    /* Too few values: no test. */
    seg_stats_welch(1, 1, 1, 2, 1, 5, &w);
    assert_false(w.valid);
    seg_stats_welch(1, 0, 5, 1, 0, 5, &w);
    assert_false(w.valid);
}

static void test_ci(void **state)
{
    (void)state;
    static const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    struct seg_stats_acc a;
    acc_of(g1, 10, &a);
    struct seg_stats_ci ci;
    seg_stats_ci(&a, 0.95, &ci);
    assert_true(ci.valid);
    /* R: t.test(sleep$extra[1:10])$conf.int = -0.5297804 2.0297804 */
    assert_true(fabs(ci.lo - -0.5297804) < 1e-6);
    assert_true(fabs(ci.hi - 2.0297804) < 1e-6);
    struct seg_stats_acc one = {0};
    seg_stats_acc_add(&one, 5);
    seg_stats_ci(&one, 0.95, &ci);
    assert_false(ci.valid);
    assert_true(ci.lo == 5 && ci.hi == 5 && ci.sd == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_quantile),  cmocka_unit_test(test_ibeta),
        cmocka_unit_test(test_welch_sleep), cmocka_unit_test(test_welch_second),
        cmocka_unit_test(test_ci),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
