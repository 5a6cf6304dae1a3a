/* The C API from C: load the compiled ANEC table, evaluate a patient,
 * check the methylprednisolone amount and the refusals. Usage:
 *   c_api_test TABLE.json PATIENT.json */
#include <carepath/carepath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond, ...)                         \
  do {                                           \
    if (!(cond)) {                               \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);              \
      fputc('\n', stderr);                       \
      ++failures;                                \
    }                                            \
  } while (0)

static char *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
  buf[n] = 0;
  fclose(f);
  *size = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: c_api_test TABLE PATIENT\n"); return 2; }
  char *err = NULL;
  carepath_table *t = carepath_table_load_file(argv[1], 0, &err);
  CHECK(t != NULL, "load: %s", err ? err : "?");
  if (!t) return 1;
  CHECK(strcmp(carepath_table_protocol_name(t), "anec") == 0, "name %s", carepath_table_protocol_name(t));
  CHECK(strncmp(carepath_table_digest(t), "sha256:", 7) == 0, "digest %s", carepath_table_digest(t));

  size_t size = 0;
  char *patient = slurp(argv[2], &size);
  CHECK(patient != NULL, "cannot read %s", argv[2]);
  char *result = carepath_table_evaluate(t, patient, 1, &err);
  CHECK(result != NULL, "evaluate: %s", err ? err : "?");
  if (result) {
    CHECK(strstr(result, "\"display\": \"420 mg per day\"") != NULL, "no 420 mg per day in %s", result);
    CHECK(strstr(result, "\"trace\"") != NULL, "no trace");
    carepath_string_free(result);
  }
  free(patient);

  /* An invalid patient: an error naming the input, no result. */
  result = carepath_table_evaluate(t, "{\"age\": \"3 years\"}", 0, &err);
  CHECK(result == NULL, "a patient without most inputs was accepted");
  CHECK(err != NULL && strstr(err, "weight") != NULL, "error does not name 'weight': %s", err ? err : "(null)");
  carepath_string_free(err);
  err = NULL;

  /* A tampered copy is refused. */
  char *text = slurp(argv[1], &size);
  char *at = strstr(text, "\"3/100000\"");
  CHECK(at != NULL, "dose constant not found");
  if (at) at[1] = '4';
  carepath_table *bad = carepath_table_load_string(text, size, 0, &err);
  CHECK(bad == NULL, "a tampered table was loaded");
  CHECK(err != NULL && strstr(err, "digest mismatch") != NULL, "error: %s", err ? err : "(null)");
  carepath_string_free(err);
  free(text);

  carepath_table_free(t);
  if (failures == 0) printf("c_api_test: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
