/*
 * risk.c - exposure windows and their scores, GAEN v2 style (match.h).
 *
 * A window's score is the sum over its scans of seconds x the weight of the
 * scan's attenuation bucket, times the weight of the key's report type and
 * of its infectiousness (from days since onset of symptoms).
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "en/match.h"

void en_risk_defaults(struct en_risk_config *c)
{
    *c = (struct en_risk_config){
        .attenuation_thresholds = {55, 63, 73},
        .attenuation_weights = {1.5, 1.0, 0.5, 0.0},
        .report_type_weights = {0.0, 1.0, 1.0, 0.6, 0.0, 0.0},
        .report_type_when_missing = EN_REPORT_CONFIRMED_TEST,
        .infectiousness_weights = {0.0, 1.0, 1.5},
        .infectiousness_when_missing = EN_INF_STANDARD,
        .minimum_window_score = 0,
        .daily_threshold = 900, /* 15 minutes close by */
    };
    for (int d = -14; d <= 14; d++)
        c->infectiousness_by_onset[d + 14] =
            d < -2 ? EN_INF_NONE : d <= 5 ? EN_INF_HIGH : d <= 9 ? EN_INF_STANDARD : EN_INF_NONE;
}

static int hit_cmp(const void *a, const void *b, void *ctx)
{
    const struct en_observation *sort_obs = ctx;
    const struct en_hit *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int64_t tx = sort_obs[x->obs].time, ty = sort_obs[y->obs].time;
    return tx < ty ? -1 : tx > ty;
}

static double bucket_weight(const struct en_risk_config *c, int att)
{
    int b = 0;
    while (b < 3 && att > c->attenuation_thresholds[b])
        b++;
    return c->attenuation_weights[b];
}

static void key_weights(const struct en_risk_config *c, const struct en_key *k, int *report, int *inf)
{
    *report = k->has_report_type && k->report_type > 0 && k->report_type <= EN_REPORT_REVOKED
                  ? k->report_type
                  : c->report_type_when_missing;
    if (!k->has_days_since_onset)
        *inf = c->infectiousness_when_missing;
    else if (k->days_since_onset < -14 || k->days_since_onset > 14)
        *inf = EN_INF_NONE;
    else
        *inf = c->infectiousness_by_onset[k->days_since_onset + 14];
}

static void close_window(const struct en_risk_config *c, struct en_window *w, double raw)
{
    w->score = raw * c->report_type_weights[w->report_type] * c->infectiousness_weights[w->infectiousness];
    if (w->score < c->minimum_window_score)
        w->score = 0;
}

int en_windows(const struct en_risk_config *c, const struct en_key *keys, const struct en_observation *obs,
               struct en_hit *hits, size_t nhits, struct en_window **windows, size_t *nwindows)
{
    if (nhits)
        qsort_r(hits, nhits, sizeof *hits, hit_cmp, (void *)obs);
    struct en_window *w = calloc(nhits ? nhits : 1, sizeof *w);
    if (!w)
        return -1;
    size_t n = 0;
    double raw = 0;
    for (size_t i = 0; i < nhits; i++) {
        const struct en_observation *o = &obs[hits[i].obs];
        struct en_window *cur = n ? &w[n - 1] : NULL;
        if (!cur || cur->key != hits[i].key || o->time - cur->start >= EN_WINDOW_SECONDS) {
            if (cur)
                close_window(c, cur, raw);
            cur = &w[n++];
            cur->key = hits[i].key;
            cur->start = o->time;
            cur->day = o->time - (o->time % 86400 + 86400) % 86400;
            cur->min_attenuation = 255;
            key_weights(c, &keys[hits[i].key], &cur->report_type, &cur->infectiousness);
            raw = 0;
        }
        cur->scans++;
        cur->seconds += o->seconds;
        if (o->attenuation < cur->min_attenuation)
            cur->min_attenuation = o->attenuation;
        raw += o->seconds * bucket_weight(c, o->attenuation);
    }
    if (n)
        close_window(c, &w[n - 1], raw);
    *windows = w;
    *nwindows = n;
    return 0;
}

double en_max_daily_score(const struct en_window *w, size_t n, int64_t *day)
{
    double best = 0;
    *day = 0;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < n; j++)
            if (w[j].day == w[i].day)
                sum += w[j].score;
        if (sum > best) {
            best = sum;
            *day = w[i].day;
        }
    }
    return best;
}
