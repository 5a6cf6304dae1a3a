// The review page of `carepath doc`: a document model built from the IR
// and the verification report, written as HTML or Markdown (DocPage.h).
// Conditions are shown by the IR printer (ir::toString), quantities by the
// verifier's display rules, doses by ir::givenAmount: nothing here is a
// second definition of what a protocol means.
#include "DocPage.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "carepath/Quantity.h"
#include "carepath/Sha256.h"
#include "carepath/Xml.h"
#include "ir/Evaluator.h"
#include "ir/Terminology.h"
#include "verifier/CourseReach.h"
#include "verifier/Display.h"
#include "verifier/Report.h"

namespace carepath::driver::doc {

namespace {

using ir::Action;
using ir::Protocol;

// ------------------------------------------------------------------ the document model

struct Span {
  enum class Kind { Text, Code, Strong, Link, Cap } kind = Kind::Text;
  std::string text;
  std::string href;  // Link: "#id"
};
using Spans = std::vector<Span>;

Span txt(std::string s) { return {Span::Kind::Text, std::move(s), ""}; }
Span code(std::string s) { return {Span::Kind::Code, std::move(s), ""}; }
Span strong(std::string s) { return {Span::Kind::Strong, std::move(s), ""}; }
Span link(std::string s, std::string id) { return {Span::Kind::Link, std::move(s), "#" + std::move(id)}; }
Span capMark(std::string s) { return {Span::Kind::Cap, std::move(s), ""}; }

struct Block {
  enum class Kind { Heading, Para, Table, Pre, List, Flowchart, Quote } kind = Block::Kind::Para;
  int level = 2;
  std::string id;  // Heading: its anchor; Table: a class
  Spans spans;
  std::vector<Spans> header;
  std::vector<std::vector<Spans>> rows;
  std::vector<Spans> items;
  std::string text;  // Pre
};

struct Document {
  std::string title;
  std::vector<Block> blocks;

  void heading(int level, std::string text, std::string id) {
    Block b;
    b.kind = Block::Kind::Heading;
    b.level = level;
    b.id = std::move(id);
    b.spans = {txt(std::move(text))};
    blocks.push_back(std::move(b));
  }
  void para(Spans s) {
    if (s.empty()) return;
    Block b;
    b.spans = std::move(s);
    blocks.push_back(std::move(b));
  }
  void quote(Spans s) {
    Block b;
    b.kind = Block::Kind::Quote;
    b.spans = std::move(s);
    blocks.push_back(std::move(b));
  }
  void pre(std::string text) {
    Block b;
    b.kind = Block::Kind::Pre;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
  }
  void list(std::vector<Spans> items) {
    if (items.empty()) return;
    Block b;
    b.kind = Block::Kind::List;
    b.items = std::move(items);
    blocks.push_back(std::move(b));
  }
  void table(std::vector<Spans> header, std::vector<std::vector<Spans>> rows, std::string cls = "") {
    Block b;
    b.kind = Block::Kind::Table;
    b.header = std::move(header);
    b.rows = std::move(rows);
    b.id = std::move(cls);
    blocks.push_back(std::move(b));
  }
};

std::vector<Spans> headerOf(std::initializer_list<const char *> names) {
  std::vector<Spans> h;
  for (const char *n : names) h.push_back({txt(n)});
  return h;
}

// ------------------------------------------------------------------ anchors and words

std::string sourceId(const std::string &n) { return "source-" + n; }
std::string tierId(const std::string &pw, const std::string &t) { return "tier-" + pw + "-" + t; }
std::string ruleId(const std::string &tb, const std::string &r) { return "rule-" + tb + "-" + r; }

std::string show(const Protocol &p, const ir::ExprRef &e) { return e ? ir::toString(p, *e) : "true"; }

/// What a hit policy means for the reader (docs/semantics.md, "Tables").
std::string hitWords(const ir::Table &t) {
  std::string agg = spelling(t.aggregation);
  switch (t.hit) {
  case ir::HitPolicy::Unique: return "unique: at most one rule applies to a patient (the verifier proves it); it fires";
  case ir::HitPolicy::First: return "first: the first rule that applies, in written order, fires";
  case ir::HitPolicy::Priority: return "priority: of the rules that apply, the one of highest priority fires";
  case ir::HitPolicy::Any: return "any: rules that apply together must agree; one result";
  case ir::HitPolicy::Collect:
    return agg.empty() ? "collect: every rule that applies fires" : "collect " + agg + ": every rule that applies fires; their outputs are combined by " + agg;
  case ir::HitPolicy::RuleOrder: return "rule order: every rule that applies fires, in written order";
  case ir::HitPolicy::OutputOrder: return "output order: every rule that applies fires, ordered by output";
  }
  return spelling(t.hit);
}

/// A duration as every tool shows one (carepath::formatDurations).
std::string durationText(const Rational &hours) { return formatDurations(hours); }

/// "for 3 days to 5 days, then taper over 2 weeks to 3 weeks".
std::string courseText(const Action &a, const char *sep) {
  std::string s;
  if (a.durationLo)
    s += sep + ("for " + durationText(*a.durationLo)) + (*a.durationLo == *a.durationHi ? "" : " to " + durationText(*a.durationHi));
  if (a.taperLo)
    s += sep + std::string(a.durationLo ? "then " : "") + "taper over " + durationText(*a.taperLo) +
         (*a.taperLo == *a.taperHi ? "" : " to " + durationText(*a.taperHi));
  return s;
}

std::string timingText(const Action &a) {
  switch (a.timing) {
  case Action::Timing::None: return "";
  case Action::Timing::At:
    return "at " + verifier::formatQuantity(*a.timingLo, a.timingUnit) +
           (*a.timingLo == *a.timingHi ? "" : " to " + verifier::formatQuantity(*a.timingHi, a.timingUnit));
  case Action::Timing::Within: return "within " + verifier::formatQuantity(*a.timingHi, a.timingUnit);
  case Action::Timing::Over:
    return "over " + (a.timingLo ? verifier::formatQuantity(*a.timingLo, a.timingUnit) + " to " : std::string()) +
           verifier::formatQuantity(*a.timingHi, a.timingUnit);
  }
  return "";
}

/// "give methylprednisolone 30 mg/kg * weight per day, at most 1 g per day,
/// for 3 days to 5 days": the action in the author's terms, without its note.
std::string actionText(const Protocol &p, const Action &a) {
  if (a.kind == ir::ActionKind::Unspecified) return "not specified: " + a.unspecified.value_or("");
  std::string s = std::string(spelling(a.kind)) + " " + a.name;
  if (a.kind == ir::ActionKind::Give) {
    if (a.dose) s += " " + ir::toString(p, *a.dose) + (a.doseHigh ? " to " + ir::toString(p, *a.doseHigh) : "");
    if (a.doseUnspecified) s += ", dose not specified (" + *a.doseUnspecified + ")";
    if (!a.basis.str().empty()) s += " " + a.basis.str();
    if (a.cap) s += ", at most " + ir::toString(p, *a.cap) + (a.basis.str().empty() ? "" : " " + a.basis.str());
    if (!a.route.empty()) s += ", " + a.route;
    if (!a.regimen.empty()) s += ", " + a.regimen.text;
    s += courseText(a, ", ");
    if (a.over) s += ", over " + formatDurations(*a.over, a.overHigh);
  }
  std::string t = timingText(a);
  if (!t.empty()) s += ", " + t;
  return s;
}

/// The action as the flowchart shows it: kind, name and when; doses are in
/// their own section.
std::string actionShort(const Action &a) {
  if (a.kind == ir::ActionKind::Unspecified) return "unspecified (a gap in the source)";
  std::string s = std::string(spelling(a.kind)) + " " + a.name;
  if (a.kind == ir::ActionKind::Give && a.doseUnspecified) s += " (dose unspecified)";
  s += courseText(a, " ");
  if (a.over) s += " over " + formatDurations(*a.over, a.overHigh);
  std::string t = timingText(a);
  if (!t.empty()) s += " " + t;
  return s;
}

/// "anec.care:120": where a declaration is written.
std::string lineOf(const SourceManager &sm, const SourceRange &r) {
  if (!r.valid()) return "";
  std::string name = sm.name(r.file);
  auto slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  return name + ":" + std::to_string(sm.begin(r).line);
}

/// The protocol text of a declaration: its lines, with the comment lines
/// right above it (where the author quotes the source), as written.
std::string sourceText(const SourceManager &sm, const SourceRange &r) {
  if (!r.valid()) return "";
  uint32_t first = sm.begin(r).line, last = sm.lineColumn(r.file, r.end > r.begin ? r.end - 1 : r.end).line;
  auto isComment = [](std::string_view line) {
    size_t i = line.find_first_not_of(" \t");
    return i != std::string_view::npos && line.substr(i, 2) == "//";
  };
  while (first > 1 && isComment(sm.lineText(r.file, first - 1))) --first;
  // The common indentation of the lines goes.
  size_t indent = std::string::npos;
  for (uint32_t l = first; l <= last; ++l) {
    std::string_view line = sm.lineText(r.file, l);
    size_t i = line.find_first_not_of(" \t");
    if (i != std::string_view::npos) indent = std::min(indent, i);
  }
  std::string out;
  for (uint32_t l = first; l <= last; ++l) {
    std::string_view line = sm.lineText(r.file, l);
    out += std::string(line.size() > indent ? line.substr(indent) : std::string_view{}) + "\n";
  }
  return out;
}

/// A tier's or rule's own citations, then its actions' that it does not
/// cite itself: each is shown once with its full text.
ir::Citations withActions(const ir::Citations &own, const std::vector<Action> &actions) {
  ir::Citations all = own;
  for (const Action &a : actions)
    for (const std::string &c : a.citations)
      if (std::find(all.begin(), all.end(), c) == all.end()) all.push_back(c);
  return all;
}

/// The citations of a declaration, each with its full reference text.
void citationBlocks(Document &d, const Protocol &p, const ir::Citations &c) {
  if (c.empty()) {
    d.para({strong("Citation: "), txt("none (the protocol cites no source for this)")});
    return;
  }
  for (const std::string &id : c) {
    const ir::Source *s = p.findSource(id);
    d.quote({link(id, sourceId(id)), txt(": " + (s ? s->text : std::string("(not declared)")))});
  }
}

Spans citationLinks(const ir::Citations &c) {
  Spans s;
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) s.push_back(txt(", "));
    s.push_back(link(c[i], sourceId(c[i])));
  }
  return s;
}

std::string typeText(const Protocol &p, const ir::Input &in) {
  switch (in.type.kind) {
  case ir::Type::Kind::Bool: return "yes / no";
  case ir::Type::Kind::String: return "text";
  case ir::Type::Kind::Enum: {
    std::string s = "one of: ";
    const auto &m = p.enums[in.type.enumType].members;
    for (size_t i = 0; i < m.size(); ++i) s += (i ? ", " : "") + m[i];
    return s;
  }
  case ir::Type::Kind::Number: {
    std::string s = in.type.integer ? "whole number" : in.type.dim.dimensionless() ? "number" : in.type.dim.str();
    if (!in.displayUnit.name.empty()) s += " in " + in.displayUnit.name;
    return s;
  }
  }
  return "?";
}

std::string rangeText(const ir::Input &in) {
  if (in.type.kind != ir::Type::Kind::Number || (!in.lo && !in.hi)) return "";
  auto q = [&](const std::optional<Rational> &v) { return v ? verifier::formatQuantity(*v, in.displayUnit) : std::string("…"); };
  return q(in.lo) + " to " + q(in.hi);
}

// ------------------------------------------------------------------ doses by weight band

/// Whether `e` reads only the input `only` (through defines too).
bool readsOnly(const Protocol &p, const ir::Expr &e, int only) {
  if (e.op == ir::Op::Input) return e.index == only;
  if (e.op == ir::Op::Define) return readsOnly(p, *p.defines[e.index].value, only);
  for (const ir::ExprRef &a : e.args)
    if (!readsOnly(p, *a, only)) return false;
  return true;
}

struct GiveSite {
  std::string where, whereId;
  const Action *action;
};

std::vector<GiveSite> giveSites(const Protocol &p) {
  std::vector<GiveSite> out;
  for (const ir::Pathway &pw : p.pathways)
    for (const ir::Tier &t : pw.tiers)
      for (const Action &a : t.actions)
        if (a.kind == ir::ActionKind::Give) out.push_back({pw.name + "." + t.name, tierId(pw.name, t.name), &a});
  for (const ir::Table &tb : p.tables)
    for (const ir::Rule &r : tb.rules)
      for (const Action &a : r.actions)
        if (a.kind == ir::ActionKind::Give) out.push_back({tb.name + "." + r.name, ruleId(tb.name, r.name), &a});
  return out;
}

/// Weight bands for a give: the dosing weight's range cut at usual
/// paediatric band limits and where a cap starts to apply, each band's
/// dose at its two ends (a dose proportional to weight is linear between
/// them), the capped amounts marked.
void doseBands(Document &d, const Protocol &p, const Action &a) {
  ir::GivenAmount given = ir::givenAmount(a);
  if (!given) return;
  int w = p.dosingWeight;
  const ir::Expr *ends[] = {a.dose.get(), a.doseHigh.get(), a.cap.get()};
  bool weightOnly = w >= 0;
  for (const ir::Expr *e : ends)
    if (e && w >= 0 && !readsOnly(p, *e, w)) weightOnly = false;
  ir::Unit unit = verifier::doseDisplayUnit(p, a);
  std::string per = a.basis.str().empty() ? "" : " " + a.basis.str();
  if (!weightOnly) {
    d.para({txt("The amount depends on more than the dosing weight; no weight table (the dose envelope below gives its range).")});
    return;
  }
  const ir::Input &weight = p.inputs[w];
  ir::Patient patient;
  // The amount reads only the weight; the evaluator wants every input given.
  for (const ir::Input &in : p.inputs) {
    switch (in.type.kind) {
    case ir::Type::Kind::Bool: patient.push_back(ir::Value::ofBool(false)); break;
    case ir::Type::Kind::Enum: patient.push_back(ir::Value::ofEnum(0)); break;
    case ir::Type::Kind::Number: patient.push_back(ir::Value::ofNumber(in.lo.value_or(Rational(0)))); break;
    case ir::Type::Kind::String: patient.push_back(ir::Value::ofString("")); break;
    }
  }
  auto at = [&](const ir::Expr &e, const Rational &kg) -> std::optional<Rational> {
    patient[w] = ir::Value::ofNumber(kg);
    try {
      ir::Value v = ir::evaluate(p, e, patient);
      if (v.missing || v.kind != ir::Type::Kind::Number) return std::nullopt;
      return v.number;
    } catch (const ir::EvalError &) {
      return std::nullopt;
    }
  };
  Rational lo = weight.lo.value_or(Rational(0)), hi = weight.hi.value_or(Rational(0));
  if (!(lo < hi)) return;
  // Band limits in the weight's display unit (kg), kept inside its range.
  std::set<Rational> cuts = {lo, hi};
  for (int kg : {5, 10, 15, 20, 30, 40, 50, 70, 100}) {
    Rational c = Rational(kg) * weight.displayUnit.factor;
    if (lo < c && c < hi) cuts.insert(c);
  }
  // Where a cap starts to apply: the weight at which an end, linear in
  // weight, reaches the cap.
  std::vector<std::pair<std::string, Rational>> capAt;  // which end, from what weight
  if (a.cap)
    for (const ir::Expr *e : {a.dose.get(), a.doseHigh.get()}) {
      if (!e) continue;
      std::string end = !a.doseHigh ? "the amount" : e == a.dose.get() ? "the low end" : "the high end";
      auto y0 = at(*e, lo), y1 = at(*e, hi), c0 = at(*a.cap, lo), c1 = at(*a.cap, hi);
      Rational mid = (lo + hi) / Rational(2);
      auto ym = at(*e, mid);
      if (!y0 || !y1 || !ym || !c0 || !c1 || *c0 != *c1 || *y1 == *y0) continue;
      Rational slope = (*y1 - *y0) / (hi - lo);
      if (*ym != *y0 + slope * (mid - lo)) continue;  // not linear: the table shows the ends only
      Rational x = lo + (*c0 - *y0) / slope;
      if (lo < x && x < hi) cuts.insert(x), capAt.push_back({end, x});
    }
  std::vector<Rational> points(cuts.begin(), cuts.end());
  auto amount = [&](const ir::Expr *uncapped, const ir::Expr *capped, const Rational &kg) -> Spans {
    auto g = at(*capped, kg);
    if (!g) return {txt("-")};
    auto u = uncapped ? at(*uncapped, kg) : std::nullopt;
    auto c = a.cap ? at(*a.cap, kg) : std::nullopt;
    std::string text = verifier::formatQuantity(*g, unit);
    // Held down by the cap, or exactly at it.
    if ((u && *g < *u) || (c && *g == *c)) return {capMark(text + " (cap)")};
    return {txt(text)};
  };
  auto cell = [&](const ir::Expr *uncapped, const ir::Expr *capped, const Rational &a0, const Rational &a1) {
    Spans s = amount(uncapped, capped, a0);
    Spans e = amount(uncapped, capped, a1);
    if (s.size() == 1 && e.size() == 1 && s[0].text == e[0].text && s[0].kind == e[0].kind) return s;
    s.push_back(txt(" to "));
    s.insert(s.end(), e.begin(), e.end());
    return s;
  };
  std::vector<Spans> header = {{txt("dosing weight (" + weight.name + ")")}};
  if (given.isRange()) {
    header.push_back({txt("low end" + per)});
    header.push_back({txt("high end" + per)});
  } else {
    header.push_back({txt("amount" + per)});
  }
  std::vector<std::vector<Spans>> rows;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    std::vector<Spans> row = {{txt(verifier::formatQuantity(points[i], weight.displayUnit) + " to " +
                                   verifier::formatQuantity(points[i + 1], weight.displayUnit))}};
    row.push_back(cell(a.dose.get(), given.low.get(), points[i], points[i + 1]));
    if (given.isRange()) row.push_back(cell(a.doseHigh.get(), given.high.get(), points[i], points[i + 1]));
    rows.push_back(std::move(row));
  }
  d.table(std::move(header), std::move(rows), "doses");
  for (const auto &[end, x] : capAt)
    d.para({txt("The cap (" + ir::toString(p, *a.cap) + per + ") holds " + end + " from " + weight.name + " = "),
            strong(verifier::formatQuantity(x, weight.displayUnit)), txt(" on.")});
}

// ------------------------------------------------------------------ sections

void titleSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  d.title = p.title.empty() ? p.name : p.title;
  d.heading(1, d.title, "top");
  std::vector<std::vector<Spans>> rows;
  rows.push_back({{txt("protocol")}, {code(p.name)}});
  rows.push_back({{txt("version")}, {txt(p.version.empty() ? "(none)" : p.version)}});
  rows.push_back({{txt("source file")}, {code(in.fileName)}});
  rows.push_back({{txt("source SHA-256")}, {code(Sha256::hex(in.sources->text(in.file)))}});
  rows.push_back({{txt("population")}, {code(show(p, p.population))}});
  if (p.dosingWeight >= 0) rows.push_back({{txt("dosing weight")}, {code(p.inputs[p.dosingWeight].name)}});
  rows.push_back({{txt("verification")},
                  {txt(in.report ? verifier::spelling(in.report->verdict()) : "not run (--no-verify)")}});
  rows.push_back({{txt("generated by")}, {txt("carepath " + in.carepathVersion + " (carepath doc)")}});
  d.table(headerOf({"", ""}), std::move(rows), "meta");
  d.para({txt("This page is generated from the protocol file; every rule below is shown with the condition it tests, "
              "what it does, the sources it cites and the protocol text it was read from. Gaps the protocol "
              "marks as unspecified are listed in "),
          link("Gaps", "gaps"), txt(".")});
}

void flowchartSection(Document &d) {
  d.heading(2, "Flowchart", "flowchart");
  d.para({txt("From the population, each pathway's tiers (alternatives: at most one applies) in order, with the "
              "condition each is entered on and, dashed, the condition under which it counts as failed and the "
              "next tier follows; each table with its rules. A dotted grey arrow: a condition reads that tier or rule. Each box links to its section below.")});
  Block b;
  b.kind = Block::Kind::Flowchart;
  d.blocks.push_back(std::move(b));
}

void inputsSection(Document &d, const Protocol &p) {
  d.heading(2, "Inputs", "inputs");
  std::vector<std::vector<Spans>> rows;
  for (const ir::Input &in : p.inputs) {
    Spans name = {code(in.name)};
    if (in.optional) name.push_back(txt(" (optional)"));
    Spans desc = {txt(in.description)};
    if (in.unspecified) desc.push_back(capMark(" Unspecified: " + *in.unspecified));
    rows.push_back({name, {txt(typeText(p, in))}, {txt(rangeText(in))}, desc, citationLinks(in.citations)});
  }
  d.table(headerOf({"input", "type", "range", "meaning", "cited"}), std::move(rows));
  if (p.defines.empty()) return;
  d.heading(2, "Definitions", "definitions");
  d.para({txt("Names the conditions below use, each with what it stands for.")});
  std::vector<std::vector<Spans>> defs;
  for (const ir::Define &df : p.defines) {
    // `table.output` defines are the compiler's (the table shows them).
    if (df.name.find('.') != std::string::npos) continue;
    defs.push_back({{code(df.name)}, {code(show(p, df.value))}, {txt(df.description)}, citationLinks(df.citations)});
  }
  d.table(headerOf({"name", "means", "description", "cited"}), std::move(defs));
}

void actionList(Document &d, const Protocol &p, const std::vector<Action> &actions) {
  std::vector<Spans> items;
  for (const Action &a : actions) {
    Spans s;
    // An alternative of a `one of` is offered, not given; `unless` withholds.
    if (a.choice >= 0)
      s.push_back(txt("one of #" + std::to_string(a.choice + 1) + ", alternative " + std::to_string(a.option + 1) + ": "));
    s.push_back(strong(actionText(p, a)));
    if (a.unless) s.push_back(txt(" unless " + show(p, a.unless)));
    if (!a.note.empty()) s.push_back(txt(": " + a.note));
    if (!a.citations.empty()) {
      s.push_back(txt(" ["));
      Spans c = citationLinks(a.citations);
      s.insert(s.end(), c.begin(), c.end());
      s.push_back(txt("]"));
    }
    items.push_back(std::move(s));
  }
  if (items.empty()) items.push_back({txt("(no action)")});
  d.list(std::move(items));
}

/// "Reads: [treat.first](#tier-treat-first)": the tiers and rules a
/// condition reads (the IR shows them inlined).
void readsLine(Document &d, const PageInput &in, const std::string &reader) {
  Spans s;
  for (const Reference &r : in.references) {
    if (r.reader != reader) continue;
    s.push_back(txt(s.empty() ? "" : ", "));
    std::string table = r.target.substr(0, r.target.find('.')), name = r.target.substr(r.target.find('.') + 1);
    bool tier = std::any_of(in.protocol->pathways.begin(), in.protocol->pathways.end(),
                            [&](const ir::Pathway &pw) { return pw.name == table; });
    s.push_back(link(r.target, tier ? tierId(table, name) : ruleId(table, name)));
  }
  if (s.empty()) return;
  s.insert(s.begin(), strong("Reads: "));
  s.push_back(txt(" (the condition above holds only when these fire)"));
  d.para(std::move(s));
}

void pathwaysSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  if (p.pathways.empty()) return;
  d.heading(2, "Pathways", "pathways");
  for (const ir::Pathway &pw : p.pathways) {
    d.heading(3, "Pathway " + pw.name, "pathway-" + pw.name);
    d.para({txt(pw.description)});
    d.para({strong("Entered for: "), code(show(p, pw.entry))});
    d.para({txt("Its tiers are alternatives: at most one applies to a patient.")});
    for (const ir::Tier &t : pw.tiers) {
      d.heading(4, "Tier " + pw.name + "." + t.name, tierId(pw.name, t.name));
      Spans when = {strong("Applies when: "), code(show(p, t.guard))};
      if (t.after >= 0) when.push_back(txt(" (after " + pw.tiers[t.after].name + " has failed)"));
      d.para(std::move(when));
      readsLine(d, in, pw.name + "." + t.name);
      if (t.failedWhen) d.para({strong("Counts as failed when: "), code(show(p, t.failedWhen))});
      d.para({strong("Then:")});
      actionList(d, p, t.actions);
      citationBlocks(d, p, withActions(t.citations, t.actions));
      d.para({strong("Protocol text"), txt(" (" + lineOf(*in.sources, t.range) + "):")});
      d.pre(sourceText(*in.sources, t.range));
    }
  }
}

void tablesSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  if (p.tables.empty()) return;
  d.heading(2, "Rules", "rules");
  for (const ir::Table &tb : p.tables) {
    d.heading(3, "Table " + tb.name, "table-" + tb.name);
    d.para({txt(tb.description)});
    d.para({strong("Hit policy: "), txt(hitWords(tb))});
    if (!tb.citations.empty()) {
      Spans s = {strong("Table cites: ")};
      Spans c = citationLinks(tb.citations);
      s.insert(s.end(), c.begin(), c.end());
      d.para(std::move(s));
    }
    for (const ir::Rule &r : tb.rules) {
      d.heading(4, "Rule " + tb.name + "." + r.name, ruleId(tb.name, r.name));
      Spans when = {strong("When: "), code(show(p, r.guard))};
      if (r.priority) when.push_back(txt(" (priority " + std::to_string(*r.priority) + ")"));
      d.para(std::move(when));
      readsLine(d, in, tb.name + "." + r.name);
      for (size_t o = 0; o < r.outputs.size() && o < tb.outputs.size(); ++o)
        d.para({strong(tb.outputs[o].name + " = "), code(show(p, r.outputs[o]))});
      if (!r.actions.empty() || r.outputs.empty()) {
        d.para({strong("Then:")});
        actionList(d, p, r.actions);
      }
      citationBlocks(d, p, withActions(r.citations, r.actions));
      d.para({strong("Protocol text"), txt(" (" + lineOf(*in.sources, r.range) + "):")});
      d.pre(sourceText(*in.sources, r.range));
    }
  }
}

void dosesSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  std::vector<GiveSite> sites = giveSites(p);
  if (sites.empty()) return;
  d.heading(2, "Doses", "doses");
  d.para({txt("Each give, its amount as written and by dosing-weight band; amounts held down by a cap are marked "),
          capMark("(cap)"), txt(".")});
  for (const GiveSite &s : sites) {
    const Action &a = *s.action;
    d.heading(3, a.name + " at " + s.where, "dose-" + s.where);
    d.para({link(s.where, s.whereId), txt(": "), strong(actionText(p, a))});
    if (a.drug >= 0) {
      const ir::Drug &drug = p.drugs[a.drug];
      std::vector<Spans> limits;
      for (const ir::Limit &l : drug.limits) {
        Spans sp = {txt("at most " + l.display)};
        if (!l.citations.empty()) {
          sp.push_back(txt(" ["));
          Spans c = citationLinks(l.citations);
          sp.insert(sp.end(), c.begin(), c.end());
          sp.push_back(txt("]"));
        }
        limits.push_back(std::move(sp));
      }
      if (limits.empty()) d.para({txt("The formulary gives " + drug.name + " no limit.")});
      else {
        d.para({txt("Formulary limits of " + drug.name + ":")});
        d.list(std::move(limits));
      }
    }
    if (a.doseUnspecified) {
      d.para({capMark("No dose: " + *a.doseUnspecified)});
      continue;
    }
    doseBands(d, p, a);
  }
}

void verificationSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  d.heading(2, "Verification", "verification");
  if (!in.report) {
    d.para({txt("Not run (--no-verify): nothing on this page is proved.")});
    return;
  }
  const verifier::Report &r = *in.report;
  size_t counts[4] = {0, 0, 0, 0};
  for (const verifier::PropertyResult &x : r.properties) ++counts[static_cast<int>(x.status)];
  d.para({strong("Result: " + std::string(verifier::spelling(r.verdict()))),
          txt(" — " + std::to_string(r.properties.size()) + " properties over every patient in the population: " +
              std::to_string(counts[0]) + " proved, " + std::to_string(counts[1]) + " refuted, " +
              std::to_string(counts[2]) + " unknown, " + std::to_string(counts[3]) + " warnings.")});
  std::vector<std::vector<Spans>> rows;
  for (const verifier::PropertyResult &x : r.properties) {
    Spans status = {txt(verifier::spelling(x.status))};
    if (x.status != verifier::Status::Proved) status = {capMark(verifier::spelling(x.status))};
    Spans msg = {txt(x.message)};
    if (x.status == verifier::Status::Unknown && !x.reason.empty()) msg.push_back(txt(" (" + x.reason + ")"));
    std::string ex;
    for (const std::string &line : x.example) ex += (ex.empty() ? "" : " ") + line;
    if (!ex.empty()) msg.push_back(code(ex));
    rows.push_back({{txt(verifier::spelling(x.kind))}, status, msg, {txt(lineOf(*in.sources, x.range))}});
  }
  d.table(headerOf({"property", "status", "what", "at"}), std::move(rows), "verification");
  if (r.doses.empty()) return;
  d.heading(3, "Dose envelopes", "dose-envelopes");
  d.para({txt("The least and greatest amount of each give over every patient it applies to (proved by the solver); "
              "where who gets it reads a course pathway's state, over the course states reachable from a fresh patient, "
              "as its row says.")});
  std::vector<std::vector<Spans>> env;
  for (const verifier::DoseEnvelope &e : r.doses) {
    auto [least, most] = verifier::envelopeBounds(e);
    Spans mostSpans = {e.unbounded ? capMark(most) : txt(most)};
    std::string where = e.where;
    if (!e.restrictedTo.empty())
      where += " (over the course states of " + verifier::pathwaysText(p, e.restrictedTo) + " reachable from a fresh patient)";
    env.push_back({{code(e.drug)}, {txt(where)}, {txt(least)}, mostSpans, {txt(e.basis.str().empty() ? "per dose" : e.basis.str())}});
    // An intermittent infusion: the rate it runs at, on the next row.
    if (e.rate && !e.never) {
      auto [slowest, fastest] = verifier::envelopeBounds(e, true);
      env.push_back({{code(e.drug)}, {txt(where)}, {txt(slowest)}, {e.unbounded ? capMark(fastest) : txt(fastest)},
                     {txt("rate over " + e.rate->over)}});
    }
  }
  d.table(headerOf({"drug", "given at", "least", "greatest", "counted"}), std::move(env), "envelopes");
}

void gapsSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  d.heading(2, "Gaps: what the protocol leaves unspecified", "gaps");
  std::vector<std::vector<Spans>> rows;
  for (const ir::UnspecifiedMark &u : p.unspecified)
    rows.push_back({{txt(u.where)}, {txt(u.reason)}, {txt(lineOf(*in.sources, u.range))}});
  if (rows.empty()) {
    d.para({txt("None: the protocol marks nothing unspecified.")});
    return;
  }
  d.para({txt(std::to_string(rows.size()) + " places where the source is silent and the protocol says so:")});
  d.table(headerOf({"where", "what is missing", "at"}), std::move(rows), "gaps");
}

void factsSection(Document &d, const Protocol &p) {
  if (p.facts.empty()) return;
  d.heading(2, "Facts", "facts");
  d.para({txt("Figures the protocol records from its sources (no decision depends on them).")});
  std::vector<std::vector<Spans>> rows;
  for (const ir::Fact &f : p.facts)
    rows.push_back({{code(f.name)}, {txt(f.display)}, {txt(f.note)}, citationLinks(f.citations)});
  d.table(headerOf({"fact", "value", "what", "cited"}), std::move(rows));
}

void assumptionsSection(Document &d, const Protocol &p) {
  if (p.assumptions.empty()) return;
  d.heading(2, "Assumptions", "assumptions");
  d.para({txt("Which patients exist (docs/language.md, \"assume\"): the protocol is verified for the patients these "
              "allow, and a patient who violates one is flagged, never silently decided.")});
  std::vector<std::vector<Spans>> rows;
  for (const ir::Assumption &a : p.assumptions)
    rows.push_back({{code(a.name)}, {code(show(p, a.condition))},
                    {txt(a.unspecified ? a.note + (a.note.empty() ? "" : "; ") + "unspecified: " + *a.unspecified : a.note)},
                    citationLinks(a.citations)});
  d.table(headerOf({"assumption", "condition", "what", "cited"}), std::move(rows));
}

void codesSection(Document &d, const Protocol &p) {
  if (p.codes.empty()) return;
  d.heading(2, "Codes", "codes");
  d.para({txt("Terminology codes (docs/language.md, \"Terminology codes\"): how an EHR or an export names what the "
              "protocol names. No decision depends on them.")});
  std::vector<std::vector<Spans>> rows;
  for (const ir::CodeBinding &c : p.codes) {
    const ir::terminology::System *sys = c.coding ? ir::terminology::findSystemByUri(c.coding->system) : nullptr;
    Spans value = c.coding ? Spans{code(c.coding->code), txt(c.coding->display.empty() ? "" : " " + c.coding->display)}
                           : Spans{capMark("unspecified: " + *c.unspecified)};
    rows.push_back({{txt(std::string(ir::spelling(c.target)) + " "), code(c.name)},
                    {txt(sys ? sys->title : c.coding ? c.coding->system : "")}, std::move(value),
                    citationLinks(c.citations)});
  }
  d.table(headerOf({"what", "system", "code", "cited"}), std::move(rows));
}

void examplesSection(Document &d, const PageInput &in) {
  const Protocol &p = *in.protocol;
  if (p.examples.empty()) return;
  d.heading(2, "Examples", "examples");
  d.para({txt("The protocol's worked examples; "), code("carepath test"), txt(" checks every expectation.")});
  for (const ir::Example &ex : p.examples) {
    d.heading(3, "Example: " + ex.name, "");
    std::string given;
    for (size_t i = 0; i < ex.patient.size() && i < p.inputs.size(); ++i) {
      if (ex.patient[i].missing) continue;
      given += (given.empty() ? "" : ", ") + verifier::givenItem(p, static_cast<int>(i), ex.patient[i]);
    }
    d.para({strong("Patient: "), txt(given.empty() ? "(nothing given)" : given)});
    std::vector<Spans> items;
    for (const ir::Expectation &x : ex.expectations) {
      std::string_view text = x.range.valid() ? in.sources->slice(x.range) : std::string_view{};
      items.push_back({code(std::string(text))});
    }
    d.list(std::move(items));
  }
}

void sourcesSection(Document &d, const Protocol &p) {
  d.heading(2, "Sources", "sources");
  if (p.sources.empty()) d.para({txt("The protocol declares no source.")});
  for (const ir::Source &s : p.sources) {
    d.heading(4, s.id, sourceId(s.id));
    d.quote({txt(s.text)});
  }
}

Document build(const PageInput &in) {
  Document d;
  titleSection(d, in);
  flowchartSection(d);
  inputsSection(d, *in.protocol);
  pathwaysSection(d, in);
  tablesSection(d, in);
  dosesSection(d, in);
  verificationSection(d, in);
  gapsSection(d, in);
  factsSection(d, *in.protocol);
  assumptionsSection(d, *in.protocol);
  codesSection(d, *in.protocol);
  examplesSection(d, in);
  sourcesSection(d, *in.protocol);
  return d;
}

// ------------------------------------------------------------------ HTML

std::string esc(std::string_view s) { return xmlEscape(s); }

std::string html(const Spans &spans) {
  std::string out;
  for (const Span &s : spans) {
    switch (s.kind) {
    case Span::Kind::Text: out += esc(s.text); break;
    case Span::Kind::Code: out += "<code>" + esc(s.text) + "</code>"; break;
    case Span::Kind::Strong: out += "<strong>" + esc(s.text) + "</strong>"; break;
    case Span::Kind::Link: out += "<a href=\"" + esc(s.href) + "\">" + esc(s.text) + "</a>"; break;
    case Span::Kind::Cap: out += "<mark>" + esc(s.text) + "</mark>"; break;
    }
  }
  return out;
}

const char *kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; line-height: 1.45;
       color: #1d2330; max-width: 1180px; margin: 0 auto; padding: 1.5em 2em 4em; }
h1 { font-size: 1.7em; border-bottom: 3px solid #2b5797; padding-bottom: .3em; }
h2 { font-size: 1.35em; border-bottom: 1px solid #c7d0dd; margin-top: 2em; }
h3 { font-size: 1.12em; margin-top: 1.6em; color: #2b5797; }
h4 { font-size: 1em; margin: 1.4em 0 .3em; padding: .3em .5em; background: #eef2f8; border-left: 4px solid #2b5797; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; background: #f3f4f7;
       padding: 0 .2em; border-radius: 3px; }
pre { background: #f6f7f9; border: 1px solid #dde1e7; padding: .6em .8em; overflow-x: auto; font-size: .85em; }
blockquote { margin: .3em 0 .3em 1em; padding: .2em .8em; border-left: 3px solid #9fb3d1; color: #3a4252; font-size: .9em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #d4d9e1; padding: .3em .55em; text-align: left; vertical-align: top; }
th { background: #eef2f8; }
mark { background: #ffe7a3; padding: 0 .2em; }
figure.flowchart { margin: 1em 0; border: 1px solid #d4d9e1; padding: .5em; overflow-x: auto; }
figure.flowchart svg { max-width: 100%; height: auto; }
nav ul { columns: 2; }
)";

std::string renderHtmlDocument(const Document &d, const std::string &svg) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"generator\" content=\"carepath doc\">\n<title>" << esc(d.title) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n";
  // The table of contents: the level-2 headings.
  bool navDone = false;
  for (const Block &b : d.blocks) {
    switch (b.kind) {
    case Block::Kind::Heading:
      if (b.level == 2 && !navDone) {
        out << "<nav><ul>\n";
        for (const Block &h : d.blocks)
          if (h.kind == Block::Kind::Heading && h.level == 2)
            out << "<li><a href=\"#" << esc(h.id) << "\">" << html(h.spans) << "</a></li>\n";
        out << "</ul></nav>\n";
        navDone = true;
      }
      out << "<h" << b.level << (b.id.empty() ? "" : " id=\"" + esc(b.id) + "\"") << ">" << html(b.spans) << "</h"
          << b.level << ">\n";
      break;
    case Block::Kind::Para: out << "<p>" << html(b.spans) << "</p>\n"; break;
    case Block::Kind::Quote: out << "<blockquote>" << html(b.spans) << "</blockquote>\n"; break;
    case Block::Kind::Pre: out << "<pre>" << esc(b.text) << "</pre>\n"; break;
    case Block::Kind::List:
      out << "<ul>\n";
      for (const Spans &i : b.items) out << "<li>" << html(i) << "</li>\n";
      out << "</ul>\n";
      break;
    case Block::Kind::Table: {
      out << "<table" << (b.id.empty() ? "" : " class=\"" + esc(b.id) + "\"") << ">\n";
      bool anyHeader = std::any_of(b.header.begin(), b.header.end(), [](const Spans &s) { return !s.empty() && !s[0].text.empty(); });
      if (anyHeader) {
        out << "<thead><tr>";
        for (const Spans &h : b.header) out << "<th>" << html(h) << "</th>";
        out << "</tr></thead>\n";
      }
      out << "<tbody>\n";
      for (const auto &row : b.rows) {
        out << "<tr>";
        for (const Spans &c : row) out << "<td>" << html(c) << "</td>";
        out << "</tr>\n";
      }
      out << "</tbody>\n</table>\n";
      break;
    }
    case Block::Kind::Flowchart: out << "<figure class=\"flowchart\" id=\"flowchart-figure\">\n" << svg << "</figure>\n"; break;
    }
  }
  out << "</body>\n</html>\n";
  return out.str();
}

// ------------------------------------------------------------------ Markdown

std::string mdEscape(std::string_view s, bool inTable) {
  std::string out;
  for (char c : s) {
    if (c == '\n') { out += inTable ? "<br>" : " "; continue; }
    if (std::string_view("\\`*_[]<>#|").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string mdCode(std::string_view s, bool inTable) {
  std::string t;
  for (char c : s) t += c == '\n' ? ' ' : c;
  // A code span cannot escape; a table cell's pipe is the exception.
  if (inTable) {
    std::string u;
    for (char c : t) u += c == '|' ? std::string("\\|") : std::string(1, c);
    t = u;
  }
  std::string fence = t.find('`') == std::string::npos ? "`" : "``";
  bool pad = !t.empty() && (t.front() == '`' || t.back() == '`');
  return fence + (pad ? " " : "") + t + (pad ? " " : "") + fence;
}

/// **t**, its outer spaces outside the markers (emphasis cannot start or
/// end with a space).
std::string mdStrong(const std::string &t) {
  size_t b = t.find_first_not_of(' '), e = t.find_last_not_of(' ');
  if (b == std::string::npos) return t;
  return t.substr(0, b) + "**" + t.substr(b, e - b + 1) + "**" + t.substr(e + 1);
}

std::string md(const Spans &spans, bool inTable = false) {
  std::string out;
  for (const Span &s : spans) {
    switch (s.kind) {
    case Span::Kind::Text: out += mdEscape(s.text, inTable); break;
    case Span::Kind::Code: out += mdCode(s.text, inTable); break;
    case Span::Kind::Strong:
    case Span::Kind::Cap: out += mdStrong(mdEscape(s.text, inTable)); break;
    case Span::Kind::Link: out += "[" + mdEscape(s.text, inTable) + "](" + s.href + ")"; break;
    }
  }
  return out;
}

std::string fenceFor(const std::string &text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

std::string renderMarkdownDocument(const Document &d, const std::string &dot) {
  std::ostringstream out;
  for (const Block &b : d.blocks) {
    switch (b.kind) {
    case Block::Kind::Heading:
      if (!b.id.empty() && b.level > 1) out << "<a id=\"" << b.id << "\"></a>\n\n";
      out << std::string(b.level, '#') << " " << md(b.spans) << "\n\n";
      break;
    case Block::Kind::Para: out << md(b.spans) << "\n\n"; break;
    case Block::Kind::Quote: out << "> " << md(b.spans) << "\n\n"; break;
    case Block::Kind::Pre: {
      std::string f = fenceFor(b.text);
      out << f << "care\n" << b.text << (b.text.empty() || b.text.back() == '\n' ? "" : "\n") << f << "\n\n";
      break;
    }
    case Block::Kind::List:
      for (const Spans &i : b.items) out << "- " << md(i) << "\n";
      out << "\n";
      break;
    case Block::Kind::Table: {
      out << "|";
      for (const Spans &h : b.header) out << " " << md(h, true) << " |";
      out << "\n|";
      for (size_t i = 0; i < b.header.size(); ++i) out << " --- |";
      out << "\n";
      for (const auto &row : b.rows) {
        out << "|";
        for (const Spans &c : row) out << " " << md(c, true) << " |";
        out << "\n";
      }
      out << "\n";
      break;
    }
    case Block::Kind::Flowchart: {
      std::string f = fenceFor(dot);
      out << "The flowchart as Graphviz source (`dot -Tsvg` draws it; the HTML page has it drawn):\n\n"
          << f << "dot\n" << dot << f << "\n\n";
      break;
    }
    }
  }
  std::string s = out.str();
  while (s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n') s.pop_back();
  return s;
}

// ------------------------------------------------------------------ dot

/// Text for a Graphviz HTML-like label, wrapped at about `width` characters
/// on spaces (left-aligned lines).
std::string dotText(const std::string &s, size_t width = 56) {
  std::string out, line;
  std::istringstream words(s);
  std::string w;
  auto flush = [&] {
    if (!out.empty()) out += "<BR ALIGN=\"LEFT\"/>";
    out += xmlEscape(line);
    line.clear();
  };
  while (words >> w) {
    if (!line.empty() && line.size() + 1 + w.size() > width) flush();
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty() || out.empty()) flush();
  return out + "<BR ALIGN=\"LEFT\"/>";
}

std::string quoteId(const std::string &s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::vector<Reference> references(const ast::File &file, const ir::Protocol &p) {
  std::set<std::string> targets;
  for (const ir::Pathway &pw : p.pathways)
    for (const ir::Tier &t : pw.tiers) targets.insert(pw.name + "." + t.name);
  for (const ir::Table &tb : p.tables)
    for (const ir::Rule &r : tb.rules) targets.insert(tb.name + "." + r.name);
  // Direct references of each expression, then defines followed.
  std::function<void(const ast::Expr *, std::set<std::string> &, std::set<std::string> &)> walk =
      [&](const ast::Expr *e, std::set<std::string> &refs, std::set<std::string> &names) {
        if (!e) return;
        switch (e->kind) {
        case ast::ExprKind::Name: {
          std::string n = static_cast<const ast::NameExpr *>(e)->name.str();
          (targets.count(n) ? refs : names).insert(n);
          break;
        }
        case ast::ExprKind::Unary: walk(static_cast<const ast::UnaryExpr *>(e)->operand.get(), refs, names); break;
        case ast::ExprKind::Binary: {
          auto *b = static_cast<const ast::BinaryExpr *>(e);
          walk(b->lhs.get(), refs, names);
          walk(b->rhs.get(), refs, names);
          break;
        }
        case ast::ExprKind::InRange: {
          auto *r = static_cast<const ast::InRangeExpr *>(e);
          walk(r->subject.get(), refs, names), walk(r->lo.get(), refs, names), walk(r->hi.get(), refs, names);
          break;
        }
        case ast::ExprKind::InSet: {
          auto *s = static_cast<const ast::InSetExpr *>(e);
          walk(s->subject.get(), refs, names);
          for (const auto &m : s->members) walk(m.get(), refs, names);
          break;
        }
        case ast::ExprKind::Call:
          for (const auto &a : static_cast<const ast::CallExpr *>(e)->args) walk(a.get(), refs, names);
          break;
        case ast::ExprKind::If: {
          auto *i = static_cast<const ast::IfExpr *>(e);
          walk(i->condition.get(), refs, names), walk(i->then.get(), refs, names), walk(i->otherwise.get(), refs, names);
          break;
        }
        case ast::ExprKind::Count:
          for (const auto &a : static_cast<const ast::CountExpr *>(e)->items) walk(a.get(), refs, names);
          break;
        default: break;
        }
      };
  struct Refs { std::set<std::string> refs, names; };
  std::map<std::string, Refs> defines;
  for (const ast::DeclPtr &d : file.decls)
    if (auto *df = ast::dyn<ast::DefineDecl>(d.get())) walk(df->value.get(), defines[df->name.name].refs, defines[df->name.name].names);
  // The targets a set of names reaches through defines (cycles are sema errors; guarded anyway).
  std::function<void(const std::set<std::string> &, std::set<std::string> &, std::set<std::string> &)> close =
      [&](const std::set<std::string> &names, std::set<std::string> &out, std::set<std::string> &seen) {
        for (const std::string &n : names) {
          auto it = defines.find(n);
          if (it == defines.end() || !seen.insert(n).second) continue;
          out.insert(it->second.refs.begin(), it->second.refs.end());
          close(it->second.names, out, seen);
        }
      };
  std::set<Reference> out;
  auto add = [&](const std::string &reader, std::initializer_list<const ast::Expr *> exprs) {
    std::set<std::string> refs, names, seen;
    for (const ast::Expr *e : exprs) walk(e, refs, names);
    close(names, refs, seen);
    for (const std::string &t : refs)
      if (t != reader) out.insert({reader, t});
  };
  for (const ast::DeclPtr &d : file.decls) {
    if (auto *pw = ast::dyn<ast::PathwayDecl>(d.get()))
      for (const ast::Tier &t : pw->tiers) add(pw->name.name + "." + t.name.name, {pw->entry.get(), t.guard.get()});
    if (auto *tb = ast::dyn<ast::TableDecl>(d.get()))
      for (const ast::Rule &r : tb->rules) add(tb->name.name + "." + r.name.name, {r.guard.get()});
  }
  return {out.begin(), out.end()};
}

std::string flowchartDot(const PageInput &in) {
  const Protocol &p = *in.protocol;
  std::ostringstream g;
  g << "digraph " << quoteId(p.name) << " {\n"
    << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.5, newrank=true];\n"
    << "  node [fontname=\"Helvetica\", fontsize=10];\n"
    << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  g << "  population [shape=box, style=\"rounded,filled\", fillcolor=\"#2b5797\", fontcolor=\"white\", label=<<B>population</B><BR/>"
    << dotText(show(p, p.population), 30) << ">];\n";
  // Where each tier and rule is drawn: a node, or a port of its table.
  std::map<std::string, std::string> at;
  for (size_t i = 0; i < p.pathways.size(); ++i) {
    const ir::Pathway &pw = p.pathways[i];
    std::string pid = "p" + std::to_string(i);
    g << "  subgraph cluster_" << pid << " {\n    label=<<B>pathway " << xmlEscape(pw.name) << "</B>>; style=\"rounded\"; color=\"#2b5797\";\n";
    g << "    " << pid << " [shape=box, style=\"filled\", fillcolor=\"#dde7f3\", label=<<B>entered for</B><BR ALIGN=\"LEFT\"/>"
      << dotText(show(p, pw.entry), 40) << ">];\n";
    for (size_t t = 0; t < pw.tiers.size(); ++t) {
      const ir::Tier &tier = pw.tiers[t];
      std::string tid = pid + "_t" + std::to_string(t);
      at[pw.name + "." + tier.name] = tid;
      std::string label = "<B>tier " + xmlEscape(tier.name) + "</B><BR ALIGN=\"LEFT\"/>" + dotText("when " + show(p, tier.guard), 44);
      for (const Action &a : tier.actions) label += dotText("• " + actionShort(a), 44);
      g << "    " << tid << " [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f7fb\", URL=\"#"
        << tierId(pw.name, tier.name) << "\", tooltip=" << quoteId("tier " + pw.name + "." + tier.name) << ", label=<"
        << label << ">];\n";
    }
    // The tiers one above the other (one rank): the chart grows down, not
    // across, and stays readable at the page's width.
    if (pw.tiers.size() > 1) {
      g << "    { rank=same;";
      for (size_t t = 0; t < pw.tiers.size(); ++t) g << " " << pid << "_t" << t << ";";
      g << " }\n";
    }
    g << "  }\n";
    g << "  population -> " << pid << ";\n";
    for (size_t t = 0; t < pw.tiers.size(); ++t) {
      const ir::Tier &tier = pw.tiers[t];
      std::string tid = pid + "_t" + std::to_string(t);
      if (tier.after < 0) g << "  " << pid << " -> " << tid << ";\n";
      else
        // Written backwards (dir=back): in one rank, dot puts an edge's
        // head above its tail, and the earlier tier belongs on top.
        g << "  " << tid << " -> " << pid << "_t" << tier.after << " [dir=back, style=dashed, label=<"
          << dotText("failed when " + show(p, pw.tiers[tier.after].failedWhen), 36) << ">];\n";
    }
  }
  for (size_t i = 0; i < p.tables.size(); ++i) {
    const ir::Table &tb = p.tables[i];
    std::string id = "t" + std::to_string(i);
    g << "  " << id << " [shape=plain, label=<<TABLE BORDER=\"1\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\" COLOR=\"#7f93b3\">"
      << "<TR><TD COLSPAN=\"2\" PORT=\"h\" BGCOLOR=\"#dde7f3\" HREF=\"#table-" << xmlEscape(tb.name) << "\" TOOLTIP=\"table "
      << xmlEscape(tb.name) << "\"><B>table " << xmlEscape(tb.name)
      << "</B><BR/>" << xmlEscape(std::string("hit ") + spelling(tb.hit) + (tb.aggregation == ir::Aggregation::None ? "" : std::string(" ") + spelling(tb.aggregation)))
      << "</TD></TR>";
    for (size_t r = 0; r < tb.rules.size(); ++r) {
      const ir::Rule &rule = tb.rules[r];
      at[tb.name + "." + rule.name] = id + ":r" + std::to_string(r);
      std::string then;
      for (const Action &a : rule.actions) then += dotText("• " + actionShort(a), 34);
      for (size_t o = 0; o < rule.outputs.size() && o < tb.outputs.size(); ++o)
        then += dotText(tb.outputs[o].name + " = " + show(p, rule.outputs[o]), 34);
      if (then.empty()) then = "&#160;";
      g << "<TR><TD PORT=\"r" << r << "\" ALIGN=\"LEFT\" BALIGN=\"LEFT\" HREF=\"#" << ruleId(tb.name, rule.name) << "\" TOOLTIP=\"rule "
        << xmlEscape(tb.name + "." + rule.name) << "\"><B>"
        << xmlEscape(rule.name) << "</B><BR ALIGN=\"LEFT\"/>" << dotText("when " + show(p, rule.guard), 44) << "</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">"
        << then << "</TD></TR>";
    }
    g << "</TABLE>>];\n";
    g << "  population -> " << id << ":h;\n";
  }
  for (const Reference &r : in.references) {
    auto from = at.find(r.target), to = at.find(r.reader);
    if (from == at.end() || to == at.end()) continue;
    // Not a layout constraint: every table stays next to the population.
    g << "  " << from->second << " -> " << to->second
      << " [color=\"#8a8a8a\", style=dotted, arrowhead=vee, constraint=false];\n";
  }
  g << "}\n";
  return g.str();
}

std::string cleanSvg(const std::string &svg) {
  std::string s = svg;
  size_t start = s.find("<svg");
  if (start != std::string::npos) s = s.substr(start);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 4, "<!--") == 0) {
      size_t end = s.find("-->", i);
      i = end == std::string::npos ? s.size() : end + 3;
      if (i < s.size() && s[i] == '\n') ++i;
      continue;
    }
    out += s[i++];
  }
  return out;
}

std::string renderHtml(const PageInput &in, const std::string &svg) { return renderHtmlDocument(build(in), svg); }

std::string renderMarkdown(const PageInput &in, const std::string &dot) { return renderMarkdownDocument(build(in), dot); }

}  // namespace carepath::driver::doc
