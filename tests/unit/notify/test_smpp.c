/*
 * Unit tests of notify/smpp_pdu: the smpp:// URL, text segments (UCS-2 and
 * GSM 7-bit, concatenation, cut points), PDU framing and delivery receipts;
 * and core/text's text_unaccent, which GSM 7-bit uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/text.h"
#include "notify/smpp.h"

static void url(void **state)
{
    (void)state;
    struct smpp_url u;
    assert_int_equal(smpp_parse_url("smpp://cordon:p%40ss@smsc.example.vn:2775", &u), 0);
    assert_string_equal(u.system_id, "cordon");
    assert_string_equal(u.password, "p@ss");
    assert_string_equal(u.host, "smsc.example.vn");
    assert_int_equal(u.port, 2775);
    assert_int_equal(smpp_parse_url("smpp://a:b@[::1]:2775", &u), 0);
    assert_string_equal(u.host, "[::1]");
    assert_int_equal(smpp_parse_url("http://a:b@h:1", &u), -1);
    assert_int_equal(smpp_parse_url("smpp://a@h:1", &u), -1);
    assert_int_equal(smpp_parse_url("smpp://a:b@h", &u), -1);
    assert_int_equal(smpp_parse_url("smpp://a:b@h:0", &u), -1);
    assert_int_equal(smpp_parse_url("smpp://a:toolongpassword@h:1", &u), -1); /* 8 characters at most */
}

static void unaccent(void **state)
{
    (void)state;
    char out[64];
    text_unaccent("Đắk Lắk, Nguyễn Văn Ánh!", out, sizeof(out));
    assert_string_equal(out, "Dak Lak, Nguyen Van Anh!");
    text_unaccent("đường ĐƯỜNG €", out, sizeof(out));
    assert_string_equal(out, "duong DUONG ?");
}

static void segments(void **state)
{
    (void)state;
    struct smpp_segment seg[SMPP_MAX_SEGMENTS];
    uint8_t dc, esm;
    assert_int_equal(smpp_segments("Xin chào", true, 7, seg, &dc, &esm), 1);
    assert_int_equal(dc, 8);
    assert_int_equal(esm, 0);
    assert_int_equal(seg[0].len, 16);
    assert_int_equal(seg[0].data[12], 0x00); /* no UDH: the text from the first byte */
    assert_int_equal(seg[0].data[13], 0xE0); /* à */

    /* 200 UCS-2 characters: 67 + 67 + 66, each with a UDH naming ref 9 and its place. */
    char text[1200];
    memset(text, 'a', 200);
    text[200] = 0;
    assert_int_equal(smpp_segments(text, true, 9, seg, &dc, &esm), 3);
    assert_int_equal(esm, 0x40);
    assert_int_equal(seg[0].len, 6 + 134);
    assert_int_equal(seg[2].len, 6 + 132);
    const uint8_t udh[] = {5, 0, 3, 9, 3, 2};
    assert_memory_equal(seg[1].data, udh, 6);

    /* GSM: 160 fit one SMS; 161 need two, 153 and 8. */
    memset(text, 'b', 160);
    text[160] = 0;
    assert_int_equal(smpp_segments(text, false, 1, seg, &dc, &esm), 1);
    assert_int_equal(dc, 0);
    text[160] = 'b';
    text[161] = 0;
    assert_int_equal(smpp_segments(text, false, 1, seg, &dc, &esm), 2);
    assert_int_equal(seg[0].len, 6 + 153);
    /* An escape pair is never cut: '[' at septet 153 moves whole to the next segment. */
    memset(text, 'c', 152);
    text[152] = '[';
    strcpy(text + 153, " and the rest of it");
    assert_int_equal(smpp_segments(text, false, 1, seg, &dc, &esm), 2);
    assert_int_equal(seg[0].len, 6 + 152);
    assert_int_equal(seg[1].data[6], 0x1B);
    assert_int_equal(seg[1].data[7], 0x3C);
    /* Accents go; @ is septet 0. */
    assert_int_equal(smpp_segments("Mã @", false, 1, seg, &dc, &esm), 1);
    const uint8_t want[] = {'M', 'a', ' ', 0x00};
    assert_int_equal(seg[0].len, 4);
    assert_memory_equal(seg[0].data, want, 4);
    /* Too long for ten segments. */
    memset(text, 'd', 1100);
    text[1100] = 0;
    assert_int_equal(smpp_segments(text, true, 1, seg, &dc, &esm), -1);
}

static void frame_and_receipt(void **state)
{
    (void)state;
    static struct smpp_buf p;
    smpp_bind_transceiver(&p, 1, "sys", "pw");
    /* header 16 + "sys\0" 4 + "pw\0" 3 + "\0" + version, ton, npi + "\0" */
    assert_int_equal(p.len, 16 + 4 + 3 + 1 + 3 + 1);
    assert_int_equal(p.b[3], p.len);
    assert_int_equal(p.b[7], 0x09);
    assert_int_equal(p.b[15], 1);

    /* A deliver_sm body holding a receipt. */
    static struct smpp_buf d;
    d.len = 0;
    const char *text = "id:m42 sub:001 dlvr:001 submit date:2112051200 done date:2112051200 stat:DELIVRD err:000";
    smpp_put_cstr(&d, "");
    smpp_put_u8(&d, 1);
    smpp_put_u8(&d, 1);
    smpp_put_cstr(&d, "0912345678");
    smpp_put_u8(&d, 5);
    smpp_put_u8(&d, 0);
    smpp_put_cstr(&d, "Cordon");
    smpp_put_u8(&d, 0x04); /* a receipt */
    smpp_put_u8(&d, 0);
    smpp_put_u8(&d, 0);
    smpp_put_cstr(&d, "");
    smpp_put_cstr(&d, "");
    smpp_put_u8(&d, 0);
    smpp_put_u8(&d, 0);
    smpp_put_u8(&d, 0);
    smpp_put_u8(&d, 0);
    smpp_put_u8(&d, (uint8_t)strlen(text));
    smpp_put_bytes(&d, text, strlen(text));
    char id[72];
    bool delivered = false;
    assert_true(smpp_parse_receipt(d.b, d.len, id, sizeof(id), &delivered));
    assert_string_equal(id, "m42");
    assert_true(delivered);
    /* message_state TLV UNDELIVERABLE (5) wins over the text. */
    const uint8_t tlv[] = {0x04, 0x27, 0, 1, 5};
    smpp_put_bytes(&d, tlv, sizeof(tlv));
    assert_true(smpp_parse_receipt(d.b, d.len, id, sizeof(id), &delivered));
    assert_false(delivered);
    /* Cut short: no receipt, no read past the end. */
    assert_false(smpp_parse_receipt(d.b, 20, id, sizeof(id), &delivered));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url),
        cmocka_unit_test(unaccent),
        cmocka_unit_test(segments),
        cmocka_unit_test(frame_and_receipt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
