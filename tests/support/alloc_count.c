/*
 * alloc_count.c - a preloaded library that counts heap allocations per thread, for the test that
 * a request allocates nothing outside its arena (tests/api/request-allocations.test.js).
 *
 *   LD_PRELOAD=build/tests/support/liballoc_count.so ALLOC_COUNT_FILE=F cordon serve ...
 *
 * malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign are counted, then passed to
 * glibc's own.  On SIGUSR2 it writes one line per thread it has seen to F: the thread's name
 * (/proc/self/task/TID/comm) and its count, "NAME COUNT"; written as F.tmp and renamed, so F is
 * whole when it appears.  Only async-signal-safe calls in the
 * handler.  Not for sanitizer builds (they replace the allocator themselves).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

#define SLOTS 1024

struct slot {
    pid_t tid;
    atomic_ulong n;
};

static struct slot slots[SLOTS];
static atomic_int nslots;
static __thread struct slot *mine;

static void count(void)
{
    if (!mine) {
        int i = atomic_fetch_add(&nslots, 1);
        if (i >= SLOTS)
            return; /* more threads than slots: the rest are not counted */
        slots[i].tid = (pid_t)syscall(SYS_gettid);
        mine = &slots[i];
    }
    atomic_fetch_add_explicit(&mine->n, 1, memory_order_relaxed);
}

void *malloc(size_t n)
{
    count();
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    count();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    count();
    return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
    count();
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    count();
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    count();
    void *p = __libc_memalign(align, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* Decimal text of v at the end of buf; returns where it starts. */
static char *decimal(char *end, unsigned long v)
{
    *--end = '\0';
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void dump(int sig)
{
    (void)sig;
    const char *file = getenv("ALLOC_COUNT_FILE");
    char tmp[4096];
    if (!file || strlen(file) + sizeof(".tmp") > sizeof(tmp))
        return;
    strcpy(tmp, file);
    strcat(tmp, ".tmp");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    int n = atomic_load(&nslots);
    for (int i = 0; i < n && i < SLOTS; i++) {
        char path[64] = "/proc/self/task/", num[24], name[32] = "?";
        strcat(path, decimal(num + sizeof(num), (unsigned long)slots[i].tid));
        strcat(path, "/comm");
        int c = open(path, O_RDONLY);
        if (c >= 0) {
            ssize_t got = read(c, name, sizeof(name) - 1);
            close(c);
            name[got > 0 ? got : 0] = '\0';
            char *nl = strchr(name, '\n');
            if (nl)
                *nl = '\0';
            if (got <= 0)
                strcpy(name, "?");
        } else {
            strcpy(name, "gone"); /* the thread has exited */
        }
        for (char *p = name; *p; p++)
            if (*p == ' ')
                *p = '_';
        put(fd, name);
        put(fd, " ");
        put(fd, decimal(num + sizeof(num), atomic_load(&slots[i].n)));
        put(fd, "\n");
    }
    close(fd);
    rename(tmp, file);
}

__attribute__((constructor)) static void start(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = dump;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
}
