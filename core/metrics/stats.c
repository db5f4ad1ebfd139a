#include "metrics/stats.h"

#include <math.h>

/* M_PI is XSI, not C11 or POSIX base. */
static const double pi = 3.14159265358979323846;

void seg_stats_acc_add(struct seg_stats_acc *a, double x)
{
    a->n++;
    double d = x - a->mean;
    a->mean += d / (double)a->n;
    a->m2 += d * (x - a->mean);
}

double seg_stats_acc_sd(const struct seg_stats_acc *a)
{
    if (a->n < 2)
        return 0.0;
    double v = a->m2 / (double)(a->n - 1);
    return v > 0 ? sqrt(v) : 0.0;
}

void seg_stats_ci(const struct seg_stats_acc *a, double level, struct seg_stats_ci *out)
{
    out->n = a->n;
    out->mean = a->mean;
    out->sd = seg_stats_acc_sd(a);
    out->lo = out->hi = a->mean;
    out->valid = false;
    if (a->n < 2 || !(level > 0 && level < 1))
        return;
    double t = seg_stats_t_quantile(0.5 + level / 2.0, (double)(a->n - 1));
    double half = t * out->sd / sqrt((double)a->n);
    out->lo = a->mean - half;
    out->hi = a->mean + half;
    out->valid = true;
}

double seg_stats_lgamma(double x)
{
    static const double c[9] = {0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
                                771.32342877765313,   -176.61502916214059,   12.507343278686905,
                                -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    if (x < 0.5) /* reflection keeps the series in its accurate range */
        return log(pi / fabs(sin(pi * x))) - seg_stats_lgamma(1.0 - x);
    x -= 1.0;
    double s = c[0];
    for (int i = 1; i < 9; i++)
        s += c[i] / (x + i);
    double t = x + 7.5;
    return 0.5 * log(2 * pi) + (x + 0.5) * log(t) - t + log(s);
}

/* Continued fraction for I_x(a, b) (Numerical Recipes betacf), modified Lentz. */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

double seg_stats_ibeta(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    double lbt = seg_stats_lgamma(a + b) - seg_stats_lgamma(a) - seg_stats_lgamma(b) + a * log(x) +
                 b * log1p(-x);
    double bt = exp(lbt);
    /* The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise. */
    if (x < (a + 1.0) / (a + b + 2.0))
        return bt * betacf(a, b, x) / a;
    return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

double seg_stats_t_cdf(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    if (isinf(t))
        return t > 0 ? 1.0 : 0.0;
    double x = df / (df + t * t);
    double tail = 0.5 * seg_stats_ibeta(df / 2.0, 0.5, x); /* P(T > |t|) */
    return t > 0 ? 1.0 - tail : tail;
}

double seg_stats_t_quantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0))
        return NAN;
    if (p == 0.5)
        return 0.0;
    if (p < 0.5)
        return -seg_stats_t_quantile(1.0 - p, df);
    /* Bracket, then bisect on the exact CDF: 200 halvings reach double precision for any
     * bracket we can build, and the cost (a few hundred ibeta calls) only matters once per
     * snapshot row. */
    double lo = 0.0, hi = 2.0;
    while (seg_stats_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        if (seg_stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

void seg_stats_welch(double mean1, double sd1, size_t n1, double mean2, double sd2, size_t n2,
                     struct seg_stats_welch *out)
{
    out->t = out->df = out->p = NAN;
    out->valid = false;
    if (n1 < 2 || n2 < 2)
        return;
    double v1 = sd1 * sd1 / (double)n1, v2 = sd2 * sd2 / (double)n2;
    double se2 = v1 + v2;
    if (!(se2 > 0))
        return;
    out->t = (mean1 - mean2) / sqrt(se2);
    out->df = se2 * se2 / (v1 * v1 / (double)(n1 - 1) + v2 * v2 / (double)(n2 - 1));
    out->p = seg_stats_ibeta(out->df / 2.0, 0.5, out->df / (out->df + out->t * out->t));
    out->valid = true;
}

double seg_stats_bonferroni(double p, size_t m)
{
    if (isnan(p))
        return p;
    double q = p * (double)(m ? m : 1);
    return q > 1.0 ? 1.0 : q;
}
