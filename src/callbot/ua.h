/*
 * ua.h - a baresip SIP user agent driven through its ctrl_tcp module.
 *
 * The callbot starts baresip with a settings folder of its own: SIP and RTP
 * bound to the address of sip_listen (SIP over TLS takes the next port, as
 * baresip does), control on 127.0.0.1 two ports above,
 * no sound card (ALSA's null device plays what the callee says), the file
 * source (aufile) playing the first prompt of each call.  Commands and events
 * are netstrings of JSON: {"command", "params", "token"} one way, {"event":
 * true, "type", "param", ...} and {"response": true, ...} the other.
 */
#ifndef CORDON_CALLBOT_UA_H
#define CORDON_CALLBOT_UA_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

struct ua {
    pid_t pid;
    int fd;
    char in[65536];
    size_t len;
};

/*
 * Writes dir/config and dir/accounts and starts baresip on them, then connects
 * to its control port.  account: the SIP account, sip:USER[:PASSWORD]@HOST[:PORT];
 * listen: IP:PORT; first: the WAV a call starts with.  0, or -1 (logged).
 */
int ua_start(struct ua *u, const char *dir, const char *account, const char *listen, const char *first);
void ua_stop(struct ua *u);
/* Sends one command ("dial", "hangup", "ausrc") with its parameters; 0 or -1. */
int ua_command(struct ua *u, const char *command, const char *params);
/* The next event within timeout_ms: 1 with *type and *param (valid until the next call), 0 for none
 * in time, -1 when the agent is gone.  Command responses are skipped, but a refused command is
 * the event COMMAND_FAILED with the agent's words. */
int ua_event(struct ua *u, int timeout_ms, char *type, size_t typelen, char *param, size_t paramlen);

/* The baresip account line of a sip: URL: 0, or -1 when it is not sip:USER[:PASSWORD]@HOST[:PORT]. */
int ua_account_line(const char *url, char *out, size_t outlen);

#endif
