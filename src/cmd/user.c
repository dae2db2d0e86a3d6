/*
 * user.c - `cordon user add|list|disable`: staff accounts from the command line.
 *
 * This is how the first national admin is made; the rules of the API apply
 * (valid username, role at a unit of its level), without the area checks
 * since whoever runs this holds the database.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "cmd/cmd.h"
#include "core/arena.h"
#include "core/mem.h"
#include "core/secret.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon user add --username U --role ROLE --unit CODE [--name \"Full Name\"] [--phone P]\n"
    "                       [--password-stdin] [--db URL]\n"
    "       cordon user list [--unit CODE] [--db URL]\n"
    "       cordon user disable USERNAME [--db URL]\n"
    "\n"
    "Manages staff accounts. `add` prints a generated password unless --password-stdin\n"
    "reads one from standard input.\n"
    "Roles: national_admin (unit VN), province_admin, district_admin, commune_admin,\n"
    "       sampler, lab, vaccinator, tracer, checkpoint_officer, venue_owner.\n";

static int user_add(struct store *s, const char *username, const char *role, const char *unit, const char *name,
                    const char *phone, bool password_stdin)
{
    char password[256];
    if (password_stdin) {
        if (!fgets(password, sizeof(password), stdin)) {
            fprintf(stderr, "cordon user add: no password on standard input\n");
            return 1;
        }
        password[strcspn(password, "\r\n")] = '\0';
    } else {
        secret_password_generate(password, 16);
    }
    struct account_new in = {.username = username, .password = password, .full_name = name ? name : username,
                             .unit_code = unit, .phone = phone, .role = role ? role_parse(role) : -1};
    struct fault f = {0};
    int rc = 0;
    if (!username || !role || !unit) {
        fprintf(stderr, "cordon user add: --username, --role and --unit are required\n%s", usage);
        rc = 2;
    } else if (in.role < 0) {
        fprintf(stderr, "cordon user add: unknown role %s\n", role);
        rc = 2;
    } else if (account_check_new(&in, &f)) {
        fprintf(stderr, "cordon user add: %s\n", f.message);
        rc = 2;
    }
    int64_t id = 0;
    if (!rc) {
        int src = account_insert(s, &in, 0, &id);
        if (src == STORE_CONFLICT) {
            fprintf(stderr, "cordon user add: username %s is already taken\n", username);
            rc = 1;
        } else if (src) {
            fprintf(stderr, "cordon user add: %s\n", store_errmsg(s));
            rc = 1;
        }
    }
    if (!rc) {
        printf("created account %lld: %s (%s at %s)\n", (long long)id, username, role, unit);
        if (!password_stdin)
            printf("password: %s\n", password);
    }
    mem_wipe(password, sizeof(password));
    return rc;
}

static int user_list(struct store *s, const char *unit)
{
    struct fault f = {0};
    if (unit && unit_check(unit, "--unit", ERR_INVALID_FIELD, NULL, &f)) {
        fprintf(stderr, "cordon user list: %s\n", f.message);
        return 2;
    }
    struct arena a;
    arena_init(&a);
    struct account *list;
    int64_t n, total;
    int rc = account_list(s, &a, unit ? unit : UNIT_NATION, 100000, 0, &list, &n, &total);
    if (!rc) {
        printf("%-6s %-24s %-20s %-6s %-8s %s\n", "id", "username", "role", "unit", "status", "name");
        for (int64_t i = 0; i < n; i++)
            printf("%-6lld %-24s %-20s %-6s %-8s %s\n", (long long)list[i].id, list[i].username,
                   role_name(list[i].role), list[i].unit_code, list[i].disabled ? "disabled" : "active",
                   list[i].full_name);
    }
    arena_release(&a);
    return rc ? 1 : 0;
}

static int user_disable(struct store *s, const char *username)
{
    struct arena a;
    arena_init(&a);
    struct account acc;
    int rc = account_find_login(s, &a, username, &acc);
    if (rc == STORE_DONE) {
        fprintf(stderr, "cordon user disable: no account named %s\n", username);
        arena_release(&a);
        return 1;
    }
    struct account_change c = {.disabled = 1};
    if (!rc)
        rc = account_update(s, acc.id, &c);
    if (!rc)
        printf("disabled %s\n", username);
    arena_release(&a);
    return rc ? 1 : 0;
}

int cmd_user(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {CMD_COMMON_OPTIONS,
                                         {"username", required_argument, NULL, 'u'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"unit", required_argument, NULL, 'n'},
                                         {"name", required_argument, NULL, 'N'},
                                         {"phone", required_argument, NULL, 'p'},
                                         {"password-stdin", no_argument, NULL, 'P'},
                                         {0}};
    const char *username = NULL, *role = NULL, *unit = NULL, *name = NULL, *phone = NULL;
    bool password_stdin = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'u':
            username = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 'n':
            unit = optarg;
            break;
        case 'N':
            name = optarg;
            break;
        case 'p':
            phone = optarg;
            break;
        case 'P':
            password_stdin = true;
            break;
        default: {
            int code = cmd_common_exit(ch, usage, &c);
            if (code >= 0)
                return code;
        }
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (!sub || (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "disable"))) {
        fprintf(stderr, "cordon user: expected add, list or disable\n%s", usage);
        return 2;
    }
    if (!strcmp(sub, "disable") && optind + 1 >= argc) {
        fprintf(stderr, "cordon user disable: expected a USERNAME\n");
        return 2;
    }
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    int rc;
    if (!strcmp(sub, "add"))
        rc = user_add(s, username, role, unit, name, phone, password_stdin);
    else if (!strcmp(sub, "list"))
        rc = user_list(s, unit);
    else
        rc = user_disable(s, argv[optind + 1]);
    store_close(s);
    unit_registry_free();
    return rc;
}
