/*
 * callbot.c - the callbot thread: claims a due call, dials it, asks the
 * questions, and records the outcome (declaration, retry or failure).
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "callbot/callbot.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "area/unit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/stop_signal.h"
#include "callbot/ua.h"
#include "declare/declare.h"
#include "people/people.h"
#include "store/store.h"

const char *const callbot_questions[CALLBOT_QUESTIONS] = {
    ("Xin chào, đây là cuộc gọi tự động của trạm y tế. Câu một: trong ba ngày qua, anh chị có sốt, ho, khó thở "
     "hoặc mất vị giác không? Có, nhấn phím một. Không, nhấn phím hai."),
    "Câu hai: anh chị có tiếp xúc gần với người mắc bệnh không? Có, nhấn phím một. Không, nhấn phím hai.",
    "Câu ba: anh chị có cần trạm y tế hỗ trợ không? Có, nhấn phím một. Không, nhấn phím hai.",
};
const char *const callbot_goodbye = "Cảm ơn anh chị. Câu trả lời đã được ghi nhận. Xin chào.";

#define POLL_MS 1000
#define CLAIM_SECONDS 900 /* longer than any one call; a claim past it was abandoned (a crash) */

struct callbot {
    char db[512], dir[512], account[512], listen[64], dial[256];
    int64_t retry[CALLBOT_MAX_RETRIES];
    int nretry, ring, answer;
    int from_hour, to_hour; /* local hours calls are made in: [from, to) */
    char prompts[CALLBOT_QUESTIONS + 1][700];
    pthread_t thread;
    bool running;
};

static struct callbot bot;
static struct stop_signal stop = STOP_SIGNAL_INIT;

/* "900,3600" into out; the count, or -1 for a bad list. */
static int parse_retry(const char *s, int64_t *out)
{
    int n = 0;
    if (!*s)
        return 0;
    for (const char *p = s;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 1 || v > 7 * 86400 || n == CALLBOT_MAX_RETRIES)
            return -1;
        out[n++] = v;
        while (*end == ' ')
            end++;
        if (!*end)
            return n;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

/* "7-21" into from and to (0 <= from < to <= 24); 0 or -1. */
static int parse_hours(const char *s, int *from, int *to)
{
    char tail;
    if (sscanf(s, "%d-%d%c", from, to, &tail) != 2 || *from < 0 || *to > 24 || *from >= *to)
        return -1;
    return 0;
}

/* IPv4:PORT with room for the two ports above it. */
static bool listen_ok(const char *s)
{
    char ip[64];
    struct in_addr a;
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof(ip))
        return false;
    memcpy(ip, s, (size_t)(colon - s));
    ip[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return inet_pton(AF_INET, ip, &a) == 1 && !*end && port >= 1 && port <= 65533;
}

int callbot_check_settings(const struct config *c, char *err, size_t errlen)
{
    char line[700];
    int64_t r[CALLBOT_MAX_RETRIES];
    int h0, h1;
    if (!c->sip_url[0])
        return 0;
    if (ua_account_line(c->sip_url, line, sizeof(line)))
        snprintf(err, errlen, "sip_url must be sip:USER[:PASSWORD]@HOST[:PORT]");
    else if (!listen_ok(c->sip_listen))
        snprintf(err, errlen, "sip_listen must be IPv4:PORT (PORT+1 and PORT+2 are taken too)");
    else if (parse_retry(c->callbot_retry, r) < 0)
        snprintf(err, errlen, "callbot_retry must list up to %d delays in seconds, such as 900,3600,14400",
                 CALLBOT_MAX_RETRIES);
    else if (parse_hours(c->callbot_hours, &h0, &h1))
        snprintf(err, errlen, "callbot_hours must be FROM-TO in whole local hours, such as 7-21 (0-24: any time)");
    else if (c->callbot_dial[0] && (strncmp(c->callbot_dial, "sip:", 4) || !strstr(c->callbot_dial, "{phone}")))
        snprintf(err, errlen, "callbot_dial must be a sip: URI holding {phone}");
    else
        return 0;
    return -1;
}

/* The SIP URI of phone (digits only, as stored) by the dial template; -1 when it does not fit. */
static int dial_uri(const char *phone, char *out, size_t outlen)
{
    if (!*phone || strspn(phone, "+0123456789") != strlen(phone))
        return -1;
    const char *mark = strstr(bot.dial, "{phone}");
    int n = snprintf(out, outlen, "%.*s%s%s", (int)(mark - bot.dial), bot.dial, phone, mark + 7);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* ------------------------------------------------------------------ one call */

struct call {
    int64_t id, person_id;
    int attempts;
    char phone[32];
    char answers[CALLBOT_QUESTIONS + 1];
    bool established;
    char error[64];
};

/* Dials c and asks the questions; fills c->answers (complete when all were answered) or c->error.
 * Returns -1 when the user agent is gone. */
static int run_call(struct ua *u, struct call *c)
{
    char uri[300], type[64], param[256];
    int q = 0;
    if (dial_uri(c->phone, uri, sizeof(uri))) {
        snprintf(c->error, sizeof(c->error), "bad_number");
        return 0;
    }
    if (ua_command(u, "dial", uri))
        return -1;
    time_t deadline = time(NULL) + bot.ring;
    bool closed = false, hung = false;
    while (!closed) {
        /* Checked on every turn: a stream of events must not keep a call up past its bound. */
        if ((time(NULL) >= deadline || stop_signal_raised(&stop)) && !hung) {
            if (ua_command(u, "hangup", ""))
                return -1;
            hung = true;
            deadline = time(NULL) + 5;
        } else if (hung && time(NULL) >= deadline) {
            return -1; /* no CALL_CLOSED after a hangup: restart the agent */
        }
        int e = ua_event(u, 500, type, sizeof(type), param, sizeof(param));
        if (e < 0)
            return -1;
        if (e == 0)
            continue;
        if (!strcmp(type, "CALL_ESTABLISHED") && !hung) {
            c->established = true;
            /* A generous bound once answered: each prompt has well under 20 s of words. */
            deadline = time(NULL) + (CALLBOT_QUESTIONS + 1) * (bot.answer + 20);
        } else if (!strcmp(type, "CALL_DTMF_START") && c->established && q < CALLBOT_QUESTIONS &&
                   (param[0] == '1' || param[0] == '2')) {
            c->answers[q++] = param[0];
            char src[720];
            snprintf(src, sizeof(src), "aufile,%s", bot.prompts[q]); /* the next question, or goodbye */
            if (ua_command(u, "ausrc", src))
                return -1;
        } else if (!strcmp(type, "COMMAND_FAILED") && !c->established) {
            snprintf(c->error, sizeof(c->error), "dial_failed"); /* the agent refused the number */
            break;
        } else if (!strcmp(type, "CALL_CLOSED")) {
            closed = true;
            if (q == CALLBOT_QUESTIONS)
                break;
            if (c->established)
                snprintf(c->error, sizeof(c->error), q ? "unfinished" : "no_key");
            else if (strstr(param, "486") || strstr(param, "600") || strcasestr(param, "busy"))
                snprintf(c->error, sizeof(c->error), "busy");
            else
                snprintf(c->error, sizeof(c->error), "no_answer");
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ store */

static enum store_rc claim(struct store *s, int64_t now, struct call *c)
{
    bool pg = !strcmp(store_engine(s), "postgres");
    char sql[700];
    snprintf(sql, sizeof(sql),
             "UPDATE callbot_calls SET status = 'calling', claimed_until = ?, attempts = attempts + 1, updated_at = ?"
             " WHERE id IN (SELECT id FROM callbot_calls WHERE status = 'queued' AND next_attempt_at <= ?"
             " OR status = 'calling' AND claimed_until < ? ORDER BY next_attempt_at, id LIMIT 1%s)"
             " RETURNING id, person_id, phone, attempts",
             pg ? " FOR UPDATE SKIP LOCKED" : "");
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st, sql, "iiii", now + CLAIM_SECONDS, now, now, now);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        memset(c, 0, sizeof(*c));
        c->id = store_col_int(st, 0);
        c->person_id = store_col_int(st, 1);
        snprintf(c->phone, sizeof(c->phone), "%s", store_col_text(st, 2));
        c->attempts = (int)store_col_int(st, 3);
        rc = STORE_OK;
    }
    store_finalize(st);
    return rc;
}

struct answered {
    const struct call *c;
    int64_t now;
    char reference[DECLARE_REF_LEN + 1];
};

/* In one transaction: the declaration, the call answered, and an F1 not reached marked reached. */
static int answered_tx(struct store *s, void *p)
{
    struct answered *a = p;
    const struct call *c = a->c;
    struct arena ar;
    arena_init(&ar);
    struct person person;
    struct declaration d = {0};
    int rc = people_get(s, &ar, c->person_id, &person);
    if (rc == STORE_OK) {
        const struct unit *commune = person.commune_code ? unit_find(person.commune_code) : NULL;
        if (commune)
            unit_ancestors(commune, &d.province_code, &d.district_code, &d.commune_code);
        d.client_id = arena_printf(&ar, "callbot-%lld", (long long)c->id);
        d.person_id = c->person_id;
        d.kind = DECLARE_HEALTH;
        d.symptoms = c->answers[0] == '1' ? DECLARE_OTHER_SYMPTOM : 0;
        d.exposure = c->answers[1] == '1' ? DECLARE_CONTACT_WITH_CASE : 0;
        d.health_status = d.symptoms ? "unwell" : "well";
        d.flagged = declare_health_flagged(d.symptoms, d.exposure);
        d.declared_at = a->now;
        d.declared_by = 0; /* the person answered on the keypad */
        bool created = false;
        rc = STORE_CONFLICT;
        for (int i = 0; i < 5 && rc == STORE_CONFLICT; i++) {
            declare_reference_make(a->now, d.reference);
            rc = declare_insert(s, &d, &created);
        }
        if (!rc && !created) { /* this call was recorded before (a retried transaction) */
            struct declaration old;
            rc = declare_get_by_client_id(s, &ar, d.client_id, &old);
            if (!rc)
                memcpy(d.reference, old.reference, sizeof(d.reference));
        }
    }
    if (!rc) {
        memcpy(a->reference, d.reference, sizeof(a->reference));
        rc = store_run(s, NULL,
                       "UPDATE callbot_calls SET status = 'answered', answers = ?, declaration_ref = ?,"
                       " claimed_until = NULL, last_error = NULL, updated_at = ? WHERE id = ?",
                       "ssii", c->answers, d.reference, a->now, c->id);
    }
    if (!rc)
        rc = store_run(s, NULL,
                       "UPDATE tracing_contacts SET status = 'reached', updated_at = ?"
                       " WHERE person_id = ? AND degree = 1 AND status = 'not_reached'",
                       "ii", a->now, c->person_id);
    arena_release(&ar);
    return rc;
}

static int record(struct store *s, const struct call *c, int64_t now)
{
    if (strlen(c->answers) == CALLBOT_QUESTIONS) {
        struct answered a = {c, now, ""};
        int rc = store_tx(s, answered_tx, &a);
        if (!rc)
            log_info("msg=\"call answered\" call=%lld declaration=%s", (long long)c->id, a.reference);
        return rc;
    }
    bool again = c->attempts <= bot.nretry;
    log_info("msg=\"call not answered\" call=%lld attempt=%d error=%s next=%s", (long long)c->id, c->attempts,
             c->error, again ? "retry" : "failed");
    return store_run(s, NULL,
                     "UPDATE callbot_calls SET status = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?,"
                     " answers = ?, updated_at = ? WHERE id = ?",
                     "sissii", again ? "queued" : "failed", again ? now + bot.retry[c->attempts - 1] : now,
                     c->error, c->answers[0] ? c->answers : NULL, now, c->id);
}

/* ------------------------------------------------------------------ thread */

static int make_prompts(void)
{
    for (int i = 0; i <= CALLBOT_QUESTIONS; i++)
        if (callbot_prompt(bot.dir, i < CALLBOT_QUESTIONS ? callbot_questions[i] : callbot_goodbye,
                           i < CALLBOT_QUESTIONS ? bot.answer : 1, bot.prompts[i], sizeof(bot.prompts[i])))
            return -1;
    return 0;
}

/*
 * Nothing to call: listens to the agent for a while instead of sleeping.  A call coming in
 * (someone calling the callbot's number back) is hung up: the callbot only calls out, and a
 * ringing call would stand in the way of the next one.  Returns false (pause no more).
 */
static bool idle(struct ua *u, bool *up)
{
    char type[64], param[256];
    for (int i = 0; i < POLL_MS / 250 && !stop_signal_raised(&stop); i++) {
        int e = ua_event(u, 250, type, sizeof(type), param, sizeof(param));
        if (e < 0 || (e > 0 && !strcmp(type, "CALL_INCOMING") && ua_command(u, "hangup", ""))) {
            log_error("msg=\"callbot user agent lost; restarting it\"");
            ua_stop(u);
            *up = false;
            break;
        }
        if (e > 0 && !strcmp(type, "CALL_INCOMING"))
            log_info("msg=\"callbot hung up an incoming call\"");
    }
    return true; /* waited already: claim again at once */
}

/* One round: starts what is down, then makes the next due call.  Returns true when a call was made
 * (the next may be due at once), false to pause. */
static bool round_once(struct store **s, struct ua *u, bool *up)
{
    if (!*up) {
        if (make_prompts() || ua_start(u, bot.dir, bot.account, bot.listen, bot.prompts[0]))
            return false; /* logged; tried again after a pause */
        *up = true;
    }
    if (!*s) {
        char err[256];
        if (store_open(bot.db, s, err, sizeof(err))) {
            log_error("msg=\"callbot cannot open the store\" error=\"%s\"", err);
            *s = NULL;
            return false;
        }
    }
    struct call c;
    int64_t now = clock_now();
    int hour = (int)(((now + VN_UTC_OFFSET) % 86400) / 3600);
    if (hour < bot.from_hour || hour >= bot.to_hour)
        return idle(u, up); /* not at night: calls wait for the morning */
    enum store_rc rc = claim(*s, now, &c);
    if (rc == STORE_DONE)
        return idle(u, up);
    if (rc) {
        log_error("msg=\"callbot could not claim a call\" rc=%d", rc);
        store_close(*s); /* a lost connection is opened anew */
        *s = NULL;
        return false;
    }
    if (run_call(u, &c)) {
        log_error("msg=\"callbot user agent lost; restarting it\" call=%lld", (long long)c.id);
        ua_stop(u);
        *up = false;
        if (!c.error[0])
            snprintf(c.error, sizeof(c.error), "agent_error");
    }
    if (record(*s, &c, clock_now()))
        log_error("msg=\"callbot could not record a call\" call=%lld", (long long)c.id);
    return true;
}

static void *callbot_main(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "callbot");
    struct store *s = NULL;
    struct ua u = {.fd = -1};
    bool up = false;
    while (!stop_signal_raised(&stop))
        if (!round_once(&s, &u, &up) && stop_signal_pause(&stop, POLL_MS))
            break;
    if (up)
        ua_stop(&u);
    if (s)
        store_close(s);
    return NULL;
}

int callbot_start(const struct config *c)
{
    if (!c->sip_url[0])
        return 0; /* no callbot: call lists stay queued */
    memset(&bot, 0, sizeof(bot));
    snprintf(bot.db, sizeof(bot.db), "%s", c->db);
    snprintf(bot.account, sizeof(bot.account), "%s", c->sip_url);
    snprintf(bot.listen, sizeof(bot.listen), "%s", c->sip_listen);
    if (c->callbot_dial[0]) {
        snprintf(bot.dial, sizeof(bot.dial), "%s", c->callbot_dial);
    } else { /* sip:{phone}@ the host of sip_url */
        const char *at = strrchr(c->sip_url, '@');
        snprintf(bot.dial, sizeof(bot.dial), "sip:{phone}@%s", at ? at + 1 : "");
    }
    bot.nretry = parse_retry(c->callbot_retry, bot.retry);
    if (parse_hours(c->callbot_hours, &bot.from_hour, &bot.to_hour))
        return -1;
    bot.ring = c->callbot_ring_seconds;
    bot.answer = c->callbot_answer_seconds;
    if (bot.nretry < 0)
        return -1;
    if (realpath(c->callbot_dir, bot.dir) == NULL) {
        if (mkdir(c->callbot_dir, 0700) && errno != EEXIST) {
            log_error("msg=\"callbot_dir cannot be made\" path=%s", c->callbot_dir);
            return -1;
        }
        if (!realpath(c->callbot_dir, bot.dir))
            return -1;
    }
    stop_signal_clear(&stop);
    if (pthread_create(&bot.thread, NULL, callbot_main, NULL))
        return -1;
    bot.running = true;
    log_info("msg=\"callbot started\" sip_listen=%s", bot.listen);
    return 0;
}

bool callbot_enabled(void)
{
    return bot.running;
}

void callbot_stop(void)
{
    if (!bot.running)
        return;
    stop_signal_raise(&stop);
    pthread_join(bot.thread, NULL);
    bot.running = false;
}
