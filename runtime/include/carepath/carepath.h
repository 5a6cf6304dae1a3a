/* The carepath runtime's C API: load a compiled decision table and evaluate
 * patients, for bindings from other languages. No C++ types cross it.
 *
 *   char *err = NULL;
 *   carepath_table *t = carepath_table_load_file("anec.table.json", 0, &err);
 *   if (!t) { fprintf(stderr, "%s\n", err); carepath_string_free(err); return 1; }
 *   char *result = carepath_table_evaluate(t, patient_json, 1, &err);
 *   ... result is a JSON document (docs/runtime.md) ...
 *   carepath_string_free(result);
 *   carepath_table_free(t);
 *
 * Every returned string is owned by the caller and released with
 * carepath_string_free. A loaded table is immutable: one handle may be used
 * from several threads at once.
 */
#ifndef CAREPATH_CAREPATH_H
#define CAREPATH_CAREPATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct carepath_table carepath_table;

/* Flags for the load functions. */
#define CAREPATH_ALLOW_UNVERIFIED 1u

/* Load from a file / from a buffer of `size` bytes. On failure return NULL
 * and, when `error` is not NULL, store a message there. */
carepath_table *carepath_table_load_file(const char *path, unsigned flags, char **error);
carepath_table *carepath_table_load_string(const char *text, size_t size, unsigned flags, char **error);

/* Evaluate one patient given as a JSON object (NUL-terminated). Returns the
 * result document, or NULL with `error` set (invalid patient: every problem,
 * one per line, each naming its input). `explain` non-zero adds the trace.
 * An optional input is missing when the object leaves it out or gives it as
 * null; rules that need it are "undecided" in the result. */
char *carepath_table_evaluate(const carepath_table *table, const char *patient_json, int explain, char **error);

/* Table facts; the strings live as long as the table. */
const char *carepath_table_protocol_name(const carepath_table *table);
const char *carepath_table_protocol_version(const carepath_table *table);
const char *carepath_table_digest(const carepath_table *table);
const char *carepath_table_verification(const carepath_table *table);

/* The runtime library's version: the project version, "MAJOR.MINOR.PATCH". */
const char *carepath_runtime_version(void);

void carepath_table_free(carepath_table *table);
void carepath_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CAREPATH_CAREPATH_H */
