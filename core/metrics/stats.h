/* Small-sample statistics for the scaling view: running mean/sd, Student t quantiles and
 * Welch's unequal-variance t-test with exact p-values (regularized incomplete beta). */
#ifndef SEGTOP_CORE_METRICS_STATS_H
#define SEGTOP_CORE_METRICS_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Welford's running moments: numerically stable, O(1) per value, no raw values kept. */
struct seg_stats_acc {
    size_t n;
    double mean;
    double m2;
};

void seg_stats_acc_add(struct seg_stats_acc *a, double x);
/* Sample standard deviation (n - 1 denominator); 0 when n < 2. */
double seg_stats_acc_sd(const struct seg_stats_acc *a);

/* Mean with its two-sided confidence interval from the t distribution (df = n - 1).
 * With n < 2 the interval is [mean, mean] and valid is false. */
struct seg_stats_ci {
    size_t n;
    double mean, sd, lo, hi;
    bool valid;
};
void seg_stats_ci(const struct seg_stats_acc *a, double level, struct seg_stats_ci *out);

/* ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). Our own so that
 * no thread touches libm's global signgam. */
double seg_stats_lgamma(double x);
/* Regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1 (continued fraction,
 * modified Lentz). NAN for arguments out of range. */
double seg_stats_ibeta(double a, double b, double x);
/* Student t: P(T <= t) with df > 0 degrees of freedom (df need not be an integer). */
double seg_stats_t_cdf(double t, double df);
/* Student t quantile: the t with P(T <= t) = p, 0 < p < 1. NAN when out of range. */
double seg_stats_t_quantile(double p, double df);

/* Welch's t-test of mean1 == mean2 from summary statistics (sample sd). df is the
 * Welch-Satterthwaite approximation; p is two-sided. valid is false when either group has
 * fewer than 2 values or both variances are 0 (then t, df and p are NAN). */
struct seg_stats_welch {
    double t, df, p;
    bool valid;
};
void seg_stats_welch(double mean1, double sd1, size_t n1, double mean2, double sd2, size_t n2,
                     struct seg_stats_welch *out);

/* Bonferroni: p multiplied by the number of tests m, capped at 1. */
double seg_stats_bonferroni(double p, size_t m);

#endif
