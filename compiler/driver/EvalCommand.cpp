// `carepath eval TABLE PATIENT.json`: loads a compiled table with the
// runtime library (exactly what a downstream tool does), reads the patient
// against the table's inputs and prints what fires, with the doses and,
// with --explain, every condition checked.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "Output.h"
#include "carepath/Signing.h"
#include "carepath/Table.h"

namespace carepath::driver {

namespace {
struct EvalOptions {
  std::string table;
  std::string patient;
  std::string patients;  // batch mode: JSONL, one patient per line
  bool explain = false;
  bool allowUnverified = false;
  std::vector<std::string> trust;  // --trust: PEM public key files (docs/runtime.md, "Trusted tables")
};

// "yes", "no " or "?  " for a truth value, so the checks line up.
const char *mark(Truth t) {
  switch (t) {
    case Truth::True: return "yes";
    case Truth::False: return "no ";
    case Truth::Unknown: return "?  ";
  }
  return "?  ";
}

// One check of an explanation: its truth (or, for a number define, its
// value), its text in the author's terms, and the values it reads.
void printCheck(std::ostream &out, const runtime::Table &t, const runtime::Result &r, const runtime::ConditionCheck &c,
                const std::string &indent) {
  const runtime::NodeInfo &n = t.nodes()[c.node];
  out << indent << std::string(2 * c.depth, ' ');
  if (n.kind == runtime::InputSpec::Kind::Bool) out << mark(c.truth) << "  " << t.nodeLabel(c.node);
  else out << "     " << t.nodeLabel(c.node) << " = " << t.displayNode(c.node, r);
  std::string reads;
  for (uint32_t x : n.reads) reads += (reads.empty() ? "" : ", ") + t.nodeLabel(x) + " = " + t.displayNode(x, r);
  if (n.kind == runtime::InputSpec::Kind::Bool && n.op == runtime::NodeInfo::Op::Input && c.truth == Truth::Unknown)
    reads = "missing";
  if (!reads.empty()) out << "  (" << reads << ")";
  out << "\n";
}

std::string inputNames(const runtime::Table &t, const std::vector<uint32_t> &inputs) {
  std::string s;
  for (uint32_t i : inputs) s += (s.empty() ? "" : ", ") + t.inputs()[i].name;
  return s;
}

void printText(std::ostream &out, const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
               const runtime::Result &r, bool explain) {
  out << "protocol " << t.protocolName() << " " << t.protocolVersion() << " (" << t.verificationStatus() << ", "
      << t.digest().substr(0, 19);
  if (!t.signer().empty()) out << ", signed by " << t.signer().substr(0, 24);  // --trust: whose signature was checked
  out << ")\n";
  if (explain) {
    out << "patient:\n";
    for (uint32_t i = 0; i < t.inputs().size(); ++i)
      out << "  " << t.inputs()[i].name << " = " << t.displayValue(i, patient[i]) << "\n";
    if (t.population()) {
      out << "population: " << (r.inPopulation ? "inside" : r.populationUnknown ? "unknown (outside)" : "outside");
      if (!r.populationMissing.empty()) out << ", missing " << inputNames(t, r.populationMissing);
      out << "\n";
      for (const runtime::ConditionCheck &c : r.population) printCheck(out, t, r, c, "  ");
    }
  }
  // Before the decision: it was verified for no such patient.
  for (uint32_t k : r.violatedAssumptions) {
    const runtime::AssumptionInfo &a = t.assumptions()[k];
    out << "assumption violated: " << a.name << " (" << a.when << ")";
    if (!a.citations.empty()) {
      out << " [";
      for (size_t i = 0; i < a.citations.size(); ++i) out << (i ? ", " : "") << a.citations[i];
      out << "]";
    }
    out << "\n";
  }
  if (!r.inPopulation) {
    out << "outside the population: nothing applies\n";
    return;
  }
  const auto &tables = t.tables();
  if (explain) {
    uint32_t current = UINT32_MAX;
    for (const runtime::RuleTrace &rt : r.trace) {
      const runtime::TableInfo &tb = tables[rt.table];
      if (rt.table != current) {
        out << (tb.pathway ? "pathway " : "table ") << tb.name << " (hit " << spelling(tb.hit) << ")\n";
        current = rt.table;
      }
      const runtime::RuleInfo &rule = tb.rules[rt.rule];
      out << "  " << (rt.fired ? "FIRED  " : rt.matched ? "matched" : rt.guard == Truth::Unknown ? "unknown" : "-      ")
          << " " << rule.name << " when " << rule.when;
      if (!rule.citations.empty()) {
        out << " [";
        for (size_t i = 0; i < rule.citations.size(); ++i) out << (i ? ", " : "") << rule.citations[i];
        out << "]";
      }
      if (!rt.missing.empty()) out << "  (undecided: missing " << inputNames(t, rt.missing) << ")";
      out << "\n";
      for (const runtime::ConditionCheck &c : rt.checks) printCheck(out, t, r, c, "      ");
    }
  }
  out << "fired:\n";
  bool any = false;
  for (uint32_t ti = 0; ti < tables.size(); ++ti)
    for (uint32_t k = 0; k < tables[ti].rules.size(); ++k)
      if (r.fired[ti][k]) {
        out << "  " << tables[ti].name << "." << tables[ti].rules[k].name << "\n";
        any = true;
      }
  if (!any) out << "  (nothing)\n";
  bool undecided = false;
  for (uint32_t ti = 0; ti < tables.size(); ++ti)
    for (uint32_t k = 0; k < tables[ti].rules.size(); ++k)
      if (r.undecided[ti][k]) {
        if (!undecided) out << "undecided (a missing value):\n";
        undecided = true;
        out << "  " << tables[ti].name << "." << tables[ti].rules[k].name << "\n";
      }
  out << "actions:\n";
  const runtime::FiredAction *previous = nullptr;
  for (const runtime::FiredAction &f : r.actions) {
    const runtime::TableInfo &tb = tables[f.table];
    const runtime::ActionInfo &a = tb.rules[f.rule].actions[f.action];
    // Alternatives are listed under their `one of`, numbered as written (a
    // withheld one leaves its number out), not as given.
    std::string indent = "  ";
    if (a.choice >= 0) {
      const runtime::ActionInfo *prev = previous && previous->table == f.table && previous->rule == f.rule
                                            ? &tb.rules[f.rule].actions[previous->action]
                                            : nullptr;
      if (!prev || prev->choice != a.choice) out << "  one of (the clinician chooses):\n";
      bool sameAlternative = prev && prev->choice == a.choice && prev->option == a.option;
      indent = "    " + (sameAlternative ? std::string("   ") : std::to_string(a.option + 1) + ") ");
    }
    previous = &f;
    out << indent << spelling(a.kind);
    if (!a.name.empty()) out << " " << a.name;
    if (a.kind == ActionKind::Give) {
      if (f.amount) out << " " << t.displayDose(a, f);
      else out << " dose unspecified: " << a.reason;
    }
    if (a.kind == ActionKind::Unspecified) out << ": " << a.reason;
    if (!a.extra.empty()) out << " " << a.extra;
    out << "  (" << tb.name << "." << tb.rules[f.rule].name;
    if (!a.citations.empty()) {
      out << "; ";
      for (size_t i = 0; i < a.citations.size(); ++i) out << (i ? ", " : "") << a.citations[i];
    }
    out << ")\n";
    // The treatment plan, when it says more than the dose line: the amount
    // on another basis, the number of doses or their interval.
    if (a.kind == ActionKind::Give && a.plan) {
      const runtime::ActionInfo::Plan &p = *a.plan;
      bool more = (p.perDose && a.basis != "per dose" && !a.basis.empty()) || (p.perDay && a.basis != "per day") ||
                  (p.perCourse && a.basis != "total") || p.doses || p.interval;
      std::string plan = more ? t.displayPlan(a, f) : "";
      if (!plan.empty()) out << "    plan: " << plan << "\n";
    }
  }
  // Typed outputs: the single value, or the list in result order, with
  // the rule each value came from.
  bool header = false;
  for (uint32_t ti = 0; ti < tables.size(); ++ti)
    for (const runtime::OutputInfo &o : tables[ti].outputs) {
      if (!header) out << "outputs:\n";
      header = true;
      size_t oi = &o - tables[ti].outputs.data();
      out << "  " << tables[ti].name << "." << o.name << " = ";
      if (o.value) {
        out << t.displayOutput(ti, oi, *o.value, r);
      } else {
        out << "[";
        for (size_t k = 0; k < r.results[ti].size(); ++k)
          out << (k ? ", " : "") << t.displayOutput(ti, oi, tables[ti].rules[r.results[ti][k]].outputs[oi], r);
        out << "]";
      }
      std::string from;
      for (uint32_t k : r.results[ti]) from += (from.empty() ? "" : ", ") + tables[ti].rules[k].name;
      out << "  (" << (from.empty() ? "no rule fired" : "from " + from) << ")\n";
    }
  // Course pathways: where the patient is after this evaluation.
  for (const runtime::TableInfo &info : tables) {
    if (!info.course) continue;
    out << "next state (" << info.name << "):\n";
    auto now = [&](const std::string &name) {
      for (uint32_t i = 0; i < t.inputs().size() && i < patient.size(); ++i)
        if (t.inputs()[i].name == name) return t.displayValue(i, patient[i]);
      return std::string("?");
    };
    out << "  " << info.course->onInput << ": " << now(info.course->onInput) << " -> "
        << t.displayNode(info.course->onNext, r);
    std::string exits;
    for (const auto &[name, node] : info.course->exits)
      if (r.values[node].truth == Truth::True) exits += (exits.empty() ? "" : ", ") + name;
    if (!exits.empty()) out << "  (exit: " << exits << ")";
    out << "\n";
    for (const auto &[input, node] : info.course->tierNext)
      out << "  " << input << ": " << now(input) << " -> " << t.displayNode(node, r) << "\n";
  }
  for (const carepath::Violation &v : r.violations) out << "hit-policy violation: " << t.describe(v) << "\n";
}

// ------------------------------------------------------------------ batch mode
// `carepath eval TABLE --patients FILE.jsonl --format=jsonl`: one output line
// per patient line, for comparisons with other engines (tests/interop) and
// for throughput measurements: one process for any number of patients.
// Output line: {"inPopulation": b, "decisions": {NAME: {"fired": [rule...],
// "actions": [{"rule", "kind", "name", "amount"}], "violation": b,
// "outputs": {OUTPUT: {"value": v, "list": [{"rule", "value"}...]}}}}} with
// amounts and numbers exact ("1000/3", canonical units), enum members by
// name, missing null; or {"line": N, "error": "..."}.

nlohmann::json batchLine(const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
                         const runtime::Result &r) {
  using nlohmann::json;
  json decisions = json::object();
  const auto &tables = t.tables();
  for (uint32_t ti = 0; ti < tables.size(); ++ti) {
    json fired = json::array();
    for (uint32_t k = 0; k < tables[ti].rules.size(); ++k)
      if (r.inPopulation && r.fired[ti][k]) fired.push_back(tables[ti].rules[k].name);
    bool violation = false;
    for (const carepath::Violation &v : r.violations) violation = violation || v.table == ti;
    decisions[tables[ti].name] = {{"fired", fired}, {"actions", json::array()}, {"violation", violation}};
    if (tables[ti].outputs.empty()) continue;
    auto exact = [&](uint32_t node) -> json {
      const runtime::NodeValue &v = r.values.at(node);
      if (v.missing || v.error != runtime::NodeValue::Error::None) return nullptr;
      switch (t.nodes()[node].kind) {
        case runtime::InputSpec::Kind::Bool: return v.truth == Truth::True;
        case runtime::InputSpec::Kind::Enum: return t.enumMembers().at(t.nodes()[node].input).at(v.member);
        case runtime::InputSpec::Kind::Number: return v.number.str();
        case runtime::InputSpec::Kind::String: return v.text;
      }
      return nullptr;
    };
    json outputs = json::object();
    for (size_t o = 0; o < tables[ti].outputs.size(); ++o) {
      const runtime::OutputInfo &oi = tables[ti].outputs[o];
      json list = json::array();
      if (r.inPopulation)
        for (uint32_t k : r.results[ti]) list.push_back({{"rule", tables[ti].rules[k].name}, {"value", exact(tables[ti].rules[k].outputs[o])}});
      outputs[oi.name] = {{"value", oi.value && r.inPopulation ? exact(*oi.value) : json(nullptr)}, {"list", list}};
    }
    decisions[tables[ti].name]["outputs"] = outputs;
  }
  for (const runtime::FiredAction &f : r.actions) {
    const runtime::TableInfo &tb = tables[f.table];
    const runtime::ActionInfo &a = tb.rules[f.rule].actions[f.action];
    decisions[tb.name]["actions"].push_back({{"rule", tb.rules[f.rule].name},
                                             {"kind", spelling(a.kind)},
                                             {"name", a.name},
                                             {"amount", f.amount ? json(f.amount->str()) : json(nullptr)}});
    // A dose range: `amount` is its low end (docs/cli.md, "batch mode").
    if (a.amountHigh >= 0) decisions[tb.name]["actions"].back()["amountHigh"] = f.amountHigh->str();
    // An alternative of a `one of`, offered not given (docs/cli.md, "batch mode").
    if (a.choice >= 0) {
      decisions[tb.name]["actions"].back()["choice"] = a.choice;
      decisions[tb.name]["actions"].back()["option"] = a.option;
    }
  }
  (void)patient;
  json line = {{"inPopulation", r.inPopulation}, {"decisions", decisions}};
  // Only for a table with assumptions: every other line stays as it was.
  if (!t.assumptions().empty()) {
    json violated = json::array();
    for (uint32_t k : r.violatedAssumptions) violated.push_back(t.assumptions()[k].name);
    line["assumptionsViolated"] = violated;
  }
  return line;
}

// One line of batch output (or "" for a blank line); counts bad lines.
std::string batchOne(const runtime::Table &table, std::string_view line, size_t lineNo, runtime::Result &r, size_t &bad,
                     size_t &violating) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return "";
  std::vector<runtime::PatientError> errors;
  auto patient = table.readPatient(line, errors);
  nlohmann::json j;
  if (!patient) {
    std::string msg;
    for (const runtime::PatientError &e : errors) msg += (msg.empty() ? "" : "; ") + e.message;
    j = {{"line", lineNo}, {"error", msg}};
    ++bad;
  } else {
    try {
      table.evaluate(*patient, r);
      j = batchLine(table, *patient, r);
      if (!r.violatedAssumptions.empty()) ++violating;
    } catch (const runtime::EvaluationError &e) {
      j = {{"line", lineNo}, {"error", e.what()}};
      ++bad;
    }
  }
  // Invalid UTF-8 (quoted from a bad line) is replaced, never thrown from a worker.
  std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  return out;
}

// Streams: reads a block of lines, evaluates its two halves on two threads
// (each with its own Result), writes their output in line order, then the
// next block. Memory is bounded by the block; the output is the same
// whatever the number of threads.
int runBatch(const EvalOptions &o, const runtime::Table &table, DiagnosticEngine &diags) {
  std::ifstream in(o.patients, std::ios::binary);
  if (!in) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, "cannot read '" + o.patients + "'");
    return kExitFindings;
  }
  auto start = std::chrono::steady_clock::now();
  constexpr size_t kBlock = 8192;
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::string> lines(kBlock);
  std::string outs[2];
  size_t bads[2] = {0, 0};
  size_t violating[2] = {0, 0};  // patients who violate an assumption
  runtime::Result results[2];
  size_t lineNo = 0, patients = 0, bad = 0;
  auto work = [&](unsigned part, size_t n, size_t firstLine) {
    size_t begin = n * part / threads, end = n * (part + 1) / threads;
    outs[part].clear();
    for (size_t k = begin; k < end; ++k) {
      outs[part] += batchOne(table, lines[k], firstLine + k, results[part], bads[part], violating[part]);
    }
  };
  bool more = true;
  while (more) {
    size_t n = 0;
    while (n < kBlock && (more = static_cast<bool>(std::getline(in, lines[n])))) ++n;
    if (n == 0) break;
    size_t firstLine = lineNo + 1;
    lineNo += n;
    patients += n;
    std::thread helper;
    std::exception_ptr failed;
    if (threads > 1 && n >= 64)
      helper = std::thread([&] {
        try {
          work(1u, n, firstLine);
        } catch (...) {
          failed = std::current_exception();
        }
      });
    else outs[1].clear();
    std::exception_ptr here;
    try {
      if (helper.joinable()) work(0, n, firstLine);
      else {
        // One thread: the whole block here.
        outs[0].clear();
        for (size_t k = 0; k < n; ++k)
          outs[0] += batchOne(table, lines[k], firstLine + k, results[0], bads[0], violating[0]);
      }
    } catch (...) {
      here = std::current_exception();
    }
    if (helper.joinable()) helper.join();
    if (here) std::rethrow_exception(here);
    if (failed) std::rethrow_exception(failed);
    std::cout << outs[0] << outs[1];
  }
  std::cout << std::flush;
  bad = bads[0] + bads[1];
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The rate, on stderr: standard output stays one JSON line per patient.
  char rate[160];
  std::snprintf(rate, sizeof rate, "carepath eval: %zu lines in %.3f s (%.0f patients/s, %u threads)\n", patients,
                seconds, seconds > 0 ? static_cast<double>(patients) / seconds : 0.0, threads);
  std::cerr << rate;
  if (size_t n = violating[0] + violating[1])
    diags.report(DiagId::err_assumption_violated, SourceRange{},
                 o.patients + ": " + std::to_string(n) +
                     " patient(s) violate a population assumption of the protocol, which was verified for no such "
                     "patient (see their \"assumptionsViolated\" output lines)");
  if (bad) {
    diags.report(DiagId::err_patient_invalid, SourceRange{}, o.patients,
                 std::to_string(bad) + " line(s) could not be evaluated (see their \"error\" output lines)");
    return kExitFindings;
  }
  return violating[0] + violating[1] ? kExitFindings : kExitOk;
}

int run(const EvalOptions &o, CommandContext &ctx) {
  DiagnosticEngine &diags = ctx.diags();

  // --trust: only a table signed by one of these keys is loaded.
  std::optional<runtime::TrustStore> trust;
  for (const std::string &file : o.trust) {
    if (!trust) trust.emplace();
    try {
      trust->addFile(file);
    } catch (const runtime::KeyError &e) {
      diags.report(DiagId::err_trust_key, SourceRange{}, e.what());
      return kExitFindings;
    }
  }
  std::optional<runtime::Table> table;
  try {
    runtime::LoadOptions lo;
    lo.allowUnverified = o.allowUnverified;
    if (trust) lo.trust = &*trust;
    table = runtime::Table::load(o.table, lo);
  } catch (const runtime::LoadError &e) {
    diags.report(DiagId::err_table_load, SourceRange{}, e.what());
    return kExitFindings;
  }

  ctx.setStarted(true);
  if (!o.patients.empty()) return runBatch(o, *table, diags);
  if (o.patient.empty()) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, "no patient: give PATIENT.json or --patients FILE.jsonl");
    return kExitUsage;
  }
  std::string error;
  std::optional<std::string> text = readSourceFile(o.patient, error, 1u << 20);
  if (!text) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, o.patient + ": " + error);
    return kExitFindings;
  }
  std::vector<runtime::PatientError> errors;
  auto patient = table->readPatient(*text, errors);
  if (!patient) {
    for (const runtime::PatientError &e : errors) diags.report(DiagId::err_patient_invalid, SourceRange{}, o.patient, e.message);
    return kExitFindings;
  }

  runtime::Result r;
  try {
    runtime::EvaluateOptions eo;
    eo.explain = o.explain;
    table->evaluate(*patient, r, eo);
  } catch (const runtime::EvaluationError &e) {
    diags.report(DiagId::err_table_eval, SourceRange{}, e.what());
    return kExitFindings;
  }
  // JSON: the runtime's result object (docs/runtime.md), with the
  // diagnostics keys every command's JSON has.
  if (ctx.format() == Format::Json) ctx.payload().json = nlohmann::ordered_json::parse(table->resultJson(*patient, r, o.explain));
  else printText(std::cout, *table, *patient, r, o.explain);
  for (const carepath::Violation &v : r.violations)
    diags.report(DiagId::warn_table_hit_policy, SourceRange{}, table->describe(v));
  // The decision is shown, and the run fails: a patient the protocol's
  // assumptions exclude is a data error or a wrong assumption, never
  // silently decided (docs/cli.md, "carepath eval").
  for (uint32_t k : r.violatedAssumptions) {
    const runtime::AssumptionInfo &a = table->assumptions()[k];
    diags.report(DiagId::err_assumption_violated, SourceRange{},
                 o.patient + ": the patient violates assumption '" + a.name + "' (" + a.when +
                     "): the protocol was verified for no such patient, and its decision is unverified for this one");
  }
  return r.violatedAssumptions.empty() ? kExitOk : kExitFindings;
}
}  // namespace

Command evalCommand() {
  auto o = std::make_shared<EvalOptions>();
  Command c;
  c.name = "eval";
  c.help = "Evaluate a patient against a compiled decision table";
  c.formats = {Format::Text, Format::Json, Format::Jsonl};
  c.readsProtocols = false;
  c.declare = [o](CommandLine &line) {
    line.option("table", o->table, "Compiled table (carepath compile -o)", true);
    line.option("patient", o->patient, "Patient JSON ('-' for standard input)");
    line.option("--patients", o->patients,
                "Batch mode: a JSONL file, one patient per line; prints one JSON line per patient (--format=jsonl)");
    line.flag("--explain", o->explain, "Show every condition checked, with the patient's values and citations");
    line.list("--trust", o->trust,
              "Refuse the table unless it is signed by a key of this PEM file of Ed25519 public keys (may be repeated)");
    line.flag("--allow-unverified", o->allowUnverified,
              "Accept a table that is not marked verified (--force or --no-verify)");
  };
  c.run = [o](CommandContext &ctx) { return run(*o, ctx); };
  return c;
}

}  // namespace carepath::driver
