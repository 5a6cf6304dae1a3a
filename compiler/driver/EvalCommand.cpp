// `carepath eval TABLE PATIENT.json`: loads a compiled table with the
// runtime library (exactly what a downstream tool does), reads the patient
// against the table's inputs and prints what fires, with the doses and,
// with --explain, every condition checked.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "Output.h"
#include "basic/AtomicFile.h"
#include "carepath/Signing.h"
#include "carepath/Table.h"
#include "carepath/Utf8.h"

namespace carepath::driver {

namespace {
struct EvalOptions {
  std::string table;
  std::string patient;
  std::string patients;  // batch mode: JSONL, one patient per line
  bool explain = false;
  bool summary = false;
  bool allowUnverified = false;
  std::vector<std::string> trust;  // --trust: PEM public key files (docs/runtime.md, "Trusted tables")
  std::string writeCompact;        // --write-compact: the table in the compact format (docs/runtime.md)
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
                const std::string &indent, const char *suffix = "") {
  const runtime::NodeInfo &n = t.nodes()[c.node];
  out << indent << std::string(2 * c.depth, ' ');
  if (n.kind == runtime::InputSpec::Kind::Bool) out << mark(c.truth) << "  " << t.nodeLabel(c.node);
  else out << "     " << t.nodeLabel(c.node) << " = " << t.displayNode(c.node, r);
  std::string reads;
  for (uint32_t x : n.reads) reads += (reads.empty() ? "" : ", ") + t.nodeLabel(x) + " = " + t.displayNode(x, r);
  if (n.kind == runtime::InputSpec::Kind::Bool && n.op == runtime::NodeInfo::Op::Input && c.truth == Truth::Unknown)
    reads = "missing";
  if (!reads.empty()) out << "  (" << reads << ")";
  out << suffix << "\n";
}

// A rule's checks; a define (or named pathway, tier, rule) already shown
// with its parts is one line `(as above)`: the explanation says each
// define's parts once, not once per rule that reads it.
void printChecks(std::ostream &out, const runtime::Table &t, const runtime::Result &r,
                 const std::vector<runtime::ConditionCheck> &checks, const std::string &indent, std::set<uint32_t> &shown) {
  for (size_t i = 0; i < checks.size(); ++i) {
    const runtime::ConditionCheck &c = checks[i];
    bool parts = i + 1 < checks.size() && checks[i + 1].depth > c.depth;
    if (!parts || shown.insert(c.node).second) {
      printCheck(out, t, r, c, indent);
      continue;
    }
    printCheck(out, t, r, c, indent, "  (as above)");
    while (i + 1 < checks.size() && checks[i + 1].depth > c.depth) ++i;
  }
}

std::string inputNames(const runtime::Table &t, const std::vector<uint32_t> &inputs) {
  std::string s;
  for (uint32_t i : inputs) s += (s.empty() ? "" : ", ") + t.inputs()[i].name;
  return s;
}

// A contraindication that holds or may hold for an offered give, as the
// text and the summary show it under the give (docs/runtime.md,
// "Contraindications"): "CONTRAINDICATED: C (note) [cites]".
std::string contraindicationText(const runtime::Table &t, const runtime::ContraindicationHit &h) {
  const runtime::ContraindicationInfo &c = t.contraindications()[h.contraindication];
  std::string s = std::string(h.truth == Truth::True ? "CONTRAINDICATED" : "may be contraindicated (a missing value)") +
                  ": " + c.when + (c.note.empty() ? "" : " (" + c.note + ")");
  for (size_t i = 0; i < c.citations.size(); ++i) s += (i ? ", " : " [") + c.citations[i];
  return s + (c.citations.empty() ? "" : "]");
}

// A course pathway's state as the record gives it, as `carepath test` words
// it (verifier::courseStateText): "on_P, P_T_state = on, ..." ("not on_P").
std::string courseStateText(const runtime::Table &t, uint32_t table, const std::vector<runtime::PatientValue> &patient) {
  const runtime::CourseInfo &c = *t.tables()[table].course;
  auto value = [&](const std::string &name) -> const runtime::PatientValue * {
    for (uint32_t i = 0; i < t.inputs().size() && i < patient.size(); ++i)
      if (t.inputs()[i].name == name) return &patient[i];
    return nullptr;
  };
  const runtime::PatientValue *on = value(c.onInput);
  std::string out = (on && on->boolean ? "" : "not ") + c.onInput;
  for (const auto &[input, node] : c.tierNext) {
    const runtime::PatientValue *v = value(input);
    const std::vector<std::string> *members = nullptr;
    for (const runtime::InputSpec &in : t.inputs())
      if (in.name == input) members = &in.members;
    out += ", " + input + " = " +
           (v && members && v->member >= 0 && static_cast<size_t>(v->member) < members->size() ? (*members)[v->member] : "?");
  }
  return out;
}

// A set of course pathways read together (Table::jointCourses), as
// `carepath test` words it (verifier::pathwaysText, jointStateText): "care
// and watch", "on_care, ...; not on_watch, ...".
std::string jointNames(const runtime::Table &t, uint32_t joint, const std::string &quote = "") {
  const std::vector<uint32_t> &pws = t.jointCourses()[joint].pathways;
  std::string out;
  for (size_t k = 0; k < pws.size(); ++k)
    out += (k == 0 ? "" : k + 1 == pws.size() ? " and " : ", ") + quote + t.tables()[pws[k]].name + quote;
  return out;
}
std::string jointStateText(const runtime::Table &t, uint32_t joint, const std::vector<runtime::PatientValue> &patient) {
  std::string out;
  for (uint32_t pw : t.jointCourses()[joint].pathways) out += (out.empty() ? "" : "; ") + courseStateText(t, pw, patient);
  return out;
}

// The header line, then with --explain the patient, the population and
// every rule's conditions, each in the author's names (a define, a pathway
// `P`, a tier `P.T` named as written, with its parts one level deeper).
// False when the patient is outside the population (said, nothing more).
bool printHeader(std::ostream &out, const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
                 const runtime::Result &r, bool explain) {
  out << "protocol " << t.protocolName() << " " << t.protocolVersion() << " (" << t.verificationStatus() << ", "
      << t.digest().substr(0, 19);
  if (!t.signer().empty()) out << ", signed by " << t.signer().substr(0, 24);  // --trust: whose signature was checked
  out << ")\n";
  std::set<uint32_t> shown;  // defines whose parts are listed once
  if (explain) {
    out << "patient:\n";
    for (uint32_t i = 0; i < t.inputs().size(); ++i)
      out << "  " << t.inputs()[i].name << " = " << t.displayValue(i, patient[i]) << "\n";
    if (t.population()) {
      out << "population: " << (r.inPopulation ? "inside" : r.populationUnknown ? "unknown (outside)" : "outside");
      if (!r.populationMissing.empty()) out << ", missing " << inputNames(t, r.populationMissing);
      out << "\n";
      printChecks(out, t, r, r.population, "  ", shown);
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
  // Likewise: the course proofs say nothing about this record.
  for (uint32_t ti : r.unreachableCourses)
    out << "course state unreachable: " << t.tables()[ti].name << " (" << courseStateText(t, ti, patient) << ")\n";
  for (uint32_t j : r.unreachableJointCourses)
    out << "joint course state unreachable: " << jointNames(t, j) << " (" << jointStateText(t, j, patient) << ")\n";
  if (!r.inPopulation) {
    out << "outside the population: nothing applies\n";
    return false;
  }
  // With --explain, a course pathway whose reachable states the table does
  // not know: its records are not checked, and why.
  if (explain)
    for (const runtime::TableInfo &tb : t.tables())
      if (tb.course && !tb.course->reachable)
        out << "course states of " << tb.name << ": not checked ("
            << (tb.course->reachableWhy.empty() ? "the table does not list them" : tb.course->reachableWhy) << ")\n";
  if (explain)
    for (uint32_t j = 0; j < t.jointCourses().size(); ++j)
      if (!t.jointCourses()[j].reachable)
        out << "joint course states of " << jointNames(t, j) << ": not checked (" << t.jointCourses()[j].reachableWhy << ")\n";
  const auto &tables = t.tables();
  if (explain) {
    uint32_t current = UINT32_MAX;
    for (const runtime::RuleTrace &rt : r.trace) {
      const runtime::TableInfo &tb = tables[rt.table];
      if (rt.table != current) {
        out << (tb.pathway ? "pathway " : "table ") << tb.name;
        if (!tb.entryWhen.empty()) out << " for " << tb.entryWhen;
        out << " (hit " << spelling(tb.hit) << (tb.course ? ", course" : "") << ")\n";
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
      printChecks(out, t, r, rt.checks, "      ", shown);
    }
  }
  return true;
}

// After an intermittent infusion's time (`over 20 minutes`, the last of
// `extra`), the rate it runs at: " (1 mg/kg/minute, 14 mg/minute for this
// patient)"; "" for any other action.
std::string rateNote(const runtime::Table &t, const runtime::ActionInfo &a, const runtime::FiredAction &f,
                     const std::vector<runtime::PatientValue> &patient) {
  std::string rate = a.kind == ActionKind::Give ? t.displayRate(a, f, patient) : "";
  return rate.empty() ? "" : " (" + rate + " for this patient)";
}

void printText(std::ostream &out, const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
               const runtime::Result &r, bool explain) {
  if (!printHeader(out, t, patient, r, explain)) return;
  const auto &tables = t.tables();
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
      std::string route = a.route.empty() ? "" : " route " + a.route;
      if (f.amount) out << " " << t.displayDose(a, f) << route;
      else out << route << " dose unspecified: " << a.reason;
    }
    if (a.kind == ActionKind::Unspecified) out << ": " << a.reason;
    if (!a.extra.empty()) out << " " << a.extra << rateNote(t, a, f, patient);
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
    // The drug's contraindications that hold or may hold for this patient
    // (docs/runtime.md, "Contraindications").
    for (const runtime::ContraindicationHit &h : r.contraindicated)
      if (&r.actions[h.action] == &f) out << "    " << contraindicationText(t, h) << "\n";
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
  for (uint32_t ti = 0; ti < tables.size(); ++ti) {
    if (!tables[ti].course) continue;
    out << "next state (" << tables[ti].name << "):\n";
    auto now = [&](const std::string &name) {
      for (uint32_t i = 0; i < t.inputs().size() && i < patient.size(); ++i)
        if (t.inputs()[i].name == name) return t.displayValue(i, patient[i]);
      return std::string("?");
    };
    runtime::Table::CourseState state = t.courseState(ti, r);
    std::string exits;
    for (const std::string &name : state.exits) exits += (exits.empty() ? "" : ", ") + name;
    for (size_t k = 0; k < state.next.size(); ++k) {
      out << "  " << state.next[k].first << ": " << now(state.next[k].first) << " -> " << state.next[k].second;
      if (k == 0 && !exits.empty()) out << "  (exit: " << exits << ")";  // on the pathway's line
      out << "\n";
    }
  }
  for (const carepath::Violation &v : r.violations) out << "hit-policy violation: " << t.describe(v) << "\n";
}

// ------------------------------------------------------------------ --summary
// One screen for the clinician at the bedside (docs/cli.md, "eval
// --summary"): what to do now with the doses, what is due and by when,
// then tests, what to consider, what to monitor and reassess, where the
// patient is on each course, and what the protocol leaves open. Each line
// is an action as the protocol writes it, with its note and citations.

// A time from now for people, rounded (it only orders the bedside work):
// minutes under an hour, hours up to three days, days beyond, to one decimal.
std::string hours(const Rational &h) {
  double x = h.toDouble();
  const char *unit = "h";
  if (h < Rational(1)) x *= 60, unit = "minutes";
  else if (h > Rational(72)) x /= 24, unit = "days";
  char text[64];
  std::snprintf(text, sizeof text, "%.1f", x);
  std::string s = text;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s + " " + unit;
}

// The patient's value of an event input (the time since it), if given.
std::optional<Rational> since(const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
                              const std::string &event) {
  for (uint32_t i = 0; i < t.inputs().size() && i < patient.size(); ++i)
    if (t.inputs()[i].name == event && !patient[i].missing && patient[i].kind == runtime::InputSpec::Kind::Number)
      return patient[i].number;
  return std::nullopt;
}

// One action of the summary: what both renderings say (gatherSummary).
struct SummaryLine {
  int section = 0;
  Rational due;       // timed actions: hours from now to the deadline (or the start), for the order
  std::string text;   // the action as written, with its dose or its time
  std::string detail; // the plan, the time left, a cap reached
  std::string why;    // the note and the rule with its citations
  int choice = -1, option = -1;
  uint32_t table = 0, rule = 0;
  const runtime::FiredAction *fired = nullptr;
  const runtime::ActionInfo *action = nullptr;
  std::optional<Rational> cap;         // the amount a `max` holds the dose down to
  std::optional<Rational> start, end;  // timed: hours from now (negative: past) to the window's start and end
  std::string waitingFor;              // timed: the event it counts from, which has not happened
  std::vector<const runtime::ContraindicationHit *> contraindicated;  // a give's that hold or may hold
};

// A course pathway after this evaluation: where the patient is, and what
// the record should say next (the values that change).
struct SummaryCourse {
  std::string pathway;
  bool on = false;
  std::vector<std::string> at, exits;
  std::vector<std::pair<std::string, std::string>> next;  // input, value
};

struct Summary {
  bool inPopulation = true;
  std::vector<SummaryLine> lines;  // most urgent first
  std::vector<SummaryCourse> courses;
  std::vector<std::string> violations;
};

enum Section { kNow, kDue, kOrder, kConsider, kReassess, kOpen, kSections };
const char *sectionTitle(int s) {
  switch (s) {
    case kNow: return "now";
    case kDue: return "due (soonest first)";
    case kOrder: return "tests to order";
    case kConsider: return "to consider";
    case kReassess: return "monitor and reassess";
    case kOpen: return "not specified by the protocol";
  }
  return "";
}
// The section's key in --format=json (docs/cli.md).
const char *sectionKey(int s) {
  switch (s) {
    case kNow: return "now";
    case kDue: return "due";
    case kOrder: return "tests";
    case kConsider: return "consider";
    case kReassess: return "monitor";
    case kOpen: return "unspecified";
  }
  return "";
}

// The amount a `max` holds the dose down to, when it does: the min node's
// constant argument is the amount and the dose is above it.
std::optional<Rational> capReached(const runtime::Table &t, const runtime::Result &r, const runtime::ActionInfo &a,
                                   const runtime::FiredAction &f) {
  if (a.amount < 0 || !f.amount) return std::nullopt;
  const runtime::NodeInfo &n = t.nodes()[a.amount];
  if (n.op != runtime::NodeInfo::Op::Min) return std::nullopt;
  for (uint32_t x : n.args) {
    const runtime::NodeInfo &c = t.nodes()[x];
    if (c.op != runtime::NodeInfo::Op::Const || c.constant.number != *f.amount) continue;
    for (uint32_t y : n.args) {
      const runtime::NodeValue &v = r.values[y];
      if (y != x && !v.missing && v.error == runtime::NodeValue::Error::None && v.number > *f.amount) return *f.amount;
    }
  }
  return std::nullopt;
}

// Everything the summary says, in its order; printSummary and summaryJson
// render it.
Summary gatherSummary(const runtime::Table &t, const std::vector<runtime::PatientValue> &patient,
                      const runtime::Result &r) {
  Summary out;
  out.inPopulation = r.inPopulation;
  if (!r.inPopulation) return out;
  const auto &tables = t.tables();
  std::vector<SummaryLine> &lines = out.lines;
  for (const runtime::FiredAction &f : r.actions) {
    const runtime::TableInfo &tb = tables[f.table];
    const runtime::RuleInfo &rule = tb.rules[f.rule];
    const runtime::ActionInfo &a = rule.actions[f.action];
    SummaryLine l;
    l.table = f.table;
    l.rule = f.rule;
    l.choice = a.choice;
    l.option = a.option;
    l.fired = &f;
    l.action = &a;
    for (const runtime::ContraindicationHit &h : r.contraindicated)
      if (&r.actions[h.action] == &f) l.contraindicated.push_back(&h);
    l.text = std::string(spelling(a.kind)) + (a.name.empty() ? "" : " " + a.name);
    std::string cites;
    for (size_t i = 0; i < a.citations.size(); ++i) cites += (i ? ", " : "") + a.citations[i];
    l.why = (a.note.empty() ? "" : a.note + "; ") + tb.name + "." + rule.name + (cites.empty() ? "" : " [" + cites + "]");
    switch (a.kind) {
      case ActionKind::Give:
        if (!f.amount) {
          l.section = kOpen;
          l.text += (a.route.empty() ? "" : " route " + a.route) + " (no dose): " + a.reason;
          break;
        }
        l.section = kNow;
        l.text += " " + t.displayDose(a, f);
        if (!a.route.empty()) l.text += " route " + a.route;
        if (!a.extra.empty()) l.text += " " + a.extra + rateNote(t, a, f, patient);
        l.detail = t.displayPlan(a, f);
        l.cap = capReached(t, r, a, f);
        if (l.cap) {
          std::string cap = "capped at " + t.displayAmount(a, *l.cap) + (a.basis.empty() ? "" : " " + a.basis);
          l.detail += (l.detail.empty() ? "" : "; ") + cap;
        }
        break;
      case ActionKind::Unspecified:
        l.section = kOpen;
        l.text = a.reason;
        break;
      default: {
        l.section = a.kind == ActionKind::Order ? kOrder
                    : a.kind == ActionKind::Consider ? kConsider
                    : a.kind == ActionKind::Monitor ? kReassess
                                                     : kNow;
        if (!a.extra.empty()) l.text += " " + a.extra;
        if (!a.timing || a.timing->kind == "over") break;
        // A time counted from an event: how long from now, by the
        // patient's time since it.
        Rational elapsed = 0;
        if (!a.timing->anchor.empty()) {
          std::optional<Rational> s = since(t, patient, a.timing->anchor);
          if (!s) {
            l.waitingFor = a.timing->anchor;
            l.detail = a.timing->anchor + " has not happened";
            break;
          }
          elapsed = *s;
        }
        if (a.timing->kind == "within" && a.timing->hi) {
          l.section = kDue;
          l.due = *a.timing->hi - elapsed;
          l.end = l.due;
          l.detail = l.due > Rational(0) ? hours(l.due) + " left" : "overdue by " + hours(-l.due);
        } else if (a.timing->kind == "at" && a.timing->lo) {
          // Later: with what is to be reassessed, soonest first.
          l.section = kReassess;
          l.due = *a.timing->lo - elapsed;
          Rational end = (a.timing->hi ? *a.timing->hi : *a.timing->lo) - elapsed;
          l.start = l.due;
          l.end = end;
          if (l.due > Rational(0)) l.detail = "in " + hours(l.due) + (end != l.due ? " .. " + hours(end) : "");
          else if (end >= Rational(0)) l.detail = "now (until " + hours(end) + " from now)";
          else l.detail = "overdue by " + hours(-end);
        }
        break;
      }
    }
    lines.push_back(std::move(l));
  }
  // Urgency: the section, then (timed actions) the time left; otherwise
  // the order the result lists them in (tables in order, rules as written).
  std::stable_sort(lines.begin(), lines.end(), [](const SummaryLine &x, const SummaryLine &y) {
    if (x.section != y.section) return x.section < y.section;
    return (x.section == kDue || x.section == kReassess) && x.due < y.due;
  });
  // Where the patient is on each course after this evaluation, and what
  // the record should say next (the values that change).
  for (uint32_t ti = 0; ti < tables.size(); ++ti) {
    const runtime::TableInfo &info = tables[ti];
    if (!info.course) continue;
    auto now = [&](const std::string &name) {
      for (uint32_t i = 0; i < t.inputs().size() && i < patient.size(); ++i)
        if (t.inputs()[i].name == name) return t.displayValue(i, patient[i]);
      return std::string("?");
    };
    SummaryCourse c;
    c.pathway = info.name;
    c.on = r.values[info.course->onNext].truth == Truth::True;
    for (const auto &[name, node] : info.course->exits)
      if (r.values[node].truth == Truth::True) c.exits.push_back(name);
    for (uint32_t k = 0; k < info.rules.size(); ++k)
      if (r.fired[ti][k]) c.at.push_back(info.rules[k].name);
    std::vector<std::pair<std::string, uint32_t>> record{{info.course->onInput, info.course->onNext}};
    record.insert(record.end(), info.course->tierNext.begin(), info.course->tierNext.end());
    for (const auto &[input, node] : record)
      if (std::string v = t.displayNode(node, r); v != now(input)) c.next.emplace_back(input, v);
    out.courses.push_back(std::move(c));
  }
  for (const carepath::Violation &v : r.violations) out.violations.push_back(t.describe(v));
  return out;
}

std::string joined(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &x : items) s += (s.empty() ? "" : ", ") + x;
  return s;
}

void printSummary(std::ostream &out, const runtime::Table &t, const Summary &sum) {
  out << t.title() << " (" << t.protocolName() << " " << t.protocolVersion() << ", " << t.verificationStatus() << ")\n";
  if (!sum.inPopulation) {
    out << "outside the population: the protocol does not apply to this patient\n";
    return;
  }
  if (sum.lines.empty()) out << "nothing to do: no rule fired\n";
  for (int s = 0; s < kSections; ++s) {
    bool header = false;
    const SummaryLine *previous = nullptr;
    for (const SummaryLine &l : sum.lines) {
      if (l.section != s) continue;
      if (!header) out << sectionTitle(s) << ":\n";
      header = true;
      // The alternatives of a `one of` stay together, numbered as written.
      std::string indent = "  ";
      if (l.choice >= 0) {
        bool same = previous && previous->choice == l.choice && previous->table == l.table && previous->rule == l.rule;
        if (!same) out << "  one of (the clinician chooses):\n";
        indent = "    " + std::to_string(l.option + 1) + ") ";
      }
      previous = &l;
      // A time left stays on the action's line; a dose's plan and cap go below it.
      std::string pad(indent.size() + 2, ' ');
      bool timed = l.section == kDue || l.section == kReassess;
      out << indent << l.text << (timed && !l.detail.empty() ? ": " + l.detail : "") << "\n";
      // Right under the give: a drug not to be given to this patient.
      for (const runtime::ContraindicationHit *h : l.contraindicated) out << pad << contraindicationText(t, *h) << "\n";
      if (!timed && !l.detail.empty()) out << pad << l.detail << "\n";
      out << pad << "(" << l.why << ")\n";
    }
  }
  for (const SummaryCourse &c : sum.courses) {
    std::string next;
    for (const auto &[input, value] : c.next) next += (next.empty() ? "" : ", ") + input + " = " + value;
    out << "course " << c.pathway << ": " << (c.on ? "on the pathway" : "off the pathway");
    if (!c.at.empty()) out << ", at " << joined(c.at);
    if (!c.exits.empty()) out << " (exit: " << joined(c.exits) << ")";
    out << "\n  record next: " << (next.empty() ? "no change" : next) << "\n";
  }
  for (const std::string &v : sum.violations) out << "hit-policy violation: " << v << "\n";
}

// The summary as JSON (docs/cli.md, "eval --summary"): the same lines in
// the same order, each section a list; amounts exact in the canonical unit
// as eval's JSON writes them ("1000/3").
nlohmann::ordered_json summaryJson(const runtime::Table &t, const Summary &sum) {
  using ojson = nlohmann::ordered_json;
  ojson out = {{"title", t.title()}, {"inPopulation", sum.inPopulation}};
  for (int s = 0; s < kSections; ++s) {
    ojson items = ojson::array();
    for (const SummaryLine &l : sum.lines) {
      if (l.section != s) continue;
      const runtime::ActionInfo &a = *l.action;
      const runtime::FiredAction &f = *l.fired;
      const runtime::TableInfo &tb = t.tables()[l.table];
      ojson j = {{"kind", spelling(a.kind)}, {"name", a.name}, {"text", l.text}, {"detail", l.detail}};
      if (a.choice >= 0) j["choice"] = a.choice, j["option"] = a.option;
      if (!a.route.empty()) j["route"] = a.route;  // as in the result's actions
      if (a.kind == ActionKind::Give) {
        if (f.amount) {
          j["amount"] = f.amount->str();
          if (a.amountHigh >= 0) j["amountHigh"] = f.amountHigh->str();  // a range: amount is its low end
          j["canonicalUnit"] = a.canonicalUnit;
          j["basis"] = a.basis;
          // Per administration, per day, per course: the plan's factors
          // times the amount (null where the protocol does not say).
          const runtime::ActionInfo::Plan none{};
          const runtime::ActionInfo::Plan &p = a.plan ? *a.plan : none;
          auto times = [&](const std::optional<Rational> &amount, const std::optional<Rational> &factor) {
            return amount && factor ? ojson((*amount * *factor).str()) : ojson(nullptr);
          };
          j["perDose"] = times(f.amount, p.perDose);
          j["perDay"] = times(f.amount, p.perDay);
          j["perCourse"] = times(f.amount, p.perCourse);
          if (a.amountHigh >= 0) {
            j["perDoseHigh"] = times(f.amountHigh, p.perDose);
            j["perDayHigh"] = times(f.amountHigh, p.perDay);
            j["perCourseHigh"] = times(f.amountHigh, p.perCourse);
          }
          j["capped"] = l.cap.has_value();
          if (l.cap) j["cap"] = l.cap->str();
        } else {
          j["amount"] = nullptr;
          j["doseUnspecified"] = a.reason;
        }
      }
      if (a.kind == ActionKind::Unspecified) j["reason"] = a.reason;
      // As in the result's actions: only in a table with contraindications, on gives.
      if (a.kind == ActionKind::Give && !t.contraindications().empty()) {
        ojson cs = ojson::array();
        for (const runtime::ContraindicationHit *h : l.contraindicated) {
          const runtime::ContraindicationInfo &c = t.contraindications()[h->contraindication];
          cs.push_back({{"when", c.when}, {"note", c.note}, {"citations", c.citations}, {"truth", spelling(h->truth)}});
        }
        j["contraindications"] = std::move(cs);
      }
      if (!a.extra.empty()) j["timing"] = a.extra;
      // Timed: hours from now, exact (negative: overdue).
      if (l.section == kDue) {
        j["hoursLeft"] = l.end->str();
        j["overdue"] = !(*l.end > Rational(0));
      } else if (l.start) {
        j["startsInHours"] = l.start->str();
        j["endsInHours"] = l.end->str();
        j["overdue"] = *l.end < Rational(0);
      }
      if (!l.waitingFor.empty()) j["waitingFor"] = l.waitingFor;
      j["note"] = a.note;
      j["from"] = tb.name + "." + tb.rules[l.rule].name;
      j["citations"] = a.citations;
      items.push_back(std::move(j));
    }
    out[sectionKey(s)] = std::move(items);
  }
  ojson courses = ojson::array();
  for (const SummaryCourse &c : sum.courses) {
    ojson next = ojson::object();
    for (const auto &[input, value] : c.next) next[input] = value;
    courses.push_back({{"pathway", c.pathway}, {"onPathway", c.on}, {"at", c.at}, {"exits", c.exits}, {"recordNext", next}});
  }
  out["courses"] = std::move(courses);
  out["violations"] = sum.violations;
  return out;
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

bool hasCourse(const runtime::Table &t) {
  return std::any_of(t.tables().begin(), t.tables().end(), [](const runtime::TableInfo &tb) { return tb.course.has_value(); });
}

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
    // Only in a table with contraindications: each give's that hold or may hold.
    if (!t.contraindications().empty() && a.kind == ActionKind::Give) {
      json cs = json::array();
      for (const runtime::ContraindicationHit &h : r.contraindicated)
        if (&r.actions[h.action] == &f)
          cs.push_back({{"when", t.contraindications()[h.contraindication].when},
                        {"truth", h.truth == Truth::True ? "true" : "unknown"}});
      decisions[tb.name]["actions"].back()["contraindications"] = cs;
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
  // Only for a table with course pathways: those whose state no course produces.
  if (hasCourse(t)) {
    json unreachable = json::array();
    for (uint32_t ti : r.unreachableCourses) unreachable.push_back(tables[ti].name);
    line["courseStatesUnreachable"] = unreachable;
  }
  // Only for a table with sets of course pathways read together.
  if (!t.jointCourses().empty()) {
    json unreachable = json::array();
    for (uint32_t j : r.unreachableJointCourses) {
      json names = json::array();
      for (uint32_t ti : t.jointCourses()[j].pathways) names.push_back(tables[ti].name);
      unreachable.push_back(names);
    }
    line["jointCourseStatesUnreachable"] = unreachable;
  }
  return line;
}

// The same line written by hand (no JSON object per patient: that object
// was the cost of batch mode). Byte-identical to batchLine's dump:
// nlohmann's objects sort their keys, so tables, outputs and the keys of
// each object are written in sorted order; strings are escaped as its
// dump escapes them. The reference writer is kept for the cases this one
// does not cover (an error line, a name twice, text that is not UTF-8) and
// for tests (CAREPATH_EVAL_WRITER=json, docs/cli.md).

// Whether `s` is well-formed UTF-8, by the toolchain's one decoder (as
// strict as nlohmann's dump).
bool validUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = decodeUtf8(s, i).length;
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// A JSON string as nlohmann's dump writes it (ensure_ascii off); false
// (nothing written) when the text is not UTF-8.
bool appendString(std::string &out, std::string_view s) {
  if (!validUtf8(s)) return false;
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c <= 0x1F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return true;
}

class BatchWriter {
public:
  explicit BatchWriter(const runtime::Table &t) : t_(t) {
    const auto &tables = t.tables();
    for (uint32_t ti = 0; ti < tables.size(); ++ti) byName_.push_back(ti);
    std::sort(byName_.begin(), byName_.end(), [&](uint32_t a, uint32_t b) { return tables[a].name < tables[b].name; });
    ok_ = !std::getenv("CAREPATH_EVAL_WRITER") || std::string(std::getenv("CAREPATH_EVAL_WRITER")) != "json";
    // A table with assumptions adds "assumptionsViolated" to each line.
    for (const runtime::AssumptionInfo &a : t.assumptions()) {
      std::string q;
      ok_ = ok_ && appendString(q, a.name);
      assumptionName_.push_back(q);
    }
    // One with contraindications adds each give's "contraindications": the
    // reference writer writes those.
    ok_ = ok_ && t.contraindications().empty();
    for (size_t k = 1; k < byName_.size(); ++k) ok_ = ok_ && tables[byName_[k - 1]].name != tables[byName_[k]].name;
    // Names, quoted once.
    tableKey_.resize(tables.size());
    ruleName_.resize(tables.size());
    outputOrder_.resize(tables.size());
    outputKey_.resize(tables.size());
    actionName_.resize(tables.size());
    for (uint32_t ti = 0; ti < tables.size() && ok_; ++ti) {
      const runtime::TableInfo &info = tables[ti];
      ok_ = ok_ && appendString(tableKey_[ti], info.name);
      tableKey_[ti] += ':';
      for (const runtime::RuleInfo &rule : info.rules) {
        std::string q;
        ok_ = ok_ && appendString(q, rule.name);
        ruleName_[ti].push_back(q);
        std::vector<std::string> names;
        for (const runtime::ActionInfo &a : rule.actions) {
          std::string n;
          ok_ = ok_ && appendString(n, a.name);
          names.push_back(n);
        }
        actionName_[ti].push_back(std::move(names));
      }
      for (uint32_t o = 0; o < info.outputs.size(); ++o) outputOrder_[ti].push_back(o);
      std::sort(outputOrder_[ti].begin(), outputOrder_[ti].end(),
                [&](uint32_t a, uint32_t b) { return info.outputs[a].name < info.outputs[b].name; });
      for (size_t k = 1; k < outputOrder_[ti].size(); ++k)
        ok_ = ok_ && info.outputs[outputOrder_[ti][k - 1]].name != info.outputs[outputOrder_[ti][k]].name;
      for (const runtime::OutputInfo &o : info.outputs) {
        std::string q;
        ok_ = ok_ && appendString(q, o.name);
        outputKey_[ti].push_back(q + ':');
      }
    }
    actionsOf_.resize(tables.size());
    course_ = hasCourse(t);
  }

  /// Appends the line (with its newline); false when this writer does not
  /// cover it (nothing appended): the caller then uses the reference one.
  bool write(std::string &out, const runtime::Result &r) {
    if (!ok_) return false;
    size_t start = out.size();
    const auto &tables = t_.tables();
    for (auto &list : actionsOf_) list.clear();
    for (size_t k = 0; k < r.actions.size(); ++k) actionsOf_[r.actions[k].table].push_back(k);
    out += '{';
    if (!assumptionName_.empty()) {  // sorted first, as batchLine's keys are
      out += "\"assumptionsViolated\":[";
      for (size_t k = 0; k < r.violatedAssumptions.size(); ++k) {
        if (k) out += ',';
        out += assumptionName_[r.violatedAssumptions[k]];
      }
      out += "],";
    }
    if (course_) {  // "courseStatesUnreachable" sorts before "decisions"
      out += "\"courseStatesUnreachable\":[";
      for (size_t k = 0; k < r.unreachableCourses.size(); ++k) {
        if (k) out += ',';
        std::string_view key = tableKey_[r.unreachableCourses[k]];
        out += key.substr(0, key.size() - 1);  // the quoted name, without its ':'
      }
      out += "],";
    }
    out += "\"decisions\":{";
    bool firstTable = true;
    for (uint32_t ti : byName_) {
      const runtime::TableInfo &info = tables[ti];
      if (!firstTable) out += ',';
      firstTable = false;
      out += tableKey_[ti];
      out += "{\"actions\":[";
      for (size_t k = 0; k < actionsOf_[ti].size(); ++k) {
        const runtime::FiredAction &f = r.actions[actionsOf_[ti][k]];
        const runtime::ActionInfo &a = info.rules[f.rule].actions[f.action];
        if (k) out += ',';
        out += "{\"amount\":";
        if (f.amount) {
          out += '"';
          out += f.amount->str();
          out += '"';
        } else {
          out += "null";
        }
        if (a.amountHigh >= 0) {
          out += ",\"amountHigh\":\"";
          out += f.amountHigh->str();
          out += '"';
        }
        if (a.choice >= 0) {
          out += ",\"choice\":";
          out += std::to_string(a.choice);
        }
        out += ",\"kind\":\"";
        out += spelling(a.kind);
        out += "\",\"name\":";
        out += actionName_[ti][f.rule][f.action];
        if (a.choice >= 0) {
          out += ",\"option\":";
          out += std::to_string(a.option);
        }
        out += ",\"rule\":";
        out += ruleName_[ti][f.rule];
        out += '}';
      }
      out += "],\"fired\":[";
      bool firstRule = true;
      // memchr finds the few fired rules of a wide table without a
      // byte-by-byte loop over all of them (flags are 0 or 1).
      if (r.inPopulation) {
        const uint8_t *base = r.fired[ti].data(), *end = base + r.fired[ti].size();
        for (const uint8_t *p = base; p < end; ++p) {
          p = static_cast<const uint8_t *>(std::memchr(p, 1, static_cast<size_t>(end - p)));
          if (!p) break;
          if (!firstRule) out += ',';
          firstRule = false;
          out += ruleName_[ti][static_cast<size_t>(p - base)];
        }
      }
      out += ']';
      if (!info.outputs.empty()) {
        out += ",\"outputs\":{";
        bool firstOutput = true;
        for (uint32_t o : outputOrder_[ti]) {
          const runtime::OutputInfo &oi = info.outputs[o];
          if (!firstOutput) out += ',';
          firstOutput = false;
          out += outputKey_[ti][o];
          out += "{\"list\":[";
          if (r.inPopulation)
            for (size_t k = 0; k < r.results[ti].size(); ++k) {
              uint32_t rule = r.results[ti][k];
              if (k) out += ',';
              out += "{\"rule\":";
              out += ruleName_[ti][rule];
              out += ",\"value\":";
              if (!exact(out, r, info.rules[rule].outputs[o])) return undo(out, start);
              out += '}';
            }
          out += "],\"value\":";
          if (oi.value && r.inPopulation) {
            if (!exact(out, r, *oi.value)) return undo(out, start);
          } else {
            out += "null";
          }
          out += '}';
        }
        out += '}';
      }
      bool violation = false;
      for (const carepath::Violation &v : r.violations) violation = violation || v.table == ti;
      out += violation ? ",\"violation\":true}" : ",\"violation\":false}";
    }
    out += r.inPopulation ? "},\"inPopulation\":true" : "},\"inPopulation\":false";
    if (!t_.jointCourses().empty()) {  // "jointCourseStatesUnreachable" sorts last
      out += ",\"jointCourseStatesUnreachable\":[";
      for (size_t k = 0; k < r.unreachableJointCourses.size(); ++k) {
        out += k ? ",[" : "[";
        const std::vector<uint32_t> &pws = t_.jointCourses()[r.unreachableJointCourses[k]].pathways;
        for (size_t i = 0; i < pws.size(); ++i) {
          std::string_view key = tableKey_[pws[i]];
          out += i ? "," : "";
          out += key.substr(0, key.size() - 1);  // the quoted name, without its ':'
        }
        out += ']';
      }
      out += ']';
    }
    out += "}\n";
    return true;
  }

private:
  // A node's exact value, as batchLine's `exact` gives it.
  bool exact(std::string &out, const runtime::Result &r, uint32_t node) const {
    const runtime::NodeValue &v = r.values.at(node);
    if (v.missing || v.error != runtime::NodeValue::Error::None) {
      out += "null";
      return true;
    }
    switch (t_.nodes()[node].kind) {
      case runtime::InputSpec::Kind::Bool: out += v.truth == Truth::True ? "true" : "false"; return true;
      case runtime::InputSpec::Kind::Enum: return appendString(out, t_.enumMembers().at(t_.nodes()[node].input).at(v.member));
      case runtime::InputSpec::Kind::Number:
        out += '"';
        out += v.number.str();
        out += '"';
        return true;
      case runtime::InputSpec::Kind::String: return appendString(out, v.text);
    }
    out += "null";
    return true;
  }
  static bool undo(std::string &out, size_t start) {
    out.resize(start);
    return false;
  }

  const runtime::Table &t_;
  bool ok_ = true;
  bool course_ = false;  // a table with course pathways: each line has "courseStatesUnreachable"
  std::vector<uint32_t> byName_;                      // tables in key order
  std::vector<std::string> tableKey_;                 // [table] "\"name\":"
  std::vector<std::string> assumptionName_;           // [assumption] "\"name\"", quoted
  std::vector<std::vector<std::string>> ruleName_;    // [table][rule] quoted
  std::vector<std::vector<uint32_t>> outputOrder_;    // [table] outputs in key order
  std::vector<std::vector<std::string>> outputKey_;   // [table][output] "\"name\":"
  std::vector<std::vector<std::vector<std::string>>> actionName_;  // [table][rule][action] quoted
  std::vector<std::vector<size_t>> actionsOf_;        // [table] indices into Result::actions (reused)
};

// One line of batch output appended to `out` (nothing for a blank line);
// counts bad lines.
void batchOne(const runtime::Table &table, BatchWriter &writer, std::string_view line, size_t lineNo,
              std::vector<runtime::PatientValue> &patient, runtime::Result &r, size_t &bad, size_t &violating,
              size_t &unreachable, size_t &contraindicated, std::string &out) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return;
  std::vector<runtime::PatientError> errors;
  nlohmann::json j;
  if (!table.readPatient(line, patient, errors)) {
    std::string msg;
    for (const runtime::PatientError &e : errors) msg += (msg.empty() ? "" : "; ") + e.message;
    j = {{"line", lineNo}, {"error", msg}};
    ++bad;
  } else {
    try {
      table.evaluate(patient, r);
      if (!r.violatedAssumptions.empty()) ++violating;
      if (!r.unreachableCourses.empty() || !r.unreachableJointCourses.empty()) ++unreachable;
      if (!r.contraindicated.empty()) ++contraindicated;
      if (writer.write(out, r)) return;
      j = batchLine(table, patient, r);
    } catch (const runtime::EvaluationError &e) {
      j = {{"line", lineNo}, {"error", e.what()}};
      ++bad;
    }
  }
  // Invalid UTF-8 (quoted from a bad line) is replaced, never thrown from a worker.
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
}

// Streams, as an ordered pipeline: each thread takes the next chunk of the
// file (reading is serial, under a lock), evaluates its complete lines with
// its own Result and writer, then waits for its turn to write, so the output
// is in line order whatever the number of threads. While one thread reads or
// writes, the other evaluates: the serial part no longer stops both cores.
// The lines are views into the chunk (no copy per line); memory is bounded
// by one chunk (or the longest line) per thread.
int runBatch(const EvalOptions &o, const runtime::Table &table, DiagnosticEngine &diags) {
  std::ifstream in(o.patients, std::ios::binary);
  if (!in) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, "cannot read '" + o.patients + "'");
    return kExitFindings;
  }
  auto start = std::chrono::steady_clock::now();
  constexpr size_t kChunk = size_t(2) << 20;
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  // Shared by the readers (under `readLock`): the file, the incomplete last
  // line carried to the next chunk, the next line's number, the chunks taken.
  std::mutex readLock;
  std::string carry;
  bool eof = false;
  size_t nextLine = 1, taken = 0;
  // The writers' turn (under `writeLock`): the chunk whose output is next.
  std::mutex writeLock;
  std::condition_variable turn;
  size_t written = 0;
  std::atomic<bool> stop = false;  // a thread failed: the others end
  std::exception_ptr failed;
  size_t bads[2] = {0, 0};
  size_t violating[2] = {0, 0};  // patients who violate an assumption
  size_t unreachable[2] = {0, 0};  // patients in a course state no course produces
  size_t contraindicated[2] = {0, 0};  // patients offered a give whose contraindication holds or may hold
  size_t counts[2] = {0, 0};     // lines
  auto worker = [&](unsigned part) {
    BatchWriter writer(table);
    runtime::Result result;
    std::vector<runtime::PatientValue> patient;  // reused, as the result is
    std::string buf, out;
    std::vector<std::string_view> lines;
    try {
      for (;;) {
        size_t seq, firstLine;
        {
          std::lock_guard<std::mutex> g(readLock);
          if (eof || stop) return;
          buf.assign(carry);
          size_t kept = buf.size();
          buf.resize(kept + kChunk);
          in.read(buf.data() + kept, static_cast<std::streamsize>(kChunk));
          size_t size = kept + static_cast<size_t>(in.gcount());
          eof = size == kept || !in;
          buf.resize(size);
          // The complete lines; at the end of the file, the last one too.
          lines.clear();
          size_t from = 0;
          for (const char *p; (p = static_cast<const char *>(std::memchr(buf.data() + from, '\n', size - from)));) {
            size_t at = static_cast<size_t>(p - buf.data());
            lines.emplace_back(buf.data() + from, at - from);
            from = at + 1;
          }
          if (eof && from < size) {
            lines.emplace_back(buf.data() + from, size - from);
            from = size;
          }
          // The incomplete last line goes to the next chunk's reader.
          carry.assign(buf, from, size - from);
          seq = taken++;
          firstLine = nextLine;
          nextLine += lines.size();
        }
        counts[part] += lines.size();
        out.clear();
        for (size_t k = 0; k < lines.size(); ++k)
          batchOne(table, writer, lines[k], firstLine + k, patient, result, bads[part], violating[part],
                   unreachable[part], contraindicated[part], out);
        std::unique_lock<std::mutex> g(writeLock);
        turn.wait(g, [&] { return written == seq || stop; });
        if (stop) return;
        std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
        ++written;
        turn.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> g(writeLock);
      if (!failed) failed = std::current_exception();
      stop = true;
      turn.notify_all();
    }
  };
  std::thread helper;
  if (threads > 1) helper = std::thread(worker, 1u);
  worker(0);
  if (helper.joinable()) helper.join();
  if (failed) std::rethrow_exception(failed);
  size_t patients = counts[0] + counts[1], bad = 0;
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
  if (size_t n = unreachable[0] + unreachable[1])
    diags.report(DiagId::err_course_state_unreachable, SourceRange{},
                 o.patients + ": " + std::to_string(n) +
                     " patient(s) are in a course state no course from a fresh patient produces, about which the "
                     "verifier's proofs that read the course state (its doses and limits too) say nothing (see their \"courseStatesUnreachable\"" +
                     (table.jointCourses().empty() ? "" : " and \"jointCourseStatesUnreachable\"") + " output lines)");
  if (size_t n = contraindicated[0] + contraindicated[1])
    diags.report(DiagId::err_contraindicated, SourceRange{},
                 o.patients + ": " + std::to_string(n) +
                     " patient(s) are offered a drug whose contraindication holds or may hold for them (see the "
                     "\"contraindications\" of their output lines' gives)");
  if (bad) {
    diags.report(DiagId::err_patient_invalid, SourceRange{}, o.patients,
                 std::to_string(bad) + " line(s) could not be evaluated (see their \"error\" output lines)");
    return kExitFindings;
  }
  return violating[0] + violating[1] + unreachable[0] + unreachable[1] + contraindicated[0] + contraindicated[1] ? kExitFindings
                                                                                                              : kExitOk;
}

int run(const EvalOptions &o, CommandContext &ctx) {
  DiagnosticEngine &diags = ctx.diags();
  if (o.summary && !o.patients.empty()) {
    // Batch mode's lines are the decision for other engines, one shape.
    diags.report(DiagId::err_cannot_read_file, SourceRange{},
                 "--summary is for one patient (PATIENT.json): batch mode (--patients) writes one decision line per "
                 "patient");
    return kExitUsage;
  }

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
  if (!o.writeCompact.empty()) {
    // The table as loaded (every check above passed), in the compact format.
    std::string error;
    if (!writeFileAtomically(o.writeCompact, table->compact(), error)) {
      diags.report(DiagId::err_cannot_write_output, SourceRange{}, error);
      return kExitFindings;
    }
    return kExitOk;
  }
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
    eo.scan = o.summary;  // every node computed: the summary reads a capped dose's uncapped value
    table->evaluate(*patient, r, eo);
  } catch (const runtime::EvaluationError &e) {
    diags.report(DiagId::err_table_eval, SourceRange{}, e.what());
    return kExitFindings;
  }
  // JSON: the runtime's result object (docs/runtime.md), with the
  // diagnostics keys every command's JSON has.
  if (ctx.format() == Format::Json) {
    ctx.payload().json = nlohmann::ordered_json::parse(table->resultJson(*patient, r, o.explain));
    // --summary: the result, and the summary under its own key.
    if (o.summary) ctx.payload().json["summary"] = summaryJson(*table, gatherSummary(*table, *patient, r));
  } else if (o.summary) {
    // With --explain the explanation first (it ends there for a patient outside).
    if (!o.explain || printHeader(std::cout, *table, *patient, r, true))
      printSummary(std::cout, *table, gatherSummary(*table, *patient, r));
  } else printText(std::cout, *table, *patient, r, o.explain);
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
  // Likewise a record in a course state no course from a fresh patient
  // produces: the verifier's course proofs say nothing about it.
  for (uint32_t ti : r.unreachableCourses)
    diags.report(DiagId::err_course_state_unreachable, SourceRange{},
                 o.patient + ": the record is in course state (" + courseStateText(*table, ti, *patient) + ") of pathway '" +
                     table->tables()[ti].name + "', which no course from a fresh patient produces: the verifier's proofs " +
                     "that read the course state (its doses and limits too) say nothing about this record, and its "
                     "decision is unverified for it");
  for (uint32_t j : r.unreachableJointCourses)
    diags.report(DiagId::err_course_state_unreachable, SourceRange{},
                 o.patient + ": the record is in joint course state (" + jointStateText(*table, j, *patient) +
                     ") of pathways " + jointNames(*table, j, "'") + ", which no course from a fresh patient " +
                     "produces, though each pathway's own state is reachable: the verifier's proofs that read these " +
                     "pathways together say nothing about this record, and its decision is unverified for it");
  // A drug offered to a patient it is contraindicated for: shown under the
  // give, and the run fails, as the verifier's `contraindication` property
  // would (docs/cli.md, "carepath eval"). A verified table offers none to a
  // patient within its inputs' ranges.
  for (const runtime::ContraindicationHit &h : r.contraindicated) {
    const runtime::FiredAction &f = r.actions[h.action];
    const runtime::TableInfo &tb = table->tables()[f.table];
    const runtime::ContraindicationInfo &c = table->contraindications()[h.contraindication];
    diags.report(DiagId::err_contraindicated, SourceRange{},
                 o.patient + ": " + c.drug + " is offered (" + tb.name + "." + tb.rules[f.rule].name + ") but its " +
                     "contraindication " +
                     (h.truth == Truth::True ? "holds for the patient: " : "may hold (a value it needs is missing): ") +
                     c.when + (c.note.empty() ? "" : " (" + c.note + ")"));
  }
  return r.violatedAssumptions.empty() && r.unreachableCourses.empty() && r.unreachableJointCourses.empty() &&
                 r.contraindicated.empty()
             ? kExitOk
             : kExitFindings;
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
    line.flag("--summary", o->summary,
              "One screen for the clinician: what to do now with the doses, what is due and by when, what to reassess");
    line.list("--trust", o->trust,
              "Refuse the table unless it is signed by a key of this PEM file of Ed25519 public keys (may be repeated)");
    line.option("--write-compact", o->writeCompact,
                "Write the table (once loaded and checked) in the compact format to this file, and evaluate nothing");
    line.flag("--allow-unverified", o->allowUnverified,
              "Accept a table that is not marked verified (--force or --no-verify)");
  };
  c.run = [o](CommandContext &ctx) { return run(*o, ctx); };
  return c;
}

}  // namespace carepath::driver
