#include "callbot/ua.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define CONNECT_TRIES 50 /* every 100 ms: baresip is up in well under 5 s */

int ua_account_line(const char *url, char *out, size_t outlen)
{
    if (strncmp(url, "sip:", 4))
        return -1;
    const char *user = url + 4, *at = strchr(user, '@');
    if (!at || at == user || !at[1] || strpbrk(at + 1, "@<>;\"\r\n ") || strpbrk(url, "<>;\"\r\n "))
        return -1;
    const char *colon = memchr(user, ':', (size_t)(at - user));
    int ulen = (int)((colon ? colon : at) - user);
    int n;
    if (colon) /* a password: register with the provider, every hour */
        n = snprintf(out, outlen, "<sip:%.*s@%s>;auth_pass=%.*s;regint=3600\n", ulen, user, at + 1,
                     (int)(at - colon - 1), colon + 1);
    else
        n = snprintf(out, outlen, "<sip:%.*s@%s>;regint=0\n", ulen, user, at + 1);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) || rc ? -1 : 0;
}

int ua_start(struct ua *u, const char *dir, const char *account, const char *listen, const char *first)
{
    memset(u, 0, sizeof(*u));
    u->fd = -1;
    char ip[64], path[700], line[700], conf[2048];
    int port;
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(ip) || sscanf(colon + 1, "%d", &port) != 1 ||
        port < 1 || port > 65533) {
        log_error("msg=\"sip_listen must be IP:PORT\"");
        return -1;
    }
    memcpy(ip, listen, (size_t)(colon - listen));
    ip[colon - listen] = 0;
    if (ua_account_line(account, line, sizeof(line))) {
        log_error("msg=\"sip_url must be sip:USER[:PASSWORD]@HOST[:PORT]\"");
        return -1;
    }
    snprintf(path, sizeof(path), "%s/accounts", dir);
    if (write_file(path, line)) {
        log_error("msg=\"callbot: cannot write the user agent's settings\" path=%s", path);
        return -1;
    }
    snprintf(conf, sizeof(conf),
             "poll_method epoll\n"
             "net_interface %s\n"
             "sip_listen %s:%d\n"
             "audio_player alsa,null\n"
             "audio_alert alsa,null\n"
             "audio_source aufile,%s\n"
             "call_max_calls 1\n" /* an incoming call during one of ours gets 486 */
             "module_path /usr/lib/baresip/modules\n"
             "module g711.so\n"
             "module aufile.so\n"
             "module alsa.so\n"
             "module_app account.so\n"
             "module_app menu.so\n"
             "module_app ctrl_tcp.so\n"
             "ctrl_tcp_listen 127.0.0.1:%d\n",
             ip, ip, port, first, port + 2);
    snprintf(path, sizeof(path), "%s/config", dir);
    if (write_file(path, conf)) {
        log_error("msg=\"callbot: cannot write the user agent's settings\" path=%s", path);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/baresip.log", dir);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (nul >= 0)
            dup2(nul, 0);
        execlp("baresip", "baresip", "-f", dir, (char *)NULL);
        _exit(127);
    }
    u->pid = pid;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 2))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    for (int i = 0; i < CONNECT_TRIES; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            u->fd = fd;
            log_info("msg=\"callbot user agent started\" pid=%d sip=%s:%d", (int)pid, ip, port);
            return 0;
        }
        if (fd >= 0)
            close(fd);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            u->pid = 0;
            break;
        }
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    log_error("msg=\"callbot: baresip did not start; see its log\" path=%s", path);
    ua_stop(u);
    return -1;
}

void ua_stop(struct ua *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->pid > 0) {
        kill(u->pid, SIGTERM);
        for (int i = 0; i < 30 && waitpid(u->pid, NULL, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
        }
        if (waitpid(u->pid, NULL, WNOHANG) == 0) {
            kill(u->pid, SIGKILL);
            waitpid(u->pid, NULL, 0);
        }
    }
    u->pid = 0;
}

int ua_command(struct ua *u, const char *command, const char *params)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "command", command, "params", params, "token", "cordon");
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body)
        return -1;
    size_t len = strlen(body);
    char head[24];
    int hl = snprintf(head, sizeof(head), "%zu:", len);
    int rc = send(u->fd, head, (size_t)hl, MSG_NOSIGNAL) == hl && send(u->fd, body, len, MSG_NOSIGNAL) == (ssize_t)len &&
                     send(u->fd, ",", 1, MSG_NOSIGNAL) == 1
                 ? 0
                 : -1;
    free(body);
    return rc;
}

/* A whole netstring at the start of the buffer: 1 with its body (NUL-terminated in place), 0, or -1 broken. */
static int take(struct ua *u, char **body, size_t *used)
{
    char *colon = memchr(u->in, ':', u->len);
    if (!colon)
        return u->len > 12 ? -1 : 0;
    size_t n = 0;
    for (char *p = u->in; p < colon; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (size_t)(*p - '0');
    }
    size_t start = (size_t)(colon - u->in) + 1;
    if (n > sizeof(u->in) - start - 1)
        return -1;
    if (u->len < start + n + 1)
        return 0;
    if (u->in[start + n] != ',')
        return -1;
    u->in[start + n] = 0;
    *body = u->in + start;
    *used = start + n + 1;
    return 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ua_event(struct ua *u, int timeout_ms, char *type, size_t typelen, char *param, size_t paramlen)
{
    int64_t until = now_ms() + timeout_ms;
    for (;;) {
        char *body;
        size_t used;
        int t = take(u, &body, &used);
        if (t < 0)
            return -1;
        if (t > 0) {
            json_t *o = json_loads(body, 0, NULL);
            memmove(u->in, u->in + used, u->len - used);
            u->len -= used;
            const char *ty = o ? json_string_value(json_object_get(o, "type")) : NULL;
            if (json_is_true(json_object_get(o, "response")) && json_is_false(json_object_get(o, "ok"))) {
                snprintf(type, typelen, "COMMAND_FAILED"); /* a refused dial, say */
                snprintf(param, paramlen, "%s", json_string_value(json_object_get(o, "data")) ? json_string_value(json_object_get(o, "data")) : "");
                json_decref(o);
                return 1;
            }
            if (ty && json_is_true(json_object_get(o, "event"))) {
                const char *pa = json_string_value(json_object_get(o, "param"));
                snprintf(type, typelen, "%s", ty);
                snprintf(param, paramlen, "%s", pa ? pa : "");
                json_decref(o);
                return 1;
            }
            json_decref(o);
            continue;
        }
        int left = (int)(until - now_ms());
        if (left <= 0)
            return 0;
        struct pollfd pf = {u->fd, POLLIN, 0};
        int pr = poll(&pf, 1, left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return -1;
        if (pr == 0)
            return 0;
        ssize_t r = recv(u->fd, u->in + u->len, sizeof(u->in) - u->len - 1, 0);
        if (r <= 0)
            return -1;
        u->len += (size_t)r;
    }
}
