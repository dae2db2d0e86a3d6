/*
 * venue.c - the rules of venues: the list of types, what a registration must
 * hold, who may manage a venue, the JSON form, the address printed on posters.
 *
 * No SQL and no HTTP here beyond the access check, so the rules are tested
 * and reused (CLI, demo, check-ins) without a server.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "admin/role.h"
#include "area/unit.h"
#include "core/text.h"
#include "http/http.h"
#include "venue/venue_int.h"

const char *const venue__types[] = {"restaurant", "cafe",   "market",   "supermarket", "school",
                                    "office",     "factory", "hospital", "clinic",      "hotel",
                                    "transport",  "religious", "government", "other",     NULL};

static char public_url_buf[256] = "http://127.0.0.1:8080";
static char web_dir_buf[512] = "";
const char *venue__public_url = public_url_buf;
const char *venue__web_dir = NULL;

void venue_configure(const char *public_url, const char *web_dir)
{
    if (public_url && public_url[0]) {
        snprintf(public_url_buf, sizeof(public_url_buf), "%s", public_url);
        size_t n = strlen(public_url_buf); /* no trailing '/': the URL gets "/c/<code>" appended */
        while (n > 0 && public_url_buf[n - 1] == '/')
            public_url_buf[--n] = '\0';
    }
    if (web_dir && web_dir[0]) {
        snprintf(web_dir_buf, sizeof(web_dir_buf), "%s", web_dir);
        venue__web_dir = web_dir_buf;
    } else {
        venue__web_dir = NULL;
    }
}

bool venue__type_valid(const char *type)
{
    for (int i = 0; venue__types[i]; i++)
        if (!strcmp(type, venue__types[i]))
            return true;
    return false;
}

/* Free text shown on a poster: no control characters (a newline would break the layout). */
static bool printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* Not only spaces. */
static bool has_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return true;
    return false;
}

int venue__check_new(const struct venue_new *in, struct fault *f)
{
    if (!printable(in->name) || !has_text(in->name))
        return fault_set(f, ERR_INVALID_FIELD, "name", "name must be text without control characters");
    if (!venue__type_valid(in->type))
        return fault_set(f, ERR_INVALID_FIELD, "type",
                         "type must be one of restaurant, cafe, market, supermarket, school, office, factory, "
                         "hospital, clinic, hotel, transport, religious, government, other");
    const struct unit *u;
    int rc = unit_check(in->commune_code, "commune_code", ERR_INVALID_FIELD, &u, f);
    if (rc)
        return rc;
    if (u->level != 3)
        return fault_set(f, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward (5 digits)");
    if (!printable(in->street) || !has_text(in->street))
        return fault_set(f, ERR_INVALID_FIELD, "street", "street must be text without control characters");
    if (in->capacity < 1 || in->capacity > VENUE_CAPACITY_MAX)
        return fault_set(f, ERR_INVALID_FIELD, "capacity", "capacity must be an integer from 1 to %d",
                         VENUE_CAPACITY_MAX);
    return 0;
}

int venue_require_manage(struct http_req *r, const struct venue *v)
{
    if (!r->who)
        return http_fail(r, ERR_UNAUTHENTICATED, NULL, "sign in first");
    if (r->who->role == ROLE_VENUE_OWNER && r->who->account_id && r->who->account_id == v->owner_account_id)
        return 0;
    if (role_admin_level(r->who->role) >= 0)
        return area_require(r, v->commune_code);
    return http_fail(r, ERR_FORBIDDEN, NULL, "only the venue's owner and the officials of its area may do this");
}

json_t *venue_to_json(const struct venue *v)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "id", (json_int_t)v->id, "code", v->code,
                     "name", v->name, "type", v->type, "commune_code", v->commune_code, "street", v->street,
                     "capacity", (json_int_t)v->capacity, "status", v->status, "owner_account_id",
                     (json_int_t)v->owner_account_id, "created_at", (json_int_t)v->created_at);
}

const char *venue_address(struct arena *a, const struct venue *v)
{
    const struct unit *u = unit_find(v->commune_code);
    const char *parts[4] = {v->street, NULL, NULL, NULL};
    int n = 1;
    /* commune, then its district and province, as Vietnamese addresses read */
    for (; u && u->level > 0 && n < 4; u = unit_find(u->parent))
        parts[n++] = u->name_with_type;
    if (!parts[0])
        parts[0] = "";
    size_t len[4], total = 0;
    for (int i = 0; i < n; i++)
        total += (len[i] = strlen(parts[i])) + 2;
    char *out = arena_alloc(a, total + 1), *p = out;
    for (int i = 0; i < n; i++) {
        memcpy(p, parts[i], len[i]);
        p += len[i];
        if (i + 1 < n) {
            memcpy(p, ", ", 2);
            p += 2;
        }
    }
    *p = '\0';
    return out;
}

int venue__parse_day(const char *s, int64_t *start)
{
    int64_t day;
    if (!vn_date_parse(s, &day))
        return -1;
    *start = vn_day_start(day);
    return 0;
}

void venue__mask_phone(const char *phone, char out[16])
{
    size_t n = phone ? strlen(phone) : 0;
    if (n < 8 || n > 15) {
        snprintf(out, 16, "%s", n ? "***" : "");
        return;
    }
    snprintf(out, 16, "%.4s***%s", phone, phone + n - 3);
}
