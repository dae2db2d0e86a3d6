/*
 * schema.h - is a DCC payload what the EU DCC JSON schema says it must be?
 *
 * The schema (ehn-dcc-schema, releases 1.0.0 to 1.3.x) is written here as
 * code, one rule per field, following the "ver" the payload declares:
 * required fields, types, lengths, patterns (ICAO names, date of birth
 * 1900-2099), one group of exactly one entry, dose numbers, dates.  Coded
 * fields (disease, vaccine, product, manufacturer, test type, test device,
 * result, country) must be codes of the EU value sets, which are data
 * (data/dcc_valuesets.json, compiled in; a newer file may replace it).
 *
 * Value sets are read-only once loaded and may be shared by any thread.
 */
#ifndef CORDON_DCC_SCHEMA_H
#define CORDON_DCC_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

struct dcc_valuesets;

/* The value sets shipped with the binary.  Returns 0, or -1 if they do not parse (a build defect). */
int dcc_valuesets_default(struct dcc_valuesets **out);
/* The same, loaded once per process and never freed; NULL if they do not parse. */
const struct dcc_valuesets *dcc_valuesets_shipped(void);
/*
 * Value sets from a file in the format of data/dcc_valuesets.json:
 * {"valuesets": {"<id>": {"values": {"<code>": "<display>", ...}}, ...}}.
 * Returns 0 or -1 with err.
 */
int dcc_valuesets_load_file(const char *path, struct dcc_valuesets **out, char *err, size_t errlen);
/* The configured value sets: path's (dcc_valuesets_file), or the shipped ones when path is NULL or "".
 * Returns 0, or -1 with "bad DCC value sets PATH: why" in err. */
int dcc_valuesets_configured(const char *path, struct dcc_valuesets **out, char *err, size_t errlen);
void dcc_valuesets_free(struct dcc_valuesets *vs);
/* Display name of a code ("Comirnaty" for "EU/1/20/1528"), NULL if the set or code is unknown. */
const char *dcc_valueset_display(const struct dcc_valuesets *vs, const char *set, const char *code);

/*
 * Checks payload (the DCC JSON object: ver, nam, dob, v|t|r) against the
 * schema of its version, and its codes against vs (NULL: codes are not
 * checked).  Returns 0 if it conforms, else -1 with the first fault: where
 * names the field ("v[0].co", "dob"), why says what is wrong.
 */
int dcc_schema_check(const json_t *payload, const struct dcc_valuesets *vs, char *where, size_t wherelen, char *why,
                     size_t whylen);

#endif
