/*
 * rules.c - the checkpoint's answer for one person, from the rules kept as
 * data (table checkpoint_rules, migration 026) and the facts of facts.c.
 *
 * Each enabled rule whose condition holds adds its code to the reasons; the
 * strictest verdict of those rules is the answer (back over test over pass).
 * A rule waived for the vaccinated does not apply to a person whose primary
 * series is complete (status complete or booster).  No SQL, no HTTP: the
 * unit tests give hand-made facts.
 */
#include <string.h>

#include "checkpoint/checkpoint.h"

static const char *const verdict_names[] = {"pass", "test", "back"};

const char *checkpoint_verdict_name(int v)
{
    return v >= 0 && v <= CHECKPOINT_BACK ? verdict_names[v] : "pass";
}

int checkpoint_verdict_parse(const char *s)
{
    for (int i = 0; s && i <= CHECKPOINT_BACK; i++)
        if (!strcmp(s, verdict_names[i]))
            return i;
    return -1;
}

/* Whether t lies within hours of now (hours 0: any time). */
static bool within(int64_t t, int64_t now, int hours)
{
    return t > 0 && (hours <= 0 || now - t <= (int64_t)hours * 3600);
}

static bool vaccinated(const struct checkpoint_facts *x)
{
    return x->vaccination && (!strcmp(x->vaccination, "complete") || !strcmp(x->vaccination, "booster"));
}

/* The condition of rule r over the facts; false for a code the build does not know. */
static bool holds(const struct checkpoint_rule *r, const struct checkpoint_facts *x)
{
    if (!strcmp(r->code, "confirmed_case"))
        return within(x->case_at, x->now, r->hours);
    if (!strcmp(r->code, "f1"))
        return within(x->f1_at, x->now, r->hours);
    if (!strcmp(r->code, "in_quarantine"))
        return x->in_quarantine;
    if (!strcmp(r->code, "no_declaration"))
        return !within(x->declared_at, x->now, r->hours);
    if (!strcmp(r->code, "no_negative_test"))
        return !within(x->negative_at, x->now, r->hours);
    if (!strcmp(r->code, "not_vaccinated"))
        return !x->vaccination || !strcmp(x->vaccination, "none");
    return false;
}

/* The code's own copy of a rule code (answers outlive the rules they were read from), or NULL. */
static const char *known_code(const char *code)
{
    static const char *const known[] = {"confirmed_case", "f1", "in_quarantine", "no_declaration",
                                        "no_negative_test", "not_vaccinated"};
    for (size_t i = 0; code && i < sizeof(known) / sizeof(known[0]); i++)
        if (!strcmp(code, known[i]))
            return known[i];
    return NULL;
}

bool checkpoint_rule_known(const char *code)
{
    return known_code(code) != NULL;
}

void checkpoint_evaluate(const struct checkpoint_rule *rules, int n, const struct checkpoint_facts *facts,
                         struct checkpoint_answer *out)
{
    memset(out, 0, sizeof(*out));
    out->verdict = CHECKPOINT_PASS;
    for (int i = 0; i < n && out->nreasons < CHECKPOINT_MAX_RULES; i++) {
        const struct checkpoint_rule *r = &rules[i];
        if (!r->enabled || (r->waived_if_vaccinated && vaccinated(facts)) || !holds(r, facts))
            continue;
        out->reasons[out->nreasons++] = known_code(r->code); /* holds() knows it */
        if (r->verdict > out->verdict)
            out->verdict = r->verdict;
    }
}
