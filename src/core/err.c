#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *code;
    int status;
} err_table[ERR_LAST] = {
    [ERR_OK] = {"ok", 200},
    [ERR_INVALID_JSON] = {"invalid_json", 400},
    [ERR_MISSING_FIELD] = {"missing_field", 400},
    [ERR_INVALID_FIELD] = {"invalid_field", 400},
    [ERR_UNKNOWN_FIELD] = {"unknown_field", 400},
    [ERR_UNAUTHENTICATED] = {"unauthenticated", 401},
    [ERR_FORBIDDEN] = {"forbidden", 403},
    [ERR_NOT_FOUND] = {"not_found", 404},
    [ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [ERR_CONFLICT] = {"conflict", 409},
    [ERR_TOO_LARGE] = {"body_too_large", 413},
    [ERR_MEDIA_TYPE] = {"unsupported_media_type", 415},
    [ERR_RATE_LIMITED] = {"rate_limited", 429},
    [ERR_UNAVAILABLE] = {"unavailable", 503},
    [ERR_INTERNAL] = {"internal", 500},
    [ERR_TOO_COMPLEX] = {"file_too_complex", 413},
    [ERR_BAD_ORIGIN] = {"bad_origin", 403},
    [ERR_BAD_REQUEST] = {"bad_request", 400},
};

const char *err_code(enum err e)
{
    return (e > 0 && e < ERR_LAST) ? err_table[e].code : "internal";
}

int err_status(enum err e)
{
    return (e > 0 && e < ERR_LAST) ? err_table[e].status : 500;
}

enum err fault_set(struct fault *f, enum err code, const char *field, const char *fmt, ...)
{
    f->code = code;
    f->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    return code;
}

void fault_clear(struct fault *f)
{
    f->code = ERR_OK;
    f->field = NULL;
    f->message[0] = '\0';
}
