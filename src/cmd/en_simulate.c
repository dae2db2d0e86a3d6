/*
 * en_simulate.c - `cordon en simulate`: a simulated city for exposure
 * notification, end to end.
 *
 * Phones with their own daily keys broadcast RPIs every 10 minutes and scan
 * every 5; they meet at home (every evening, 1-3 m) and at venues (one visit
 * a day, 30-90 minutes, 1-10 m), the attenuation drawn from the distance.
 * Some phones become cases: a real `cordon serve` (on a temporary SQLite
 * database, loopback only) gets a person and a case for each, a tracer
 * issues the code, and the phone goes verify -> certificate -> publish over
 * HTTP.  The export job runs, every phone downloads index.txt and the files,
 * checks their signatures and matches.  The simulation knows the truth (15
 * minutes within 2 m of a case on one day) and prints how many exposed
 * phones were notified, missed and falsely notified.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/clock.h"
#include "en/en.h"
#include "en/export.h"
#include "en/match.h"

extern char **environ;

int cmd_en_simulate(int argc, char **argv);

static const char usage[] =
    "usage: cordon en simulate --phones N --days D --seed S [--cases-percent P] [--threads T]\n"
    "                          [--compare-alone]\n"
    "\n"
    "Simulates N phones over D days (1-14) with their encounters, P% of them (default 2,\n"
    "at least one) becoming cases that upload their keys to a real server through the\n"
    "HTTP flow (a temporary database, loopback only); every phone then downloads the\n"
    "signed exports and matches.  Prints notified, missed and falsely notified phones\n"
    "against the simulation's own truth (15 minutes within 2 m of a case in a day).\n"
    "The keys' RPIs are derived once into a table shared by the phones, matched on T\n"
    "threads (default 2, 1-16); --compare-alone also matches every phone alone against\n"
    "every key and prints for how many phones the two agree.\n";

/* ------------------------------------------------------------ randomness */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unif(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------ the world */

/*
 * What a phone heard, kept compactly (8 bytes instead of an en_observation's
 * 40): who broadcast and when.  The RPI is what that phone broadcast then, a
 * function of its daily key and the interval, so it is derived again (one AES
 * key schedule per encounter) when the phone matches; a 100,000-phone city
 * then fits in a few hundred MB.
 */
struct heard {
    uint32_t other;
    uint16_t slot;       /* 5-minute scans since day0 */
    uint8_t attenuation; /* dB */
};

struct phone {
    uint8_t tek[14][EN_KEY_LEN];
    int household;
    int is_case;
    struct heard *obs;
    uint32_t nobs, cap;
    double close_seconds[14]; /* truth: seconds within 2 m of a case, per day */
};

struct world {
    struct phone *p;
    uint8_t (*rpik)[EN_KEY_LEN]; /* phone i, day d at [i * days + d] */
    int n, days;
    int64_t day0; /* UTC midnight of the first day */
};

#define SCAN_SECONDS 300

static int observe(struct phone *ph, const struct heard *o)
{
    if (ph->nobs == ph->cap) {
        uint32_t c = ph->cap ? 2 * ph->cap : 64;
        struct heard *a = realloc(ph->obs, c * sizeof *a);
        if (!a)
            return -1;
        ph->obs = a;
        ph->cap = c;
    }
    ph->obs[ph->nobs++] = *o;
    return 0;
}

/* a and b together from t0 for seconds at distance d: each scans the other every 5 minutes. */
static int meet(struct world *w, int a, int b, int64_t t0, int seconds, double d)
{
    for (int64_t t = t0; t < t0 + seconds; t += SCAN_SECONDS) {
        for (int side = 0; side < 2; side++) {
            int me = side ? b : a, other = side ? a : b;
            double att = 50 + 25 * log10(d) + (unif() - 0.5) * 8; /* radio noise, +-4 dB */
            struct heard o = {.other = (uint32_t)other, .slot = (uint16_t)((t - w->day0) / SCAN_SECONDS),
                              .attenuation = (uint8_t)(att < 0 ? 0 : att > 255 ? 255 : att)};
            if (observe(&w->p[me], &o))
                return -1;
            if (w->p[other].is_case && d <= 2.0)
                w->p[me].close_seconds[(t - w->day0) / 86400] += SCAN_SECONDS;
        }
    }
    return 0;
}

/*
 * A phone's observations as the library takes them, into *out (grown).  A run
 * of scans of one phone on one day gets its RPIs from one en_rpis call.
 */
static int expand(const struct world *w, const struct phone *ph, struct en_observation **out, size_t *cap)
{
    if (*cap < ph->nobs) {
        struct en_observation *a = realloc(*out, (ph->nobs ? ph->nobs : 1) * sizeof *a);
        if (!a)
            return -1;
        *out = a;
        *cap = ph->nobs;
    }
    uint8_t rpis[EN_MAX_PERIOD][EN_RPI_LEN];
    const int per_day = 86400 / SCAN_SECONDS;
    for (uint32_t i = 0, j; i < ph->nobs; i = j) {
        const struct heard *h = &ph->obs[i];
        int day = h->slot / per_day;
        uint32_t lo = UINT32_MAX, hi = 0;
        for (j = i; j < ph->nobs && ph->obs[j].other == h->other && ph->obs[j].slot / per_day == day; j++) {
            uint32_t iv = en_interval_number(w->day0 + (int64_t)ph->obs[j].slot * SCAN_SECONDS);
            lo = iv < lo ? iv : lo;
            hi = iv > hi ? iv : hi;
        }
        if (en_rpis(w->rpik[(size_t)h->other * (size_t)w->days + (size_t)day], lo, hi - lo + 1, rpis))
            return -1;
        for (uint32_t k = i; k < j; k++) {
            int64_t t = w->day0 + (int64_t)ph->obs[k].slot * SCAN_SECONDS;
            struct en_observation *o = &(*out)[k];
            memset(o, 0, sizeof *o);
            memcpy(o->rpi, rpis[en_interval_number(t) - lo], EN_RPI_LEN);
            o->time = t;
            o->attenuation = ph->obs[k].attenuation;
            o->seconds = SCAN_SECONDS;
        }
    }
    return 0;
}

static int build_world(struct world *w, int cases_percent, size_t *encounters)
{
    int64_t today = clock_now() / 86400 * 86400;
    w->day0 = today - (int64_t)(w->days - 1) * 86400;
    int ncases = w->n * cases_percent / 100;
    if (ncases < 1)
        ncases = 1;
    for (int i = 0, h = 0; i < w->n; h++) {
        int size = 1 + (int)(rnd() % 4);
        for (int k = 0; k < size && i < w->n; k++, i++) {
            for (int d = 0; d < 14; d++)
                randombytes_buf(w->p[i].tek[d], EN_KEY_LEN);
            w->p[i].household = h;
        }
    }
    for (int i = 0; i < w->n; i++)
        for (int d = 0; d < w->days; d++)
            if (en_rpik(w->p[i].tek[d], w->rpik[(size_t)i * (size_t)w->days + (size_t)d]))
                return -1;
    for (int c = 0; c < ncases;) {
        int i = (int)(rnd() % (uint64_t)w->n);
        if (!w->p[i].is_case) {
            w->p[i].is_case = 1;
            c++;
        }
    }
    int venues = w->n / 10 > 0 ? w->n / 10 : 1;
    int *venue = malloc((size_t)w->n * sizeof *venue), *start = malloc((size_t)w->n * sizeof *start),
        *stay = malloc((size_t)w->n * sizeof *stay), *order = malloc((size_t)w->n * sizeof *order),
        *first = malloc(((size_t)venues + 1) * sizeof *first), *fill = malloc((size_t)venues * sizeof *fill);
    if (!venue || !start || !stay || !order || !first || !fill)
        return -1;
    *encounters = 0;
    int rc = 0;
    for (int day = 0; day < w->days && !rc; day++) {
        int64_t midnight = w->day0 + (int64_t)day * 86400;
        /* evenings at home, 18:00-22:00 (UTC here: only the time matters) */
        for (int i = 0; i < w->n && !rc; i++)
            for (int j = i + 1; j < w->n && w->p[j].household == w->p[i].household && !rc; j++, ++*encounters)
                rc = meet(w, i, j, midnight + 18 * 3600, 4 * 3600, 1 + 2 * unif());
        for (int i = 0; i < w->n; i++) {
            venue[i] = (int)(rnd() % (uint64_t)venues);
            start[i] = 8 * 3600 + (int)(rnd() % (9 * 3600)) / 300 * 300;
            stay[i] = (6 + (int)(rnd() % 13)) * 300;
        }
        /* visitors grouped by venue (counting sort), then each pair of a venue whose stays overlap */
        for (int v = 0; v <= venues; v++)
            first[v] = 0;
        for (int i = 0; i < w->n; i++)
            first[venue[i] + 1]++;
        for (int v = 0; v < venues; v++)
            first[v + 1] += first[v];
        for (int v = 0; v < venues; v++)
            fill[v] = first[v];
        for (int i = 0; i < w->n; i++)
            order[fill[venue[i]]++] = i;
        for (int v = 0; v < venues && !rc; v++)
            for (int x = first[v]; x < first[v + 1] && !rc; x++)
                for (int y = x + 1; y < first[v + 1] && !rc; y++) {
                    int i = order[x], j = order[y];
                    int from = start[i] > start[j] ? start[i] : start[j];
                    int to = start[i] + stay[i] < start[j] + stay[j] ? start[i] + stay[i] : start[j] + stay[j];
                    if (to - from < 300)
                        continue;
                    ++*encounters;
                    rc = meet(w, i, j, midnight + from, to - from, 1 + 9 * unif());
                }
        fprintf(stderr, "simulate: day %d of %d built (%zu encounters)\n", day + 1, w->days, *encounters);
    }
    free(venue);
    free(start);
    free(stay);
    free(order);
    free(first);
    free(fill);
    return rc;
}

/* ------------------------------------------------------------ the server and its HTTP */

struct server {
    pid_t pid;
    int port;
    char dir[256], db[300], log[300], kek[65];
};

static char child_log[300]; /* what the helper commands print, kept for a failure */

/* Interrupted (Ctrl-C, a kill): the server and any command started for the run go too, then the
 * default action (the temporary directory stays, with the logs). */
static volatile pid_t server_pid, command_pid;
static void stop_children_and_die(int sig)
{
    if (server_pid > 0)
        kill(server_pid, SIGTERM);
    if (command_pid > 0)
        kill(command_pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_child(const char *self, const char *const args[], const char *stdin_text)
{
    int in[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (stdin_text) {
        if (pipe(in))
            return -1;
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_addclose(&fa, in[1]);
    }
    posix_spawn_file_actions_addopen(&fa, 1, child_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, (char *const *)args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (!rc)
        command_pid = pid;
    if (stdin_text) {
        close(in[0]);
        ssize_t wr = write(in[1], stdin_text, strlen(stdin_text));
        (void)wr;
        close(in[1]);
    }
    int status = 0;
    int waited = rc ? -1 : waitpid(pid, &status, 0);
    command_pid = 0;
    if (waited < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int server_start(const char *self, struct server *s)
{
    signal(SIGINT, stop_children_and_die);
    signal(SIGTERM, stop_children_and_die);
    signal(SIGHUP, stop_children_and_die);
    snprintf(s->dir, sizeof s->dir, "%s/cordon-sim-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(s->dir))
        return -1;
    snprintf(s->db, sizeof s->db, "sqlite:%s/sim.db", s->dir);
    snprintf(s->log, sizeof s->log, "%s/serve.log", s->dir);
    snprintf(child_log, sizeof child_log, "%s/commands.log", s->dir);
    uint8_t k[32];
    randombytes_buf(k, sizeof k);
    en_hex(k, sizeof k, s->kek);
    char exports[300];
    snprintf(exports, sizeof exports, "%s/exports", s->dir);
    setenv("CORDON_KEK", s->kek, 1);
    setenv("CORDON_EN_EXPORT_DIR", exports, 1);
    setenv("CORDON_DEV", "0", 1);
    const char *migrate[] = {self, "migrate", "--db", s->db, NULL};
    const char *user[] = {self, "user", "add", "--username", "sim.tracer", "--role", "tracer", "--unit", "00001",
                    "--password-stdin", "--db", s->db, NULL};
    if (run_child(self, migrate, NULL) || run_child(self, user, "sim-password-2024\n")) {
        fprintf(stderr, "cordon en simulate: the database could not be made (%s)\n", child_log);
        return -1;
    }
    const char *serve[] = {self, "serve", "--db", s->db, "--listen", "127.0.0.1:0", "--threads", "2", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = posix_spawn(&s->pid, self, &fa, NULL, (char *const *)serve, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return -1;
    server_pid = s->pid;
    for (int i = 0; i < 200; i++) { /* up to 20 s for "listening on http://127.0.0.1:PORT" */
        FILE *f = fopen(s->log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            const char *p = strstr(line, "listening on http://127.0.0.1:");
            if (p) {
                s->port = atoi(p + strlen("listening on http://127.0.0.1:"));
                fclose(f);
                return 0;
            }
        }
        if (f)
            fclose(f);
        usleep(100000);
    }
    return -1;
}

/* Stops the server; the temporary directory goes unless keep (its logs tell what failed). */
static void server_stop(struct server *s, int keep)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        server_pid = 0;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s", s->dir);
    if (s->dir[0] && !keep) {
        /* the temporary directory holds only what the children wrote into it */
        const char *rm[] = {"rm", "-rf", cmd, NULL};
        pid_t pid;
        if (!posix_spawnp(&pid, "rm", NULL, NULL, (char *const *)rm, environ))
            waitpid(pid, NULL, 0);
    }
}

/* One request over a new loopback connection. *body gets the answer (malloc'd). Returns the status or -1. */
static int http(const struct server *s, const char *method, const char *path, const char *token, const char *json,
                struct buf *answer)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct buf req;
    buf_init(&req, 1 << 20);
    buf_addf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
    if (token)
        buf_addf(&req, "Authorization: Bearer %s\r\n", token);
    if (json)
        buf_addf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(json));
    buf_adds(&req, "\r\n");
    if (json)
        buf_adds(&req, json);
    size_t off = 0;
    while (off < req.len) {
        ssize_t n = write(fd, req.data + off, req.len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    buf_release(&req);
    struct buf in;
    buf_init(&in, 256u << 20);
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        if (buf_add(&in, chunk, (size_t)n))
            break;
    close(fd);
    int status = -1;
    char *body = strstr(in.data, "\r\n\r\n");
    if (sscanf(in.data, "HTTP/1.1 %d", &status) != 1 || !body) {
        buf_release(&in);
        return -1;
    }
    body += 4;
    buf_reset(answer);
    buf_add(answer, body, in.len - (size_t)(body - in.data));
    buf_release(&in);
    return status;
}

/* POST json, expect want; the answer parsed. NULL (and a message) otherwise. */
static json_t *call(const struct server *s, const char *path, const char *token, json_t *body, int want)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct buf ans;
    buf_init(&ans, 256u << 20);
    int st = text ? http(s, "POST", path, token, text, &ans) : -1;
    free(text);
    json_t *o = st == want ? json_loads(ans.data, 0, NULL) : NULL;
    if (!o)
        fprintf(stderr, "cordon en simulate: POST %s answered %d: %.300s\n", path, st, ans.data);
    buf_release(&ans);
    return o;
}

/* ------------------------------------------------------------ a case uploads */

static int upload(const struct server *s, const char *token, const struct world *w, int i, int seq)
{
    char client[64];
    const char *name = "Nguyễn Văn Mô Phỏng";
    char date[11];
    vn_date_format(vn_day(clock_now()), date);
    json_t *person = call(s, "/api/v1/people", token,
                          json_pack("{s:s, s:s, s:s, s:s}", "full_name", name, "date_of_birth", "1980-01-01",
                                    "commune_code", "00001", "street", "1 Phố Mô Phỏng"),
                          201);
    if (!person)
        return -1;
    json_t *pid = json_object_get(json_object_get(person, "person") ? json_object_get(person, "person") : person, "id");
    snprintf(client, sizeof client, "sim-case-%d-%d", i, seq);
    json_t *kase = call(s, "/api/v1/tracing/cases", token,
                        json_pack("{s:s, s:O, s:s}", "client_id", client, "person_id", pid, "test_date", date), 201);
    json_decref(person);
    if (!kase)
        return -1;
    json_t *code = call(s, "/api/v1/en/codes", token, json_pack("{s:O}", "case_id", json_object_get(kase, "id")), 201);
    json_decref(kase);
    if (!code)
        return -1;
    json_t *tok = call(s, "/api/v1/en/verify", NULL,
                       json_pack("{s:s}", "code", json_string_value(json_object_get(code, "code"))), 200);
    json_decref(code);
    if (!tok)
        return -1;
    /* the keys, their canonical HMAC under the phone's own secret */
    json_t *keys = json_array();
    uint32_t first_day = en_interval_number(w->day0) / EN_MAX_PERIOD * EN_MAX_PERIOD;
    uint32_t now_iv = en_interval_number(clock_now());
    char b64s[14][32];
    for (int d = 0; d < w->days; d++) {
        uint32_t start = first_day + (uint32_t)d * EN_MAX_PERIOD;
        uint32_t period = start + EN_MAX_PERIOD > now_iv ? now_iv - start + 1 : EN_MAX_PERIOD;
        sodium_bin2base64(b64s[d], sizeof b64s[d], w->p[i].tek[d], EN_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
        json_array_append_new(keys, json_pack("{s:s, s:I, s:I, s:i}", "key", b64s[d], "rollingStartNumber",
                                              (json_int_t)start, "rollingPeriod", (json_int_t)period,
                                              "transmissionRisk", 0));
    }
    /* sorted "key.start.period.risk", joined by "," */
    char *lines[14];
    for (int d = 0; d < w->days; d++) {
        json_t *k = json_array_get(keys, (size_t)d);
        lines[d] = malloc(96);
        snprintf(lines[d], 96, "%s.%lld.%lld.0", b64s[d], (long long)json_integer_value(json_object_get(k, "rollingStartNumber")),
                 (long long)json_integer_value(json_object_get(k, "rollingPeriod")));
    }
    for (int a = 0; a < w->days; a++)
        for (int b = a + 1; b < w->days; b++)
            if (strcmp(lines[a], lines[b]) > 0) {
                char *t = lines[a];
                lines[a] = lines[b];
                lines[b] = t;
            }
    struct buf canon;
    buf_init(&canon, 1 << 16);
    for (int d = 0; d < w->days; d++) {
        buf_addf(&canon, "%s%s", d ? "," : "", lines[d]);
        free(lines[d]);
    }
    uint8_t secret[32], mac[32];
    unsigned maclen = 0;
    randombytes_buf(secret, sizeof secret);
    HMAC(EVP_sha256(), secret, sizeof secret, (const uint8_t *)canon.data, canon.len, mac, &maclen);
    buf_release(&canon);
    char mac64[64], secret64[64];
    sodium_bin2base64(mac64, sizeof mac64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(secret64, sizeof secret64, secret, sizeof secret, sodium_base64_VARIANT_ORIGINAL);
    json_t *cert = call(s, "/api/v1/en/certificate", NULL,
                        json_pack("{s:O, s:s}", "token", json_object_get(tok, "token"), "ekeyhmac", mac64), 200);
    json_decref(tok);
    if (!cert) {
        json_decref(keys);
        return -1;
    }
    json_t *pub = call(s, "/api/v1/en/publish", NULL,
                       json_pack("{s:o, s:O, s:s, s:s}", "temporaryExposureKeys", keys, "verificationPayload",
                                 json_object_get(cert, "certificate"), "hmacKey", secret64, "padding", "0000"),
                       200);
    json_decref(cert);
    if (!pub)
        return -1;
    json_decref(pub);
    return 0;
}

/* ------------------------------------------------------------ downloads */

struct downloaded {
    struct en_key *keys;
    size_t n, cap;
    int files;
};

static int download(const struct server *s, EVP_PKEY *pub, struct downloaded *dl)
{
    struct buf index, file;
    buf_init(&index, 1 << 20);
    buf_init(&file, 256u << 20);
    int rc = http(s, "GET", "/en/exports/index.txt", NULL, NULL, &index) == 200 ? 0 : -1;
    char *save = NULL;
    for (char *name = rc ? NULL : strtok_r(index.data, "\n", &save); name && !rc; name = strtok_r(NULL, "\n", &save)) {
        char path[160], local[400];
        snprintf(path, sizeof path, "/en/exports/%s", name);
        snprintf(local, sizeof local, "%s/download.zip", s->dir);
        FILE *f = NULL;
        if (http(s, "GET", path, NULL, NULL, &file) != 200 || !(f = fopen(local, "wb")) ||
            fwrite(file.data, 1, file.len, f) != file.len) {
            if (f)
                fclose(f);
            rc = -1;
            break;
        }
        fclose(f);
        uint8_t *bin, *sig;
        size_t bl, sl;
        char err[256];
        struct en_export e;
        struct en_tek_signature ts;
        if (en_zip_read(local, &bin, &bl, &sig, &sl, err, sizeof err)) {
            rc = -1;
            break;
        }
        if (en_sig_decode(sig, sl, &ts, err, sizeof err) || en_verify(pub, bin, bl, ts.sig, ts.siglen) ||
            en_export_decode(bin, bl, &e, err, sizeof err)) {
            fprintf(stderr, "cordon en simulate: %s does not verify\n", name);
            rc = -1;
        } else {
            for (size_t i = 0; i < e.nkeys && !rc; i++) {
                if (dl->n == dl->cap) {
                    dl->cap = dl->cap ? 2 * dl->cap : 1024;
                    struct en_key *k = realloc(dl->keys, dl->cap * sizeof *k);
                    if (!k)
                        rc = -1;
                    else
                        dl->keys = k;
                }
                if (!rc)
                    dl->keys[dl->n++] = e.keys[i];
            }
            en_export_free(&e);
            dl->files++;
        }
        free(bin);
        free(sig);
    }
    buf_release(&index);
    buf_release(&file);
    return rc;
}

/* ------------------------------------------------------------ matching */

/*
 * Phones first, first + step, ... matched against the shared table, one
 * phone's observations expanded at a time.  Matching is a pure function of
 * the export and the phone's observations, so the table gives each phone
 * exactly what matching alone would; with compare set every phone also
 * matches alone (en_match over every key) and the two are checked equal.
 */
struct matching {
    const struct world *w;
    const struct en_key *keys;
    size_t nkeys;
    const struct en_rpi_table *table;
    struct en_risk_config cfg;
    int first, step, compare;
    int rc, exposed, notified, hit, missed, falsely, agree;
};

static int same_windows(const struct en_window *a, size_t na, const struct en_window *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (a[i].key != b[i].key || a[i].start != b[i].start || a[i].day != b[i].day || a[i].scans != b[i].scans ||
            a[i].min_attenuation != b[i].min_attenuation || a[i].seconds != b[i].seconds || a[i].score != b[i].score)
            return 0;
    return 1;
}

/* Matching alone, as a phone with only its own observations does; 1 when it agrees. */
static int alone_agrees(const struct matching *m, const struct en_observation *obs, size_t nobs,
                        const struct en_hit *hits, size_t nhits, const struct en_window *win, size_t nwin)
{
    struct en_matcher *mt = en_matcher_new(obs, nobs);
    struct en_hit *h = NULL;
    size_t nh = 0, nw = 0;
    struct en_window *w = NULL;
    int ok = mt && !en_match(mt, m->keys, m->nkeys, &h, &nh);
    if (ok) {
        en_hits_sort(h, nh);
        ok = nh == nhits && (!nh || !memcmp(h, hits, nh * sizeof *h)) &&
             !en_windows(&m->cfg, m->keys, obs, h, nh, &w, &nw) && same_windows(w, nw, win, nwin);
    }
    en_matcher_free(mt);
    free(h);
    free(w);
    return ok;
}

static void *match_phones(void *arg)
{
    struct matching *m = arg;
    const struct world *w = m->w;
    struct en_observation *obs = NULL;
    size_t cap = 0;
    struct en_hit *hits = NULL, *copy = NULL;
    for (int i = m->first; i < w->n && !m->rc; i += m->step) {
        const struct phone *ph = &w->p[i];
        int truth = 0;
        for (int d = 0; d < w->days; d++)
            truth |= ph->close_seconds[d] >= 900;
        size_t nhits = 0, nwin = 0;
        struct en_window *win = NULL;
        if (expand(w, ph, &obs, &cap) || en_match_table(m->table, obs, ph->nobs, &hits, &nhits)) {
            m->rc = -1;
            break;
        }
        if (m->compare) {
            /* en_windows sorts the hits in place: keep them as matched */
            struct en_hit *c = realloc(copy, (nhits ? nhits : 1) * sizeof *c);
            if (!c) {
                m->rc = -1;
                break;
            }
            copy = c;
            if (nhits) /* hits may be NULL when none */
                memcpy(copy, hits, nhits * sizeof *hits);
        }
        if (en_windows(&m->cfg, m->keys, obs, hits, nhits, &win, &nwin)) {
            m->rc = -1;
            break;
        }
        if (m->compare)
            m->agree += alone_agrees(m, obs, ph->nobs, copy, nhits, win, nwin);
        int64_t day;
        int notify = !ph->is_case && en_max_daily_score(win, nwin, &day) >= m->cfg.daily_threshold;
        free(win);
        truth &= !ph->is_case;
        m->exposed += truth;
        m->notified += notify;
        m->hit += truth && notify;
        m->missed += truth && !notify;
        m->falsely += notify && !truth;
        if (m->first == 0 && (i / m->step + 1) % 10000 == 0)
            fprintf(stderr, "simulate: about %d of %d phones matched\n", (i / m->step + 1) * m->step, w->n);
    }
    free(obs);
    free(hits);
    free(copy);
    return NULL;
}

/* ------------------------------------------------------------ the command */

int cmd_en_simulate(int argc, char **argv)
{
    static const struct option opts[] = {{"phones", required_argument, NULL, 'p'},
                                         {"days", required_argument, NULL, 'd'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"cases-percent", required_argument, NULL, 'c'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"compare-alone", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    long phones = 0, days = 0, seed = -1, percent = 2, threads = 2;
    int compare = 0;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end = NULL;
        long v = optarg ? strtol(optarg, &end, 10) : 0;
        int bad = optarg && (!*optarg || *end);
        switch (ch) {
        case 'p': phones = bad ? -1 : v; break;
        case 'd': days = bad ? -1 : v; break;
        case 's': seed = bad ? -1 : v; break;
        case 'c': percent = bad ? -1 : v; break;
        case 't': threads = bad ? -1 : v; break;
        case 'a': compare = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (phones < 2 || phones > 1000000 || days < 1 || days > 14 || seed < 0 || percent < 0 || percent > 100 ||
        threads < 1 || threads > 16 || optind != argc) {
        fprintf(stderr, "cordon en simulate: --phones 2-1000000, --days 1-14, --seed >= 0, --cases-percent "
                        "0-100 and --threads 1-16 are needed\n");
        fputs(usage, stderr);
        return 2;
    }
    rng = (uint64_t)seed;
    struct world w = {.n = (int)phones, .days = (int)days};
    w.p = calloc((size_t)phones, sizeof *w.p);
    w.rpik = malloc((size_t)phones * (size_t)days * sizeof *w.rpik);
    if (!w.p || !w.rpik) {
        free(w.p);
        free(w.rpik);
        return 1;
    }
    size_t encounters = 0;
    int rc = 1;
    struct server srv = {0};
    struct downloaded dl = {0};
    EVP_PKEY *pub = NULL;
    char self[512];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        goto out;
    self[sl] = '\0';
    if (build_world(&w, (int)percent, &encounters)) {
        fprintf(stderr, "cordon en simulate: the world could not be built\n");
        goto out;
    }
    int ncases = 0;
    for (int i = 0; i < w.n; i++)
        ncases += w.p[i].is_case;
    printf("simulate: %d phones, %d days, %zu encounters, %d cases\n", w.n, w.days, encounters, ncases);
    fflush(stdout);
    if (server_start(self, &srv)) {
        fprintf(stderr, "cordon en simulate: the server did not start (%s)\n", srv.log);
        goto out;
    }
    struct buf ans;
    buf_init(&ans, 1 << 20);
    int st = http(&srv, "POST", "/api/v1/auth/login", NULL,
                  "{\"username\":\"sim.tracer\",\"password\":\"sim-password-2024\"}", &ans);
    json_t *login = st == 200 ? json_loads(ans.data, 0, NULL) : NULL;
    buf_release(&ans);
    if (!login) {
        fprintf(stderr, "cordon en simulate: the tracer could not sign in (%d)\n", st);
        goto out;
    }
    char token[128];
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(login, "token")));
    json_decref(login);
    for (int i = 0, seq = 0; i < w.n; i++)
        if (w.p[i].is_case && upload(&srv, token, &w, i, seq++))
            goto out;
    /* the export job, as the hour after the uploads */
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)(clock_now() + 3600));
    const char *job[] = {self, "jobs", "run", "--job", "en_export", "--force", "--now", now, "--db", srv.db, NULL};
    if (run_child(self, job, NULL)) {
        fprintf(stderr, "cordon en simulate: the export job failed (%s)\n", child_log);
        goto out;
    }
    struct buf keyans;
    buf_init(&keyans, 1 << 16);
    json_t *kj = http(&srv, "GET", "/api/v1/en/export-key", NULL, NULL, &keyans) == 200
                     ? json_loads(keyans.data, 0, NULL)
                     : NULL;
    buf_release(&keyans);
    const char *pem = kj ? json_string_value(json_object_get(kj, "public_key")) : NULL;
    pub = pem ? en_key_from_pem(pem, strlen(pem), false) : NULL;
    json_decref(kj);
    if (!pub || download(&srv, pub, &dl)) {
        fprintf(stderr, "cordon en simulate: the exports could not be downloaded and verified\n");
        goto out;
    }
    printf("simulate: %d export files, %zu keys (%d uploaded, the rest fake)\n", dl.files, dl.n, ncases * w.days);
    double t0 = clock_mono();
    struct en_rpi_table *table = en_rpi_table_new(dl.keys, dl.n);
    if (!table) {
        fprintf(stderr, "cordon en simulate: out of memory for the RPI table\n");
        goto out;
    }
    double t1 = clock_mono();
    struct matching job_all = {.w = &w, .keys = dl.keys, .nkeys = dl.n, .table = table, .step = (int)threads,
                               .compare = compare};
    en_risk_defaults(&job_all.cfg);
    struct matching jobs[16];
    pthread_t tid[16];
    int started = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = job_all;
        jobs[t].first = t;
        if (t > 0 && !pthread_create(&tid[t], NULL, match_phones, &jobs[t]))
            started |= 1 << t;
        else if (t > 0)
            jobs[t].rc = -1;
    }
    match_phones(&jobs[0]);
    for (int t = 1; t < threads; t++)
        if (started & 1 << t)
            pthread_join(tid[t], NULL);
    en_rpi_table_free(table);
    struct matching sum = {0};
    for (int t = 0; t < threads; t++) {
        sum.rc |= jobs[t].rc;
        sum.exposed += jobs[t].exposed;
        sum.notified += jobs[t].notified;
        sum.hit += jobs[t].hit;
        sum.missed += jobs[t].missed;
        sum.falsely += jobs[t].falsely;
        sum.agree += jobs[t].agree;
    }
    if (sum.rc) {
        fprintf(stderr, "cordon en simulate: matching failed (memory or libcrypto)\n");
        goto out;
    }
    printf("simulate: matched %d phones against %zu keys in %.2f s (%.2f s deriving the shared RPI table, %ld "
           "threads)\n",
           w.n, dl.n, clock_mono() - t0, t1 - t0, threads);
    if (compare)
        printf("simulate: matching alone agrees with the shared table for %d of %d phones\n", sum.agree, w.n);
    printf("simulate: exposed %d, notified %d: %d rightly, %d missed, %d falsely\n", sum.exposed, sum.notified,
           sum.hit, sum.missed, sum.falsely);
    rc = 0;
out:
    server_stop(&srv, rc != 0);
    if (rc && srv.dir[0])
        fprintf(stderr, "cordon en simulate: logs kept in %s\n", srv.dir);
    EVP_PKEY_free(pub);
    free(dl.keys);
    for (int i = 0; i < w.n; i++)
        free(w.p[i].obs);
    free(w.p);
    free(w.rpik);
    return rc;
}
