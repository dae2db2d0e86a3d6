/*
 * callbot.h - outbound calls that ask a short health questionnaire.
 *
 * An official starts a call list: the F1 of an area not yet reached, or the
 * people of the area due for a quarantine check-in.  With sip_url set, `cordon
 * serve` runs one callbot thread that drives a baresip SIP user agent through
 * its ctrl_tcp interface (netstring JSON commands and events), one call at a
 * time: it dials, plays a Vietnamese prompt per question (spoken by
 * espeak-ng, resampled to the 8 kHz of a phone line and cached per text),
 * and takes one keypad key (DTMF) per question: 1 yes, 2 no.  Three answers
 * make a health declaration by phone (declare/), flagged like any other when
 * the person has symptoms or exposure.  A call that is not answered, is busy
 * or is hung up early is tried again after each delay of callbot_retry, then
 * given up (failed).  With no sip_url nothing calls: lists stay queued.
 */
#ifndef CORDON_CALLBOT_CALLBOT_H
#define CORDON_CALLBOT_CALLBOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct config;
struct http_req;

#define CALLBOT_QUESTIONS 3 /* symptoms, exposure, need for help */
#define CALLBOT_MAX_RETRIES 10

/* The questionnaire as spoken: question i (0..CALLBOT_QUESTIONS-1), then the closing words. */
extern const char *const callbot_questions[CALLBOT_QUESTIONS];
extern const char *const callbot_goodbye;

/* Checks the callbot's settings: 0, or -1 with err. */
int callbot_check_settings(const struct config *c, char *err, size_t errlen);
/* Starts the callbot thread when sip_url is set (else does nothing); 0 or -1. */
int callbot_start(const struct config *c);
void callbot_stop(void);
/* true when this server runs the callbot (sip_url set). */
bool callbot_enabled(void);

/*
 * The spoken prompt for text as an 8 kHz mono 16-bit WAV under dir, followed by
 * pad_seconds of silence (the time to press a key): made once with espeak-ng
 * and kept, named by a hash of text and pad.  0 with its path in out, or -1.
 */
int callbot_prompt(const char *dir, const char *text, int pad_seconds, char *out, size_t outlen);

/* POST /api/v1/callbot/lists {"reason": "f1"|"checkin", "unit"?}: queues a call per person. */
enum err callbot_handle_start(struct http_req *r);
/* GET /api/v1/callbot/calls?unit=&limit=: the latest calls of the area with status and answers. */
enum err callbot_handle_calls(struct http_req *r);

#endif
