// A C++17 consumer of the installed package (find_package(carepath),
// carepath::carepath): the C API, whose header is C++ of any standard.
// The C++ API (carepath/Table.h) is C++20; tests/install/run.cmake checks
// that a C++17 build including it is told so.
#include <carepath/carepath.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

static_assert(__cplusplus == 201703L, "this consumer must be built as C++17");

namespace {
struct Free {
  void operator()(carepath_table *t) const { carepath_table_free(t); }
  void operator()(carepath_result *r) const { carepath_result_free(r); }
  void operator()(carepath_error *e) const { carepath_error_free(e); }
};
}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: downstream_cxx17 TABLE PATIENT\n";
    return 2;
  }
  carepath_table *raw = nullptr;
  carepath_error *err = nullptr;
  carepath_status s = carepath_table_open_file(argv[1], 0, &raw, &err);
  std::unique_ptr<carepath_table, Free> table(raw);
  std::unique_ptr<carepath_error, Free> error(err);
  if (s != CAREPATH_OK) {
    std::cerr << carepath_status_name(s) << ": " << carepath_error_message(error.get()) << "\n";
    return 1;
  }
  std::ifstream in(argv[2]);
  std::stringstream text;
  text << in.rdbuf();
  std::unique_ptr<carepath_result, Free> result(carepath_result_new());
  s = carepath_table_evaluate_into(table.get(), text.str().c_str(), 0, result.get(), &err);
  error.reset(err);
  if (s != CAREPATH_OK) {
    std::cerr << carepath_status_name(s) << ": " << carepath_error_message(error.get()) << "\n";
    return 1;
  }
  for (size_t i = 0; i < carepath_result_action_count(result.get()); ++i) {
    size_t t = 0, r = 0, a = 0;
    carepath_result_action(result.get(), i, &t, &r, &a);
    std::string dose = carepath_result_action_dose(result.get(), i);
    if (!dose.empty()) std::cout << carepath_table_action_name(table.get(), t, r, a) << " " << dose << "\n";
  }
  return 0;
}
