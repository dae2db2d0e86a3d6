/* The callbot's pieces without a call: the account line baresip gets from sip_url, and the
 * spoken prompts (espeak-ng, resampled to 8 kHz, silence after the words, kept once made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callbot/callbot.h"
#include "callbot/ua.h"

static void account_lines(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(ua_account_line("sip:cordon@127.0.0.1", out, sizeof(out)), 0);
    assert_string_equal(out, "<sip:cordon@127.0.0.1>;regint=0\n");
    assert_int_equal(ua_account_line("sip:1900@trunk.example.vn:5080", out, sizeof(out)), 0);
    assert_string_equal(out, "<sip:1900@trunk.example.vn:5080>;regint=0\n");
    /* a password: registered with the provider */
    assert_int_equal(ua_account_line("sip:cordon:s3cret@sip.example.vn", out, sizeof(out)), 0);
    assert_string_equal(out, "<sip:cordon@sip.example.vn>;auth_pass=s3cret;regint=3600\n");
    /* nothing that would add parameters or lines to baresip's accounts file */
    assert_int_equal(ua_account_line("sip:cordon@127.0.0.1;answermode=auto", out, sizeof(out)), -1);
    assert_int_equal(ua_account_line("sip:cordon@127.0.0.1\n<sip:x@y>", out, sizeof(out)), -1);
    assert_int_equal(ua_account_line("sip:@127.0.0.1", out, sizeof(out)), -1);
    assert_int_equal(ua_account_line("sip:cordon@", out, sizeof(out)), -1);
    assert_int_equal(ua_account_line("tel:0912345678", out, sizeof(out)), -1);
    assert_int_equal(ua_account_line("sip:a@b@c", out, sizeof(out)), -1);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void prompt_is_8k_with_silence_and_kept(void **state)
{
    (void)state;
    char dir[] = "/tmp/cordon-prompt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[700], again[700];
    assert_int_equal(callbot_prompt(dir, callbot_goodbye, 3, path, sizeof(path)), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char hdr[44];
    assert_int_equal(fread(hdr, 1, 44, f), 44);
    assert_memory_equal(hdr, "RIFF", 4);
    assert_int_equal(hdr[22], 1);              /* mono */
    assert_int_equal(le32(hdr + 24), 8000);    /* the phone line's rate */
    assert_int_equal(hdr[34], 16);             /* 16-bit */
    uint32_t bytes = le32(hdr + 40);
    assert_true(bytes > 3 * 16000 + 16000);    /* words (over a second) and 3 s of silence */
    /* words first: some loud samples in the first part; the last 3 s are silent */
    int16_t *pcm = malloc(bytes);
    assert_int_equal(fread(pcm, 1, bytes, f), bytes);
    fclose(f);
    size_t n = bytes / 2, loud = 0;
    for (size_t i = 0; i < n - 3 * 8000; i++)
        loud += pcm[i] > 3000 || pcm[i] < -3000;
    assert_true(loud > 1000);
    for (size_t i = n - 3 * 8000; i < n; i++)
        assert_int_equal(pcm[i], 0);
    free(pcm);
    /* made once: the same text and pause give the same file, untouched */
    struct stat a, b;
    assert_int_equal(stat(path, &a), 0);
    assert_int_equal(callbot_prompt(dir, callbot_goodbye, 3, again, sizeof(again)), 0);
    assert_string_equal(path, again);
    assert_int_equal(stat(again, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    assert_int_equal(a.st_mtime, b.st_mtime);
    /* another pause is another file */
    assert_int_equal(callbot_prompt(dir, callbot_goodbye, 1, again, sizeof(again)), 0);
    assert_string_not_equal(path, again);
    unlink(path);
    unlink(again);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(account_lines),
        cmocka_unit_test(prompt_is_8k_with_silence_and_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
