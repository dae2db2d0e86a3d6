/*
 * map_http.c - GET /api/v1/map: how the browser draws maps.
 *
 * A deployment points map_tiles_url at its own OpenStreetMap tile server;
 * with none set the pages draw the province outlines the project ships
 * (data/vn-geo/provinces.geojson, served at MAP_OUTLINES_PATH), which need no
 * network beyond this server.
 */
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "http/http.h"

static char tiles_url[512];
static char attribution[256];

void area_map_configure(const char *tiles, const char *credit)
{
    snprintf(tiles_url, sizeof(tiles_url), "%s", tiles ? tiles : "");
    snprintf(attribution, sizeof(attribution), "%s", credit ? credit : "");
}

bool area_map_tiles_url_valid(const char *url)
{
    if (!*url)
        return true;
    /* a path on this server, not "//host/...": that one is another server without a scheme */
    bool scheme = !strncmp(url, "https://", 8) || !strncmp(url, "http://", 7) || (url[0] == '/' && url[1] != '/');
    return scheme && strstr(url, "{z}") && strstr(url, "{x}") && strstr(url, "{y}") && !strpbrk(url, "\"'<>;, \t\r\n");
}

const char *area_map_tiles_origin(const char *url, char *out, size_t n)
{
    const char *host = strstr(url, "://");
    if (!host) {
        out[0] = '\0'; /* a path on this server */
        return out;
    }
    size_t len = strcspn(host + 3, "/") + (size_t)(host + 3 - url);
    snprintf(out, n, "%.*s", (int)len, url);
    return out;
}

enum err area_handle_map(struct http_req *r)
{
    json_t *body = json_pack("{s:s?, s:s, s:s, s:s}", "tiles_url", tiles_url[0] ? tiles_url : NULL, "attribution",
                             tiles_url[0] ? attribution : MAP_OUTLINES_CREDIT, "outlines_url", MAP_OUTLINES_PATH,
                             "outlines_credit", MAP_OUTLINES_CREDIT);
    return http_reply_json(r, 200, body);
}
