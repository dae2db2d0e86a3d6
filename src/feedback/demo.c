/*
 * demo.c - citizens' feedback at Phường Phúc Xá at each status: a new report
 * of a rule violation, one answered (from the demo citizen, who sees the
 * answer on his page), one forwarded to Trúc Bạch, one closed, and one left
 * unanswered past its time, now waiting at the district.  Safe to run again
 * (client ids: a report made before is left as it is).
 */
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "feedback/feedback.h"

int feedback_demo(struct store *s, int64_t official, int64_t citizen, const char *citizen_phone)
{
    static const struct {
        const char *client_id, *category, *text, *phone, *then;
        int hours_ago;
        bool mine;
    } reports[] = {
        {"demo-feedback-new", "rule_violation", "Quán cà phê đầu ngõ 12 Phúc Xá vẫn mở, khách ngồi đông.", "0912000101",
         "new", 2, false},
        {"demo-feedback-answered", "need_help", "Gia đình tôi đang cách ly tại nhà, cần mua thuốc hạ sốt cho cháu.",
         NULL, "answered", 20, true},
        {"demo-feedback-forwarded", "arrival_from_affected_area", "Nhà số 40 phố Trúc Bạch có người từ Bình Dương về.",
         "0912000102", "forwarded", 6, false},
        {"demo-feedback-closed", "other", "Loa phát thanh khu tập thể không nghe rõ thông báo.", "0912000103", "closed",
         48, false},
        {"demo-feedback-overdue", "quarantine_problem", "Người cách ly ở số 7 ngõ Hàng Bún hay ra ngoài.", "0912000104",
         "escalated", 30, false},
    };
    const struct unit *u = unit_find("00001"), *tb = unit_find("00004");
    int64_t now = clock_now();
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof(reports) / sizeof(reports[0]); i++) {
        struct feedback_category cat;
        bool created;
        rc = feedback_category_get(s, reports[i].category, &cat);
        if (rc)
            break;
        struct feedback f = {.client_id = reports[i].client_id,
                             .category = reports[i].category,
                             .body = reports[i].text,
                             .phone = reports[i].mine ? citizen_phone : reports[i].phone,
                             .person_id = reports[i].mine ? citizen : 0,
                             .province_code = u->province,
                             .district_code = u->district,
                             .commune_code = u->code,
                             .created_at = now - reports[i].hours_ago * 3600};
        f.due_at = f.created_at + (int64_t)cat.answer_hours * 3600;
        rc = feedback_insert(s, &f, &created);
        if (rc || !created)
            continue;
        const char *then = reports[i].then;
        if (!strcmp(then, "answered"))
            rc = feedback_answer(s, f.id, "Trạm y tế phường sẽ mang thuốc đến nhà trong chiều nay.", official,
                                 f.created_at + 3 * 3600);
        else if (!strcmp(then, "forwarded"))
            rc = feedback_forward(s, f.id, tb->province, tb->district, tb->code, "Địa chỉ thuộc phường Trúc Bạch",
                                  now + (int64_t)cat.answer_hours * 3600, now - 3600);
        else if (!strcmp(then, "closed"))
            rc = feedback_close(s, f.id, "Đã báo tổ dân phố sửa loa.", f.created_at + 5 * 3600);
        else if (!strcmp(then, "escalated")) {
            /* its 24 hours ran out six hours ago: the job's step, at that time */
            int64_t moved;
            rc = feedback_escalate(s, f.due_at + 1, &moved);
        }
    }
    return rc;
}
