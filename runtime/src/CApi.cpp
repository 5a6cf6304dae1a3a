// The C API (carepath/carepath.h) over the C++ runtime. No exception crosses
// it: every failure becomes an error string.
#include "carepath/carepath.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "carepath/Table.h"
#include "carepath/Version.h"

struct carepath_table {
  carepath::runtime::Table table;
};

namespace {
char *copy(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}
void setError(char **error, const std::string &message) {
  if (error) *error = copy(message);
}
carepath::runtime::LoadOptions options(unsigned flags) {
  carepath::runtime::LoadOptions o;
  o.allowUnverified = (flags & CAREPATH_ALLOW_UNVERIFIED) != 0;
  return o;
}
}  // namespace

extern "C" {

carepath_table *carepath_table_load_file(const char *path, unsigned flags, char **error) {
  if (error) *error = nullptr;
  if (!path) { setError(error, "no path given"); return nullptr; }
  try {
    return new carepath_table{carepath::runtime::Table::load(path, options(flags))};
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return nullptr;
}

carepath_table *carepath_table_load_string(const char *text, size_t size, unsigned flags, char **error) {
  if (error) *error = nullptr;
  if (!text) { setError(error, "no text given"); return nullptr; }
  try {
    return new carepath_table{carepath::runtime::Table::loadText(std::string_view(text, size), options(flags))};
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return nullptr;
}

char *carepath_table_evaluate(const carepath_table *table, const char *patient_json, int explain, char **error) {
  if (error) *error = nullptr;
  if (!table || !patient_json) { setError(error, "no table or no patient given"); return nullptr; }
  try {
    std::vector<carepath::runtime::PatientError> errors;
    auto patient = table->table.readPatient(patient_json, errors);
    if (!patient) {
      std::string all;
      for (const auto &e : errors) all += (all.empty() ? "" : "\n") + e.message;
      setError(error, all.empty() ? "invalid patient" : all);
      return nullptr;
    }
    carepath::runtime::EvaluateOptions eo;
    eo.explain = explain != 0;
    carepath::runtime::Result r = table->table.evaluate(*patient, eo);
    char *out = copy(table->table.resultJson(*patient, r, eo.explain));
    if (!out) setError(error, "out of memory");
    return out;
  } catch (const std::exception &e) {
    setError(error, e.what());
  } catch (...) {
    setError(error, "unknown error");
  }
  return nullptr;
}

const char *carepath_table_protocol_name(const carepath_table *t) { return t ? t->table.protocolName().c_str() : ""; }
const char *carepath_table_protocol_version(const carepath_table *t) {
  return t ? t->table.protocolVersion().c_str() : "";
}
const char *carepath_table_digest(const carepath_table *t) { return t ? t->table.digest().c_str() : ""; }
const char *carepath_table_verification(const carepath_table *t) {
  return t ? t->table.verificationStatus().c_str() : "";
}
const char *carepath_runtime_version(void) { return carepath::runtime::version(); }

void carepath_table_free(carepath_table *table) { delete table; }
void carepath_string_free(char *s) { std::free(s); }

}  // extern "C"
