// The C API's thread-safety promise (carepath/carepath.h): one loaded table
// evaluated and inspected from several threads at once, each with its own
// result. Built with -fsanitize=thread from the runtime's sources
// (tests/runtime/CMakeLists.txt), so ThreadSanitizer sees every access;
// each thread's results must equal the single-threaded ones.
// Usage: thread_test TABLE PATIENT
#include <carepath/carepath.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string slurp(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  carepath_status status;
  std::string json;
};

Outcome evaluate(const carepath_table *t, const std::string &patient, unsigned flags, carepath_result *r) {
  carepath_error *e = nullptr;
  carepath_status s = carepath_table_evaluate_into(t, patient.c_str(), flags, r, &e);
  Outcome o{s, s == CAREPATH_OK ? carepath_result_json(r) : carepath_error_message(e)};
  carepath_error_free(e);
  return o;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: thread_test TABLE PATIENT\n");
    return 2;
  }
  carepath_table *table = nullptr;
  carepath_error *error = nullptr;
  if (carepath_table_open_file(argv[1], 0, &table, &error) != CAREPATH_OK) {
    std::fprintf(stderr, "%s\n", carepath_error_message(error));
    return 1;
  }
  // A valid patient (with and without the explanation), an invalid one
  // and a malformed one: the success and the error paths.
  std::string patient = slurp(argv[2]);
  std::vector<std::pair<std::string, unsigned>> patients = {
      {patient, 0}, {patient, CAREPATH_EXPLAIN}, {"{\"age\": \"3 kg\"}", 0}, {"{", 0}};
  std::vector<Outcome> expected;
  carepath_result *r = carepath_result_new();
  for (const auto &[p, flags] : patients) expected.push_back(evaluate(table, p, flags, r));
  carepath_result_free(r);
  if (expected[0].status != CAREPATH_OK || expected[2].status != CAREPATH_ERROR_INVALID_PATIENT ||
      expected[3].status != CAREPATH_ERROR_MALFORMED_PATIENT) {
    std::fprintf(stderr, "unexpected single-threaded outcomes\n");
    return 1;
  }

  const int kThreads = 4, kRounds = 25;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k)
    threads.emplace_back([&, k] {
      carepath_result *mine = carepath_result_new();
      for (int round = 0; round < kRounds; ++round) {
        for (size_t i = 0; i < patients.size(); ++i) {
          size_t at = (i + static_cast<size_t>(k)) % patients.size();  // threads out of step
          Outcome o = evaluate(table, patients[at].first, patients[at].second, mine);
          if (o.status != expected[at].status || o.json != expected[at].json) ++mismatches[k];
        }
        // Inspection alongside evaluation, and the text-only functions.
        for (size_t i = 0; i < carepath_table_input_count(table); ++i)
          if (!carepath_table_input_name(table, i)) ++mismatches[k];
        char *err = nullptr;
        char *json = carepath_table_evaluate(table, patient.c_str(), 0, &err);
        if (!json || json != expected[0].json) ++mismatches[k];
        carepath_string_free(json);
        carepath_string_free(err);
      }
      carepath_result_free(mine);
    });
  for (auto &t : threads) t.join();
  carepath_table_free(table);
  int total = 0;
  for (int m : mismatches) total += m;
  if (total != 0) {
    std::fprintf(stderr, "%d results differ from the single-threaded ones\n", total);
    return 1;
  }
  std::printf("thread_test: %d threads x %d rounds agree\n", kThreads, kRounds);
  return 0;
}
