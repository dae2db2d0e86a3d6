/*
 * static.c - serves the browser UI from a directory.
 *
 * Only plain relative paths are served: no "..", no hidden files, no
 * backslashes or NULs; "/" is index.html.  Files are read whole (the UI is
 * small) and sent with a content type taken from the extension.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.h"

#define STATIC_FILE_MAX (8u << 20)

static const struct {
    const char *ext, *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
    {".geojson", "application/geo+json"},
};

static bool safe_path(const char *p)
{
    if (p[0] != '/' || strlen(p) > 256)
        return false;
    for (const char *s = p; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == '\\' || c == 0x7f)
            return false;
        if (c == '/' && (s[1] == '.' || s[1] == '/'))
            return false; /* "..", hidden files, "//" */
    }
    return true;
}

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
            if (!strcmp(dot, content_types[i].ext))
                return content_types[i].type;
    return "application/octet-stream";
}

int static_serve(struct http_req *r, const char *root)
{
    if (!root || (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")))
        return ERR_NOT_FOUND;
    const char *path = strcmp(r->path, "/") ? r->path : "/index.html";
    if (!safe_path(path))
        return ERR_NOT_FOUND;
    char full[1024];
    if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
        return ERR_NOT_FOUND;
    return static_serve_file(r, full);
}

int static_serve_file(struct http_req *r, const char *full)
{
    const char *path = full;
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_NOT_FOUND;
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX) {
        close(fd);
        return ERR_NOT_FOUND;
    }
    char *data = arena_alloc(&r->arena, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != (size_t)st.st_size)
        return ERR_NOT_FOUND;
    /* The UI changes with the binary; revalidate rather than cache for long. */
    http_add_header(r, "Cache-Control", "no-cache");
    return http_reply(r, 200, type_of(path), data, got);
}
