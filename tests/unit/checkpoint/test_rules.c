/* The checkpoint's answer (checkpoint/rules.c) over hand-made facts, with the rules of migration 026. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "checkpoint/checkpoint.h"

#define NOW 1700000000
#define HOUR 3600

/* The rows migration 026 inserts. */
static const struct checkpoint_rule RULES[] = {
    {"confirmed_case", CHECKPOINT_BACK, 504, false, true},
    {"f1", CHECKPOINT_BACK, 336, false, true},
    {"in_quarantine", CHECKPOINT_BACK, 0, false, true},
    {"no_declaration", CHECKPOINT_BACK, 72, false, true},
    {"no_negative_test", CHECKPOINT_TEST, 72, true, true},
    {"not_vaccinated", CHECKPOINT_TEST, 0, false, false},
};
#define NRULES ((int)(sizeof(RULES) / sizeof(RULES[0])))

/* Someone with nothing against them: declared an hour ago, negative test yesterday, unvaccinated. */
static struct checkpoint_facts clean(void)
{
    return (struct checkpoint_facts){.now = NOW, .declared_at = NOW - HOUR, .negative_at = NOW - 24 * HOUR,
                                     .vaccination = "none"};
}

static void expect(const struct checkpoint_facts *x, int verdict, const char *reasons)
{
    struct checkpoint_answer a;
    checkpoint_evaluate(RULES, NRULES, x, &a);
    char got[256] = "";
    for (int i = 0; i < a.nreasons; i++) {
        strcat(got, i ? "," : "");
        strcat(got, a.reasons[i]);
    }
    assert_string_equal(got, reasons);
    assert_string_equal(checkpoint_verdict_name(a.verdict), checkpoint_verdict_name(verdict));
}

static void each_rule(void **state)
{
    (void)state;
    struct checkpoint_facts x = clean();
    expect(&x, CHECKPOINT_PASS, "");

    x = clean();
    x.case_at = NOW - 3 * 24 * HOUR; /* confirmed three days ago */
    expect(&x, CHECKPOINT_BACK, "confirmed_case");
    x.case_at = NOW - 30 * 24 * HOUR; /* a month ago: past the 21 days of the rule */
    expect(&x, CHECKPOINT_PASS, "");

    x = clean();
    x.f1_at = NOW - 5 * 24 * HOUR;
    expect(&x, CHECKPOINT_BACK, "f1");
    x.f1_at = NOW - 15 * 24 * HOUR; /* exposure 15 days ago: past 14 */
    expect(&x, CHECKPOINT_PASS, "");

    x = clean();
    x.in_quarantine = true;
    expect(&x, CHECKPOINT_BACK, "in_quarantine");

    x = clean();
    x.declared_at = 0; /* never declared */
    expect(&x, CHECKPOINT_BACK, "no_declaration");
    x.declared_at = NOW - 73 * HOUR; /* declared for an earlier trip */
    expect(&x, CHECKPOINT_BACK, "no_declaration");
    x.declared_at = NOW - 72 * HOUR; /* the edge counts */
    expect(&x, CHECKPOINT_PASS, "");

    x = clean();
    x.negative_at = 0;
    expect(&x, CHECKPOINT_TEST, "no_negative_test");
    x.negative_at = NOW - 80 * HOUR;
    expect(&x, CHECKPOINT_TEST, "no_negative_test");
}

static void vaccination(void **state)
{
    (void)state;
    struct checkpoint_facts x = clean();
    x.negative_at = 0;
    x.vaccination = "partial"; /* one dose does not waive the test */
    expect(&x, CHECKPOINT_TEST, "no_negative_test");
    x.vaccination = "complete";
    expect(&x, CHECKPOINT_PASS, "");
    x.vaccination = "booster";
    expect(&x, CHECKPOINT_PASS, "");

    /* enabling the not_vaccinated rule (it ships disabled) */
    struct checkpoint_rule rules[NRULES];
    memcpy(rules, RULES, sizeof(rules));
    rules[5].enabled = true;
    struct checkpoint_answer a;
    x = clean();
    checkpoint_evaluate(rules, NRULES, &x, &a);
    assert_int_equal(a.verdict, CHECKPOINT_TEST);
    assert_int_equal(a.nreasons, 1);
    assert_string_equal(a.reasons[0], "not_vaccinated");
}

static void strictest_wins(void **state)
{
    (void)state;
    struct checkpoint_facts x = clean();
    x.f1_at = NOW - 2 * 24 * HOUR;
    x.in_quarantine = true;
    x.negative_at = 0;
    expect(&x, CHECKPOINT_BACK, "f1,in_quarantine,no_negative_test");

    /* a rule turned off in the data no longer applies; a verdict changed there is followed */
    struct checkpoint_rule rules[NRULES];
    memcpy(rules, RULES, sizeof(rules));
    rules[1].enabled = false;
    rules[2].verdict = CHECKPOINT_TEST;
    struct checkpoint_answer a;
    checkpoint_evaluate(rules, NRULES, &x, &a);
    assert_int_equal(a.verdict, CHECKPOINT_TEST);
    assert_int_equal(a.nreasons, 2);

    /* an unknown code in the data is never met */
    struct checkpoint_rule odd = {"moon_phase", CHECKPOINT_BACK, 0, false, true};
    checkpoint_evaluate(&odd, 1, &x, &a);
    assert_int_equal(a.verdict, CHECKPOINT_PASS);
    assert_false(checkpoint_rule_known("moon_phase"));
    assert_true(checkpoint_rule_known("no_negative_test"));
    assert_int_equal(checkpoint_verdict_parse("back"), CHECKPOINT_BACK);
    assert_int_equal(checkpoint_verdict_parse("maybe"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_rule),
        cmocka_unit_test(vaccination),
        cmocka_unit_test(strictest_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
