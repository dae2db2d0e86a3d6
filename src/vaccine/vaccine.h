/*
 * vaccine.h - vaccination: products and intervals, priority groups and
 * eligibility, sites, sessions, invitations and bookings, on-site check-in and
 * screening, doses, adverse events, certificates (EU DCC), status, FHIR export
 * and oversight.
 *
 * Products, dose intervals, mixing, priority groups, eligibility rules and the
 * screening checklist are data, read once per process: the shipped
 * data/vaccine_products.json and data/priority_groups.json are compiled into
 * the binary; an operator points $CORDON_VACCINE_DATA at a directory holding
 * edited copies to override them.  The rules below are plain C over that data: no
 * HTTP, no SQL, so unit tests call them directly.
 *
 * Capacity promise: a session's `booked` never exceeds its `capacity`; every
 * seat is taken by one conditional UPDATE (booked < capacity) inside the
 * transaction that writes the appointment, so concurrent bookings on either
 * engine cannot overbook.
 */
#ifndef CORDON_VACCINE_VACCINE_H
#define CORDON_VACCINE_VACCINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"

struct store;
struct http_req;

#define VACCINE_MAX_DOSES 8          /* doses per person we track (primary + boosters) */
#define VACCINE_MAX_CONDITIONS 8     /* condition codes one person declares */

/* ---------------------------------------------------------------- reference data */

struct vaccine_product {
    const char *code;          /* "pfizer" */
    const char *name;
    int doses;                 /* primary series */
    int nintervals;
    int interval_min[VACCINE_MAX_DOSES], interval_max[VACCINE_MAX_DOSES]; /* days after dose i+1 */
    bool booster;              /* may be given as a booster */
    int min_age, max_age;      /* years; -1: no bound */
    const char *cvx;           /* NULL when CVX has no code */
    const char *dcc_vp, *dcc_mp, *dcc_ma;
    unsigned mixing;           /* bit g set: in mixing group g */
};

struct vaccine_group {
    const char *code, *name_vi, *name_en;
    int rank;
    int min_age, max_age;      /* -1: no bound */
    const char **requires_any; /* condition codes; NULL-terminated, NULL when none */
};

enum vaccine_outcome { VACCINE_PROCEED, VACCINE_DEFER, VACCINE_REFER };

struct vaccine_check {
    const char *code, *question_vi, *question_en;
    char *field;               /* "answers.<code>", named by faults */
    enum vaccine_outcome if_yes;
    int defer_days;
    unsigned skip_sex;         /* not asked of these sexes: bit 0 male, 1 female, 2 other */
    int skip_age_over;         /* not asked above this age (years); -1: asked at any age */
};

struct vaccine_data {
    struct vaccine_product *products;
    int nproducts;
    struct vaccine_group *groups;
    int ngroups;
    struct vaccine_check *checks;
    int nchecks;
    const char **conditions;   /* known condition codes, NULL-terminated */
    int booster_min_days;
    int observation_minutes;
    int min_age;               /* nobody younger is registered */
    json_t *products_json, *groups_json; /* the files as read, for GET endpoints */
};

/* Parses the two documents; on error *out is NULL and err says what is wrong. */
int vaccine_data_parse(const char *products_text, const char *groups_text, struct vaccine_data **out, char *err,
                       size_t errlen);
/* Reads dir/vaccine_products.json and dir/priority_groups.json. */
int vaccine_data_load_dir(const char *dir, struct vaccine_data **out, char *err, size_t errlen);
void vaccine_data_free(struct vaccine_data *d);
/* The process-wide data, loaded on first call; NULL (logged) when the files are missing or bad. */
const struct vaccine_data *vaccine_data(void);

const struct vaccine_product *vaccine_product_find(const struct vaccine_data *d, const char *code);
const struct vaccine_group *vaccine_group_find(const struct vaccine_data *d, const char *code);
bool vaccine_condition_known(const struct vaccine_data *d, const char *code);

/* ---------------------------------------------------------------- rules */

/* One dose already given, as the rules see it. */
struct vaccine_dose_hist {
    int number;
    const char *product;
    int64_t at;
};

/* Local date YYYY-MM-DD of time t. */
void vaccine_day(int64_t t, char out[11]);
/* Age in whole years on the local date of `at`; -1 if dob is not YYYY-MM-DD. */
int vaccine_age_years(const char *dob, int64_t at);
/* "0-11", "12-17", "18-49", "50-64", "65+" or "unknown" (age < 0). */
const char *vaccine_age_group(int age);

/*
 * Eligibility for a priority group: age (-1 unknown fails), the group's
 * bounds, the global minimum age and the conditions the group requires.
 * 0, or fills f (field "priority_group" or "conditions") with ERR_INVALID_FIELD.
 */
int vaccine_check_eligibility(const struct vaccine_data *d, const struct vaccine_group *g, int age,
                              const char *const *conditions, int nconditions, struct fault *f);

/*
 * May dose `number` of product p be given at time `at` to a person of age
 * `age` whose earlier doses are h[0..n)?  Checks that number is n + 1, the
 * product's ages, mixing within the primary series (same product, or one
 * mixing group holding every product so far), boosters (product allows it,
 * booster_min_days after the last dose) and the interval from the previous
 * dose (earliest day).  0, or fills f: ERR_INVALID_FIELD for dose_number,
 * ERR_CONFLICT naming `product_field` or `time_field`.
 */
int vaccine_dose_check(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n,
                       const struct vaccine_product *p, int number, int age, int64_t at, const char *product_field,
                       const char *time_field, struct fault *f);

/* What comes next after history h[0..n). earliest/latest 0 when unknown or unbounded. */
struct vaccine_next {
    int number;      /* the next dose's number */
    bool booster;    /* the next dose is a booster */
    int64_t earliest, latest;
};
void vaccine_next_dose(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n,
                       struct vaccine_next *out);
/* "none", "partial", "complete" (primary series done) or "booster" (a dose beyond it). */
const char *vaccine_status(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n);

/*
 * Evaluates a screening checklist: answers must be an object with a boolean
 * for every check code and nothing else.  Writes the outcome (refer beats
 * defer beats proceed), the codes answered yes that changed it (a new JSON
 * array) and, for a deferral, the longest defer_days.  0 or a fault naming
 * "answers" or "answers.<code>".
 */
int vaccine_screen(const struct vaccine_data *d, json_t *answers, enum vaccine_outcome *outcome, json_t **reasons,
                   int *defer_days, struct fault *f);
const char *vaccine_outcome_name(enum vaccine_outcome o);
/* Whether check c is asked of a person of this sex (NULL: unknown) and age (-1: unknown); an unknown is asked. */
bool vaccine_check_applies(const struct vaccine_check *c, const char *sex, int age);
/*
 * vaccine_screen for one person: a check that does not apply to them
 * (vaccine_check_applies) may be left out, or answered false; answered true it
 * is refused (ERR_INVALID_FIELD "answers.<code>").  vaccine_screen asks all.
 */
int vaccine_screen_for(const struct vaccine_data *d, const char *sex, int age, json_t *answers,
                       enum vaccine_outcome *outcome, json_t **reasons, int *defer_days, struct fault *f);

/* ---------------------------------------------------------------- demo */

/* Creates demo sites, sessions, registrations, doses and certificates (idempotent). Returns 0 or an enum err. */
int vaccine_demo(struct store *s);

/* ---------------------------------------------------------------- handlers */

enum err vaccine_handle_products(struct http_req *r);
enum err vaccine_handle_priority_groups(struct http_req *r);

enum err vaccine_handle_registration_create(struct http_req *r);
enum err vaccine_handle_registration_list(struct http_req *r);

enum err vaccine_handle_site_create(struct http_req *r);
enum err vaccine_handle_site_list(struct http_req *r);
enum err vaccine_handle_site_get(struct http_req *r);
enum err vaccine_handle_session_create(struct http_req *r);
enum err vaccine_handle_session_list(struct http_req *r);
enum err vaccine_handle_session_get(struct http_req *r);

enum err vaccine_handle_invite(struct http_req *r);
enum err vaccine_handle_booking_create(struct http_req *r);
enum err vaccine_handle_appointment_confirm(struct http_req *r);
enum err vaccine_handle_appointment_reschedule(struct http_req *r);
enum err vaccine_handle_appointment_cancel(struct http_req *r);
enum err vaccine_handle_reschedule_list(struct http_req *r);
enum err vaccine_handle_reschedule_assign(struct http_req *r);
enum err vaccine_handle_due_list(struct http_req *r);
enum err vaccine_handle_due_remind(struct http_req *r);

enum err vaccine_handle_checkin(struct http_req *r);
enum err vaccine_handle_screening(struct http_req *r);
enum err vaccine_handle_dose_create(struct http_req *r);
enum err vaccine_handle_adverse_create(struct http_req *r);
enum err vaccine_handle_adverse_list(struct http_req *r);

enum err vaccine_handle_certificate_get(struct http_req *r);
enum err vaccine_handle_certificate_png(struct http_req *r);
enum err vaccine_handle_certificate_pdf(struct http_req *r);

/* Appends the person's doses to entries, kind "dose" (people.h timeline). */
int vaccine_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries); /* a store rc */

enum err vaccine_handle_person_vaccinations(struct http_req *r);
enum err vaccine_handle_me_vaccinations(struct http_req *r);
enum err vaccine_handle_fhir(struct http_req *r);

enum err vaccine_handle_oversight_coverage(struct http_req *r);
enum err vaccine_handle_oversight_sites(struct http_req *r);
enum err vaccine_handle_oversight_adverse(struct http_req *r);

#endif
