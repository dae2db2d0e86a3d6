/*
 * routes.c - every route of the HTTP API, with the roles allowed to call it.
 *
 * Roles are checked by the server before the handler runs (401 without a
 * session, 403 for a role not listed).  Area scope depends on the resource
 * and is checked by each handler (auth_require_area).  Kept outside http/ so
 * that http/ stays free of domains.
 */
#include "routes.h"

#include "admin/account.h"
#include "admin/auth.h"
#include "admin/role.h"
#include "admin/unit.h"
#include "audit/audit.h"
#include "declare/declare.h" /* declarations section */
#include "notify/notify.h"
#include "people/people.h" /* people and citizen sign-in section */
#include "qr/qr_http.h" /* QR keys and verification section */
#include "venue/venue.h" /* venues section */
#include "venue/checkin.h" /* check-ins section */

#define PUBLIC 0

const struct http_route cordon_routes[] = {
    {"GET", "/healthz", http_handle_healthz, PUBLIC, 0, 0},
    {"GET", "/metrics", http_handle_metrics, PUBLIC, 0, 0},

    /* method, pattern, handler, roles allowed, body cap (0: 64 KiB), flags */
    {"POST", "/api/v1/auth/login", auth_handle_login, PUBLIC, 0, 0},
    {"POST", "/api/v1/auth/logout", auth_handle_logout, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/auth/me", auth_handle_me, ROLES_STAFF, 0, 0},

    {"GET", "/api/v1/units", unit_handle_list, PUBLIC, 0, 0},
    {"GET", "/api/v1/units/search", unit_handle_search, PUBLIC, 0, 0},
    {"GET", "/api/v1/units/{code}", unit_handle_get, PUBLIC, 0, 0},

    {"GET", "/api/v1/accounts", account_handle_list, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/accounts", account_handle_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/accounts/{id}", account_handle_get, ROLES_ADMIN, 0, 0},
    {"PATCH", "/api/v1/accounts/{id}", account_handle_update, ROLES_ADMIN, 0, 0},

    {"GET", "/api/v1/audit", audit_handle_list, ROLES_ADMIN, 0, 0},

    /* People and citizen sign-in (src/people/): literal paths before {id}. */
    {"POST", "/api/v1/people", people_handle_create, ROLES_STAFF, 0, 0},
    {"GET", "/api/v1/people/search", people_handle_search, ROLES_STAFF, 0, 0},
    {"GET", "/api/v1/people/{id}", people_handle_get, ROLES_ANY, 0, 0},
    {"POST", "/api/v1/people/{id}/qr/revoke", people_handle_qr_revoke, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/people/{id}/card.png", people_handle_card_png, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/people/{id}/card.pdf", people_handle_card_pdf, ROLES_ANY, 0, 0},
    {"POST", "/api/v1/citizen/otp", people_handle_otp_request, PUBLIC, 1024, 0},
    {"POST", "/api/v1/citizen/login", people_handle_login, PUBLIC, 1024, 0},
    {"GET", "/api/v1/me", people_handle_me_get, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"PUT", "/api/v1/me", people_handle_me_put, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/me/qr", people_handle_me_qr, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/me/family", people_handle_family_add, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/me/family", people_handle_family_list, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"DELETE", "/api/v1/me/family/{id}", people_handle_family_delete, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    /* end of people */

    /* Declarations (src/declare/): literal paths before {ref}. */
    {"POST", "/api/v1/declarations", declare_handle_create, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/declarations", declare_handle_list, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/declarations/flagged", declare_handle_flagged, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/declarations/scan", declare_handle_scan, ROLES_STAFF, 0, 0},
    {"GET", "/api/v1/declarations/{ref}", declare_handle_get, ROLES_ANY, 0, 0},
    /* end of declarations */

    /* Venues (src/venue/venue*.c, poster.c): literal paths before {id}. */
    {"POST", "/api/v1/venues", venue_handle_create, ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/venues", venue_handle_list, ROLES_ADMIN | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/venues/by-code/{code}", venue_handle_by_code, PUBLIC, 0, 0},
    {"GET", "/api/v1/venues/{id}", venue_handle_get, ROLES_ADMIN | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"POST", "/api/v1/venues/{id}/approve", venue_handle_approve, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/venues/{id}/reject", venue_handle_reject, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/venues/{id}/poster.pdf", venue_handle_poster_pdf, ROLES_ADMIN | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/venues/{id}/poster.png", venue_handle_poster_png, ROLES_ADMIN | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/venues/{id}/visitors", venue_handle_visitors, ROLES_ADMIN | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/c/{code}", venue_handle_checkin_page, PUBLIC, 0, 0},
    /* end of venues */

    /* Check-ins (src/venue/checkin*.c, report_http.c). */
    {"POST", "/api/v1/checkins", checkin_handle_create, PUBLIC, 0, HTTP_AUTH_OPTIONAL},
    {"POST", "/api/v1/checkins/{id}/checkout", checkin_handle_checkout,
     ROLE_BIT(ROLE_CITIZEN) | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"POST", "/api/v1/venues/{id}/checkins", checkin_handle_venue_create, ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/me/checkins", checkin_handle_mine, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/reports/checkins", checkin_handle_report, ROLES_ADMIN, 0, 0},
    /* end of check-ins */

    /* QR keys and verification (src/qr/qr_http.c): public, scanners use them. */
    {"GET", "/api/v1/keys", qr_handle_keys, PUBLIC, 0, 0},
    {"POST", "/api/v1/qr/verify", qr_handle_verify, PUBLIC, 4096, 0},
    /* end of QR */

    {"GET", "/api/v1/outbox", notify_handle_list, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
};

const int cordon_nroutes = sizeof(cordon_routes) / sizeof(cordon_routes[0]);
