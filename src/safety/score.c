/*
 * score.c - a facility's score and status from the checklist's weights and
 * the levels (both data, migration 026).
 */
#include <string.h>

#include "safety/safety.h"

int safety_score(const struct safety_rules *r, const bool *met)
{
    int total = 0, got = 0;
    for (int i = 0; i < r->nchecks; i++) {
        total += r->checks[i].weight;
        if (met[i])
            got += r->checks[i].weight;
    }
    return total > 0 ? (got * 100 + total / 2) / total : 0;
}

const char *safety_status(const struct safety_rules *r, int score)
{
    if (score >= r->min_safe)
        return "safe";
    return score >= r->min_at_risk ? "at_risk" : "unsafe";
}

bool safety_status_valid(const char *s)
{
    return s && (!strcmp(s, "safe") || !strcmp(s, "at_risk") || !strcmp(s, "unsafe"));
}
