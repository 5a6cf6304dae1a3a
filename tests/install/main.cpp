// A downstream program in C++20: loads a compiled table and evaluates one
// patient with the C++ API (carepath::runtime), using only the installed
// headers and library.
#include <carepath/Table.h>

#include <fstream>
#include <iostream>
#include <sstream>

// Not set by the project (tests/install/CMakeLists.txt): the target asks for it.
static_assert(__cplusplus >= 202002L, "carepath::runtime did not bring C++20");

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: downstream TABLE PATIENT\n";
    return 2;
  }
  try {
    auto table = carepath::runtime::Table::load(argv[1]);
    std::ifstream in(argv[2]);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<carepath::runtime::PatientError> errors;
    auto patient = table.readPatient(text.str(), errors);
    if (!patient) {
      for (const auto &e : errors) std::cerr << e.message << "\n";
      return 1;
    }
    auto result = table.evaluate(*patient);
    for (const auto &f : result.actions) {
      const auto &a = table.tables()[f.table].rules[f.rule].actions[f.action];
      if (a.kind == carepath::ActionKind::Give && f.amount)
        std::cout << a.name << " " << table.displayAmount(a, *f.amount) << " " << a.basis << "\n";
    }
    return 0;
  } catch (const std::exception &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
