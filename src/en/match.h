/*
 * match.h - matching a phone's observed RPIs against diagnosis keys, and
 * the risk of what matched in the GAEN v2 way (exposure windows, attenuation
 * buckets, report type, infectiousness by days since onset).
 *
 * Each key's RPIK is derived once and its RPIs come from one AES key
 * schedule; observed RPIs are looked up in a hash set.  An observation
 * counts only within two hours of its key's validity, as the phones do.
 */
#ifndef CORDON_EN_MATCH_H
#define CORDON_EN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "en/en.h"
#include "en/export.h"

#define EN_TOLERANCE_INTERVALS 12 /* two hours either side of a key's validity */
#define EN_WINDOW_SECONDS 1800    /* an exposure window covers at most 30 minutes */

/* One scan of one RPI by the phone. */
struct en_observation {
    uint8_t rpi[EN_RPI_LEN];
    uint8_t aem[EN_METADATA_LEN];
    int64_t time;         /* unix seconds */
    uint8_t attenuation;  /* dB: TX power minus RSSI */
    uint16_t seconds;     /* seconds since the previous scan, credited to this one */
};

struct en_matcher;
/* A hash set over obs (kept by pointer: obs must outlive the matcher). NULL when out of memory. */
struct en_matcher *en_matcher_new(const struct en_observation *obs, size_t n);
void en_matcher_free(struct en_matcher *m);

struct en_hit {
    size_t key; /* index into the keys given to en_match */
    size_t obs; /* index into the observations */
};
/* Appends to *hits (malloc'd, grown) every observation of every key. 0, or -1 (libcrypto, memory). */
int en_match(struct en_matcher *m, const struct en_key *keys, size_t nkeys, struct en_hit **hits, size_t *nhits);

enum en_infectiousness { EN_INF_NONE = 0, EN_INF_STANDARD = 1, EN_INF_HIGH = 2 };

/* The scoring weights, as data (data/en_risk.json has the defaults). */
struct en_risk_config {
    int attenuation_thresholds[3];   /* dB: immediate <= [0] < near <= [1] < medium <= [2] < other */
    double attenuation_weights[4];   /* immediate, near, medium, other */
    double report_type_weights[6];   /* by enum en_report_type */
    int report_type_when_missing;
    double infectiousness_weights[3]; /* by enum en_infectiousness */
    int infectiousness_by_onset[29]; /* days since onset -14..14 */
    int infectiousness_when_missing;
    double minimum_window_score;     /* weighted seconds below which a window is dropped */
    double daily_threshold;          /* weighted seconds in a day that make an exposure */
};
void en_risk_defaults(struct en_risk_config *c);

struct en_window {
    size_t key;           /* index into keys */
    int64_t start;        /* unix seconds of its first scan */
    int64_t day;          /* unix seconds of its UTC midnight */
    int report_type;
    int infectiousness;
    unsigned scans;
    int min_attenuation;
    double seconds;       /* scanned seconds */
    double score;         /* weighted seconds */
};
/*
 * Exposure windows of hits (sorted in place by key, then time): a window holds
 * a key's scans within 30 minutes of its first.  *windows is malloc'd.
 * Windows below the minimum score are kept with score 0.  0 or -1 (memory).
 */
int en_windows(const struct en_risk_config *c, const struct en_key *keys, const struct en_observation *obs,
               struct en_hit *hits, size_t nhits, struct en_window **windows, size_t *nwindows);
/* The highest daily sum of window scores, and its day (0 when none). */
double en_max_daily_score(const struct en_window *w, size_t n, int64_t *day);

#endif
