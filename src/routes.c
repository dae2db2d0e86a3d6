/*
 * routes.c - every route of the HTTP API, with the roles allowed to call it.
 *
 * Roles are checked by the server before the handler runs (401 without a
 * session, 403 for a role not listed); docs/access.md holds the same table
 * and tests/api/route-access.test.js checks both.  Area scope: lists are
 * built in the store with the caller's unit (store_sql_area), records are
 * checked with area_require (area/scope.h).  Routes that read what tracing
 * runs write (contacts, orders, the counts) are marked HTTP_SETTLE: they
 * first wait for the run writer (tracing_runs_settle).  Kept outside http/
 * so that http/ stays free of domains.
 */
#include "routes.h"

#include "admin/account.h"
#include "admin/auth.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "declare/declare.h" /* declarations section */
#include "callbot/callbot.h" /* notifications section: the callbot */
#include "notify/notify.h"
#include "people/people.h" /* people and citizen sign-in section */
#include "qr/qr_http.h" /* QR keys and verification section */
#include "testing/testing.h" /* testing section */
#include "venue/venue.h" /* venues section */
#include "venue/checkin.h" /* check-ins section */
#include "vaccine/vaccine.h" /* vaccination section */
#include "vaccine/upload.h" /* vaccination section: registration lists */
#include "tracing/tracing.h" /* tracing section */
#include "quarantine/quarantine.h" /* quarantine section */
#include "dcc/dcc_http.h" /* certificate verification section */
#include "checkpoint/checkpoint.h" /* checkpoints section */
#include "feedback/feedback.h" /* feedback section */
#include "safety/safety.h" /* safety map section */
#include "work/work.h" /* pending work section */
#include "en/en_http.h" /* exposure notification section */
#include "situation/situation.h" /* situation section */

#define PUBLIC 0

const struct http_route cordon_routes[] = {
    {"GET", "/healthz", http_handle_healthz, PUBLIC, 0, 0},
    {"GET", "/metrics", http_handle_metrics, PUBLIC, 0, 0},

    /* method, pattern, handler, roles allowed, body cap (0: 64 KiB), flags (HTTP_AUTH_OPTIONAL, HTTP_SETTLE) */
    {"POST", "/api/v1/auth/login", auth_handle_login, PUBLIC, 0, 0},
    {"POST", "/api/v1/auth/logout", auth_handle_logout, ROLES_ANY, 0, 0},
    {"GET", "/api/v1/auth/me", auth_handle_me, ROLES_STAFF, 0, 0},

    {"GET", "/api/v1/units", unit_handle_list, PUBLIC, 0, 0},
    {"GET", "/api/v1/units/search", unit_handle_search, PUBLIC, 0, 0},
    {"GET", "/api/v1/units/{code}", unit_handle_get, PUBLIC, 0, 0},
    {"GET", "/api/v1/map", area_handle_map, PUBLIC, 0, 0},

    {"GET", "/api/v1/accounts", account_handle_list, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/accounts", account_handle_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/accounts/{id}", account_handle_get, ROLES_ADMIN, 0, 0},
    {"PATCH", "/api/v1/accounts/{id}", account_handle_update, ROLES_ADMIN, 0, 0},

    {"GET", "/api/v1/audit", audit_handle_list, ROLES_ADMIN, 0, 0},

    /* People and citizen sign-in (src/people/): literal paths before {id}.  Who reads people's
     * records is the REC_PERSON column of admin/access.c: health staff and tracers in full,
     * samplers and vaccinators masked; cards are printed and revoked by health staff and the
     * person (or their manager) only. */
#define P_READERS (ROLES_ADMIN | ROLE_BIT(ROLE_TRACER) | ROLE_BIT(ROLE_SAMPLER) | ROLE_BIT(ROLE_VACCINATOR))
#define P_CARD (ROLES_ADMIN | ROLE_BIT(ROLE_CITIZEN))
    /* venue staff register a visitor whose number is unknown; they learn only id and code */
    {"POST", "/api/v1/people", people_handle_create, P_READERS | ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"GET", "/api/v1/people/search", people_handle_search, P_READERS, 0, 0},
    {"POST", "/api/v1/people/merge", people_handle_merge, ROLES_ADMIN, 0, HTTP_SETTLE},
    {"POST", "/api/v1/people/cards.pdf", people_handle_cards_pdf, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/people/merge/{id}/undo", people_handle_merge_undo, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/people/{id}", people_handle_get, P_READERS | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    /* the registry of the health workers' workspace: editing and the timeline are health staff's */
    {"PATCH", "/api/v1/people/{id}", people_handle_update, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/people/{id}/timeline", people_handle_timeline, ROLES_ADMIN, 0, HTTP_SETTLE},
    {"POST", "/api/v1/people/{id}/qr/revoke", people_handle_qr_revoke, P_CARD, 0, 0},
    {"GET", "/api/v1/people/{id}/card.png", people_handle_card_png, P_CARD, 0, 0},
    {"GET", "/api/v1/people/{id}/card.pdf", people_handle_card_pdf, P_CARD, 0, 0},
#undef P_CARD
#undef P_READERS
    {"POST", "/api/v1/citizen/otp", people_handle_otp_request, PUBLIC, 1024, 0},
    {"POST", "/api/v1/citizen/login", people_handle_login, PUBLIC, 1024, 0},
    {"GET", "/api/v1/me", people_handle_me_get, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"PUT", "/api/v1/me", people_handle_me_put, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/me/qr", people_handle_me_qr, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/me/family", people_handle_family_add, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/me/family/confirm", people_handle_family_confirm, ROLE_BIT(ROLE_CITIZEN), 1024, 0},
    {"GET", "/api/v1/me/family", people_handle_family_list, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"DELETE", "/api/v1/me/family/{id}", people_handle_family_delete, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/family/requests", people_handle_family_requests, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/family/requests/{id}/approve", people_handle_family_approve, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/family/requests/{id}/refuse", people_handle_family_refuse, ROLES_ADMIN, 0, 0},
    /* end of people */

    /* Declarations (src/declare/): literal paths before {ref}. */
    /* REC_DECLARATION of admin/access.c: labs, checkpoint officers and venues read none. */
#define D_STAFF (ROLES_ADMIN | ROLE_BIT(ROLE_TRACER) | ROLE_BIT(ROLE_SAMPLER) | ROLE_BIT(ROLE_VACCINATOR))
    {"POST", "/api/v1/declarations", declare_handle_create, D_STAFF | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/declarations", declare_handle_list, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/declarations/flagged", declare_handle_flagged, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/declarations/scan", declare_handle_scan, D_STAFF, 0, 0},
    {"GET", "/api/v1/declarations/{ref}", declare_handle_get, D_STAFF | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/declarations/{ref}/qr.png", declare_handle_qr_png, D_STAFF | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/declarations/{ref}/handled", declare_handle_handled, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
#undef D_STAFF
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

    /* Testing (src/testing/): sites, sessions, collection, lab, results, return of results.
     * Area, assignment and lab checks are in the handlers. */
#define T_SAMPLER ROLE_BIT(ROLE_SAMPLER)
#define T_LAB ROLE_BIT(ROLE_LAB)
    {"POST", "/api/v1/testing/sites", testing_handle_site_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/testing/sites", testing_handle_site_list, ROLES_ADMIN | T_SAMPLER, 0, 0},
    {"POST", "/api/v1/testing/sessions", testing_handle_session_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/testing/sessions", testing_handle_session_list, ROLES_ADMIN | T_SAMPLER | T_LAB, 0, 0},
    {"GET", "/api/v1/testing/sessions/{id}", testing_handle_session_get, ROLES_ADMIN | T_SAMPLER | T_LAB, 0, 0},
    {"POST", "/api/v1/testing/sessions/{id}/samplers", testing_handle_sampler_add, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/testing/sessions/{id}/tubes", testing_handle_tubes_issue, ROLES_ADMIN | T_SAMPLER, 0, 0},
    {"GET", "/api/v1/testing/sessions/{id}/labels.pdf", testing_handle_labels_pdf, ROLES_ADMIN | T_SAMPLER, 0, 0},
    {"GET", "/api/v1/testing/sessions/{id}/manifest", testing_handle_manifest, ROLES_ADMIN | T_SAMPLER | T_LAB, 0, 0},
    {"POST", "/api/v1/testing/sessions/{id}/receipt", testing_handle_receipt, T_LAB, 1u << 20, 0},
    {"GET", "/api/v1/testing/tubes/{code}", testing_handle_tube_get, ROLES_ADMIN | T_SAMPLER | T_LAB, 0, 0},
    {"GET", "/api/v1/testing/stats", testing_handle_stats, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/testing/samples", testing_handle_collect, ROLES_ADMIN | T_SAMPLER, 0, 0},
    {"POST", "/api/v1/testing/results", testing_handle_result, T_LAB, 0, 0},
    {"POST", "/api/v1/testing/results/import/check", testing_handle_import_check, T_LAB, TESTING_IMPORT_BODY_MAX, 0},
    {"POST", "/api/v1/testing/results/import/apply", testing_handle_import_apply, T_LAB, 0, 0},
    {"POST", "/api/v1/testing/results/{id}/correct", testing_handle_result_correct, T_LAB, 0, HTTP_SETTLE},
    {"GET", "/api/v1/me/results", testing_handle_my_results, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/results/lookup/qr", testing_handle_lookup_qr, PUBLIC, 4096, 0},
    {"POST", "/api/v1/results/lookup/cccd", testing_handle_lookup_cccd, PUBLIC, 1024, 0},
#undef T_SAMPLER
#undef T_LAB
    /* end of testing */

    /* Vaccination (src/vaccine/): literal paths before {id}. */
#define VAX_STAFF (ROLES_ADMIN | ROLE_BIT(ROLE_VACCINATOR))
#define VAX_ANY (VAX_STAFF | ROLE_BIT(ROLE_CITIZEN))
    {"GET", "/api/v1/vaccine/products", vaccine_handle_products, PUBLIC, 0, 0},
    {"GET", "/api/v1/vaccine/priority-groups", vaccine_handle_priority_groups, PUBLIC, 0, 0},
    {"POST", "/api/v1/vaccine/registrations", vaccine_handle_registration_create, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/registrations", vaccine_handle_registration_list, ROLES_ADMIN, 0, 0},
    /* Registration lists (src/vaccine/upload*.c): officials; rows must lie in the caller's area. */
    {"POST", "/api/v1/vaccine/registrations/upload/check", vaccine_handle_upload_check, ROLES_ADMIN,
     VACCINE_UPLOAD_BODY_MAX, 0},
    {"POST", "/api/v1/vaccine/registrations/upload/apply", vaccine_handle_upload_apply, ROLES_ADMIN, 0, 0},
    /* end of registration lists */
    {"POST", "/api/v1/vaccine/sites", vaccine_handle_site_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/vaccine/sites", vaccine_handle_site_list, VAX_STAFF, 0, 0},
    {"GET", "/api/v1/vaccine/sites/{id}", vaccine_handle_site_get, VAX_STAFF, 0, 0},
    {"POST", "/api/v1/vaccine/sessions", vaccine_handle_session_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/vaccine/sessions", vaccine_handle_session_list, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/sessions/{id}", vaccine_handle_session_get, VAX_ANY, 0, 0},
    {"POST", "/api/v1/vaccine/sessions/{id}/invitations", vaccine_handle_invite, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/vaccine/bookings", vaccine_handle_booking_create, VAX_ANY, 0, 0},
    {"POST", "/api/v1/vaccine/appointments/{id}/confirm", vaccine_handle_appointment_confirm, VAX_ANY, 0, 0},
    {"POST", "/api/v1/vaccine/appointments/{id}/reschedule", vaccine_handle_appointment_reschedule, VAX_ANY, 0, 0},
    {"POST", "/api/v1/vaccine/appointments/{id}/cancel", vaccine_handle_appointment_cancel, VAX_ANY, 0, 0},
    /* The queue of "another slot, please" (src/vaccine/reschedule.c): officials of the site's area. */
    {"GET", "/api/v1/vaccine/reschedule-requests", vaccine_handle_reschedule_list, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/vaccine/reschedule-requests/{id}/assign", vaccine_handle_reschedule_assign, ROLES_ADMIN, 0, 0},
    /* People due for their next dose and their reminders (src/vaccine/due.c): officials of their area. */
    {"GET", "/api/v1/vaccine/due", vaccine_handle_due_list, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/vaccine/due/reminders", vaccine_handle_due_remind, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/vaccine/checkins", vaccine_handle_checkin, VAX_STAFF, 0, 0},
    {"POST", "/api/v1/vaccine/visits/{id}/screening", vaccine_handle_screening, VAX_STAFF, 0, 0},
    {"POST", "/api/v1/vaccine/doses", vaccine_handle_dose_create, VAX_STAFF, 0, 0},
    {"POST", "/api/v1/vaccine/adverse-events", vaccine_handle_adverse_create, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/adverse-events", vaccine_handle_adverse_list, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/vaccine/certificates/{id}", vaccine_handle_certificate_get, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/certificates/{id}/qr.png", vaccine_handle_certificate_png, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/certificates/{id}/certificate.pdf", vaccine_handle_certificate_pdf, VAX_ANY, 0, 0},
    {"GET", "/api/v1/vaccine/oversight/coverage", vaccine_handle_oversight_coverage, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/vaccine/oversight/sites", vaccine_handle_oversight_sites, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/vaccine/oversight/adverse-events", vaccine_handle_oversight_adverse, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/people/{id}/vaccinations", vaccine_handle_person_vaccinations, VAX_ANY, 0, 0},
    {"GET", "/api/v1/people/{id}/fhir", vaccine_handle_fhir, VAX_STAFF, 0, 0},
    {"GET", "/api/v1/me/vaccinations", vaccine_handle_me_vaccinations, ROLE_BIT(ROLE_CITIZEN), 0, 0},
#undef VAX_ANY
#undef VAX_STAFF
    /* end of vaccination */

    /* Certificate verification (src/dcc/dcc_http.c): any HC1: payload, public. */
    {"POST", "/api/v1/certificates/verify", dcc_handle_verify, PUBLIC, DCC_VERIFY_BODY_MAX, 0},
    /* end of certificate verification */

    /* Contact tracing (src/tracing/): literal paths before {id}. */
    {"POST", "/api/v1/tracing/cases", tracing_handle_case_create, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/tracing/cases", tracing_handle_cases, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/tracing/cases/{id}/chain", tracing_handle_chain, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/tracing/cases/{id}", tracing_handle_case_get, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"PATCH", "/api/v1/tracing/cases/{id}", tracing_handle_case_update, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/tracing/runs", tracing_handle_run, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/tracing/runs", tracing_handle_runs, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/tracing/contacts", tracing_handle_contacts, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/tracing/contacts/export", tracing_handle_export, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"PATCH", "/api/v1/tracing/contacts/{id}", tracing_handle_contact_update, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/tracing/interviews", tracing_handle_interview, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/tracing/policy", tracing_handle_policy_get, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    /* policy by level: the nation's by national admins, a province's override by its admins */
    {"PUT", "/api/v1/tracing/policy", tracing_handle_policy_put, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"PUT", "/api/v1/tracing/policy/{province}", tracing_handle_policy_province_put,
     ROLE_BIT(ROLE_NATIONAL_ADMIN) | ROLE_BIT(ROLE_PROVINCE_ADMIN), 0, 0},
    {"DELETE", "/api/v1/tracing/policy/{province}", tracing_handle_policy_province_delete,
     ROLE_BIT(ROLE_NATIONAL_ADMIN) | ROLE_BIT(ROLE_PROVINCE_ADMIN), 0, 0},
    {"GET", "/api/v1/test-orders", tracing_handle_test_orders, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER) | ROLE_BIT(ROLE_SAMPLER), 0, HTTP_SETTLE},
    /* end of tracing */

    /* Quarantine (src/quarantine/). */
    {"POST", "/api/v1/quarantine/orders", quarantine_handle_create, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/quarantine/orders", quarantine_handle_list, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/quarantine/orders/{id}", quarantine_handle_get, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"PUT", "/api/v1/quarantine/orders/{id}/place", quarantine_handle_place, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/quarantine/orders/{id}/end", quarantine_handle_end, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/quarantine/alerts", quarantine_handle_alerts, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"POST", "/api/v1/quarantine/alerts/{id}/acknowledge", quarantine_handle_alert_acknowledge,
     ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"POST", "/api/v1/quarantine/alerts/{id}/resolve", quarantine_handle_alert_resolve,
     ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/quarantine/compliance", quarantine_handle_compliance, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/quarantine/checkins/{id}/photo", quarantine_handle_photo, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/me/quarantine", quarantine_handle_mine, ROLE_BIT(ROLE_CITIZEN), 0, HTTP_SETTLE},
    {"POST", "/api/v1/me/quarantine/{id}/checkins", quarantine_handle_checkin, ROLE_BIT(ROLE_CITIZEN),
     QUARANTINE_BODY_MAX, 0},
    /* end of quarantine */

    /* Checkpoints (src/checkpoint/): literal paths before {id}.  Officers act at the checkpoints
     * they serve (checkpoint_officers); health staff at those of their area. */
#define CP_OFFICER ROLE_BIT(ROLE_CHECKPOINT_OFFICER)
    {"POST", "/api/v1/checkpoints", checkpoint_handle_create, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/checkpoints", checkpoint_handle_list, ROLES_ADMIN | CP_OFFICER, 0, 0},
    {"GET", "/api/v1/checkpoints/rules", checkpoint_handle_rules, ROLES_ADMIN | CP_OFFICER, 0, 0},
    {"POST", "/api/v1/checkpoints/{id}/officers", checkpoint_handle_officer_add, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/checkpoints/{id}/passages", checkpoint_handle_passage_create, ROLES_ADMIN | CP_OFFICER,
     CHECKPOINT_BODY_MAX, HTTP_SETTLE},
    {"GET", "/api/v1/checkpoints/{id}/passages", checkpoint_handle_passage_list, ROLES_ADMIN | CP_OFFICER, 0, 0},
    {"GET", "/api/v1/checkpoints/{id}/passages/export", checkpoint_handle_passage_export, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/checkpoint-passages", checkpoint_handle_plate_search, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/checkpoint-passages/{id}/photos/{person_id}", checkpoint_handle_photo, ROLES_ADMIN, 0, 0},
#undef CP_OFFICER
    /* end of checkpoints */

    /* Citizens' feedback (src/feedback/): anyone sends (a citizen signed in, or with a phone);
     * health staff of the report's commune and the levels above handle it. */
    {"GET", "/api/v1/feedback/categories", feedback_handle_categories, PUBLIC, 0, 0},
    {"POST", "/api/v1/feedback", feedback_handle_create, PUBLIC, FEEDBACK_BODY_MAX, HTTP_AUTH_OPTIONAL},
    {"GET", "/api/v1/feedback", feedback_handle_list, ROLES_ADMIN | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/feedback/{id}", feedback_handle_get, ROLES_ADMIN | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/feedback/{id}/photo", feedback_handle_photo, ROLES_ADMIN | ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"POST", "/api/v1/feedback/{id}/answer", feedback_handle_answer, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/feedback/{id}/forward", feedback_handle_forward, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/feedback/{id}/close", feedback_handle_close, ROLES_ADMIN, 0, 0},
    /* end of feedback */

    /* The safety map (src/safety/): the owner assesses, commune staff inspect, anyone sees the map. */
    {"GET", "/api/v1/safety/checklist", safety_handle_checklist, PUBLIC, 0, 0},
    {"GET", "/api/v1/public/safety", safety_handle_public, PUBLIC, 0, 0},
    {"GET", "/api/v1/safety/missing", safety_handle_missing, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/venues/{id}/safety", safety_handle_assess, ROLE_BIT(ROLE_VENUE_OWNER), 0, 0},
    {"POST", "/api/v1/venues/{id}/safety/inspection", safety_handle_inspect, ROLES_ADMIN, 0, 0},
    /* end of the safety map */
    /* Pending work (src/work/): counts for the menu, inside the caller's area. */
    {"GET", "/api/v1/work", work_handle_get, ROLES_STAFF, 0, HTTP_SETTLE},
    /* Exposure notification (src/en/en_http.c): the phone's verification and upload are public (the
     * code, token and certificate are the credentials); health staff issue a code for a case
     * confirmed elsewhere; a citizen sees their own code. */
    {"POST", "/api/v1/en/verify", en_handle_verify, PUBLIC, 1024, 0},
    {"POST", "/api/v1/en/certificate", en_handle_certificate, PUBLIC, 1024, 0},
    {"POST", "/api/v1/en/publish", en_handle_publish, PUBLIC, 256 * 1024, 0},
    {"POST", "/api/v1/en/codes", en_handle_code_issue, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, 0},
    {"GET", "/api/v1/me/en-code", en_handle_me_code, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"GET", "/api/v1/en/export-key", en_handle_export_key, PUBLIC, 0, 0},
    {"GET", "/en/exports/{file}", en_handle_export_file, PUBLIC, 0, 0},
    /* end of exposure notification */
    /* situation */
    {"GET", "/api/v1/situation", situation_handle_get, ROLES_ADMIN, 0, HTTP_SETTLE},
    {"GET", "/api/v1/reports/daily", situation_handle_daily_report, ROLES_ADMIN, 0, HTTP_SETTLE},
    /* populations: national admins set the nation and provinces, province admins their districts and communes */
    {"GET", "/api/v1/populations", situation_handle_populations, ROLES_ADMIN, 0, 0},
    {"POST", "/api/v1/populations/upload", situation_handle_population_upload,
     ROLE_BIT(ROLE_NATIONAL_ADMIN) | ROLE_BIT(ROLE_PROVINCE_ADMIN), SITUATION_UPLOAD_MAX, 0},
    /* epidemic levels: rules by national admins, raises by province (and national) admins, read by anyone */
    {"GET", "/api/v1/public/levels", situation_handle_public_levels, PUBLIC, 0, 0},
    {"GET", "/api/v1/levels/rules", situation_handle_level_rules, ROLES_ADMIN, 0, 0},
    {"PUT", "/api/v1/levels/rules", situation_handle_level_rules_put, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"POST", "/api/v1/levels/raises", situation_handle_level_raise,
     ROLE_BIT(ROLE_NATIONAL_ADMIN) | ROLE_BIT(ROLE_PROVINCE_ADMIN), 0, 0},
    /* end of situation */

    {"GET", "/api/v1/outbox", notify_handle_list, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"POST", "/api/v1/outbox/receipts", notify_handle_receipt, PUBLIC, 0, 0}, /* signed by the gateway */
    {"POST", "/api/v1/outbox/{id}/retry", notify_handle_retry, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"POST", "/api/v1/notify/broadcast", notify_handle_broadcast, ROLES_ADMIN, 0, 0},
    {"GET", "/api/v1/notify/templates", notify_handle_templates, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"PUT", "/api/v1/notify/templates/{kind}", notify_handle_template_put, ROLE_BIT(ROLE_NATIONAL_ADMIN), 0, 0},
    {"POST", "/api/v1/callbot/lists", callbot_handle_start, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/callbot/calls", callbot_handle_calls, ROLES_ADMIN | ROLE_BIT(ROLE_TRACER), 0, HTTP_SETTLE},
    {"GET", "/api/v1/me/notifications", notify_handle_optout_get, ROLE_BIT(ROLE_CITIZEN), 0, 0},
    {"PUT", "/api/v1/me/notifications", notify_handle_optout_put, ROLE_BIT(ROLE_CITIZEN), 0, 0},
};

const int cordon_nroutes = sizeof(cordon_routes) / sizeof(cordon_routes[0]);
