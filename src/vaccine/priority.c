/*
 * priority.c - priority groups, eligibility rules and the screening checklist,
 * read from data/priority_groups.json (see product.c for loading).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaccine/vaccine.h"
#include "vaccine/vaccine_int.h"

static int bad(char *err, size_t errlen, const char *what, const char *code)
{
    snprintf(err, errlen, "priority_groups.json: %s%s%s", what, code ? " " : "", code ? code : "");
    return -1;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int num(json_t *o, const char *key, int def)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

int vaccine__parse_groups(struct vaccine_data *d, char *err, size_t errlen)
{
    json_t *root = d->groups_json;
    d->min_age = num(json_object_get(root, "eligibility"), "min_age", 0);

    json_t *conds = json_object_get(root, "conditions");
    size_t nc = json_array_size(conds);
    d->conditions = calloc(nc + 1, sizeof(*d->conditions));
    if (!d->conditions)
        return bad(err, errlen, "out of memory", NULL);
    for (size_t i = 0; i < nc; i++)
        if (!(d->conditions[i] = str(json_array_get(conds, i), "code")))
            return bad(err, errlen, "a condition lacks its code", NULL);

    json_t *groups = json_object_get(root, "groups");
    if (!json_is_array(groups) || json_array_size(groups) == 0)
        return bad(err, errlen, "\"groups\" must be a non-empty array", NULL);
    d->ngroups = (int)json_array_size(groups);
    d->groups = calloc((size_t)d->ngroups, sizeof(*d->groups));
    if (!d->groups)
        return bad(err, errlen, "out of memory", NULL);
    for (int i = 0; i < d->ngroups; i++) {
        json_t *o = json_array_get(groups, (size_t)i);
        struct vaccine_group *g = &d->groups[i];
        g->code = str(o, "code");
        g->name_vi = str(o, "name_vi");
        g->name_en = str(o, "name_en");
        if (!g->code || !g->name_vi || !g->name_en)
            return bad(err, errlen, "a group lacks code, name_vi or name_en:", g->code);
        for (int j = 0; j < i; j++)
            if (!strcmp(d->groups[j].code, g->code))
                return bad(err, errlen, "group appears twice:", g->code);
        g->rank = num(o, "rank", 0);
        g->min_age = num(o, "min_age", -1);
        g->max_age = num(o, "max_age", -1);
        json_t *req = json_object_get(o, "requires_any");
        if (json_array_size(req)) {
            g->requires_any = calloc(json_array_size(req) + 1, sizeof(*g->requires_any));
            if (!g->requires_any)
                return bad(err, errlen, "out of memory", NULL);
            for (size_t k = 0; k < json_array_size(req); k++) {
                const char *c = json_string_value(json_array_get(req, k));
                if (!c || !vaccine_condition_known(d, c))
                    return bad(err, errlen, "requires_any names an unknown condition in group", g->code);
                g->requires_any[k] = c;
            }
        }
    }

    json_t *checks = json_object_get(root, "screening");
    if (!json_is_array(checks) || json_array_size(checks) == 0)
        return bad(err, errlen, "\"screening\" must be a non-empty array", NULL);
    d->nchecks = (int)json_array_size(checks);
    d->checks = calloc((size_t)d->nchecks, sizeof(*d->checks));
    if (!d->checks)
        return bad(err, errlen, "out of memory", NULL);
    for (int i = 0; i < d->nchecks; i++) {
        json_t *o = json_array_get(checks, (size_t)i);
        struct vaccine_check *c = &d->checks[i];
        c->code = str(o, "code");
        c->question_vi = str(o, "question_vi");
        c->question_en = str(o, "question_en");
        const char *if_yes = str(o, "if_yes");
        if (!c->code || !c->question_vi || !c->question_en || !if_yes)
            return bad(err, errlen, "a screening item lacks code, question_vi, question_en or if_yes:", c->code);
        if (!strcmp(if_yes, "defer"))
            c->if_yes = VACCINE_DEFER;
        else if (!strcmp(if_yes, "refer"))
            c->if_yes = VACCINE_REFER;
        else
            return bad(err, errlen, "if_yes must be defer or refer in", c->code);
        c->defer_days = num(o, "defer_days", c->if_yes == VACCINE_DEFER ? 14 : 0);
        /* "not_for": {"sex": [...], "age_over": N}: a question that cannot apply is not asked */
        json_t *nf = json_object_get(o, "not_for");
        c->skip_age_over = -1;
        if (nf) {
            json_t *sexes = json_object_get(nf, "sex"), *sx;
            size_t k;
            if (!json_is_object(nf) || (sexes && !json_is_array(sexes)))
                return bad(err, errlen, "not_for must be {\"sex\": [...], \"age_over\": N} in", c->code);
            json_array_foreach(sexes, k, sx) {
                const char *v = json_string_value(sx);
                if (v && !strcmp(v, "male"))
                    c->skip_sex |= 1u;
                else if (v && !strcmp(v, "female"))
                    c->skip_sex |= 2u;
                else if (v && !strcmp(v, "other"))
                    c->skip_sex |= 4u;
                else
                    return bad(err, errlen, "not_for.sex holds male, female or other in", c->code);
            }
            c->skip_age_over = num(nf, "age_over", -1);
        }
        size_t flen = strlen("answers.") + strlen(c->code) + 1;
        if (!(c->field = malloc(flen)))
            return bad(err, errlen, "out of memory", NULL);
        snprintf(c->field, flen, "answers.%s", c->code);
    }
    return 0;
}

const struct vaccine_group *vaccine_group_find(const struct vaccine_data *d, const char *code)
{
    for (int i = 0; code && i < d->ngroups; i++)
        if (!strcmp(d->groups[i].code, code))
            return &d->groups[i];
    return NULL;
}

bool vaccine_condition_known(const struct vaccine_data *d, const char *code)
{
    for (const char *const *c = d->conditions; c && *c; c++)
        if (!strcmp(*c, code))
            return true;
    return false;
}

int vaccine_check_eligibility(const struct vaccine_data *d, const struct vaccine_group *g, int age,
                              const char *const *conditions, int nconditions, struct fault *f)
{
    if (age < 0)
        return fault_set(f, ERR_INVALID_FIELD, "priority_group",
                         "the person's date of birth is needed to check eligibility");
    if (age < d->min_age)
        return fault_set(f, ERR_INVALID_FIELD, "priority_group", "vaccination starts at age %d", d->min_age);
    if (g->min_age >= 0 && age < g->min_age)
        return fault_set(f, ERR_INVALID_FIELD, "priority_group", "group %s starts at age %d", g->code, g->min_age);
    if (g->max_age >= 0 && age > g->max_age)
        return fault_set(f, ERR_INVALID_FIELD, "priority_group", "group %s ends at age %d", g->code, g->max_age);
    if (g->requires_any) {
        for (const char *const *req = g->requires_any; *req; req++)
            for (int i = 0; i < nconditions; i++)
                if (!strcmp(*req, conditions[i]))
                    return 0;
        return fault_set(f, ERR_INVALID_FIELD, "conditions", "group %s requires one of its conditions (%s...)",
                         g->code, g->requires_any[0]);
    }
    return 0;
}

const char *vaccine_outcome_name(enum vaccine_outcome o)
{
    return o == VACCINE_REFER ? "refer" : o == VACCINE_DEFER ? "defer" : "proceed";
}

bool vaccine_check_applies(const struct vaccine_check *c, const char *sex, int age)
{
    unsigned bit = !sex ? 0 : !strcmp(sex, "male") ? 1u : !strcmp(sex, "female") ? 2u : !strcmp(sex, "other") ? 4u : 0;
    if (c->skip_sex & bit)
        return false;
    return !(c->skip_age_over >= 0 && age >= 0 && age > c->skip_age_over);
}

int vaccine_screen(const struct vaccine_data *d, json_t *answers, enum vaccine_outcome *outcome, json_t **reasons,
                   int *defer_days, struct fault *f)
{
    return vaccine_screen_for(d, NULL, -1, answers, outcome, reasons, defer_days, f);
}

int vaccine_screen_for(const struct vaccine_data *d, const char *sex, int age, json_t *answers,
                       enum vaccine_outcome *outcome, json_t **reasons, int *defer_days, struct fault *f)
{
    *reasons = NULL;
    *outcome = VACCINE_PROCEED;
    *defer_days = 0;
    if (!json_is_object(answers))
        return fault_set(f, answers ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "answers",
                         "answers must be an object of check code -> true/false");
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v) {
        bool known = false;
        for (int i = 0; i < d->nchecks && !known; i++)
            known = !strcmp(d->checks[i].code, key);
        if (!known)
            return fault_set(f, ERR_UNKNOWN_FIELD, "answers", "answers has an unknown check %.64s", key);
    }
    for (int i = 0; i < d->nchecks; i++) {
        json_t *a = json_object_get(answers, d->checks[i].code);
        if (!vaccine_check_applies(&d->checks[i], sex, age)) {
            if (a && !json_is_false(a))
                return fault_set(f, ERR_INVALID_FIELD, d->checks[i].field,
                                 "answers.%s does not apply to this person: leave it out", d->checks[i].code);
            continue;
        }
        if (!json_is_boolean(a)) {
            return fault_set(f, a ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, d->checks[i].field,
                             "answers.%s must be true or false", d->checks[i].code);
        }
    }
    json_t *why = json_array();
    for (int i = 0; i < d->nchecks; i++) {
        if (!json_is_true(json_object_get(answers, d->checks[i].code)))
            continue;
        json_array_append_new(why, json_string(d->checks[i].code));
        if (d->checks[i].if_yes > *outcome)
            *outcome = d->checks[i].if_yes;
        if (d->checks[i].if_yes == VACCINE_DEFER && d->checks[i].defer_days > *defer_days)
            *defer_days = d->checks[i].defer_days;
    }
    *reasons = why;
    return 0;
}
