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
#include "notify/notify.h"

#define PUBLIC 0

const struct http_route cordon_routes[] = {
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

    {"GET", "/api/v1/outbox", notify_handle_list, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
};

const int cordon_nroutes = sizeof(cordon_routes) / sizeof(cordon_routes[0]);
