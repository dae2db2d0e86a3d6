/*
 * notice.c - account notices by e-mail: an account created, its password set
 * by an admin, the account disabled.  Each goes to the account's own address
 * (an account without one gets none), from its template (account_created,
 * account_password, account_disabled), as outbox kind "account", in the
 * transaction of the change.  A password is never written in a notice.
 */
#include "admin/account.h"
#include "area/unit.h"
#include "notify/notify.h"

static enum store_rc notice(struct store *s, const struct account *acc, const char *tpl)
{
    if (!acc->email)
        return STORE_OK;
    const struct unit *u = unit_find(acc->unit_code);
    const char *values[] = {acc->full_name, acc->username, u ? u->name_with_type : acc->unit_code};
    char body[2048];
    enum store_rc rc = notify_template_render(s, tpl, "vi", values, body, sizeof(body));
    return rc ? rc : notify_queue(s, "email", acc->email, "account", body, NULL);
}

enum store_rc account_notice_created(struct store *s, struct arena *a, int64_t id)
{
    struct account acc;
    enum store_rc rc = account_get(s, a, id, &acc);
    return rc ? rc : notice(s, &acc, "account_created");
}

enum store_rc account_notice_changed(struct store *s, struct arena *a, int64_t id, const struct account_change *c,
                                     bool was_disabled)
{
    bool disabled = c->disabled == 1 && !was_disabled;
    if (!c->password_hash && !disabled)
        return STORE_OK;
    struct account acc;
    enum store_rc rc = account_get(s, a, id, &acc);
    if (!rc && c->password_hash && !disabled)
        rc = notice(s, &acc, "account_password");
    if (!rc && disabled)
        rc = notice(s, &acc, "account_disabled");
    return rc;
}
