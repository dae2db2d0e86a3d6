/*
 * err.h - the one error enum of Cordon, its HTTP status and machine code.
 *
 * Values are never renumbered; a retired code keeps its number.  Domain and
 * store code return these; only http/ turns them into responses.
 */
#ifndef CORDON_CORE_ERR_H
#define CORDON_CORE_ERR_H

enum err {
    ERR_OK = 0,
    ERR_INVALID_JSON = 1,       /* 400: body not JSON, not UTF-8 or not an object */
    ERR_MISSING_FIELD = 2,      /* 400 */
    ERR_INVALID_FIELD = 3,      /* 400: wrong type or value; also path/query parameters */
    ERR_UNKNOWN_FIELD = 4,      /* 400 */
    ERR_UNAUTHENTICATED = 5,    /* 401 */
    ERR_FORBIDDEN = 6,          /* 403: role or area */
    ERR_NOT_FOUND = 7,          /* 404 */
    ERR_METHOD_NOT_ALLOWED = 8, /* 405 */
    ERR_CONFLICT = 9,           /* 409 */
    ERR_TOO_LARGE = 10,         /* 413 */
    ERR_MEDIA_TYPE = 11,        /* 415 */
    ERR_RATE_LIMITED = 12,      /* 429 */
    ERR_UNAVAILABLE = 13,       /* 503: store unreachable, shutting down */
    ERR_INTERNAL = 14,          /* 500: a bug or a store failure */
    ERR_TOO_COMPLEX = 15,       /* 413: an upload that expands past the reader's limits (zip bomb, deep XML) */
    ERR_BAD_ORIGIN = 16,        /* 403: a cookie-signed write from another site */
    ERR_BAD_REQUEST = 17,       /* 400: the HTTP message itself is malformed or ambiguous */
    ERR_LAST                    /* never use */
};

const char *err_code(enum err e);
int err_status(enum err e);

/*
 * A fault: an error with the field at fault and a message for people.
 * Validation code fills one and returns its code, so callers write
 *     return fault_set(f, ERR_INVALID_FIELD, "phone", "phone must be ...");
 */
struct fault {
    enum err code;
    const char *field; /* NULL, a static string, or a string living as long as the request */
    char message[256];
};

enum err fault_set(struct fault *f, enum err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void fault_clear(struct fault *f);

#endif
