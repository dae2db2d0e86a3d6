/*
 * demo.c - `cordon demo`: demo accounts so a newcomer sees Cordon working.
 *
 * Safe to run again: existing demo accounts get a fresh password, which is
 * printed, so the login shown is always the one that works.
 */
#include <stdio.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "admin/unit.h"
#include "cmd/cmd.h"
#include "core/arena.h"
#include "core/secret.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon demo [--db URL] [--config FILE]\n"
    "\n"
    "Loads demo data into a migrated database: staff accounts at every level in\n"
    "Ha Noi (national admin, province, district and commune admins, a sampler).\n"
    "Prints the logins. Run again to get fresh passwords.\n";

static const struct {
    const char *username, *full_name, *role, *unit;
} demo_accounts[] = {
    {"admin", "Quản trị quốc gia", "national_admin", "VN"},
    {"hanoi.admin", "Nguyễn Văn An", "province_admin", "01"},
    {"badinh.admin", "Trần Thị Bình", "district_admin", "001"},
    {"phucxa.admin", "Lê Văn Cường", "commune_admin", "00001"},
    {"phucxa.sampler", "Phạm Thị Dung", "sampler", "00001"},
    {"hcm.admin", "Võ Minh Em", "province_admin", "79"},
};

static int upsert(struct store *s, int i, const char *password)
{
    struct arena a;
    arena_init(&a);
    struct account acc;
    int rc = account_find_login(s, &a, demo_accounts[i].username, &acc);
    if (rc == STORE_OK) {
        char hash[SECRET_PWHASH_LEN];
        struct account_change c = {.password_hash = hash, .disabled = 0};
        rc = secret_password_hash(password, hash) ? STORE_ERROR : account_update(s, acc.id, &c);
    } else if (rc == STORE_DONE) {
        struct account_new in = {.username = demo_accounts[i].username, .password = password,
                                 .full_name = demo_accounts[i].full_name, .unit_code = demo_accounts[i].unit,
                                 .role = role_parse(demo_accounts[i].role)};
        struct fault f = {0};
        int64_t id;
        rc = account_check_new(&in, &f) ? STORE_INVALID : account_insert(s, &in, 0, &id);
    }
    arena_release(&a);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    int exit_code = cmd_simple_options(argc, argv, usage, &c);
    if (exit_code >= 0)
        return exit_code;
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    char password[17];
    secret_password_generate(password, 16);
    size_t n = sizeof(demo_accounts) / sizeof(demo_accounts[0]);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = upsert(s, (int)i, password);
        cmd_progress("demo accounts", i + 1, n);
    }
    if (rc) {
        fprintf(stderr, "cordon demo: %s\n", store_errmsg(s));
    } else {
        printf("\nDemo logins (password for all: %s)\n", password);
        for (size_t i = 0; i < n; i++)
            printf("  %-16s %-16s %s\n", demo_accounts[i].username, demo_accounts[i].role,
                   unit_find(demo_accounts[i].unit)->name_with_type);
        printf("\nAdmin login: admin / %s\n", password);
    }
    store_close(s);
    unit_registry_free();
    return rc ? 1 : 0;
}
