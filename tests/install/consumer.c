/* A C consumer of the installed package, built by tests/install/run.cmake
 * with nothing but `cc consumer.c $(pkg-config --cflags --libs carepath)`:
 * loads a compiled table, lists its inputs, evaluates one patient and
 * prints each fired dose. Usage: consumer TABLE PATIENT */
#include <carepath/carepath.h>
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  if (buf) buf[n] = 0;
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  carepath_table *t = NULL;
  carepath_result *r = NULL;
  carepath_error *e = NULL;
  char *patient;
  size_t i;
  if (argc != 3) { fprintf(stderr, "usage: consumer TABLE PATIENT\n"); return 2; }
  if (carepath_table_open_file(argv[1], 0, &t, &e) != CAREPATH_OK) {
    fprintf(stderr, "%s: %s\n", carepath_status_name(carepath_error_code(e)), carepath_error_message(e));
    carepath_error_free(e);
    return 1;
  }
  printf("runtime %s, protocol %s, %lu inputs\n", carepath_runtime_version(), carepath_table_protocol_name(t),
         (unsigned long)carepath_table_input_count(t));
  patient = slurp(argv[2]);
  r = carepath_result_new();
  if (!patient || !r || carepath_table_evaluate_into(t, patient, 0, r, &e) != CAREPATH_OK) {
    fprintf(stderr, "%s\n", e ? carepath_error_message(e) : "cannot read the patient");
    carepath_error_free(e);
    return 1;
  }
  for (i = 0; i < carepath_result_action_count(r); ++i) {
    size_t table, rule, action;
    carepath_result_action(r, i, &table, &rule, &action);
    if (*carepath_result_action_dose(r, i))
      printf("%s %s\n", carepath_table_action_name(t, table, rule, action), carepath_result_action_dose(r, i));
  }
  free(patient);
  carepath_result_free(r);
  carepath_table_free(t);
  return 0;
}
