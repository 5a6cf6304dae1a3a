// The C API (carepath/carepath.h) over the C++ runtime. No exception crosses
// it: every failure becomes a status and an error object (or, for the
// earlier functions, an error string).
#include "carepath/carepath.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "carepath/Rules.h"
#include "carepath/Signing.h"
#include "carepath/Table.h"
#include "carepath/Version.h"

using carepath::runtime::EvaluationError;
using carepath::runtime::InputSpec;
using carepath::runtime::LoadError;
using carepath::runtime::PatientError;

struct carepath_table {
  carepath::runtime::Table table;
};

struct carepath_trust {
  carepath::runtime::TrustStore store;
};

struct carepath_error {
  carepath_status code = CAREPATH_ERROR_INTERNAL;
  std::string message;
  struct Detail {
    carepath_problem problem = CAREPATH_PROBLEM_NONE;
    std::string input, expected, found, message;
  };
  std::vector<Detail> details;
};

struct carepath_result {
  std::vector<carepath::runtime::PatientValue> patient;
  carepath::runtime::Result result;
  bool evaluated = false;
  std::string json;
  // Computed at evaluation, so that reading them needs no table.
  std::vector<std::string> doses;  // [action]: displayDose
  std::vector<std::string> plans;  // [action]: displayPlan
  std::vector<std::optional<carepath::runtime::Table::PlanAmounts>> planAmounts;  // [action]
  struct NextState {
    std::string pathway, input, value;
  };
  std::vector<NextState> next;                            // course pathways' state inputs
  std::vector<std::pair<std::string, std::string>> exits;  // (pathway, exit) taken
  void clear() {
    evaluated = false;
    json.clear();
    doses.clear();
    plans.clear();
    planAmounts.clear();
    next.clear();
    exits.clear();
  }
};

namespace {

char *copy(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// Stores a new error with one detail (the message); returns `code`.
carepath_status fail(carepath_error **error, carepath_status code, const std::string &message) {
  if (error) {
    *error = new (std::nothrow) carepath_error;
    if (*error) {
      (*error)->code = code;
      (*error)->message = message;
      (*error)->details.push_back({CAREPATH_PROBLEM_NONE, "", "", "", message});
    }
  }
  return code;
}

carepath_status loadStatus(LoadError::Kind k) {
  switch (k) {
    case LoadError::Kind::Io: return CAREPATH_ERROR_IO;
    case LoadError::Kind::Malformed:
    case LoadError::Kind::TooLarge: return CAREPATH_ERROR_MALFORMED_TABLE;
    case LoadError::Kind::Unsupported: return CAREPATH_ERROR_UNSUPPORTED_TABLE;
    case LoadError::Kind::Tampered: return CAREPATH_ERROR_TAMPERED_TABLE;
    case LoadError::Kind::Unverified: return CAREPATH_ERROR_UNVERIFIED_TABLE;
    case LoadError::Kind::Unsigned: return CAREPATH_ERROR_UNSIGNED_TABLE;
    case LoadError::Kind::Untrusted: return CAREPATH_ERROR_UNTRUSTED_SIGNATURE;
    case LoadError::Kind::BadSignature: return CAREPATH_ERROR_BAD_SIGNATURE;
  }
  return CAREPATH_ERROR_INTERNAL;
}

carepath_status evaluationStatus(EvaluationError::Kind k) {
  switch (k) {
    case EvaluationError::Kind::InvalidPatient: return CAREPATH_ERROR_INVALID_PATIENT;
    case EvaluationError::Kind::Arithmetic: return CAREPATH_ERROR_ARITHMETIC;
    case EvaluationError::Kind::Undefined: return CAREPATH_ERROR_UNDEFINED_AMOUNT;
  }
  return CAREPATH_ERROR_INTERNAL;
}

carepath_problem problemOf(PatientError::Kind k) {
  using K = PatientError::Kind;
  switch (k) {
    case K::Malformed: return CAREPATH_PROBLEM_MALFORMED;
    case K::UnknownInput: return CAREPATH_PROBLEM_UNKNOWN_INPUT;
    case K::Duplicate: return CAREPATH_PROBLEM_DUPLICATE;
    case K::Missing: return CAREPATH_PROBLEM_MISSING;
    case K::WrongType: return CAREPATH_PROBLEM_WRONG_TYPE;
    case K::UnknownMember: return CAREPATH_PROBLEM_UNKNOWN_MEMBER;
    case K::NotANumber: return CAREPATH_PROBLEM_NOT_A_NUMBER;
    case K::UnknownUnit: return CAREPATH_PROBLEM_UNKNOWN_UNIT;
    case K::WrongDimension: return CAREPATH_PROBLEM_WRONG_DIMENSION;
    case K::NotInteger: return CAREPATH_PROBLEM_NOT_INTEGER;
    case K::OutOfRange: return CAREPATH_PROBLEM_OUT_OF_RANGE;
    case K::TooLarge: return CAREPATH_PROBLEM_TOO_LARGE;
  }
  return CAREPATH_PROBLEM_NONE;
}

carepath::runtime::LoadOptions options(unsigned flags, const carepath_trust *trust = nullptr) {
  carepath::runtime::LoadOptions o;
  o.allowUnverified = (flags & CAREPATH_ALLOW_UNVERIFIED) != 0;
  if (trust) o.trust = &trust->store;
  return o;
}

// Adds the keys of `pem` to `trust`: every failure a status.
carepath_status addKeys(carepath_trust *trust, std::string_view pem, const std::string &name, carepath_error **error) {
  try {
    trust->store.addPem(pem, name);
    return CAREPATH_OK;
  } catch (const carepath::runtime::KeyError &e) {
    return fail(error, CAREPATH_ERROR_INVALID_KEY, e.what());
  } catch (const std::bad_alloc &) {
    return fail(error, CAREPATH_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    return fail(error, CAREPATH_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(error, CAREPATH_ERROR_INTERNAL, "unknown error");
  }
}

template <typename Load> carepath_status openTable(Load load, carepath_table **table, carepath_error **error) {
  try {
    *table = new carepath_table{load()};
    return CAREPATH_OK;
  } catch (const LoadError &e) {
    return fail(error, loadStatus(e.kind), e.what());
  } catch (const std::bad_alloc &) {
    return fail(error, CAREPATH_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    return fail(error, CAREPATH_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(error, CAREPATH_ERROR_INTERNAL, "unknown error");
  }
}

// Reads and evaluates into `out`; on failure `out` is left empty.
carepath_status evaluate(const carepath_table *t, const char *patientJson, unsigned flags, carepath_result &out,
                         carepath_error **error) {
  out.clear();
  try {
    std::vector<PatientError> errors;
    auto patient = t->table.readPatient(patientJson, errors);
    if (!patient) {
      bool malformed = errors.size() == 1 && errors[0].kind == PatientError::Kind::Malformed;
      std::string all;
      for (const auto &e : errors) all += (all.empty() ? "" : "\n") + e.message;
      carepath_status code = malformed ? CAREPATH_ERROR_MALFORMED_PATIENT : CAREPATH_ERROR_INVALID_PATIENT;
      if (error) {
        // Built whole before it is handed over: out of memory half-way leaks nothing.
        auto made = std::make_unique<carepath_error>();
        made->code = code;
        made->message = all.empty() ? "invalid patient" : all;
        for (const auto &e : errors) made->details.push_back({problemOf(e.kind), e.input, e.expected, e.found, e.message});
        *error = made.release();
      }
      return code;
    }
    out.patient = std::move(*patient);
    carepath::runtime::EvaluateOptions eo;
    eo.explain = (flags & CAREPATH_EXPLAIN) != 0;
    t->table.evaluate(out.patient, out.result, eo);
    out.json = t->table.resultJson(out.patient, out.result, eo.explain);
    for (const auto &f : out.result.actions) {
      const auto &a = t->table.tables()[f.table].rules[f.rule].actions[f.action];
      out.doses.push_back(t->table.displayDose(a, f));
      out.plans.push_back(t->table.displayPlan(a, f));
      out.planAmounts.push_back(t->table.planAmounts(a, f));
    }
    if (out.result.inPopulation)
      for (uint32_t k = 0; k < t->table.tables().size(); ++k) {
        const std::string &pathway = t->table.tables()[k].name;
        carepath::runtime::Table::CourseState state = t->table.courseState(k, out.result);
        for (auto &[input, value] : state.next) out.next.push_back({pathway, input, value});
        for (std::string &exit : state.exits) out.exits.emplace_back(pathway, exit);
      }
    out.evaluated = true;
    return CAREPATH_OK;
  } catch (const EvaluationError &e) {
    out.clear();
    return fail(error, evaluationStatus(e.kind), e.what());
  } catch (const std::bad_alloc &) {
    out.clear();
    return fail(error, CAREPATH_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    out.clear();
    return fail(error, CAREPATH_ERROR_INTERNAL, e.what());
  } catch (...) {
    out.clear();
    return fail(error, CAREPATH_ERROR_INTERNAL, "unknown error");
  }
}

const InputSpec *inputAt(const carepath_table *t, size_t i) {
  return t && i < t->table.inputs().size() ? &t->table.inputs()[i] : nullptr;
}
const carepath::runtime::TableInfo *tableAt(const carepath_table *t, size_t k) {
  return t && k < t->table.tables().size() ? &t->table.tables()[k] : nullptr;
}
const carepath::runtime::RuleInfo *ruleAt(const carepath_table *t, size_t k, size_t r) {
  const auto *info = tableAt(t, k);
  return info && r < info->rules.size() ? &info->rules[r] : nullptr;
}
const carepath::runtime::ActionInfo *actionAt(const carepath_table *t, size_t k, size_t r, size_t a) {
  const auto *rule = ruleAt(t, k, r);
  return rule && a < rule->actions.size() ? &rule->actions[a] : nullptr;
}

// An end of an input's range in the unit the author wrote (the inverse of
// UnitSpec: written = (canonical - offset) / factor).
int bound(const carepath_table *t, size_t i, bool high, int64_t *num, int64_t *den) {
  const InputSpec *s = inputAt(t, i);
  if (!s || s->kind != InputSpec::Kind::Number) return 0;
  const std::optional<carepath::Rational> &end = high ? s->hi : s->lo;
  if (!end) return 0;
  carepath::Rational v = *end;
  for (const auto &u : s->units)
    if (u.name == s->displayUnit) {
      try {
        v = (v - u.offset) / u.factor;
      } catch (...) {
        return 0;  // not representable: reported as unbounded rather than wrong
      }
    }
  if (num) *num = v.num();
  if (den) *den = v.den();
  return 1;
}

// Fired action `i`'s entries of Result::contraindicated, which lists them
// in the order of the actions.
std::pair<const carepath::runtime::ContraindicationHit *, const carepath::runtime::ContraindicationHit *>
contraindicationsOf(const carepath_result *r, size_t i) {
  if (!r || !r->evaluated || i >= r->result.actions.size()) return {nullptr, nullptr};
  const auto &hits = r->result.contraindicated;
  struct ByAction {
    bool operator()(const carepath::runtime::ContraindicationHit &h, uint32_t a) const { return h.action < a; }
    bool operator()(uint32_t a, const carepath::runtime::ContraindicationHit &h) const { return a < h.action; }
  };
  auto range = std::equal_range(hits.begin(), hits.end(), static_cast<uint32_t>(i), ByAction{});
  return {hits.data() + (range.first - hits.begin()), hits.data() + (range.second - hits.begin())};
}

}  // namespace

extern "C" {

// ------------------------------------------------------------ errors

const char *carepath_status_name(carepath_status s) {
  switch (s) {
    case CAREPATH_OK: return "CAREPATH_OK";
    case CAREPATH_ERROR_INVALID_ARGUMENT: return "CAREPATH_ERROR_INVALID_ARGUMENT";
    case CAREPATH_ERROR_IO: return "CAREPATH_ERROR_IO";
    case CAREPATH_ERROR_MALFORMED_TABLE: return "CAREPATH_ERROR_MALFORMED_TABLE";
    case CAREPATH_ERROR_UNSUPPORTED_TABLE: return "CAREPATH_ERROR_UNSUPPORTED_TABLE";
    case CAREPATH_ERROR_TAMPERED_TABLE: return "CAREPATH_ERROR_TAMPERED_TABLE";
    case CAREPATH_ERROR_UNVERIFIED_TABLE: return "CAREPATH_ERROR_UNVERIFIED_TABLE";
    case CAREPATH_ERROR_MALFORMED_PATIENT: return "CAREPATH_ERROR_MALFORMED_PATIENT";
    case CAREPATH_ERROR_INVALID_PATIENT: return "CAREPATH_ERROR_INVALID_PATIENT";
    case CAREPATH_ERROR_ARITHMETIC: return "CAREPATH_ERROR_ARITHMETIC";
    case CAREPATH_ERROR_UNDEFINED_AMOUNT: return "CAREPATH_ERROR_UNDEFINED_AMOUNT";
    case CAREPATH_ERROR_OUT_OF_MEMORY: return "CAREPATH_ERROR_OUT_OF_MEMORY";
    case CAREPATH_ERROR_INTERNAL: return "CAREPATH_ERROR_INTERNAL";
    case CAREPATH_ERROR_UNSIGNED_TABLE: return "CAREPATH_ERROR_UNSIGNED_TABLE";
    case CAREPATH_ERROR_UNTRUSTED_SIGNATURE: return "CAREPATH_ERROR_UNTRUSTED_SIGNATURE";
    case CAREPATH_ERROR_BAD_SIGNATURE: return "CAREPATH_ERROR_BAD_SIGNATURE";
    case CAREPATH_ERROR_INVALID_KEY: return "CAREPATH_ERROR_INVALID_KEY";
  }
  return "";
}

carepath_status carepath_error_code(const carepath_error *e) { return e ? e->code : CAREPATH_ERROR_INVALID_ARGUMENT; }
const char *carepath_error_message(const carepath_error *e) { return e ? e->message.c_str() : ""; }
size_t carepath_error_detail_count(const carepath_error *e) { return e ? e->details.size() : 0; }
carepath_problem carepath_error_detail_problem(const carepath_error *e, size_t i) {
  return e && i < e->details.size() ? e->details[i].problem : CAREPATH_PROBLEM_NONE;
}
const char *carepath_error_detail_input(const carepath_error *e, size_t i) {
  return e && i < e->details.size() ? e->details[i].input.c_str() : nullptr;
}
const char *carepath_error_detail_expected(const carepath_error *e, size_t i) {
  return e && i < e->details.size() ? e->details[i].expected.c_str() : nullptr;
}
const char *carepath_error_detail_found(const carepath_error *e, size_t i) {
  return e && i < e->details.size() ? e->details[i].found.c_str() : nullptr;
}
const char *carepath_error_detail_message(const carepath_error *e, size_t i) {
  return e && i < e->details.size() ? e->details[i].message.c_str() : nullptr;
}
void carepath_error_free(carepath_error *e) { delete e; }

// ------------------------------------------------------------ loading

carepath_status carepath_table_open_file(const char *path, unsigned flags, carepath_table **table,
                                         carepath_error **error) {
  if (error) *error = nullptr;
  if (!table) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table pointer given");
  *table = nullptr;
  if (!path) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no path given");
  return openTable([&] { return carepath::runtime::Table::load(path, options(flags)); }, table, error);
}

carepath_status carepath_table_open_string(const char *text, size_t size, unsigned flags, carepath_table **table,
                                           carepath_error **error) {
  if (error) *error = nullptr;
  if (!table) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table pointer given");
  *table = nullptr;
  if (!text) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no text given");
  return openTable([&] { return carepath::runtime::Table::loadText(std::string_view(text, size), options(flags)); }, table,
              error);
}

void carepath_table_free(carepath_table *table) { delete table; }

const char *carepath_table_protocol_name(const carepath_table *t) { return t ? t->table.protocolName().c_str() : ""; }
const char *carepath_table_protocol_version(const carepath_table *t) {
  return t ? t->table.protocolVersion().c_str() : "";
}
carepath_trust *carepath_trust_new(void) { return new (std::nothrow) carepath_trust; }
void carepath_trust_free(carepath_trust *trust) { delete trust; }
size_t carepath_trust_key_count(const carepath_trust *trust) { return trust ? trust->store.size() : 0; }

carepath_status carepath_trust_add_pem(carepath_trust *trust, const char *pem, size_t size, carepath_error **error) {
  if (error) *error = nullptr;
  if (!trust || !pem) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, !trust ? "no trust store given" : "no text given");
  return addKeys(trust, std::string_view(pem, size), "<keys>", error);
}

carepath_status carepath_trust_add_file(carepath_trust *trust, const char *path, carepath_error **error) {
  if (error) *error = nullptr;
  if (!trust || !path) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, !trust ? "no trust store given" : "no path given");
  try {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) return fail(error, CAREPATH_ERROR_IO, std::string(path) + ": cannot read the key file");
    return addKeys(trust, text.str(), path, error);
  } catch (const std::bad_alloc &) {
    return fail(error, CAREPATH_ERROR_OUT_OF_MEMORY, "out of memory");
  }
}

carepath_status carepath_table_open_file_trusted(const char *path, unsigned flags, const carepath_trust *trust,
                                                 carepath_table **table, carepath_error **error) {
  if (error) *error = nullptr;
  if (!table) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table pointer given");
  *table = nullptr;
  if (!path) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no path given");
  // NULL would silently accept any table: the caller asked for a trusted load.
  if (!trust) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no trust store given");
  return openTable([&] { return carepath::runtime::Table::load(path, options(flags, trust)); }, table, error);
}

carepath_status carepath_table_open_string_trusted(const char *text, size_t size, unsigned flags,
                                                   const carepath_trust *trust, carepath_table **table,
                                                   carepath_error **error) {
  if (error) *error = nullptr;
  if (!table) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table pointer given");
  *table = nullptr;
  if (!text) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no text given");
  if (!trust) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no trust store given");
  return openTable(
      [&] { return carepath::runtime::Table::loadText(std::string_view(text, size), options(flags, trust)); }, table, error);
}

const char *carepath_table_signer(const carepath_table *t) { return t ? t->table.signer().c_str() : ""; }

const char *carepath_table_digest(const carepath_table *t) { return t ? t->table.digest().c_str() : ""; }
const char *carepath_table_verification(const carepath_table *t) {
  return t ? t->table.verificationStatus().c_str() : "";
}

// ------------------------------------------------------------ introspection

size_t carepath_table_input_count(const carepath_table *t) { return t ? t->table.inputs().size() : 0; }
const char *carepath_table_input_name(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s ? s->name.c_str() : nullptr;
}
int carepath_table_input_kind(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  if (!s) return -1;
  switch (s->kind) {
    case InputSpec::Kind::Bool: return CAREPATH_KIND_BOOL;
    case InputSpec::Kind::Enum: return CAREPATH_KIND_ENUM;
    case InputSpec::Kind::Number: return CAREPATH_KIND_NUMBER;
    case InputSpec::Kind::String: return CAREPATH_KIND_STRING;
  }
  return -1;
}
int carepath_table_input_optional(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s && s->optional ? 1 : 0;
}
int carepath_table_input_integer(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s && s->integer ? 1 : 0;
}
const char *carepath_table_input_unit(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s ? s->displayUnit.c_str() : nullptr;
}
const char *carepath_table_input_dimension(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s ? s->dimension.c_str() : nullptr;
}
size_t carepath_table_input_unit_count(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s ? s->units.size() : 0;
}
const char *carepath_table_input_unit_name(const carepath_table *t, size_t i, size_t u) {
  const InputSpec *s = inputAt(t, i);
  return s && u < s->units.size() ? s->units[u].name.c_str() : nullptr;
}
int carepath_table_input_min(const carepath_table *t, size_t i, int64_t *num, int64_t *den) {
  return bound(t, i, false, num, den);
}
int carepath_table_input_max(const carepath_table *t, size_t i, int64_t *num, int64_t *den) {
  return bound(t, i, true, num, den);
}
size_t carepath_table_input_member_count(const carepath_table *t, size_t i) {
  const InputSpec *s = inputAt(t, i);
  return s ? s->members.size() : 0;
}
const char *carepath_table_input_member(const carepath_table *t, size_t i, size_t m) {
  const InputSpec *s = inputAt(t, i);
  return s && m < s->members.size() ? s->members[m].c_str() : nullptr;
}

size_t carepath_table_table_count(const carepath_table *t) { return t ? t->table.tables().size() : 0; }
const char *carepath_table_table_name(const carepath_table *t, size_t k) {
  const auto *info = tableAt(t, k);
  return info ? info->name.c_str() : nullptr;
}
int carepath_table_table_is_pathway(const carepath_table *t, size_t k) {
  const auto *info = tableAt(t, k);
  return info && info->pathway ? 1 : 0;
}
size_t carepath_table_joint_course_count(const carepath_table *t) { return t ? t->table.jointCourses().size() : 0; }
size_t carepath_table_joint_course_pathway_count(const carepath_table *t, size_t j) {
  return t && j < t->table.jointCourses().size() ? t->table.jointCourses()[j].pathways.size() : 0;
}
size_t carepath_table_joint_course_pathway(const carepath_table *t, size_t j, size_t k) {
  if (!t || j >= t->table.jointCourses().size()) return static_cast<size_t>(-1);
  const std::vector<uint32_t> &pathways = t->table.jointCourses()[j].pathways;
  return k < pathways.size() ? pathways[k] : static_cast<size_t>(-1);
}
const char *carepath_table_table_hit_policy(const carepath_table *t, size_t k) {
  const auto *info = tableAt(t, k);
  return info ? carepath::spelling(info->hit) : nullptr;
}
size_t carepath_table_rule_count(const carepath_table *t, size_t k) {
  const auto *info = tableAt(t, k);
  return info ? info->rules.size() : 0;
}
const char *carepath_table_rule_name(const carepath_table *t, size_t k, size_t r) {
  const auto *rule = ruleAt(t, k, r);
  return rule ? rule->name.c_str() : nullptr;
}
size_t carepath_table_action_count(const carepath_table *t, size_t k, size_t r) {
  const auto *rule = ruleAt(t, k, r);
  return rule ? rule->actions.size() : 0;
}
const char *carepath_table_action_kind(const carepath_table *t, size_t k, size_t r, size_t a) {
  const auto *action = actionAt(t, k, r, a);
  return action ? carepath::spelling(action->kind) : nullptr;
}
const char *carepath_table_action_name(const carepath_table *t, size_t k, size_t r, size_t a) {
  const auto *action = actionAt(t, k, r, a);
  return action ? action->name.c_str() : nullptr;
}

int carepath_table_action_alternative(const carepath_table *t, size_t k, size_t r, size_t a, size_t *choice,
                                      size_t *option) {
  const auto *action = actionAt(t, k, r, a);
  if (!action || action->choice < 0) return 0;
  if (choice) *choice = static_cast<size_t>(action->choice);
  if (option) *option = static_cast<size_t>(action->option);
  return 1;
}

size_t carepath_table_assumption_count(const carepath_table *t) { return t ? t->table.assumptions().size() : 0; }
const char *carepath_table_assumption_name(const carepath_table *t, size_t i) {
  return t && i < t->table.assumptions().size() ? t->table.assumptions()[i].name.c_str() : nullptr;
}
const char *carepath_table_assumption_condition(const carepath_table *t, size_t i) {
  return t && i < t->table.assumptions().size() ? t->table.assumptions()[i].when.c_str() : nullptr;
}

namespace {
const carepath::runtime::ContraindicationInfo *contraindicationAt(const carepath_table *t, size_t i) {
  return t && i < t->table.contraindications().size() ? &t->table.contraindications()[i] : nullptr;
}
}  // namespace

size_t carepath_table_contraindication_count(const carepath_table *t) {
  return t ? t->table.contraindications().size() : 0;
}
const char *carepath_table_contraindication_drug(const carepath_table *t, size_t i) {
  const auto *c = contraindicationAt(t, i);
  return c ? c->drug.c_str() : nullptr;
}
const char *carepath_table_contraindication_condition(const carepath_table *t, size_t i) {
  const auto *c = contraindicationAt(t, i);
  return c ? c->when.c_str() : nullptr;
}
const char *carepath_table_contraindication_note(const carepath_table *t, size_t i) {
  const auto *c = contraindicationAt(t, i);
  return c ? c->note.c_str() : nullptr;
}
size_t carepath_table_contraindication_citation_count(const carepath_table *t, size_t i) {
  const auto *c = contraindicationAt(t, i);
  return c ? c->citations.size() : 0;
}
const char *carepath_table_contraindication_citation(const carepath_table *t, size_t i, size_t k) {
  const auto *c = contraindicationAt(t, i);
  return c && k < c->citations.size() ? c->citations[k].c_str() : nullptr;
}

namespace {
const carepath::runtime::CodeInfo *codeAt(const carepath_table *t, size_t i) {
  return t && i < t->table.codes().size() ? &t->table.codes()[i] : nullptr;
}
}  // namespace

size_t carepath_table_code_count(const carepath_table *t) { return t ? t->table.codes().size() : 0; }
const char *carepath_table_code_target(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c ? carepath::spelling(c->target) : nullptr;
}
const char *carepath_table_code_name(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c ? c->name.c_str() : nullptr;
}
const char *carepath_table_code_system(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c ? c->system.c_str() : nullptr;
}
const char *carepath_table_code_code(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c ? c->code.c_str() : nullptr;
}
const char *carepath_table_code_display(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c ? c->display.c_str() : nullptr;
}
const char *carepath_table_code_unspecified(const carepath_table *t, size_t i) {
  const auto *c = codeAt(t, i);
  return c && c->unspecified ? c->unspecified->c_str() : nullptr;
}
size_t carepath_table_action_code_count(const carepath_table *t, size_t k, size_t r, size_t a) {
  const auto *action = actionAt(t, k, r, a);
  return action ? t->table.actionCodings(*action).size() : 0;
}
size_t carepath_table_action_code(const carepath_table *t, size_t k, size_t r, size_t a, size_t i) {
  const auto *action = actionAt(t, k, r, a);
  if (!action) return static_cast<size_t>(-1);
  std::vector<uint32_t> codes = t->table.actionCodings(*action);
  return i < codes.size() ? codes[i] : static_cast<size_t>(-1);
}

// ------------------------------------------------------------ evaluation

carepath_result *carepath_result_new(void) { return new (std::nothrow) carepath_result; }
void carepath_result_free(carepath_result *r) { delete r; }

carepath_status carepath_table_evaluate_into(const carepath_table *t, const char *patient_json, unsigned flags,
                                             carepath_result *result, carepath_error **error) {
  if (error) *error = nullptr;
  if (!t || !patient_json || !result)
    return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table, patient or result given");
  return evaluate(t, patient_json, flags, *result, error);
}

const char *carepath_result_json(const carepath_result *r) { return r ? r->json.c_str() : ""; }
int carepath_result_in_population(const carepath_result *r) {
  return r && r->evaluated && r->result.inPopulation ? 1 : 0;
}
size_t carepath_result_action_count(const carepath_result *r) {
  return r && r->evaluated ? r->result.actions.size() : 0;
}
carepath_status carepath_result_action(const carepath_result *r, size_t i, size_t *table, size_t *rule,
                                       size_t *action) {
  if (!r || !r->evaluated || i >= r->result.actions.size()) return CAREPATH_ERROR_INVALID_ARGUMENT;
  const auto &f = r->result.actions[i];
  if (table) *table = f.table;
  if (rule) *rule = f.rule;
  if (action) *action = f.action;
  return CAREPATH_OK;
}
int carepath_result_action_amount(const carepath_result *r, size_t i, int64_t *low_num, int64_t *low_den,
                                  int64_t *high_num, int64_t *high_den) {
  if (!r || !r->evaluated || i >= r->result.actions.size()) return 0;
  const auto &f = r->result.actions[i];
  if (!f.amount) return 0;
  const carepath::Rational &high = f.amountHigh ? *f.amountHigh : *f.amount;
  if (low_num) *low_num = f.amount->num();
  if (low_den) *low_den = f.amount->den();
  if (high_num) *high_num = high.num();
  if (high_den) *high_den = high.den();
  return 1;
}
const char *carepath_result_action_dose(const carepath_result *r, size_t i) {
  return r && r->evaluated && i < r->doses.size() ? r->doses[i].c_str() : "";
}
const char *carepath_result_action_plan(const carepath_result *r, size_t i) {
  return r && r->evaluated && i < r->plans.size() ? r->plans[i].c_str() : "";
}
int carepath_result_action_plan_part(const carepath_result *r, size_t i, carepath_plan_part part, int64_t *low_num,
                                     int64_t *low_den, int64_t *high_num, int64_t *high_den) {
  if (!r || !r->evaluated || i >= r->planAmounts.size() || !r->planAmounts[i]) return 0;
  const carepath::runtime::Table::PlanAmounts &p = *r->planAmounts[i];
  const std::optional<carepath::Rational> *low = nullptr, *high = nullptr;
  switch (part) {
    case CAREPATH_PLAN_PER_DOSE: low = &p.perDose, high = &p.perDoseHigh; break;
    case CAREPATH_PLAN_PER_DAY: low = &p.perDay, high = &p.perDayHigh; break;
    case CAREPATH_PLAN_PER_COURSE: low = &p.perCourse, high = &p.perCourseHigh; break;
    case CAREPATH_PLAN_DOSES: low = high = &p.doses; break;
    case CAREPATH_PLAN_INTERVAL: low = high = &p.interval; break;
    default: return 0;
  }
  if (!*low || !*high) return 0;
  if (low_num) *low_num = (*low)->num();
  if (low_den) *low_den = (*low)->den();
  if (high_num) *high_num = (*high)->num();
  if (high_den) *high_den = (*high)->den();
  return 1;
}
size_t carepath_result_next_state_count(const carepath_result *r) { return r && r->evaluated ? r->next.size() : 0; }
carepath_status carepath_result_next_state(const carepath_result *r, size_t i, const char **pathway, const char **input,
                                           const char **value) {
  if (!r || !r->evaluated || i >= r->next.size()) return CAREPATH_ERROR_INVALID_ARGUMENT;
  if (pathway) *pathway = r->next[i].pathway.c_str();
  if (input) *input = r->next[i].input.c_str();
  if (value) *value = r->next[i].value.c_str();
  return CAREPATH_OK;
}
size_t carepath_result_exit_count(const carepath_result *r) { return r && r->evaluated ? r->exits.size() : 0; }
carepath_status carepath_result_exit(const carepath_result *r, size_t i, const char **pathway, const char **exit) {
  if (!r || !r->evaluated || i >= r->exits.size()) return CAREPATH_ERROR_INVALID_ARGUMENT;
  if (pathway) *pathway = r->exits[i].first.c_str();
  if (exit) *exit = r->exits[i].second.c_str();
  return CAREPATH_OK;
}
size_t carepath_result_violated_assumption_count(const carepath_result *r) {
  return r && r->evaluated ? r->result.violatedAssumptions.size() : 0;
}
size_t carepath_result_violated_assumption(const carepath_result *r, size_t i) {
  return r && r->evaluated && i < r->result.violatedAssumptions.size() ? r->result.violatedAssumptions[i]
                                                                          : static_cast<size_t>(-1);
}
size_t carepath_result_unreachable_course_count(const carepath_result *r) {
  return r && r->evaluated ? r->result.unreachableCourses.size() : 0;
}
size_t carepath_result_unreachable_course(const carepath_result *r, size_t i) {
  return r && r->evaluated && i < r->result.unreachableCourses.size() ? r->result.unreachableCourses[i]
                                                                       : static_cast<size_t>(-1);
}
size_t carepath_result_unreachable_joint_course_count(const carepath_result *r) {
  return r && r->evaluated ? r->result.unreachableJointCourses.size() : 0;
}
size_t carepath_result_unreachable_joint_course(const carepath_result *r, size_t i) {
  return r && r->evaluated && i < r->result.unreachableJointCourses.size() ? r->result.unreachableJointCourses[i]
                                                                            : static_cast<size_t>(-1);
}

size_t carepath_result_action_contraindication_count(const carepath_result *r, size_t i) {
  auto [begin, end] = contraindicationsOf(r, i);
  return static_cast<size_t>(end - begin);
}
size_t carepath_result_action_contraindication(const carepath_result *r, size_t i, size_t k, carepath_truth *truth) {
  auto [begin, end] = contraindicationsOf(r, i);
  if (k >= static_cast<size_t>(end - begin)) return static_cast<size_t>(-1);
  const auto &hit = begin[k];
  if (truth) *truth = hit.truth == carepath::Truth::True ? CAREPATH_TRUTH_TRUE : CAREPATH_TRUTH_UNKNOWN;
  return hit.contraindication;
}

// ------------------------------------------------------------ batch evaluation

size_t carepath_table_rule_total(const carepath_table *t) {
  size_t n = 0;
  if (t)
    for (const auto &info : t->table.tables()) n += info.rules.size();
  return n;
}

size_t carepath_table_rule_offset(const carepath_table *t, size_t k) {
  size_t n = 0;
  if (!t) return 0;
  for (size_t i = 0; i < k && i < t->table.tables().size(); ++i) n += t->table.tables()[i].rules.size();
  return n;
}

carepath_status carepath_table_evaluate_columns(const carepath_table *t, size_t patients,
                                                const carepath_value *const *columns, int32_t *status,
                                                uint8_t *in_population, uint8_t *fired, carepath_error **error) {
  if (error) *error = nullptr;
  if (!t || !status || (patients && !columns))
    return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no table, columns or status array given");
  const auto &inputs = t->table.inputs();
  for (size_t i = 0; i < inputs.size() && patients; ++i)
    if (!columns[i]) return fail(error, CAREPATH_ERROR_INVALID_ARGUMENT, "no column given for input '" + inputs[i].name + "'");
  // Each input's unit (the one carepath_table_input_unit names): values
  // are converted from it, as the JSON reader converts "14 kg".
  std::vector<const carepath::runtime::UnitSpec *> units(inputs.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i)
    for (const auto &u : inputs[i].units)
      if (u.name == inputs[i].displayUnit) units[i] = &u;
  const size_t total = carepath_table_rule_total(t);
  carepath_status first = CAREPATH_OK;
  try {
    std::vector<carepath::runtime::PatientValue> patient(inputs.size());
    carepath::runtime::Result r;
    for (size_t p = 0; p < patients; ++p) {
      carepath_status code = CAREPATH_OK;
      std::string message;
      try {
        for (size_t i = 0; i < inputs.size(); ++i) {
          const carepath_value &x = columns[i][p];
          carepath::runtime::PatientValue &v = patient[i];
          v = carepath::runtime::PatientValue{};
          v.kind = inputs[i].kind;
          v.missing = x.missing != 0;
          if (v.missing) continue;  // evaluate() refuses it for a required input
          auto invalid = [&](const std::string &why) {
            throw EvaluationError("input '" + inputs[i].name + "': " + why, EvaluationError::Kind::InvalidPatient);
          };
          switch (v.kind) {
            case InputSpec::Kind::Bool:
              if (x.num != 0 && x.num != 1) invalid("a bool value is 0 or 1, got " + std::to_string(x.num));
              v.boolean = x.num == 1;
              break;
            case InputSpec::Kind::Enum:
              if (x.num < 0 || x.num > INT32_MAX) invalid("no member " + std::to_string(x.num));
              v.member = static_cast<int>(x.num);
              break;
            case InputSpec::Kind::String:
              if (!x.text) invalid("no text given");
              v.text = x.text;
              break;
            case InputSpec::Kind::Number:
              if (x.den <= 0) invalid("the denominator must be positive, got " + std::to_string(x.den));
              try {
                carepath::Rational n(x.num, x.den);
                v.number = units[i] ? n * units[i]->factor + units[i]->offset : n;
              } catch (const std::exception &) {
                invalid("value too large or too precise");
              }
              break;
          }
        }
        t->table.evaluate(patient, r);
      } catch (const EvaluationError &e) {
        code = evaluationStatus(e.kind);
        message = e.what();
      }
      status[p] = code;
      if (in_population) in_population[p] = code == CAREPATH_OK && r.inPopulation ? 1 : 0;
      if (fired) {
        uint8_t *row = fired + p * total;
        std::memset(row, 0, total);
        if (code == CAREPATH_OK && r.inPopulation)
          for (size_t k = 0, n = 0; k < r.fired.size(); n += r.fired[k].size(), ++k)
            for (size_t rule = 0; rule < r.fired[k].size(); ++rule) row[n + rule] = r.fired[k][rule];
      }
      if (code != CAREPATH_OK && first == CAREPATH_OK) {
        first = code;
        fail(error, code, "patient " + std::to_string(p) + ": " + message);
      }
    }
  } catch (const std::bad_alloc &) {
    if (error && *error) carepath_error_free(*error);
    return fail(error, CAREPATH_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    if (error && *error) carepath_error_free(*error);
    return fail(error, CAREPATH_ERROR_INTERNAL, e.what());
  }
  return first;
}

const char *carepath_runtime_version(void) { return carepath::runtime::version(); }

// ------------------------------------------------------------ earlier API

carepath_table *carepath_table_load_file(const char *path, unsigned flags, char **error) {
  if (error) *error = nullptr;
  carepath_table *t = nullptr;
  carepath_error *e = nullptr;
  if (carepath_table_open_file(path, flags, &t, &e) != CAREPATH_OK && error) *error = copy(e ? e->message : "out of memory");
  carepath_error_free(e);
  return t;
}

carepath_table *carepath_table_load_string(const char *text, size_t size, unsigned flags, char **error) {
  if (error) *error = nullptr;
  carepath_table *t = nullptr;
  carepath_error *e = nullptr;
  if (carepath_table_open_string(text, size, flags, &t, &e) != CAREPATH_OK && error)
    *error = copy(e ? e->message : "out of memory");
  carepath_error_free(e);
  return t;
}

char *carepath_table_evaluate(const carepath_table *table, const char *patient_json, int explain, char **error) {
  if (error) *error = nullptr;
  carepath_result r;
  carepath_error *e = nullptr;
  char *out = nullptr;
  if (carepath_table_evaluate_into(table, patient_json, explain ? CAREPATH_EXPLAIN : 0u, &r, &e) == CAREPATH_OK) {
    out = copy(r.json);
    if (!out && error) *error = copy("out of memory");
  } else if (error) {
    *error = copy(e ? e->message : "out of memory");
  }
  carepath_error_free(e);
  return out;
}

void carepath_string_free(char *s) { std::free(s); }

}  // extern "C"
