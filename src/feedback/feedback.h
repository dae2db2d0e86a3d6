/*
 * feedback.h - citizens' feedback to their commune.
 *
 * Anyone with a phone (a signed-in citizen, or anonymous with a phone
 * number) sends a report: a category (table feedback_categories, migration
 * 026, with the hours the commune has to answer), text, an optional photo,
 * and the commune.  The commune's health staff answer it, forward it to
 * another commune, or close it; the answer reaches the sender by SMS and on
 * their page.  A report not answered in time goes up a level (the
 * feedback_escalation job): commune, then district, then province, each
 * level with the category's hours again; every level sees its area's
 * reports with the level they wait at and whether they are overdue.
 *
 * feedback_store.c holds the queries, feedback_http.c the handlers,
 * escalate.c the job, demo.c the demo reports.
 */
#ifndef CORDON_FEEDBACK_FEEDBACK_H
#define CORDON_FEEDBACK_FEEDBACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct http_req;

#define FEEDBACK_BODY_MAX (2 * 1024 * 1024) /* a report with a small photo */
#define FEEDBACK_TEXT_MAX 2000              /* characters */
#define FEEDBACK_PER_PHONE_DAY 10           /* reports one phone may send in 24 hours */

struct feedback_category {
    char code[40];
    int answer_hours;
};

struct feedback {
    int64_t id;
    const char *client_id, *category, *body, *phone;
    int64_t person_id;
    const char *photo_type, *photo;
    const char *status, *level;
    int64_t due_at, escalated_at;
    const char *answer;
    int64_t answered_by, answered_at;
    const char *note;
    const char *province_code, *district_code, *commune_code;
    int64_t created_at, updated_at;
};

/* "commune" -> "district" -> "province"; NULL above the province. */
const char *feedback_level_up(const char *level);
bool feedback_open(const char *status); /* new or forwarded: someone must answer */

/* ---------------------------------------------------------------- queries (feedback_store.c) */

enum store_rc feedback_category_get(struct store *s, const char *code, struct feedback_category *out);
enum store_rc feedback_categories(struct store *s, struct feedback_category *out, int max, int *n);
/* Inserts unless client_id exists (*created false, f->id the existing report's). */
enum store_rc feedback_insert(struct store *s, struct feedback *f, bool *created);
enum store_rc feedback_get(struct store *s, struct arena *a, int64_t id, struct feedback *out);
/* The report's photo (type, base64 in a); STORE_DONE when it has none. */
enum store_rc feedback_photo(struct store *s, struct arena *a, int64_t id, const char **type, const char **b64);
enum store_rc feedback_count_phone(struct store *s, const char *phone, int64_t since, int64_t *n);
/* Reports still to answer (new or forwarded) inside area, at any level: officials' pending work. */
enum store_rc feedback_count_open(struct store *s, const char *area, int64_t *n);

struct feedback_filter {
    const char *area;     /* store_sql_area scope; NULL with person_id */
    int64_t person_id;    /* a citizen's own */
    const char *status, *level;
    bool overdue_only;
    int64_t now, limit;
};
enum store_rc feedback_list(struct store *s, struct arena *a, const struct feedback_filter *q, struct feedback **out,
                            int *n);

/* Status changes; each sets updated_at and answers the new row through feedback_get. */
enum store_rc feedback_answer(struct store *s, int64_t id, const char *answer, int64_t by, int64_t now);
enum store_rc feedback_forward(struct store *s, int64_t id, const char *province, const char *district,
                               const char *commune, const char *note, int64_t due_at, int64_t now);
enum store_rc feedback_close(struct store *s, int64_t id, const char *note, int64_t now);
/* Moves overdue open reports one level up; *moved gets how many. */
enum store_rc feedback_escalate(struct store *s, int64_t now, int64_t *moved);

json_t *feedback_to_json(const struct feedback *f, int64_t now, bool staff);

/* ---------------------------------------------------------------- job, demo */

int feedback_job_escalation(struct store *s, int64_t now, const char **detail);
/* Reports at Phúc Xá at each status (and one overdue at the district); the answered one is the
 * demo citizen's (person citizen, phone citizen_phone). */
int feedback_demo(struct store *s, int64_t official_account, int64_t citizen, const char *citizen_phone);

/* ---------------------------------------------------------------- handlers */

enum err feedback_handle_categories(struct http_req *r); /* GET /api/v1/feedback/categories */
enum err feedback_handle_create(struct http_req *r);     /* POST /api/v1/feedback */
enum err feedback_handle_list(struct http_req *r);       /* GET /api/v1/feedback?unit=&status=&level=&overdue= */
enum err feedback_handle_get(struct http_req *r);        /* GET /api/v1/feedback/{id} */
enum err feedback_handle_photo(struct http_req *r);      /* GET /api/v1/feedback/{id}/photo */
enum err feedback_handle_answer(struct http_req *r);     /* POST /api/v1/feedback/{id}/answer */
enum err feedback_handle_forward(struct http_req *r);    /* POST /api/v1/feedback/{id}/forward */
enum err feedback_handle_close(struct http_req *r);      /* POST /api/v1/feedback/{id}/close */

#endif
