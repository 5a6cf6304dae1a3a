// Table loading and evaluation (see carepath/Table.h). Loading validates the
// whole document once and compiles every condition to flat interval, member
// mask and boolean checks, so that evaluating a patient walks arrays and
// compares rationals without allocating.
#include "carepath/Table.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "carepath/Interval.h"
#include "carepath/TableFormat.h"
#include "JsonErrors.h"

namespace carepath::runtime {

using nlohmann::json;

// ------------------------------------------------------------------ the compiled model

struct Table::Model {
  std::string name, version, title, digest, status;
  std::vector<InputSpec> inputs;
  std::vector<UnitSpec> catalogue;  // every unit the protocol knows, for patient messages
  std::vector<TableInfo> tables;    // pathways, then tables

  using Interval = carepath::Interval;
  struct Check {
    uint32_t input = 0;
    InputSpec::Kind kind = InputSpec::Kind::Bool;
    bool value = false;        // Bool
    uint64_t members = 0;      // Enum: bit per allowed member
    uint32_t ivBegin = 0, ivEnd = 0;  // Number: into `intervals`
  };
  struct Span {
    uint32_t begin = 0, end = 0;
  };
  std::vector<Interval> intervals;
  std::vector<Check> checks;
  std::vector<std::string> checkText;  // per check, for explanations
  std::vector<Span> rows;              // into `checks`
  std::optional<Span> population;      // into `rows`; none: every patient
  std::vector<std::vector<Span>> conditions;  // [table][rule] into `rows`
  std::vector<const UnitSpec *> displayUnits;  // [input]
};

namespace {

using Model = Table::Model;

// ------------------------------------------------------------------ strict JSON reading with field paths

class Reader {
public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string &path, const std::string &message) const {
    throw LoadError(file_ + ": " + (path.empty() ? "" : "field '" + path + "': ") + message);
  }

  static const char *typeName(const json &j) {
    switch (j.type()) {
      case json::value_t::null: return "null";
      case json::value_t::boolean: return "a boolean";
      case json::value_t::string: return "a string";
      case json::value_t::array: return "an array";
      case json::value_t::object: return "an object";
      case json::value_t::number_float: return "a fractional number";
      default: return "a number";
    }
  }

  const json &member(const json &obj, const std::string &path, const char *key) const {
    if (!obj.is_object()) fail(path, std::string("expected an object, got ") + typeName(obj));
    auto it = obj.find(key);
    if (it == obj.end()) fail(join(path, key), "missing");
    return *it;
  }
  static std::string join(const std::string &path, const char *key) { return path.empty() ? key : path + "." + key; }
  static std::string at(const std::string &path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

  const json &object(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (!v.is_object()) fail(join(path, key), std::string("expected an object, got ") + typeName(v));
    return v;
  }
  const json &array(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (!v.is_array()) fail(join(path, key), std::string("expected an array, got ") + typeName(v));
    return v;
  }
  std::string string(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (!v.is_string()) fail(join(path, key), std::string("expected a string, got ") + typeName(v));
    return v.get<std::string>();
  }
  std::optional<std::string> optString(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_string()) fail(join(path, key), std::string("expected a string or null, got ") + typeName(v));
    return v.get<std::string>();
  }
  bool boolean(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (!v.is_boolean()) fail(join(path, key), std::string("expected true or false, got ") + typeName(v));
    return v.get<bool>();
  }
  int64_t integer(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (!v.is_number_integer()) fail(join(path, key), std::string("expected an integer, got ") + typeName(v));
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(join(path, key), "integer too large");
    return v.get<int64_t>();
  }
  Rational rational(const json &v, const std::string &path) const {
    if (!v.is_string()) fail(path, std::string("expected an exact number as a string (\"420\", \"1/3\"), got ") + typeName(v));
    std::optional<Rational> r;
    try {
      r = Rational::parse(v.get<std::string>());
    } catch (const RationalOverflow &) {
      fail(path, "number '" + v.get<std::string>() + "' is too large or too precise");
    }
    if (!r) fail(path, "'" + v.get<std::string>() + "' is not an exact number (\"420\", \"-0.5\", \"1/3\")");
    return *r;
  }
  std::optional<Rational> optRational(const json &obj, const std::string &path, const char *key) const {
    const json &v = member(obj, path, key);
    if (v.is_null()) return std::nullopt;
    return rational(v, join(path, key));
  }
  std::vector<std::string> strings(const json &obj, const std::string &path, const char *key) const {
    const json &a = array(obj, path, key);
    std::vector<std::string> out;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) fail(at(join(path, key), i), std::string("expected a string, got ") + typeName(a[i]));
      out.push_back(a[i].get<std::string>());
    }
    return out;
  }

private:
  std::string file_;
};

// Builds the document from nlohmann's SAX events, refusing duplicate keys
// (two readers could see different values) and deep nesting, and keeping
// where and why the parser stopped. Nothing is thrown from inside the
// parser, so every failure, a number too large for a double included,
// comes back here to be reported as a LoadError.
class StrictBuilder : public json::json_sax_t {
public:
  // Serialising the document (for the digest) recurses once per level: a
  // hostile file of nested brackets would overflow the stack. Real tables
  // nest about 10 levels.
  static constexpr size_t kMaxDepth = 128;

  json root;
  std::string problem;  // "malformed table: ..." when the content is refused
  std::optional<JsonSyntaxError> syntax;

  explicit StrictBuilder(std::string_view text) : text_(text) {}

  bool null() override { return put(nullptr) != nullptr; }
  bool boolean(bool b) override { return put(b) != nullptr; }
  bool number_integer(number_integer_t v) override { return put(v) != nullptr; }
  bool number_unsigned(number_unsigned_t v) override { return put(v) != nullptr; }
  bool number_float(number_float_t v, const string_t &) override { return put(v) != nullptr; }
  bool string(string_t &v) override { return put(std::move(v)) != nullptr; }
  bool binary(binary_t &v) override { return put(json::binary(std::move(v))) != nullptr; }  // not in JSON text
  bool start_object(std::size_t) override { return open(json::object()); }
  bool key(string_t &k) override {
    if (!keys_.back().insert(k).second) {
      problem = "malformed table: key '" + k + "' appears twice in one object";
      return false;
    }
    key_ = std::move(k);
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &ex) override {
    syntax = describeJsonError(text_, position, ex.id);
    return false;
  }

private:
  /// Places a value: the root, the next array element or the pending key's value.
  json *put(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json &top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    json &slot = top[key_];
    slot = std::move(v);
    return &slot;
  }
  bool open(json container) {
    if (stack_.size() >= kMaxDepth) {
      problem = "malformed table: nested more than " + std::to_string(kMaxDepth) + " levels deep";
      return false;
    }
    bool object = container.is_object();
    stack_.push_back(put(std::move(container)));
    if (object) keys_.emplace_back();
    return true;
  }

  std::string_view text_;
  std::vector<json *> stack_;  // open containers (stable: a parent grows only after its child closes)
  std::vector<std::set<std::string>> keys_;  // per open object
  std::string key_;
};

json parseStrict(std::string_view text, const std::string &file) {
  StrictBuilder builder(text);
  if (json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, /*strict=*/true))
    return std::move(builder.root);
  if (builder.syntax)
    throw LoadError(file + ":" + std::to_string(builder.syntax->line) + ":" + std::to_string(builder.syntax->column) +
                    ": malformed JSON: " + builder.syntax->reason);
  throw LoadError(file + ": " + builder.problem);
}

std::string displayBound(const Rational &v, const UnitSpec *unit) { return formatQuantity(v, unit); }

std::string describeNumber(const std::vector<Model::Interval> &ivs, const UnitSpec *unit) {
  std::string s;
  for (const Model::Interval &i : ivs) {
    if (!s.empty()) s += " or ";
    if (i.lo && i.hi && *i.lo == *i.hi) s += "= " + displayBound(*i.lo, unit);
    else if (i.lo && i.hi)
      s += std::string("in ") + (i.loClosed ? "[" : "(") + displayBound(*i.lo, unit) + ", " + displayBound(*i.hi, unit) +
           (i.hiClosed ? "]" : ")");
    else if (i.lo) s += (i.loClosed ? ">= " : "> ") + displayBound(*i.lo, unit);
    else if (i.hi) s += (i.hiClosed ? "<= " : "< ") + displayBound(*i.hi, unit);
    else s += "any value";
  }
  return s;
}

// ------------------------------------------------------------------ the loader

class Loader {
public:
  Loader(const Reader &r, Model &m) : r_(r), m_(m) {}

  void inputs(const json &doc) {
    const json &arr = r_.array(doc, "", "inputs");
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("inputs", i);
      const json &in = arr[i];
      InputSpec s;
      s.name = r_.string(in, path, "name");
      if (!seen.emplace(s.name, i).second) r_.fail(Reader::join(path, "name"), "input '" + s.name + "' is declared twice");
      std::string type = r_.string(in, path, "type");
      if (type == "bool") s.kind = InputSpec::Kind::Bool;
      else if (type == "enum") {
        s.kind = InputSpec::Kind::Enum;
        s.members = r_.strings(in, path, "members");
        if (s.members.empty() || s.members.size() > 64)
          r_.fail(Reader::join(path, "members"), "an enum input has 1 to 64 members, got " + std::to_string(s.members.size()));
      } else if (type == "number") {
        s.kind = InputSpec::Kind::Number;
        s.integer = r_.boolean(in, path, "integer");
        s.dimension = r_.string(in, path, "dimension");
        const json &range = r_.object(in, path, "range");
        s.lo = r_.optRational(range, path + ".range", "lo");
        s.hi = r_.optRational(range, path + ".range", "hi");
        const json &units = r_.array(in, path, "acceptedUnits");
        for (size_t u = 0; u < units.size(); ++u) s.units.push_back(unitSpec(units[u], Reader::at(path + ".acceptedUnits", u), s.dimension));
        const json &display = r_.member(in, path, "displayUnit");
        if (!display.is_null()) s.displayUnit = r_.string(display, path + ".displayUnit", "name");
        const json &substance = r_.member(in, path, "substance");
        if (!substance.is_null()) {
          std::string sp = path + ".substance";
          s.substance = r_.string(substance, sp, "name");
          const json &ratios = r_.array(substance, sp, "ratios");
          for (size_t k = 0; k < ratios.size(); ++k) {
            std::string rp = Reader::at(sp + ".ratios", k);
            units::Ratio ratio{r_.string(ratios[k], rp, "of"), r_.string(ratios[k], rp, "per"),
                               r_.rational(r_.member(ratios[k], rp, "factor"), rp + ".factor")};
            if (ratio.factor.sign() <= 0) r_.fail(rp + ".factor", "a substance ratio must be positive");
            s.conversions.push_back(std::move(ratio));
          }
        }
      } else {
        r_.fail(Reader::join(path, "type"), "expected bool, enum or number, got '" + type + "'");
      }
      m_.inputs.push_back(std::move(s));
    }
    for (const InputSpec &s : m_.inputs) {
      const UnitSpec *display = nullptr;
      for (const UnitSpec &u : s.units)
        if (u.name == s.displayUnit) display = &u;
      m_.displayUnits.push_back(display);
    }
    byName_ = seen;
    const json &units = r_.array(doc, "", "units");
    for (size_t u = 0; u < units.size(); ++u) {
      std::string up = Reader::at("units", u);
      m_.catalogue.push_back(unitSpec(units[u], up, r_.string(units[u], up, "dimension")));
    }
  }

  // A unit object: {name, factor, offset, ucum} (docs/tables.md).
  UnitSpec unitSpec(const json &j, const std::string &path, const std::string &dimension) {
    UnitSpec u{r_.string(j, path, "name"), r_.rational(r_.member(j, path, "factor"), path + ".factor"), dimension,
               r_.rational(r_.member(j, path, "offset"), path + ".offset"), r_.optString(j, path, "ucum").value_or("")};
    if (u.factor.sign() <= 0) r_.fail(path + ".factor", "a unit factor must be positive");
    return u;
  }

  // A condition: rows of per-input checks.
  Model::Span condition(const json &rows, const std::string &path) {
    if (!rows.is_array()) r_.fail(path, std::string("expected an array of rows, got ") + Reader::typeName(rows));
    Model::Span span{static_cast<uint32_t>(m_.rows.size()), 0};
    for (size_t ri = 0; ri < rows.size(); ++ri) {
      std::string rp = Reader::at(path, ri);
      const json &row = rows[ri];
      if (!row.is_object()) r_.fail(rp, std::string("expected an object from input name to condition, got ") + Reader::typeName(row));
      Model::Span checks{static_cast<uint32_t>(m_.checks.size()), 0};
      for (const auto &[name, cond] : row.items()) {
        std::string cp = rp + "." + name;
        auto it = byName_.find(name);
        if (it == byName_.end()) r_.fail(cp, "no input named '" + name + "'");
        const InputSpec &in = m_.inputs[it->second];
        Model::Check c;
        c.input = static_cast<uint32_t>(it->second);
        c.kind = in.kind;
        std::string text;
        switch (in.kind) {
          case InputSpec::Kind::Bool:
            c.value = r_.boolean(cond, cp, "is");
            text = c.value ? "is true" : "is false";
            break;
          case InputSpec::Kind::Enum: {
            std::vector<std::string> members = r_.strings(cond, cp, "in");
            for (const std::string &mname : members) {
              auto m = std::find(in.members.begin(), in.members.end(), mname);
              if (m == in.members.end()) r_.fail(cp + ".in", "'" + mname + "' is not a member of input '" + name + "'");
              c.members |= uint64_t(1) << (m - in.members.begin());
            }
            text = members.size() == 1 ? "== " + members[0] : "in {";
            if (members.size() != 1) {
              for (size_t k = 0; k < members.size(); ++k) text += (k ? ", " : "") + members[k];
              text += "}";
            }
            break;
          }
          case InputSpec::Kind::Number: {
            const json &ivs = r_.array(cond, cp, "intervals");
            if (ivs.empty()) r_.fail(cp + ".intervals", "empty: the condition could never hold");
            c.ivBegin = static_cast<uint32_t>(m_.intervals.size());
            std::vector<Model::Interval> mine;
            for (size_t k = 0; k < ivs.size(); ++k) {
              std::string ip = Reader::at(cp + ".intervals", k);
              Model::Interval iv;
              iv.lo = r_.optRational(ivs[k], ip, "lo");
              iv.hi = r_.optRational(ivs[k], ip, "hi");
              iv.loClosed = r_.boolean(ivs[k], ip, "loClosed");
              iv.hiClosed = r_.boolean(ivs[k], ip, "hiClosed");
              if (iv.empty()) r_.fail(ip, "empty interval");
              m_.intervals.push_back(iv);
              mine.push_back(iv);
            }
            c.ivEnd = static_cast<uint32_t>(m_.intervals.size());
            text = describeNumber(mine, m_.displayUnits[it->second]);
            break;
          }
        }
        m_.checks.push_back(c);
        m_.checkText.push_back(std::move(text));
      }
      checks.end = static_cast<uint32_t>(m_.checks.size());
      m_.rows.push_back(checks);
    }
    span.end = static_cast<uint32_t>(m_.rows.size());
    return span;
  }

  // A dose expression tree, flattened; returns the root's index.
  int expression(const json &e, const std::string &path, ActionInfo &a, int depth = 0) {
    if (depth > 64) r_.fail(path, "expression nested too deeply");
    static const std::map<std::string, DoseNode::Op> ops = {
        {"const", DoseNode::Op::Const}, {"input", DoseNode::Op::Input}, {"add", DoseNode::Op::Add},
        {"sub", DoseNode::Op::Sub},     {"mul", DoseNode::Op::Mul},     {"div", DoseNode::Op::Div},
        {"neg", DoseNode::Op::Neg},     {"min", DoseNode::Op::Min},     {"max", DoseNode::Op::Max}};
    std::string op = r_.string(e, path, "op");
    auto it = ops.find(op);
    if (it == ops.end()) r_.fail(path + ".op", "unknown operator '" + op + "'");
    DoseNode n;
    n.op = it->second;
    if (n.op == DoseNode::Op::Const) {
      n.value = r_.rational(r_.member(e, path, "value"), path + ".value");
    } else if (n.op == DoseNode::Op::Input) {
      std::string name = r_.string(e, path, "input");
      auto in = byName_.find(name);
      if (in == byName_.end() || m_.inputs[in->second].kind != InputSpec::Kind::Number)
        r_.fail(path + ".input", "no number input named '" + name + "'");
      n.input = static_cast<uint32_t>(in->second);
    } else {
      const json &args = r_.array(e, path, "args");
      size_t want = n.op == DoseNode::Op::Neg ? 1 : 2;
      bool nary = n.op == DoseNode::Op::Min || n.op == DoseNode::Op::Max;
      if (nary ? args.empty() : args.size() != want)
        r_.fail(path + ".args", "'" + op + "' takes " + (nary ? "at least 1" : std::to_string(want)) + " argument(s), got " +
                                    std::to_string(args.size()));
      for (size_t i = 0; i < args.size(); ++i)
        n.args.push_back(static_cast<uint32_t>(expression(args[i], Reader::at(path + ".args", i), a, depth + 1)));
    }
    a.nodes.push_back(std::move(n));
    return static_cast<int>(a.nodes.size() - 1);
  }

  static std::string rangeText(const std::optional<Rational> &lo, const std::optional<Rational> &hi, const UnitSpec *u) {
    std::string s;
    if (lo) s += formatQuantity(*lo, u);
    if (lo && hi) s += " .. ";
    if (hi) s += formatQuantity(*hi, u);
    return s;
  }

  std::optional<UnitSpec> unit(const json &j, const std::string &path) {
    if (j.is_null()) return std::nullopt;
    return unitSpec(j, path, "");
  }

  ActionInfo action(const json &j, const std::string &path) {
    ActionInfo a;
    std::string kind = r_.string(j, path, "kind");
    std::optional<ActionKind> k = parseActionKind(kind);
    if (!k) r_.fail(path + ".kind", "unknown action kind '" + kind + "'");
    a.kind = *k;
    a.identity = r_.string(j, path, "identity");
    a.note = r_.string(j, path, "note");
    a.citations = r_.strings(j, path, "citations");
    if (a.kind == ActionKind::Give) {
      a.name = r_.string(j, path, "drug");
      const json &amount = r_.member(j, path, "amount");
      if (!amount.is_null()) a.amount = expression(amount, path + ".amount", a);
      auto why = r_.optString(j, path, "doseUnspecified");
      if (why) a.reason = *why;
      if (a.amount < 0 && !why) r_.fail(path + ".amount", "a give action needs an amount or doseUnspecified");
      a.canonicalUnit = r_.string(j, path, "canonicalUnit");
      a.unit = unit(r_.member(j, path, "unit"), path + ".unit");
      const json &basis = r_.member(j, path, "basis");
      if (!basis.is_null()) a.basis = r_.string(basis, path + ".basis", "text");
      const json &dur = r_.member(j, path, "duration");
      std::optional<Rational> dlo, dhi, over = r_.optRational(j, path, "over");
      if (!dur.is_null()) {
        dlo = r_.optRational(dur, path + ".duration", "lo");
        dhi = r_.optRational(dur, path + ".duration", "hi");
      }
      // Durations are stored in hours; a course of whole days reads as days
      // ("for 3 days .. 5 days", not "for 72 h .. 120 h").
      bool wholeDays = true, oneDay = true;
      for (const auto *v : {&dlo, &dhi, &over})
        if (*v) {
          wholeDays = wholeDays && (**v / Rational(24)).isInteger();
          oneDay = oneDay && **v == Rational(24);
        }
      UnitSpec shown = wholeDays ? UnitSpec{oneDay ? "day" : "days", 24, "duration"} : UnitSpec{"h", 1, "duration"};
      if (dlo || dhi) a.extra += "for " + rangeText(dlo, dhi, &shown);
      if (over) a.extra += std::string(a.extra.empty() ? "" : ", ") + "over " + formatQuantity(*over, &shown);
    } else if (a.kind == ActionKind::Unspecified) {
      a.reason = r_.string(j, path, "reason");
    } else {
      a.name = r_.string(j, path, "name");
      const json &t = r_.member(j, path, "timing");
      if (!t.is_null()) {
        std::string tk = r_.string(t, path + ".timing", "kind");
        if (tk != "at" && tk != "within" && tk != "over")
          r_.fail(path + ".timing.kind", "expected at, within or over, got '" + tk + "'");
        auto lo = r_.optRational(t, path + ".timing", "lo"), hi = r_.optRational(t, path + ".timing", "hi");
        std::optional<UnitSpec> u = unit(r_.member(t, path + ".timing", "unit"), path + ".timing.unit");
        a.extra = tk + " " + rangeText(lo, hi, u ? &*u : nullptr);
      }
    }
    return a;
  }

  // The order a table consults its rules: a permutation of its rules,
  // written by the compiler (carepath::ruleOrder); never re-derived here.
  std::vector<uint32_t> order(const json &owner, const std::string &path, size_t rules) {
    const json &arr = r_.array(owner, path, "order");
    std::vector<uint32_t> out;
    std::vector<bool> seen(rules, false);
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string ip = Reader::at(path + ".order", i);
      if (!arr[i].is_number_unsigned() || arr[i].get<uint64_t>() >= rules)
        r_.fail(ip, "expected a rule index below " + std::to_string(rules));
      uint32_t r = static_cast<uint32_t>(arr[i].get<uint64_t>());
      if (seen[r]) r_.fail(ip, "rule " + std::to_string(r) + " appears twice in the order");
      seen[r] = true;
      out.push_back(r);
    }
    if (out.size() != rules)
      r_.fail(path + ".order", "lists " + std::to_string(out.size()) + " of the " + std::to_string(rules) + " rules");
    return out;
  }

  HitPolicy hit(const json &owner, const std::string &path) {
    std::string h = r_.string(owner, path, "hit");
    std::optional<HitPolicy> p = parseHitPolicy(h);
    if (!p) r_.fail(path + ".hit", "expected unique, first, priority, any or collect, got '" + h + "'");
    return *p;
  }

  std::vector<ActionInfo> actions(const json &owner, const std::string &path) {
    const json &arr = r_.array(owner, path, "actions");
    std::vector<ActionInfo> out;
    for (size_t i = 0; i < arr.size(); ++i) out.push_back(action(arr[i], Reader::at(path + ".actions", i)));
    return out;
  }

  void containers(const json &doc) {
    const json &pathways = r_.array(doc, "", "pathways");
    for (size_t i = 0; i < pathways.size(); ++i) {
      std::string path = Reader::at("pathways", i);
      TableInfo t;
      t.pathway = true;
      t.name = r_.string(pathways[i], path, "name");
      t.description = r_.string(pathways[i], path, "description");
      t.hit = hit(pathways[i], path);
      if (t.hit != HitPolicy::Unique)
        r_.fail(path + ".hit", std::string("a pathway's tiers are unique, got '") + spelling(t.hit) + "'");
      t.citations = r_.strings(pathways[i], path, "citations");
      const json &tiers = r_.array(pathways[i], path, "tiers");
      std::vector<Model::Span> conds;
      for (size_t k = 0; k < tiers.size(); ++k) {
        std::string tp = Reader::at(path + ".tiers", k);
        RuleInfo rule;
        rule.name = r_.string(tiers[k], tp, "name");
        rule.when = r_.string(tiers[k], tp, "when");
        rule.citations = r_.strings(tiers[k], tp, "citations");
        conds.push_back(condition(r_.member(tiers[k], tp, "condition"), tp + ".condition"));
        rule.actions = actions(tiers[k], tp);
        t.rules.push_back(std::move(rule));
      }
      t.order = order(pathways[i], path, t.rules.size());
      add(std::move(t), std::move(conds));
    }
    const json &tables = r_.array(doc, "", "tables");
    for (size_t i = 0; i < tables.size(); ++i) {
      std::string path = Reader::at("tables", i);
      TableInfo t;
      t.name = r_.string(tables[i], path, "name");
      t.description = r_.string(tables[i], path, "description");
      t.hit = hit(tables[i], path);
      r_.boolean(tables[i], path, "complete");
      t.citations = r_.strings(tables[i], path, "citations");
      const json &rules = r_.array(tables[i], path, "rules");
      std::vector<Model::Span> conds;
      for (size_t k = 0; k < rules.size(); ++k) {
        std::string rp = Reader::at(path + ".rules", k);
        RuleInfo rule;
        rule.name = r_.string(rules[k], rp, "name");
        const json &prio = r_.member(rules[k], rp, "priority");
        if (!prio.is_null()) rule.priority = r_.integer(rules[k], rp, "priority");
        rule.when = r_.string(rules[k], rp, "when");
        rule.citations = r_.strings(rules[k], rp, "citations");
        conds.push_back(condition(r_.member(rules[k], rp, "condition"), rp + ".condition"));
        rule.actions = actions(rules[k], rp);
        t.rules.push_back(std::move(rule));
      }
      t.order = order(tables[i], path, t.rules.size());
      add(std::move(t), std::move(conds));
    }
  }

private:
  void add(TableInfo t, std::vector<Model::Span> conds) {
    m_.conditions.push_back(std::move(conds));
    m_.tables.push_back(std::move(t));
  }

  const Reader &r_;
  Model &m_;
  std::map<std::string, size_t> byName_;
};

// ------------------------------------------------------------------ evaluation

inline bool check(const Model &m, const Model::Check &c, const PatientValue &v) {
  switch (c.kind) {
    case InputSpec::Kind::Bool: return v.boolean == c.value;
    case InputSpec::Kind::Enum: return (c.members >> v.member) & 1;
    case InputSpec::Kind::Number:
      for (uint32_t k = c.ivBegin; k < c.ivEnd; ++k)
        if (m.intervals[k].contains(v.number)) return true;
      return false;
  }
  return false;
}

// Whether a condition holds; with `trace`, records the checks made.
bool holds(const Model &m, Model::Span cond, const std::vector<PatientValue> &patient,
           std::vector<std::vector<ConditionCheck>> *trace) {
  for (uint32_t r = cond.begin; r < cond.end; ++r) {
    const Model::Span row = m.rows[r];
    bool all = true;
    if (trace) trace->emplace_back();
    for (uint32_t c = row.begin; c < row.end; ++c) {
      const Model::Check &ch = m.checks[c];
      bool ok = check(m, ch, patient[ch.input]);
      if (trace) trace->back().push_back({ch.input, m.checkText[c], ok});
      if (!ok) { all = false; break; }
    }
    if (all) return true;
  }
  return false;
}

Rational compute(const ActionInfo &a, int node, const std::vector<PatientValue> &patient) {
  const DoseNode &n = a.nodes[static_cast<size_t>(node)];
  switch (n.op) {
    case DoseNode::Op::Const: return n.value;
    case DoseNode::Op::Input: return patient[n.input].number;
    case DoseNode::Op::Neg: return -compute(a, static_cast<int>(n.args[0]), patient);
    case DoseNode::Op::Add: return compute(a, n.args[0], patient) + compute(a, n.args[1], patient);
    case DoseNode::Op::Sub: return compute(a, n.args[0], patient) - compute(a, n.args[1], patient);
    case DoseNode::Op::Mul: return compute(a, n.args[0], patient) * compute(a, n.args[1], patient);
    case DoseNode::Op::Div: return compute(a, n.args[0], patient) / compute(a, n.args[1], patient);
    case DoseNode::Op::Min:
    case DoseNode::Op::Max: {
      Rational r = compute(a, n.args[0], patient);
      for (size_t i = 1; i < n.args.size(); ++i) {
        Rational x = compute(a, n.args[i], patient);
        r = n.op == DoseNode::Op::Min ? std::min(r, x) : std::max(r, x);
      }
      return r;
    }
  }
  return 0;
}

// The amount an action gives this patient; nullopt when unspecified.
std::optional<Rational> amountOf(const ActionInfo &a, const std::vector<PatientValue> &patient) {
  if (a.amount < 0) return std::nullopt;
  return compute(a, a.amount, patient);
}

}  // namespace

// ------------------------------------------------------------------ Table

Table Table::loadText(std::string_view text, const LoadOptions &options, const std::string &name) {
  if (text.size() > options.maxBytes)
    throw LoadError(name + ": the table is " + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(options.maxBytes) + " bytes");
  json doc = parseStrict(text, name);
  Reader r(name);
  if (!doc.is_object()) r.fail("", std::string("not a carepath table: expected a JSON object, got ") + Reader::typeName(doc));
  const json &format = r.member(doc, "", "format");
  if (format != kTableFormatName)
    r.fail("format", "not a carepath table: format is " + format.dump() + ", expected \"" + kTableFormatName + "\"");
  int64_t version = r.integer(doc, "", "formatVersion");
  if (version != kTableFormatVersion)
    r.fail("formatVersion", "format version " + std::to_string(version) + " is not supported by this runtime (it reads version " +
                                std::to_string(kTableFormatVersion) + ")");
  std::string digest = r.string(doc, "", "digest");
  json content = doc;
  content.erase("digest");
  std::string computed = tableDigest(content.dump());
  if (digest != computed)
    r.fail("digest", "digest mismatch: the table was modified after it was compiled (recorded " + digest +
                         ", content hashes to " + computed + ")");

  auto m = std::make_shared<Model>();
  m->digest = digest;
  const json &verification = r.object(doc, "", "verification");
  m->status = r.string(verification, "verification", "status");
  if (m->status != "verified" && m->status != "unverified" && m->status != "not-verified")
    r.fail("verification.status", "expected verified, unverified or not-verified, got '" + m->status + "'");
  if (m->status != "verified" && !options.allowUnverified)
    r.fail("verification.status", "the table is " + m->status +
                                      (m->status == "unverified" ? " (compiled with --force despite failed verification)"
                                                                 : " (compiled with --no-verify)") +
                                      "; refusing it unless unverified tables are allowed");
  const json &protocol = r.object(doc, "", "protocol");
  m->name = r.string(protocol, "protocol", "name");
  m->version = r.string(protocol, "protocol", "version");
  m->title = r.string(protocol, "protocol", "title");

  Loader l(r, *m);
  l.inputs(doc);
  const json &population = r.member(doc, "", "population");
  if (!population.is_null()) m->population = l.condition(population, "population");
  l.containers(doc);
  return Table(std::move(m));
}

Table Table::load(const std::string &path, const LoadOptions &options) {
  // An ifstream opens a directory and reports its size as 2^63-1.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw LoadError(path + ": cannot read the file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path + ": cannot open the file");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) throw LoadError(path + ": cannot read the file");
  if (static_cast<size_t>(size) > options.maxBytes)
    throw LoadError(path + ": the table is " + std::to_string(size) + " bytes; the limit is " +
                    std::to_string(options.maxBytes) + " bytes");
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) throw LoadError(path + ": cannot read the file");
  return loadText(text, options, path);
}

const std::string &Table::protocolName() const { return m_->name; }
const std::string &Table::protocolVersion() const { return m_->version; }
const std::string &Table::title() const { return m_->title; }
const std::string &Table::digest() const { return m_->digest; }
const std::string &Table::verificationStatus() const { return m_->status; }
const std::vector<InputSpec> &Table::inputs() const { return m_->inputs; }
const std::vector<TableInfo> &Table::tables() const { return m_->tables; }

std::optional<std::vector<PatientValue>> Table::readPatient(std::string_view json,
                                                            std::vector<PatientError> &errors) const {
  return runtime::readPatient(m_->inputs, json, errors, m_->catalogue);
}

Result Table::evaluate(const std::vector<PatientValue> &patient, const EvaluateOptions &options) const {
  Result r;
  evaluate(patient, r, options);
  return r;
}

void Table::evaluate(const std::vector<PatientValue> &patient, Result &out, const EvaluateOptions &options) const {
  const Model &m = *m_;
  // The values must fit the inputs: a silent misfire on a value outside the
  // declared range is worse than an error.
  if (patient.size() != m.inputs.size())
    throw EvaluationError("the patient has " + std::to_string(patient.size()) + " values but the table has " +
                          std::to_string(m.inputs.size()) + " inputs");
  for (size_t i = 0; i < patient.size(); ++i) {
    const InputSpec &s = m.inputs[i];
    const PatientValue &v = patient[i];
    if (v.kind != s.kind) throw EvaluationError("input '" + s.name + "': the value is of the wrong kind");
    if (s.kind == InputSpec::Kind::Enum && (v.member < 0 || v.member >= static_cast<int>(s.members.size())))
      throw EvaluationError("input '" + s.name + "': no member " + std::to_string(v.member));
    if (s.kind == InputSpec::Kind::Number) {
      if ((s.lo && v.number < *s.lo) || (s.hi && v.number > *s.hi))
        throw EvaluationError("input '" + s.name + "' = " + displayValue(static_cast<uint32_t>(i), v) +
                              " is outside its range");
      if (s.integer && !v.number.isInteger())
        throw EvaluationError("input '" + s.name + "' must be a whole number");
    }
  }

  bool explain = options.explain;
  out.actions.clear();
  out.violations.clear();
  out.population.clear();
  out.trace.clear();
  out.matched.resize(m.tables.size());
  out.fired.resize(m.tables.size());
  for (size_t t = 0; t < m.tables.size(); ++t) {
    out.matched[t].assign(m.tables[t].rules.size(), 0);
    out.fired[t].assign(m.tables[t].rules.size(), 0);
  }
  out.inPopulation = true;
  if (m.population) {
    std::vector<std::vector<ConditionCheck>> rows;
    out.inPopulation = holds(m, *m.population, patient, explain ? &rows : nullptr);
    for (auto &row : rows)
      for (auto &c : row) out.population.push_back(std::move(c));
  }
  if (!out.inPopulation) return;

  try {
    std::vector<uint32_t> involved;
    for (uint32_t t = 0; t < m.tables.size(); ++t) {
      const TableInfo &info = m.tables[t];
      bool any = false;
      for (uint32_t r = 0; r < info.rules.size(); ++r) {
        bool h;
        if (explain) {
          out.trace.push_back({t, r, false, false, {}});
          h = holds(m, m.conditions[t][r], patient, &out.trace.back().rows);
          out.trace.back().matched = h;
        } else {
          h = holds(m, m.conditions[t][r], patient, nullptr);
        }
        out.matched[t][r] = h;
        any = any || h;
      }
      if (!any) continue;
      // Which rules fire and what the policy forbids: carepath/Rules.h, in
      // the order the table file gives.
      fire<uint8_t>(info.hit, info.order, out.matched[t], out.fired[t], ConcreteLogic{});
      auto sameOutputs = [&](uint32_t x, uint32_t y) {
        const RuleInfo &a = info.rules[x], &b = info.rules[y];
        if (a.actions.size() != b.actions.size()) return false;
        for (size_t k = 0; k < a.actions.size(); ++k)
          if (a.actions[k].identity != b.actions[k].identity ||
              amountOf(a.actions[k], patient) != amountOf(b.actions[k], patient))
            return false;
        return true;
      };
      HitViolation v = findViolation(info.hit, info.order, out.matched[t], sameOutputs, involved);
      if (v != HitViolation::None) out.violations.push_back(Violation{t, v, involved});
      for (uint32_t r = 0; r < info.rules.size(); ++r) {
        if (!out.fired[t][r]) continue;
        const RuleInfo &rule = info.rules[r];
        for (uint32_t a = 0; a < rule.actions.size(); ++a)
          out.actions.push_back(FiredAction{t, r, a, amountOf(rule.actions[a], patient)});
      }
    }
  } catch (const RationalOverflow &) {
    throw EvaluationError("exact arithmetic overflow computing a dose");
  } catch (const RationalDivisionByZero &) {
    throw EvaluationError("division by zero computing a dose");
  }
  if (explain)
    for (RuleTrace &rt : out.trace) rt.fired = out.fired[rt.table][rt.rule];
}

std::string Table::describe(const Violation &v) const {
  const TableInfo &t = m_->tables.at(v.table);
  std::vector<std::string> names;
  for (uint32_t r : v.rules) names.push_back(t.rules.at(r).name);
  return describeViolation(v.kind, t.pathway, t.name, names);
}

std::string Table::displayValue(uint32_t input, const PatientValue &v) const {
  const InputSpec &s = m_->inputs.at(input);
  switch (s.kind) {
    case InputSpec::Kind::Bool: return v.boolean ? "true" : "false";
    case InputSpec::Kind::Enum: return v.member >= 0 && v.member < static_cast<int>(s.members.size()) ? s.members[v.member] : "?";
    case InputSpec::Kind::Number: return formatQuantity(v.number, m_->displayUnits[input]);
  }
  return "?";
}

std::string Table::displayAmount(const ActionInfo &a, const Rational &canonical) const {
  return formatQuantity(canonical, a.unit ? &*a.unit : nullptr);
}

std::string Table::resultJson(const std::vector<PatientValue> &patient, const Result &r, bool explain) const {
  const Model &m = *m_;
  json out;
  out["protocol"] = {{"name", m.name}, {"version", m.version}, {"digest", m.digest}, {"verification", m.status}};
  out["inPopulation"] = r.inPopulation;
  json fired = json::array();
  for (uint32_t t = 0; t < m.tables.size(); ++t)
    for (uint32_t k = 0; k < m.tables[t].rules.size(); ++k)
      if (r.fired.size() > t && r.fired[t][k])
        fired.push_back({{m.tables[t].pathway ? "pathway" : "table", m.tables[t].name}, {m.tables[t].pathway ? "tier" : "rule", m.tables[t].rules[k].name}});
  out["fired"] = fired;
  json actions = json::array();
  for (const FiredAction &f : r.actions) {
    const TableInfo &t = m.tables[f.table];
    const RuleInfo &rule = t.rules[f.rule];
    const ActionInfo &a = rule.actions[f.action];
    json j = {{"from", t.name + "." + rule.name}, {"kind", spelling(a.kind)}, {"name", a.name}, {"note", a.note},
              {"citations", a.citations}};
    if (a.kind == ActionKind::Give) {
      if (f.amount) {
        j["amount"] = f.amount->str();
        j["canonicalUnit"] = a.canonicalUnit;
        j["display"] = displayAmount(a, *f.amount) + (a.basis.empty() ? "" : " " + a.basis);
      } else {
        j["amount"] = nullptr;
        j["doseUnspecified"] = a.reason;
      }
      j["basis"] = a.basis;
    }
    if (a.kind == ActionKind::Unspecified) j["reason"] = a.reason;
    if (!a.extra.empty()) j["timing"] = a.extra;
    actions.push_back(j);
  }
  out["actions"] = actions;
  json violations = json::array();
  for (const Violation &v : r.violations) violations.push_back(describe(v));
  out["violations"] = violations;
  if (explain) {
    json values = json::object();
    for (uint32_t i = 0; i < m.inputs.size() && i < patient.size(); ++i) values[m.inputs[i].name] = displayValue(i, patient[i]);
    out["patient"] = values;
    auto checks = [&](const std::vector<ConditionCheck> &cs) {
      json a = json::array();
      for (const ConditionCheck &c : cs)
        a.push_back({{"input", m.inputs[c.input].name}, {"value", displayValue(c.input, patient[c.input])},
                     {"condition", c.condition}, {"holds", c.holds}});
      return a;
    };
    out["populationChecks"] = checks(r.population);
    json trace = json::array();
    for (const RuleTrace &rt : r.trace) {
      const TableInfo &t = m.tables[rt.table];
      json rows = json::array();
      for (const auto &row : rt.rows) rows.push_back(checks(row));
      trace.push_back({{"table", t.name}, {"rule", t.rules[rt.rule].name}, {"when", t.rules[rt.rule].when},
                       {"matched", rt.matched}, {"fired", rt.fired}, {"rows", rows},
                       {"citations", t.rules[rt.rule].citations}});
    }
    out["trace"] = trace;
  }
  return out.dump(2);
}

}  // namespace carepath::runtime
