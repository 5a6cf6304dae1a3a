// Table loading and evaluation (see carepath/Table.h). Loading validates the
// whole document once, including the expression DAG (every argument an
// earlier node, every operator of the right arity and kinds); evaluating a
// patient is one pass over the nodes in order into the result's reused
// buffer, with Kleene's three-valued logic for missing values
// (carepath/Truth.h), so it walks arrays and compares rationals without
// allocating.
#include "carepath/Table.h"

#include <nlohmann/json.hpp>
#ifndef CAREPATH_NO_OPENSSL
#include <openssl/evp.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <limits>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <utility>

#include "carepath/Quantity.h"
#include "carepath/Sha256.h"
#include "carepath/Signing.h"
#include "carepath/TableFormat.h"
#include "carepath/Utf8.h"
#include "JsonErrors.h"
#include "RuleIndex.h"

namespace carepath::runtime {

using nlohmann::json;

// ------------------------------------------------------------------ the compiled model

struct Table::Model {
  std::string name, version, title, digest, status;
  std::string signer;  // LoadOptions::trust: the key that signed it
  std::vector<InputSpec> inputs;
  std::vector<std::vector<std::string>> enumMembers;  // the inputs', then table outputs' (Table::enumMembers)
  std::map<std::string, uint32_t> enumsByName;        // table outputs' enums ("discount.tier")
  std::vector<UnitSpec> catalogue;  // every unit the protocol knows, for patient messages
  std::vector<NodeInfo> nodes;      // topological order
  std::vector<TableInfo> tables;    // pathways, then tables
  std::optional<uint32_t> population;
  std::vector<AssumptionInfo> assumptions;
  std::vector<CodeInfo> codes;  // docs/tables.md, "Codes"
  std::vector<ContraindicationInfo> contraindications;  // docs/tables.md, "Contraindications"
  /// Derived: each drug's contraindications (indices), for the gives of it.
  std::map<std::string, std::vector<uint32_t>, std::less<>> contraindicationsOf;
  /// Pathways: the entry's node, for telling an undecided tier (its
  /// `condition` reads the entry through is-true).
  std::vector<std::optional<uint32_t>> entries;      // [table]
  std::vector<std::vector<uint32_t>> guards;          // [table][rule]: the guard as written (tiers: without the entry)
  /// What the explanation lists for each condition: the guard's parts in
  /// the order written (node, depth), each once.
  std::vector<std::vector<std::vector<ConditionCheck>>> explain;  // [table][rule]
  std::vector<ConditionCheck> populationExplain;
  std::vector<const UnitSpec *> displayUnits;  // [input]
  /// The protocol's dosing weight (`dosing weight = NAME`), a mass input;
  /// unset when it declares none. An infusion's rate is shown per kg of it.
  std::optional<uint32_t> dosingWeight;

  /// The nodes as evaluation reads them: small, contiguous, arguments in
  /// one array (NodeInfo keeps texts and names for explanations).
  struct EvalNode {
    Rational number;          // Const
    std::string text;         // Const string
    uint64_t members = 0;     // In
    uint32_t argBegin = 0, argEnd = 0;  // into evalArgs
    uint32_t input = 0;       // Input
    uint32_t k = 0;           // Count
    int32_t member = -1;      // Const enum
    NodeInfo::Op op = NodeInfo::Op::Const;
    InputSpec::Kind argKind = InputSpec::Kind::Bool;  // Eq, Ne: of the operands
    Counting counting = Counting::AtLeast;
    bool boolean = false;     // Const bool
    bool missing = false;     // Const: no value
  };
  std::vector<EvalNode> eval;
  std::vector<uint32_t> evalArgs;
  /// Population first: the nodes [0, populationEnd) are all it needs, so
  /// a patient outside it stops the pass there.
  uint32_t populationEnd = 0;
  /// [table]: the large-table index (RuleIndex.h); null: every rule is evaluated.
  std::vector<std::unique_ptr<RuleIndex>> index;
  /// Derived: the course pathways whose reachable states are known, each
  /// with its state inputs (`on_P`, then each `P_T_state`), for
  /// Result::unreachableCourses.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> courseChecks;
  /// docs/tables.md, "jointCourses": the sets of course pathways read
  /// together, and (derived) those whose joint states are known, each with
  /// its pathways' state inputs concatenated, for Result::unreachableJointCourses.
  std::vector<JointCourseInfo> jointCourses;
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> jointChecks;
};

namespace {

using Model = Table::Model;

// ------------------------------------------------------------------ strict JSON reading with field paths

class Reader {
public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string &path, const std::string &message,
                         LoadError::Kind kind = LoadError::Kind::Malformed) const {
    throw LoadError(file_ + ": " + (path.empty() ? "" : "field '" + path + "': ") + message, kind);
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

// ------------------------------------------------------------------ the loader

/// How many arguments an operator takes: [lo, hi] (both loaders check it).
std::pair<size_t, size_t> arity(NodeInfo::Op op) {
  using Op = NodeInfo::Op;
  switch (op) {
    case Op::Const: case Op::Input: return {0, 0};
    case Op::Define: case Op::Not: case Op::In: case Op::Neg: case Op::Known: case Op::IsTrue: return {1, 1};
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: return {2, 2};
    case Op::And: case Op::Or: return {2, SIZE_MAX};
    case Op::Min: case Op::Max: case Op::Count: return {1, SIZE_MAX};
    case Op::If: return {3, 3};
  }
  return {0, 0};
}

/// The verification gate (both loaders): a status this runtime knows, and
/// only "verified" unless unverified tables are allowed.
void checkStatus(const Reader &r, const std::string &status, const LoadOptions &options) {
  if (status != "verified" && status != "unverified" && status != "not-verified")
    r.fail("verification.status", "expected verified, unverified or not-verified, got '" + status + "'");
  if (status != "verified" && !options.allowUnverified)
    r.fail("verification.status", "the table is " + status +
                                      (status == "unverified" ? " (compiled with --force despite failed verification)"
                                                              : " (compiled with --no-verify)") +
                                      "; refusing it unless unverified tables are allowed",
           LoadError::Kind::Unverified);
}

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
      s.optional = r_.boolean(in, path, "optional");
      std::string type = r_.string(in, path, "type");
      if (type == "bool") s.kind = InputSpec::Kind::Bool;
      else if (type == "enum") {
        s.kind = InputSpec::Kind::Enum;
        s.members = r_.strings(in, path, "members");
        if (s.members.empty() || s.members.size() > 64)
          r_.fail(Reader::join(path, "members"), "an enum input has 1 to 64 members, got " + std::to_string(s.members.size()));
      } else if (type == "string") {
        s.kind = InputSpec::Kind::String;  // any string: no member list
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
        r_.fail(Reader::join(path, "type"), "expected bool, enum, number or string, got '" + type + "'");
      }
      m_.inputs.push_back(std::move(s));
    }
    displayUnits();
    byName_ = seen;
    const json &units = r_.array(doc, "", "units");
    for (size_t u = 0; u < units.size(); ++u) {
      std::string up = Reader::at("units", u);
      m_.catalogue.push_back(unitSpec(units[u], up, r_.string(units[u], up, "dimension")));
    }
  }

  // `protocol.dosingWeight`: the name of a number input, or null.
  void dosingWeight(const json &protocol) {
    const json &w = r_.member(protocol, "protocol", "dosingWeight");
    if (w.is_null()) return;
    std::string name = r_.string(protocol, "protocol", "dosingWeight");
    auto it = byName_.find(name);
    if (it == byName_.end() || m_.inputs[it->second].kind != InputSpec::Kind::Number)
      r_.fail("protocol.dosingWeight", "the dosing weight '" + name + "' is not a number input");
    m_.dosingWeight = static_cast<uint32_t>(it->second);
  }

  // Each input's display unit among its units (the JSON and compact loaders).
  void displayUnits() {
    for (const InputSpec &s : m_.inputs) {
      const UnitSpec *display = nullptr;
      for (const UnitSpec &u : s.units)
        if (u.name == s.displayUnit) display = &u;
      m_.displayUnits.push_back(display);
    }
  }

  // A unit object: {name, factor, offset, ucum} (docs/tables.md).
  UnitSpec unitSpec(const json &j, const std::string &path, const std::string &dimension) {
    UnitSpec u{r_.string(j, path, "name"), r_.rational(r_.member(j, path, "factor"), path + ".factor"), dimension,
               r_.rational(r_.member(j, path, "offset"), path + ".offset"), r_.optString(j, path, "ucum").value_or("")};
    if (u.factor.sign() <= 0) r_.fail(path + ".factor", "a unit factor must be positive");
    return u;
  }

  // ---------------------------------------------------------------- the expression DAG

  static const std::map<std::string, NodeInfo::Op> &opsByName() {
    static const std::map<std::string, NodeInfo::Op> ops = [] {
      std::map<std::string, NodeInfo::Op> m;
      for (int k = 0; k <= static_cast<int>(NodeInfo::Op::Count); ++k) {
        auto op = static_cast<NodeInfo::Op>(k);
        m.emplace(spelling(op), op);
      }
      return m;
    }();
    return ops;
  }

  static const char *kindName(InputSpec::Kind k) {
    switch (k) {
      case InputSpec::Kind::Bool: return "a condition";
      case InputSpec::Kind::Enum: return "an enum value";
      case InputSpec::Kind::Number: return "a number";
      case InputSpec::Kind::String: return "a string";
    }
    return "?";
  }

  size_t input(const json &node, const std::string &path, const char *key) {
    std::string name = r_.string(node, path, key);
    auto it = byName_.find(name);
    if (it == byName_.end()) r_.fail(Reader::join(path, key), "no input named '" + name + "'");
    return it->second;
  }

  /// An enum by name: an enum input's, or a table output's (`enums`).
  uint32_t enumType(const json &node, const std::string &path, const char *key) {
    std::string name = r_.string(node, path, key);
    if (auto e = m_.enumsByName.find(name); e != m_.enumsByName.end()) return e->second;
    auto it = byName_.find(name);
    if (it == byName_.end()) r_.fail(Reader::join(path, key), "no input or enum named '" + name + "'");
    if (m_.inputs[it->second].kind != InputSpec::Kind::Enum)
      r_.fail(Reader::join(path, key), "input '" + name + "' is not an enum");
    return static_cast<uint32_t>(it->second);
  }

  std::string enumName(size_t e) const {
    if (e < m_.inputs.size()) return "input '" + m_.inputs[e].name + "'";
    for (auto &[n, i] : m_.enumsByName)
      if (i == e) return "enum '" + n + "'";
    return "enum #" + std::to_string(e);
  }

  int member(size_t in, const std::string &name, const std::string &path) {
    const std::vector<std::string> &ms = m_.enumMembers.at(in);
    auto it = std::find(ms.begin(), ms.end(), name);
    if (it == ms.end()) r_.fail(path, "'" + name + "' is not a member of " + enumName(in));
    return static_cast<int>(it - ms.begin());
  }

  // The enums of table outputs (`enums`, format 3): numbered after the inputs.
  void enums(const json &doc) {
    for (const InputSpec &in : m_.inputs) m_.enumMembers.push_back(in.members);
    if (!doc.contains("enums")) return;
    const json &arr = r_.array(doc, "", "enums");
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("enums", i);
      std::string name = r_.string(arr[i], path, "name");
      std::vector<std::string> members = r_.strings(arr[i], path, "members");
      if (members.empty() || members.size() > 64)
        r_.fail(Reader::join(path, "members"), "an enum has 1 to 64 members, got " + std::to_string(members.size()));
      if (byName_.count(name) || !m_.enumsByName.emplace(name, static_cast<uint32_t>(m_.enumMembers.size())).second)
        r_.fail(Reader::join(path, "name"), "enum '" + name + "' is declared twice");
      m_.enumMembers.push_back(std::move(members));
    }
  }

  // Every node: its operator, its arguments (earlier nodes only, so the
  // graph has no cycle and one pass in order evaluates it), their number
  // and kinds, and the fields its operator needs.
  void nodes(const json &doc) {
    const json &arr = r_.array(doc, "", "nodes");
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("nodes", i);
      const json &j = arr[i];
      NodeInfo n;
      std::string op = r_.string(j, path, "op");
      auto it = opsByName().find(op);
      if (it == opsByName().end()) r_.fail(path + ".op", "unknown operator '" + op + "'");
      n.op = it->second;
      using Op = NodeInfo::Op;
      using K = InputSpec::Kind;
      if (n.op != Op::Const && n.op != Op::Input) {
        const json &args = r_.array(j, path, "args");
        for (size_t k = 0; k < args.size(); ++k) {
          std::string ap = Reader::at(path + ".args", k);
          if (!args[k].is_number_unsigned()) r_.fail(ap, "expected a node index, got " + std::string(Reader::typeName(args[k])));
          uint64_t a = args[k].get<uint64_t>();
          if (a >= i)
            r_.fail(ap, "node " + std::to_string(a) + " is not earlier than this node (" + std::to_string(i) +
                            "): arguments come first, so the graph has no cycle");
          n.args.push_back(static_cast<uint32_t>(a));
        }
      }
      auto [lo, hi] = arity(n.op);
      if (n.args.size() < lo || n.args.size() > hi)
        r_.fail(path + ".args", "'" + op + "' takes " +
                                    (lo == hi ? std::to_string(lo) : "at least " + std::to_string(lo)) +
                                    " argument(s), got " + std::to_string(n.args.size()));
      auto argKind = [&](size_t k) { return m_.nodes[n.args[k]].kind; };
      auto want = [&](size_t k, K kind) {
        if (argKind(k) != kind)
          r_.fail(Reader::at(path + ".args", k), "'" + op + "' needs " + kindName(kind) + " here, node " +
                                                    std::to_string(n.args[k]) + " is " + kindName(argKind(k)));
      };
      auto sameKind = [&](size_t x, size_t y) {
        const NodeInfo &a = m_.nodes[n.args[x]], &b = m_.nodes[n.args[y]];
        if (a.kind != b.kind || (a.kind == K::Enum && a.input != b.input))
          r_.fail(path + ".args", "'" + op + "' needs arguments of one kind: node " + std::to_string(n.args[x]) + " is " +
                                      kindName(a.kind) + ", node " + std::to_string(n.args[y]) + " is " + kindName(b.kind) +
                                      (a.kind == b.kind ? " of another input" : ""));
      };
      switch (n.op) {
        case Op::Const: {
          std::string type = r_.string(j, path, "type");
          n.constant.kind = n.kind = type == "bool" ? K::Bool : type == "enum" ? K::Enum : type == "string" ? K::String : K::Number;
          if (j.contains("missing")) {
            // No value (a table output no rule gives).
            if (!j["missing"].is_boolean() || !j["missing"].get<bool>()) r_.fail(path + ".missing", "expected true");
            if (type != "bool" && type != "number" && type != "enum" && type != "string")
              r_.fail(path + ".type", "expected bool, enum, number or string, got '" + type + "'");
            if (type == "enum") n.input = enumType(j, path, "enum");
            n.constant.missing = true;
            break;
          }
          const json &v = r_.member(j, path, "value");
          if (type == "bool") {
            if (!v.is_boolean()) r_.fail(path + ".value", std::string("expected true or false, got ") + Reader::typeName(v));
            n.constant.boolean = v.get<bool>();
          } else if (type == "number") {
            n.constant.number = r_.rational(v, path + ".value");
          } else if (type == "string") {
            if (!v.is_string()) r_.fail(path + ".value", std::string("expected a string, got ") + Reader::typeName(v));
            n.constant.text = v.get<std::string>();
          } else if (type == "enum") {
            n.input = enumType(j, path, "enum");
            n.constant.member = member(n.input, r_.string(j, path, "value"), path + ".value");
          } else {
            r_.fail(path + ".type", "expected bool, enum, number or string, got '" + type + "'");
          }
          break;
        }
        case Op::Input:
          n.input = static_cast<uint32_t>(input(j, path, "input"));
          n.kind = m_.inputs[n.input].kind;
          break;
        case Op::Define: {
          n.name = r_.string(j, path, "name");
          const NodeInfo &a = m_.nodes[n.args[0]];
          n.kind = a.kind;
          n.input = a.input;
          if (n.kind == K::Number) {
            n.unit = unit(r_.member(j, path, "unit"), path + ".unit");
          }
          break;
        }
        case Op::Not: case Op::And: case Op::Or: case Op::IsTrue: case Op::Count:
          for (size_t k = 0; k < n.args.size(); ++k) want(k, K::Bool);
          n.kind = K::Bool;
          if (n.op == Op::Count) {
            std::string c = r_.string(j, path, "counting");
            if (c == "at-least") n.counting = Counting::AtLeast;
            else if (c == "at-most") n.counting = Counting::AtMost;
            else if (c == "exactly") n.counting = Counting::Exactly;
            else r_.fail(path + ".counting", "expected at-least, at-most or exactly, got '" + c + "'");
            int64_t k = r_.integer(j, path, "k");
            if (k < 0 || static_cast<uint64_t>(k) > n.args.size())
              r_.fail(path + ".k", "expected a count from 0 to " + std::to_string(n.args.size()) + ", got " + std::to_string(k));
            n.k = static_cast<uint32_t>(k);
          }
          break;
        case Op::In: {
          want(0, K::Enum);
          n.kind = K::Bool;
          n.input = m_.nodes[n.args[0]].input;
          std::vector<std::string> ms = r_.strings(j, path, "members");
          if (ms.empty()) r_.fail(path + ".members", "empty: the condition could never hold");
          for (size_t k = 0; k < ms.size(); ++k) n.members |= uint64_t(1) << member(n.input, ms[k], Reader::at(path + ".members", k));
          break;
        }
        case Op::Eq: case Op::Ne:
          sameKind(0, 1);
          n.kind = K::Bool;
          break;
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
          want(0, K::Number);
          want(1, K::Number);
          n.kind = K::Bool;
          break;
        case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Neg: case Op::Min: case Op::Max:
          for (size_t k = 0; k < n.args.size(); ++k) want(k, K::Number);
          n.kind = K::Number;
          break;
        case Op::Known:
          n.kind = K::Bool;
          break;
        case Op::If:
          want(0, K::Bool);
          sameKind(1, 2);
          n.kind = argKind(1);
          n.input = m_.nodes[n.args[1]].input;
          break;
      }
      switch (n.op) {
        case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::In: case Op::Known:
        case Op::Count:
          n.text = r_.string(j, path, "text");
          break;
        default: break;
      }
      m_.nodes.push_back(std::move(n));
      finishNode();
    }
  }

  // A define's name is a name (`suspected`, `immunotherapy.first_line`),
  // or a reading the compiler names (`P_T_state == on`).
  static bool isName(const std::string &s) {
    for (char c : s)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
    return !s.empty();
  }

  // The last node read: what explanations show of it and its evaluation
  // form (the JSON and compact loaders).
  void finishNode() {
    uint32_t i = static_cast<uint32_t>(m_.nodes.size() - 1);
    m_.nodes.back().reads = reads(i);
    const NodeInfo &x = m_.nodes.back();
    Model::EvalNode e;
    e.number = x.constant.number;
    e.member = x.constant.member;
    e.text = x.constant.text;
    e.boolean = x.constant.boolean;
    e.missing = x.constant.missing;
    e.members = x.members;
    e.input = x.input;
    e.k = x.k;
    e.op = x.op;
    e.counting = x.counting;
    e.argKind = x.args.empty() ? x.kind : m_.nodes[x.args[0]].kind;
    e.argBegin = static_cast<uint32_t>(m_.evalArgs.size());
    m_.evalArgs.insert(m_.evalArgs.end(), x.args.begin(), x.args.end());
    e.argEnd = static_cast<uint32_t>(m_.evalArgs.size());
    m_.eval.push_back(e);
  }

  // What an explanation shows next to a check: the inputs and number
  // defines it reads through arithmetic (not through another define).
  std::vector<uint32_t> reads(uint32_t n) {
    using Op = NodeInfo::Op;
    const NodeInfo &node = m_.nodes[n];
    bool check = false;
    switch (node.op) {
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::In: case Op::Known:
        check = true;
        break;
      // A condition named by what it reads (`P_T_state == on`): the values it reads.
      case Op::Define: check = node.kind != InputSpec::Kind::Bool || !isName(node.name); break;
      default: break;
    }
    std::vector<uint32_t> out;
    if (!check) return out;
    std::vector<uint32_t> &stack = stack_;
    stack.assign(node.args.rbegin(), node.args.rend());
    startVisit();
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      if (!firstVisit(x)) continue;
      const NodeInfo &a = m_.nodes[x];
      if (a.op == Op::Input || a.op == Op::Define) {
        if (a.kind != InputSpec::Kind::Bool || a.op == Op::Input) out.push_back(x);
        continue;
      }
      for (auto it = a.args.rbegin(); it != a.args.rend(); ++it) stack.push_back(*it);
    }
    return out;
  }

  // A reference from a rule, tier, population or action to a node.
  uint32_t nodeRef(const json &v, const std::string &path, InputSpec::Kind kind) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() >= m_.nodes.size())
      r_.fail(path, "expected a node index below " + std::to_string(m_.nodes.size()) + ", got " +
                        (v.is_number() ? v.dump() : std::string(Reader::typeName(v))));
    uint32_t n = static_cast<uint32_t>(v.get<uint64_t>());
    if (m_.nodes[n].kind != kind)
      r_.fail(path, "node " + std::to_string(n) + " is " + kindName(m_.nodes[n].kind) + ", expected " + kindName(kind));
    return n;
  }
  std::optional<uint32_t> optNodeRef(const json &owner, const std::string &path, const char *key, InputSpec::Kind kind) {
    const json &v = r_.member(owner, path, key);
    if (v.is_null()) return std::nullopt;
    return nodeRef(v, Reader::join(path, key), kind);
  }

  // The parts of a condition an explanation lists, in the order written:
  // comparisons, bool inputs, defines (with their own parts one level
  // deeper), `known`, counts (with their items one level deeper). `and`,
  // `or`, `not` and is-true are what the `when` text shows already.
  std::vector<ConditionCheck> explainList(uint32_t root) {
    std::vector<ConditionCheck> out;
    startVisit();
    walk(root, 0, out);
    return out;
  }
  void walk(uint32_t n, uint32_t depth, std::vector<ConditionCheck> &out) {
    using Op = NodeInfo::Op;
    const NodeInfo &node = m_.nodes[n];
    if (depth > 16) return;  // explanations stay readable; the values are all in Result::values
    switch (node.op) {
      case Op::Not: case Op::And: case Op::Or: case Op::IsTrue:
        for (uint32_t a : node.args) walk(a, depth, out);
        return;
      case Op::If:
        if (node.kind == InputSpec::Kind::Bool)
          for (uint32_t a : node.args) walk(a, depth, out);
        return;
      case Op::Input:
        if (node.kind == InputSpec::Kind::Bool && firstVisit(n)) out.push_back({n, depth, Truth::False});
        return;
      case Op::Define:
        if (!firstVisit(n)) return;
        out.push_back({n, depth, Truth::False});
        // A define's parts one level deeper; a condition named by a reading
        // of the record (`P_T_state == on`, docs/tables.md) is one check.
        if (node.kind == InputSpec::Kind::Bool) {
          if (isName(node.name)) walk(node.args[0], depth + 1, out);
        } else {
          for (uint32_t r : node.reads)
            if (m_.nodes[r].op == Op::Define) walk(r, depth + 1, out);
        }
        return;
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::In: case Op::Known:
        if (!firstVisit(n)) return;
        out.push_back({n, depth, Truth::False});
        for (uint32_t r : node.reads)
          if (m_.nodes[r].op == Op::Define) walk(r, depth + 1, out);
        // A comparison of two conditions (`a == b`): their parts too.
        for (uint32_t a : node.args)
          if (m_.nodes[a].kind == InputSpec::Kind::Bool) walk(a, depth + 1, out);
        return;
      case Op::Count:
        if (!firstVisit(n)) return;
        out.push_back({n, depth, Truth::False});
        for (uint32_t a : node.args) walk(a, depth + 1, out);
        return;
      default: return;  // constants, arithmetic
    }
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
    // Present only for a withheld action and an alternative (docs/tables.md).
    if (auto u = j.contains("unless") ? optNodeRef(j, path, "unless", InputSpec::Kind::Bool) : std::nullopt)
      a.unless = static_cast<int>(*u);
    if (j.contains("choice") || j.contains("option")) {
      int64_t c = r_.integer(j, path, "choice"), o = r_.integer(j, path, "option");
      if (c < 0 || o < 0 || c > INT32_MAX || o > INT32_MAX)
        r_.fail(path + ".choice", "an alternative needs a choice and an option, each 0 or more");
      a.choice = static_cast<int>(c);
      a.option = static_cast<int>(o);
    }
    if (a.kind == ActionKind::Give) {
      a.name = r_.string(j, path, "drug");
      if (auto amount = optNodeRef(j, path, "amount", InputSpec::Kind::Number)) a.amount = static_cast<int>(*amount);
      // Present only for a dose range (docs/tables.md).
      if (auto high = j.contains("amountHigh") ? optNodeRef(j, path, "amountHigh", InputSpec::Kind::Number)
                                               : std::nullopt) {
        if (a.amount < 0) r_.fail(path + ".amountHigh", "a dose range needs its low end, 'amount'");
        a.amountHigh = static_cast<int>(*high);
      }
      auto why = r_.optString(j, path, "doseUnspecified");
      if (why) a.reason = *why;
      if (a.amount < 0 && !why) r_.fail(path + ".amount", "a give action needs an amount or doseUnspecified");
      a.canonicalUnit = r_.string(j, path, "canonicalUnit");
      a.unit = unit(r_.member(j, path, "unit"), path + ".unit");
      const json &basis = r_.member(j, path, "basis");
      if (!basis.is_null()) a.basis = r_.string(basis, path + ".basis", "text");
      const json &dur = r_.member(j, path, "duration");
      std::optional<Rational> dlo, dhi, over = r_.optRational(j, path, "over"), tlo, thi;
      // Present only for `over X .. Y` (docs/tables.md).
      std::optional<Rational> overHigh = j.contains("overHigh") ? r_.optRational(j, path, "overHigh") : std::nullopt;
      if (overHigh && (!over || *overHigh <= *over)) r_.fail(path + ".overHigh", "an infusion time range needs 'over', shorter than it");
      if (!dur.is_null()) {
        dlo = r_.optRational(dur, path + ".duration", "lo");
        dhi = r_.optRational(dur, path + ".duration", "hi");
      }
      // Present only for a tapered give (docs/tables.md).
      if (j.contains("taper")) {
        const json &tp = r_.member(j, path, "taper");
        tlo = r_.optRational(tp, path + ".taper", "lo");
        thi = r_.optRational(tp, path + ".taper", "hi");
        if (!tlo || !thi || *tlo <= Rational(0) || *tlo > *thi)
          r_.fail(path + ".taper", "a taper needs both ends, longer than zero, low end first");
      }
      // A give's route ("" when the protocol names none).
      if (j.contains("route")) a.route = r_.string(j, path, "route");
      // Written only for a give with a regimen (docs/tables.md).
      if (j.contains("regimen")) {
        const json &reg = r_.member(j, path, "regimen");
        a.regimen = r_.string(reg, path + ".regimen", "text");
        a.extra = a.regimen;
      }
      // Durations are stored in hours and read in whole days where they are
      // ("for 1 day .. 2 days", not "for 24 h .. 48 h"; carepath::formatDurations).
      if (dlo && dhi) a.extra += std::string(a.extra.empty() ? "" : ", ") + "for " + formatDurations(*dlo, *dhi, false);
      // "then taper over 2 weeks .. 3 weeks (course ends 19 days .. 26 days
      // after the first dose)"; with no `for`, the taper is the course.
      if (thi) {
        a.extra += std::string(a.extra.empty() ? "" : ", ") + (dlo || dhi ? "then " : "") + "taper over " +
                   formatDurations(*tlo, *thi);
        a.extra += dlo && dhi ? " (course ends " + formatDurations(*dlo + *tlo, *dhi + *thi) + " after the first dose)"
                              : std::string(" (the whole course, from the first dose)");
      }
      // An infusion time under an hour reads in minutes ("over 20 minutes").
      if (over) a.extra += std::string(a.extra.empty() ? "" : ", ") + "over " + formatDurations(*over, overHigh, false);
      if (j.contains("plan")) {
        const json &pl = r_.member(j, path, "plan");
        std::string pp = path + ".plan";
        a.plan = ActionInfo::Plan{r_.optRational(pl, pp, "perDose"), r_.optRational(pl, pp, "perDay"),
                                  r_.optRational(pl, pp, "perCourse"), r_.optRational(pl, pp, "doses"),
                                  r_.optRational(pl, pp, "interval"),
                                  // Written only for a continuous infusion (docs/tables.md, "plan").
                                  pl.contains("unit") ? unit(r_.member(pl, pp, "unit"), pp + ".unit") : std::nullopt,
                                  std::nullopt};
        // Written only for an intermittent infusion: its rate's factors.
        if (pl.contains("rate")) {
          const json &rt = r_.member(pl, pp, "rate");
          std::string rp = pp + ".rate";
          std::optional<Rational> lo = r_.optRational(rt, rp, "lo"), hi = r_.optRational(rt, rp, "hi");
          if (!lo || !hi || lo->sign() <= 0 || *lo > *hi) r_.fail(rp, "a rate needs both factors, above zero, low first");
          a.plan->rate = ActionInfo::Plan::Rate{*lo, *hi, r_.string(rt, rp, "canonicalUnit")};
        }
      }
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
        // `within 24 h of presentation`, `at 4 weeks .. 6 weeks after first_pulse`.
        if (t.contains("anchor")) a.extra += (tk == "at" ? " after " : " of ") + r_.string(t, path + ".timing", "anchor");
        a.timing = ActionInfo::Timing{tk, lo, hi, t.contains("anchor") ? r_.string(t, path + ".timing", "anchor") : ""};
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
    if (!p)
      r_.fail(path + ".hit", "expected unique, first, priority, any, collect, rule order or output order, got '" + h + "'");
    return *p;
  }

  // A table's typed outputs and their single values (format 3; absent in
  // tables written before outputs: none).
  std::vector<OutputInfo> outputs(const json &owner, const std::string &path, HitPolicy hit, Aggregation agg) {
    std::vector<OutputInfo> out;
    if (!owner.contains("outputs")) return out;
    const json &arr = r_.array(owner, path, "outputs");
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string op = Reader::at(path + ".outputs", i);
      OutputInfo o;
      o.name = r_.string(arr[i], op, "name");
      std::string type = r_.string(arr[i], op, "type");
      if (type == "bool") o.kind = InputSpec::Kind::Bool;
      else if (type == "number") o.kind = InputSpec::Kind::Number;
      else if (type == "enum") o.kind = InputSpec::Kind::Enum;
      else if (type == "string") o.kind = InputSpec::Kind::String;
      else r_.fail(op + ".type", "expected bool, enum, number or string, got '" + type + "'");
      if (o.kind == InputSpec::Kind::Number) o.unit = unit(r_.member(arr[i], op, "displayUnit"), op + ".displayUnit");
      bool single = hasSingleOutput(hit, agg);
      // `collect count` counts: an integer whatever the output's type.
      InputSpec::Kind valueKind = agg == Aggregation::Count ? InputSpec::Kind::Number : o.kind;
      const json &v = r_.member(arr[i], op, "value");
      if (single != !v.is_null())
        r_.fail(op + ".value", single ? "expected the output's node" : "expected null: the table decides a list");
      if (single) o.value = nodeRef(v, op + ".value", valueKind);
      out.push_back(std::move(o));
    }
    return out;
  }

  Aggregation aggregation(const json &owner, const std::string &path) {
    if (!owner.contains("aggregation") || owner["aggregation"].is_null()) return Aggregation::None;
    std::string a = r_.string(owner, path, "aggregation");
    std::optional<Aggregation> agg = parseAggregation(a);
    if (!agg) r_.fail(path + ".aggregation", "expected sum, min, max, count or null, got '" + a + "'");
    return *agg;
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
      std::optional<uint32_t> entry = optNodeRef(pathways[i], path, "entry", InputSpec::Kind::Bool);
      if (entry) t.entryWhen = r_.string(pathways[i], path, "entryWhen");
      const json &tiers = r_.array(pathways[i], path, "tiers");
      std::vector<uint32_t> guards;
      for (size_t k = 0; k < tiers.size(); ++k) {
        std::string tp = Reader::at(path + ".tiers", k);
        RuleInfo rule;
        rule.name = r_.string(tiers[k], tp, "name");
        rule.when = r_.string(tiers[k], tp, "when");
        rule.citations = r_.strings(tiers[k], tp, "citations");
        rule.condition = nodeRef(r_.member(tiers[k], tp, "condition"), tp + ".condition", InputSpec::Kind::Bool);
        guards.push_back(nodeRef(r_.member(tiers[k], tp, "guard"), tp + ".guard", InputSpec::Kind::Bool));
        optNodeRef(tiers[k], tp, "failedWhen", InputSpec::Kind::Bool);
        rule.actions = actions(tiers[k], tp);
        t.rules.push_back(std::move(rule));
      }
      t.order = order(pathways[i], path, t.rules.size());
      if (pathways[i].contains("course")) {
        // Additive: a course pathway's next state.
        const json &c = pathways[i]["course"];
        std::string cp = path + ".course";
        CourseInfo info;
        info.onInput = r_.string(c, cp, "onInput");
        info.onNext = nodeRef(r_.member(c, cp, "onNext"), cp + ".onNext", InputSpec::Kind::Bool);
        const json &exits = r_.array(c, cp, "exits");
        for (size_t k = 0; k < exits.size(); ++k) {
          std::string ep = Reader::at(cp + ".exits", k);
          info.exits.push_back({r_.string(exits[k], ep, "name"),
                                nodeRef(r_.member(exits[k], ep, "condition"), ep + ".condition", InputSpec::Kind::Bool)});
        }
        const json &next = r_.array(c, cp, "tiers");
        for (size_t k = 0; k < next.size(); ++k) {
          std::string np = Reader::at(cp + ".tiers", k);
          info.tierNext.push_back({r_.string(next[k], np, "stateInput"),
                                   nodeRef(r_.member(next[k], np, "next"), np + ".next", InputSpec::Kind::Enum)});
        }
        // Optional: a table written before it has none (nothing is flagged).
        if (c.contains("reachable")) reachable(c, cp + ".reachable", info);
        t.course = std::move(info);
      }
      add(std::move(t), entry, std::move(guards));
    }
    const json &tables = r_.array(doc, "", "tables");
    for (size_t i = 0; i < tables.size(); ++i) {
      std::string path = Reader::at("tables", i);
      TableInfo t;
      t.name = r_.string(tables[i], path, "name");
      t.description = r_.string(tables[i], path, "description");
      t.hit = hit(tables[i], path);
      t.aggregation = aggregation(tables[i], path);
      if (t.aggregation != Aggregation::None && t.hit != HitPolicy::Collect)
        r_.fail(path + ".aggregation", std::string("only 'collect' aggregates, the table is '") + spelling(t.hit) + "'");
      t.outputs = outputs(tables[i], path, t.hit, t.aggregation);
      r_.boolean(tables[i], path, "complete");
      t.citations = r_.strings(tables[i], path, "citations");
      const json &rules = r_.array(tables[i], path, "rules");
      std::vector<uint32_t> guards;
      for (size_t k = 0; k < rules.size(); ++k) {
        std::string rp = Reader::at(path + ".rules", k);
        RuleInfo rule;
        rule.name = r_.string(rules[k], rp, "name");
        const json &prio = r_.member(rules[k], rp, "priority");
        if (!prio.is_null()) rule.priority = r_.integer(rules[k], rp, "priority");
        rule.when = r_.string(rules[k], rp, "when");
        rule.citations = r_.strings(rules[k], rp, "citations");
        rule.condition = nodeRef(r_.member(rules[k], rp, "condition"), rp + ".condition", InputSpec::Kind::Bool);
        guards.push_back(rule.condition);
        if (rules[k].contains("outputs")) {
          const json &values = r_.array(rules[k], rp, "outputs");
          if (values.size() != t.outputs.size())
            r_.fail(rp + ".outputs", "expected " + std::to_string(t.outputs.size()) + " values, one per output of the table, got " +
                                         std::to_string(values.size()));
          for (size_t o = 0; o < values.size(); ++o)
            rule.outputs.push_back(nodeRef(values[o], Reader::at(rp + ".outputs", o), t.outputs[o].kind));
        } else if (!t.outputs.empty()) {
          r_.fail(rp, "field 'outputs' is missing: the table has outputs");
        }
        rule.actions = actions(rules[k], rp);
        t.rules.push_back(std::move(rule));
      }
      t.order = order(tables[i], path, t.rules.size());
      add(std::move(t), std::nullopt, std::move(guards));
    }
  }

  // A course search starts from a fresh patient's state, so a complete list
  // of reachable states (one pathway's or a joint set's) is never empty.
  static constexpr const char *kNoFreshState = "complete course states with none listed (a fresh patient's state is always reachable)";

  // `course.reachable` (docs/tables.md): {complete: true, states: [{on,
  // tiers: [member...]}...]} or {complete: false, why}.
  void reachable(const json &c, const std::string &path, CourseInfo &info) {
    const json &r = r_.object(c, path.substr(0, path.rfind('.')), "reachable");
    if (!r_.boolean(r, path, "complete")) {
      info.reachableWhy = r_.string(r, path, "why");
      return;
    }
    const json &states = r_.array(r, path, "states");
    if (states.empty()) r_.fail(path + ".states", kNoFreshState);
    std::vector<std::vector<uint32_t>> out;
    std::vector<uint32_t> inputs;
    std::string problem = courseInputs(info, inputs);
    if (!problem.empty()) r_.fail(path, problem);
    for (size_t k = 0; k < states.size(); ++k) {
      std::string sp = Reader::at(path + ".states", k);
      std::vector<uint32_t> state;
      courseState(states[k], sp, info, inputs, state);
      if (!out.empty() && !(out.back() < state)) r_.fail(sp, "the states are not in ascending order (or one is listed twice)");
      out.push_back(std::move(state));
    }
    info.reachable = std::move(out);
  }

  // One pathway's course state `{on, tiers: [STATE...]}`, appended to
  // `state` as `on_P` (0 or 1) then each tier's member index.
  void courseState(const json &j, const std::string &sp, const CourseInfo &info, const std::vector<uint32_t> &inputs,
                   std::vector<uint32_t> &state) {
    state.push_back(r_.boolean(j, sp, "on") ? 1u : 0u);
    std::vector<std::string> tiers = r_.strings(j, sp, "tiers");
    if (tiers.size() != info.tierNext.size())
      r_.fail(sp + ".tiers", "expected " + std::to_string(info.tierNext.size()) + " tier states, got " + std::to_string(tiers.size()));
    for (size_t t = 0; t < tiers.size(); ++t) {
      const std::vector<std::string> &members = m_.inputs[inputs[t + 1]].members;
      auto it = std::find(members.begin(), members.end(), tiers[t]);
      if (it == members.end()) r_.fail(Reader::at(sp + ".tiers", t), "'" + tiers[t] + "' is not a member of '" + info.tierNext[t].first + "'");
      state.push_back(static_cast<uint32_t>(it - members.begin()));
    }
  }

  // `jointCourses` (docs/tables.md; optional: absent when no property or
  // rule reads two course pathways together): [{pathways: [P...],
  // complete: true, states: [[{on, tiers}...]...]} or {pathways, complete:
  // false, why}]. After the containers: the pathways are read by name.
  void jointCourses(const json &doc) {
    if (!doc.contains("jointCourses")) return;
    const json &arr = r_.array(doc, "", "jointCourses");
    std::vector<JointCourseInfo> list;
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("jointCourses", i);
      JointCourseInfo j;
      std::vector<std::string> names = r_.strings(arr[i], path, "pathways");
      for (size_t k = 0; k < names.size(); ++k) {
        auto it = std::find_if(m_.tables.begin(), m_.tables.end(), [&](const TableInfo &t) { return t.name == names[k] && t.course; });
        if (it == m_.tables.end()) r_.fail(Reader::at(path + ".pathways", k), "'" + names[k] + "' is not a course pathway");
        j.pathways.push_back(static_cast<uint32_t>(it - m_.tables.begin()));
      }
      if (!r_.boolean(arr[i], path, "complete")) {
        j.reachableWhy = r_.string(arr[i], path, "why");
      } else {
        std::string problem = jointShape(j);
        if (!problem.empty()) r_.fail(path, problem);
        const json &states = r_.array(arr[i], path, "states");
        if (states.empty()) r_.fail(path + ".states", kNoFreshState);
        std::vector<std::vector<uint32_t>> out;
        for (size_t s = 0; s < states.size(); ++s) {
          std::string sp = Reader::at(path + ".states", s);
          if (!states[s].is_array() || states[s].size() != j.pathways.size())
            r_.fail(sp, "expected one course state per pathway (" + std::to_string(j.pathways.size()) + ")");
          std::vector<uint32_t> state, inputs;
          for (size_t k = 0; k < j.pathways.size(); ++k) {
            const CourseInfo &info = *m_.tables[j.pathways[k]].course;
            std::string problem = courseInputs(info, inputs);
            if (!problem.empty()) r_.fail(path, problem);
            courseState(states[s][k], Reader::at(sp, k), info, inputs, state);
          }
          if (!out.empty() && !(out.back() < state)) r_.fail(sp, "the states are not in ascending order (or one is listed twice)");
          out.push_back(std::move(state));
        }
        j.reachable = std::move(out);
      }
      list.push_back(std::move(j));
    }
    std::string problem = setJointCourses(std::move(list));
    if (!problem.empty()) r_.fail("jointCourses", problem);
  }

  // A joint set's pathways: two or more course pathways, ascending.
  std::string jointShape(const JointCourseInfo &j) const {
    if (j.pathways.size() < 2) return "a joint course set of fewer than two pathways";
    for (size_t k = 0; k < j.pathways.size(); ++k) {
      if (j.pathways[k] >= m_.tables.size() || !m_.tables[j.pathways[k]].course)
        return "a joint course set names a table that is not a course pathway";
      if (k && j.pathways[k - 1] >= j.pathways[k]) return "a joint course set's pathways are not in ascending order";
    }
    return "";
  }

  // The joint sets read (both loaders): each set's shape, each known
  // state's values in range and ascending (the JSON loader reads them so;
  // the compact loader checks them), and the checks derived. Returns the
  // problem, "" for none.
  std::string setJointCourses(std::vector<JointCourseInfo> list) {
    for (uint32_t i = 0; i < list.size(); ++i) {
      const JointCourseInfo &j = list[i];
      std::string problem = jointShape(j);
      if (!problem.empty()) return problem;
      // Sorted by their pathways, as the compiler writes them: a set listed
      // twice would be two answers to one question.
      if (i && !(list[i - 1].pathways < j.pathways)) return "joint course sets not in ascending order (or one is listed twice)";
      if (!j.reachable) continue;
      // The search starts from a fresh patient's state, always listed.
      if (j.reachable->empty()) return kNoFreshState;
      std::vector<uint32_t> inputs, one;
      for (uint32_t t : j.pathways) {
        problem = courseInputs(*m_.tables[t].course, one);
        if (!problem.empty()) return problem;
        inputs.insert(inputs.end(), one.begin(), one.end());
      }
      const std::vector<uint32_t> *previous = nullptr;
      for (const std::vector<uint32_t> &state : *j.reachable) {
        if (state.size() != inputs.size()) return "a joint course state of the wrong shape";
        for (size_t k = 0; k < state.size(); ++k)
          if (m_.inputs[inputs[k]].kind == InputSpec::Kind::Bool ? state[k] > 1 : state[k] >= m_.inputs[inputs[k]].members.size())
            return "a joint course state out of range";
        if (previous && !(*previous < state)) return "joint course states not in ascending order";
        previous = &state;
      }
      m_.jointChecks.push_back({i, std::move(inputs)});
    }
    m_.jointCourses = std::move(list);
    return "";
  }

  // A course pathway's state inputs, `on_P` (bool) then each `P_T_state`
  // (enum), by name; and, when its reachable states are known, that each
  // has one value per input in range, ascending (the JSON loader reads them
  // so; the compact loader checks them). Returns the problem, "" for none.
  std::string courseInputs(const CourseInfo &info, std::vector<uint32_t> &inputs) const {
    inputs.clear();
    auto find = [&](const std::string &name, InputSpec::Kind kind) {
      for (uint32_t i = 0; i < m_.inputs.size(); ++i)
        if (m_.inputs[i].name == name && m_.inputs[i].kind == kind) return static_cast<int64_t>(i);
      return int64_t(-1);
    };
    int64_t on = find(info.onInput, InputSpec::Kind::Bool);
    if (on < 0) return "the course pathway's 'onInput' '" + info.onInput + "' is not a bool input";
    inputs.push_back(static_cast<uint32_t>(on));
    for (const auto &[name, node] : info.tierNext) {
      int64_t in = find(name, InputSpec::Kind::Enum);
      if (in < 0) return "the course pathway's state input '" + name + "' is not an enum input";
      inputs.push_back(static_cast<uint32_t>(in));
    }
    if (!info.reachable) return "";
    if (info.reachable->empty()) return kNoFreshState;
    const std::vector<uint32_t> *previous = nullptr;
    for (const std::vector<uint32_t> &state : *info.reachable) {
      if (state.size() != inputs.size() || state[0] > 1) return "a reachable course state of the wrong shape";
      for (size_t k = 1; k < state.size(); ++k)
        if (state[k] >= m_.inputs[inputs[k]].members.size()) return "a reachable course state out of range";
      if (previous && !(*previous < state)) return "reachable course states not in ascending order";
      previous = &state;
    }
    return "";
  }

  // A table or pathway read (the JSON and compact loaders).
  void add(TableInfo t, std::optional<uint32_t> entry, std::vector<uint32_t> guards) {
    if (t.course && t.course->reachable) {
      std::vector<uint32_t> inputs;
      courseInputs(*t.course, inputs);  // checked by both loaders
      m_.courseChecks.push_back({static_cast<uint32_t>(m_.tables.size()), std::move(inputs)});
    }
    std::vector<std::vector<ConditionCheck>> explain;
    for (const RuleInfo &r : t.rules) {
      // A tier's condition is the define `P.T` (what a rule naming the tier
      // reads): its explanation is that define's parts.
      uint32_t root = r.condition;
      const NodeInfo &n = m_.nodes[root];
      if (n.op == NodeInfo::Op::Define && n.name == t.name + "." + r.name) root = n.args[0];
      explain.push_back(explainList(root));
    }
    m_.explain.push_back(std::move(explain));
    m_.entries.push_back(entry);
    m_.guards.push_back(std::move(guards));
    m_.tables.push_back(std::move(t));
  }

  void population(const json &doc) {
    setPopulation(optNodeRef(doc, "", "population", InputSpec::Kind::Bool));
    // `assumptions` (optional: absent when the protocol has none).
    if (!doc.contains("assumptions")) return;
    const json &arr = r_.array(doc, "", "assumptions");
    std::vector<AssumptionInfo> list;
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("assumptions", i);
      AssumptionInfo a;
      a.name = r_.string(arr[i], path, "name");
      a.when = r_.string(arr[i], path, "when");
      a.node = nodeRef(r_.member(arr[i], path, "node"), Reader::join(path, "node"), InputSpec::Kind::Bool);
      a.citations = r_.strings(arr[i], path, "citations");
      list.push_back(std::move(a));
    }
    setAssumptions(std::move(list));
  }
  // `codes` (optional: absent when the protocol has none). A code has its
  // system, code and display; an unspecified one its reason and none of them.
  void codes(const json &doc) {
    if (!doc.contains("codes")) return;
    const json &arr = r_.array(doc, "", "codes");
    for (size_t i = 0; i < arr.size(); ++i) {
      std::string path = Reader::at("codes", i);
      CodeInfo c;
      std::string target = r_.string(arr[i], path, "target");
      std::optional<CodeInfo::Target> t = parseCodeTarget(target);
      if (!t) r_.fail(Reader::join(path, "target"), "expected input, member, drug, route or action, got '" + target + "'");
      c.target = *t;
      c.name = r_.string(arr[i], path, "name");
      if (c.name.empty()) r_.fail(Reader::join(path, "name"), "a code names what it codes");
      c.unspecified = r_.optString(arr[i], path, "unspecified");
      std::optional<std::string> system = r_.optString(arr[i], path, "system"), code = r_.optString(arr[i], path, "code"),
                                 display = r_.optString(arr[i], path, "display");
      if (c.unspecified ? (system || code || display) : !(system && code && display))
        r_.fail(path, c.unspecified ? "an unspecified code has no system, code or display"
                                    : "a code has a system, a code and a display (\"\" when none), or is unspecified");
      c.system = system.value_or("");
      c.code = code.value_or("");
      if (!c.unspecified && (c.system.empty() || c.code.empty())) r_.fail(path, "a code has a non-empty system and code");
      c.display = display.value_or("");
      c.citations = r_.strings(arr[i], path, "citations");
      m_.codes.push_back(std::move(c));
    }
  }
  // `drugs[].contraindications` (optional: absent when a drug has none);
  // the rest of a drug entry is for people and other tools.
  void contraindications(const json &doc) {
    if (!doc.contains("drugs")) return;
    const json &drugs = r_.array(doc, "", "drugs");
    std::vector<ContraindicationInfo> list;
    for (size_t d = 0; d < drugs.size(); ++d) {
      std::string dp = Reader::at("drugs", d);
      if (!drugs[d].is_object() || !drugs[d].contains("contraindications")) continue;
      std::string drug = r_.string(drugs[d], dp, "name");
      const json &arr = r_.array(drugs[d], dp, "contraindications");
      for (size_t i = 0; i < arr.size(); ++i) {
        std::string path = Reader::at(dp + ".contraindications", i);
        ContraindicationInfo c;
        c.drug = drug;
        c.when = r_.string(arr[i], path, "when");
        c.condition = nodeRef(r_.member(arr[i], path, "condition"), Reader::join(path, "condition"), InputSpec::Kind::Bool);
        c.note = r_.string(arr[i], path, "note");
        c.citations = r_.strings(arr[i], path, "citations");
        list.push_back(std::move(c));
      }
    }
    setContraindications(std::move(list));
  }
  void setContraindications(std::vector<ContraindicationInfo> list) {
    m_.contraindications = std::move(list);
    for (uint32_t k = 0; k < m_.contraindications.size(); ++k)
      m_.contraindicationsOf[m_.contraindications[k].drug].push_back(k);
  }
  void setPopulation(std::optional<uint32_t> population) {
    m_.population = population;
    if (m_.population) m_.populationExplain = explainList(*m_.population);
    m_.populationEnd = m_.population ? *m_.population + 1 : 0;
  }
  // The assumptions' nodes (checked condition nodes) follow the
  // population's, and are computed with them (the JSON and compact loaders).
  void setAssumptions(std::vector<AssumptionInfo> list) {
    for (AssumptionInfo &a : list) {
      m_.populationEnd = std::max(m_.populationEnd, a.node + 1);
      m_.assumptions.push_back(std::move(a));
    }
  }

private:
  // The nodes one walk (reads, explainList) has visited: stamped with the
  // walk's number, so a walk needs no set of its own (a large table has
  // tens of thousands of them to derive).
  void startVisit() {
    if (visited_.size() < m_.nodes.size()) visited_.resize(2 * m_.nodes.size(), 0);
    if (++walk_ == 0) {  // wrapped: forget every stamp
      std::fill(visited_.begin(), visited_.end(), 0);
      walk_ = 1;
    }
  }
  bool firstVisit(uint32_t n) { return std::exchange(visited_[n], walk_) != walk_; }

  const Reader &r_;
  Model &m_;
  std::map<std::string, size_t> byName_;
  std::vector<uint32_t> visited_, stack_;
  uint32_t walk_ = 0;
};

// ------------------------------------------------------------------ evaluation

using Op = NodeInfo::Op;
using Error = NodeValue::Error;

// Operands are read left to right, as the IR reference evaluator reads
// them: the first operand whose arithmetic failed makes the node fail;
// otherwise a missing operand makes it missing (carepath/Truth.h: every
// operator but and/or/not/known/is-true/if/count).
using Args = std::span<const uint32_t>;
inline bool strictOperands(Args args, const std::vector<NodeValue> &v, NodeValue &out) {
  for (uint32_t a : args)
    if (v[a].error != Error::None) {
      out.error = v[a].error;
      out.missing = false;
      out.truth = Truth::Unknown;
      return false;
    }
  for (uint32_t a : args)
    if (v[a].missing) {
      out.missing = true;
      out.truth = Truth::Unknown;
      return false;
    }
  return true;
}

inline void setTruth(NodeValue &out, Truth t) {
  out.truth = t;
  out.missing = t == Truth::Unknown;
}

// Nodes [begin, end) in order: every argument is computed before its
// users. No allocation: `v` is sized by the caller.
inline void evaluateNode(const Table::Model &m, const std::vector<PatientValue> &patient, std::vector<NodeValue> &v,
                         uint32_t i) {
  {
    const Table::Model::EvalNode &n = m.eval[i];
    const Args args(m.evalArgs.data() + n.argBegin, n.argEnd - n.argBegin);
    NodeValue &out = v[i];
    out.error = Error::None;
    out.missing = false;
    switch (n.op) {
      case Op::Const:
        out.number = n.number;
        out.member = n.member;
        if (n.argKind == InputSpec::Kind::String) out.text = n.text;
        out.missing = n.missing;
        out.truth = n.missing ? Truth::Unknown : truth(n.boolean);
        break;
      case Op::Input: {
        const PatientValue &p = patient[n.input];
        out.missing = p.missing;
        out.number = p.number;
        out.member = p.member;
        if (n.argKind == InputSpec::Kind::String) out.text = p.text;
        out.truth = p.missing ? Truth::Unknown : truth(p.boolean);
        break;
      }
      case Op::Define: out = v[args[0]]; break;
      case Op::Not:
        if (!strictOperands(args, v, out) && out.error != Error::None) break;
        setTruth(out, kleeneNot(v[args[0]].truth));
        break;
      case Op::And:
      case Op::Or: {
        // The first deciding operand (false for and, true for or) decides;
        // a failure before it fails the node (read left to right).
        Truth decide = n.op == Op::And ? Truth::False : Truth::True;
        Truth t = n.op == Op::And ? Truth::True : Truth::False;
        for (uint32_t a : args) {
          if (v[a].error != Error::None) {
            out.error = v[a].error;
            break;
          }
          Truth x = v[a].truth;
          if (x == decide) {
            t = decide;
            break;
          }
          t = n.op == Op::And ? kleeneAnd(t, x) : kleeneOr(t, x);
        }
        if (out.error == Error::None) setTruth(out, t);
        else out.truth = Truth::Unknown;
        break;
      }
      case Op::In:
        if (strictOperands(args, v, out)) setTruth(out, truth((n.members >> v[args[0]].member) & 1));
        break;
      case Op::Eq:
      case Op::Ne:
        if (strictOperands(args, v, out)) {
          const NodeValue &a = v[args[0]], &b = v[args[1]];
          bool eq = false;
          switch (n.argKind) {
            case InputSpec::Kind::Bool: eq = a.truth == b.truth; break;
            case InputSpec::Kind::Enum: eq = a.member == b.member; break;
            case InputSpec::Kind::Number: eq = a.number == b.number; break;
            case InputSpec::Kind::String: eq = a.text == b.text; break;
          }
          setTruth(out, truth(n.op == Op::Eq ? eq : !eq));
        }
        break;
      case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
        if (strictOperands(args, v, out)) {
          const Rational &a = v[args[0]].number, &b = v[args[1]].number;
          bool r = n.op == Op::Lt ? a < b : n.op == Op::Le ? a <= b : n.op == Op::Gt ? a > b : a >= b;
          setTruth(out, truth(r));
        }
        break;
      case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Neg: case Op::Min: case Op::Max:
        if (!strictOperands(args, v, out)) break;
        try {
          const Rational &a = v[args[0]].number;
          switch (n.op) {
            case Op::Add: out.number = a + v[args[1]].number; break;
            case Op::Sub: out.number = a - v[args[1]].number; break;
            case Op::Mul: out.number = a * v[args[1]].number; break;
            case Op::Div: out.number = a / v[args[1]].number; break;
            case Op::Neg: out.number = -a; break;
            default: {
              Rational r = a;
              for (size_t k = 1; k < args.size(); ++k) {
                const Rational &x = v[args[k]].number;
                r = n.op == Op::Min ? std::min(r, x) : std::max(r, x);
              }
              out.number = r;
              break;
            }
          }
        } catch (const RationalOverflow &) {
          out.error = Error::Overflow;
        } catch (const RationalDivisionByZero &) {
          out.error = Error::DivisionByZero;
        }
        break;
      case Op::Known:
        if (v[args[0]].error != Error::None) out.error = v[args[0]].error;
        else setTruth(out, truth(!v[args[0]].missing));
        break;
      case Op::IsTrue:
        if (v[args[0]].error != Error::None) out.error = v[args[0]].error;
        else setTruth(out, truth(v[args[0]].truth == Truth::True));
        break;
      case Op::If: {
        // An unknown condition takes the else branch.
        const NodeValue &c = v[args[0]];
        if (c.error != Error::None) {
          out.error = c.error;
          break;
        }
        out = v[args[c.truth == Truth::True ? 1 : 2]];
        break;
      }
      case Op::Count: {
        uint64_t t = 0, u = 0;
        for (uint32_t a : args) {
          if (v[a].error != Error::None) {
            out.error = v[a].error;
            break;
          }
          t += v[a].truth == Truth::True;
          u += v[a].truth == Truth::Unknown;
        }
        if (out.error == Error::None) setTruth(out, countTruth(n.counting, n.k, t, u));
        break;
      }
    }
  }
}

void evaluateNodes(const Table::Model &m, const std::vector<PatientValue> &patient, std::vector<NodeValue> &v,
                   uint32_t begin, uint32_t end) {
  for (uint32_t i = begin; i < end; ++i) evaluateNode(m, patient, v, i);
}

/// Evaluation on demand (with the index): a node is computed once per
/// patient, after its arguments; the nodes no result needs are not.
class Demand {
public:
  Demand(const Table::Model &m, const std::vector<PatientValue> &patient, std::vector<NodeValue> &v, uint32_t done)
      : m_(m), patient_(patient), v_(v) {
    // Zero but for the words `dirty` lists (cleared here, not re-zeroed
    // whole: a large table's nodes would make each evaluation linear).
    static thread_local std::vector<uint64_t> computed;
    static thread_local std::vector<uint32_t> stack, dirty;
    for (uint32_t w : dirty) computed[w] = 0;
    dirty.clear();
    if (computed.size() < m.nodes.size() / 64 + 1) computed.resize(m.nodes.size() / 64 + 1, 0);
    computed_ = &computed;
    dirty_ = &dirty;
    stack.clear();
    stack_ = &stack;
    for (uint32_t i = 0; i < done; ++i) mark(i);
  }
  bool has(uint32_t n) const { return ((*computed_)[n / 64] >> (n % 64)) & 1; }
  void mark(uint32_t n) {
    uint64_t &w = (*computed_)[n / 64];
    if (!w) dirty_->push_back(n / 64);
    w |= uint64_t(1) << (n % 64);
  }
  void need(uint32_t node) {
    if (has(node)) return;
    std::vector<uint32_t> &stack = *stack_;
    stack.push_back(node);
    while (!stack.empty()) {
      uint32_t x = stack.back();
      if (has(x)) {
        stack.pop_back();
        continue;
      }
      bool ready = true;
      const Table::Model::EvalNode &n = m_.eval[x];
      for (uint32_t k = n.argBegin; k < n.argEnd; ++k)
        if (!has(m_.evalArgs[k])) {
          stack.push_back(m_.evalArgs[k]);
          ready = false;
        }
      if (!ready) continue;
      evaluateNode(m_, patient_, v_, x);
      mark(x);
      stack.pop_back();
    }
  }
  void need(int node) {
    if (node >= 0) need(static_cast<uint32_t>(node));
  }

private:
  const Table::Model &m_;
  const std::vector<PatientValue> &patient_;
  std::vector<NodeValue> &v_;
  std::vector<uint64_t> *computed_;
  std::vector<uint32_t> *stack_, *dirty_;
};

[[noreturn]] void raise(Error e, const std::string &what) {
  throw EvaluationError(std::string(e == Error::Overflow ? "exact arithmetic overflow" : "division by zero") +
                            " computing " + what,
                        EvaluationError::Kind::Arithmetic);
}

// The truth of a condition the result needs; a failed computation is an
// error now (EvaluationError), never a guess. `what` words the condition
// only then (no string is built on the way).
template <typename What> Truth needTruth(const std::vector<NodeValue> &v, uint32_t node, What what) {
  if (v[node].error != Error::None) raise(v[node].error, what());
  return v[node].truth;
}

std::string ruleWhere(const TableInfo &t, const RuleInfo &r) {
  return std::string(t.pathway ? "the condition of tier '" : "the condition of rule '") + t.name + "." + r.name + "'";
}

// The value of an amount node for this patient.
Rational amountAt(const std::vector<NodeValue> &v, int node, const ActionInfo &a) {
  const NodeValue &x = v[static_cast<size_t>(node)];
  if (x.error != Error::None) raise(x.error, "the amount of " + a.name);
  if (x.missing)
    throw EvaluationError("the amount of " + a.name + " cannot be computed: it needs a value the patient does not give",
                          EvaluationError::Kind::Undefined);
  return x.number;
}

/// A value the result needs (a fired rule's output, a table's output):
/// its arithmetic error is raised here.
const NodeValue &needValue(const std::vector<NodeValue> &v, uint32_t node, const std::string &what) {
  if (v[node].error != Error::None) raise(v[node].error, what);
  return v[node];
}

bool sameValue(const NodeValue &a, const NodeValue &b, InputSpec::Kind k) {
  if (a.missing || b.missing) return true;  // no disagreement (ir::sameOutputValue)
  switch (k) {
    case InputSpec::Kind::Bool: return a.truth == b.truth;
    case InputSpec::Kind::Enum: return a.member == b.member;
    case InputSpec::Kind::Number: return a.number == b.number;
    case InputSpec::Kind::String: return a.text == b.text;
  }
  return false;
}

// Whether an action is offered to this patient (ir::offered): without
// `unless`, or with its condition false (unknown withholds it).
bool offeredTo(const std::vector<NodeValue> &v, const ActionInfo &a, const std::string &what) {
  if (a.unless < 0) return true;
  const NodeValue &u = needValue(v, static_cast<uint32_t>(a.unless), what);
  return !u.missing && u.truth == Truth::False;
}

// The amount an action gives this patient, [low, high] (equal for a single
// dose); both nullopt when unspecified. An empty range is an error, as in
// the reference evaluator.
std::pair<std::optional<Rational>, std::optional<Rational>> amountOf(const std::vector<NodeValue> &v,
                                                                     const ActionInfo &a) {
  if (a.amount < 0) return {};
  Rational low = amountAt(v, a.amount, a);
  Rational high = a.amountHigh < 0 ? low : amountAt(v, a.amountHigh, a);
  if (high < low)
    throw EvaluationError("the dose range of '" + a.name + "' is empty for this patient: its low end " + low.str() +
                          " exceeds its high end " + high.str() + " (canonical units)",
                          EvaluationError::Kind::Undefined);
  return {low, high};
}

// The missing inputs that make a node unknown (or missing): followed
// through the arguments that are themselves unknown (an `if` through the
// branch it took).
void missingInputs(const Table::Model &m, const std::vector<NodeValue> &v, uint32_t node, std::vector<uint32_t> &out,
                   std::vector<uint8_t> &seen) {
  if (seen[node] || !v[node].missing) return;
  seen[node] = 1;
  const NodeInfo &n = m.nodes[node];
  if (n.op == Op::Input) {
    if (std::find(out.begin(), out.end(), n.input) == out.end()) out.push_back(n.input);
    return;
  }
  if (n.op == Op::If) {
    missingInputs(m, v, n.args[v[n.args[0]].truth == Truth::True ? 1 : 2], out, seen);
    return;
  }
  for (uint32_t a : n.args) missingInputs(m, v, a, out, seen);
}


// A fired rule's offered actions, with their amounts, and its outputs, as
// the result records them: one definition for the scan and the index.
void recordFired(const TableInfo &info, const std::vector<NodeValue> &v, uint32_t t, uint32_t r, Result &out) {
  const RuleInfo &rule = info.rules[r];
  for (uint32_t a = 0; a < rule.actions.size(); ++a) {
    if (!offeredTo(v, rule.actions[a], "the 'unless' of " + ruleWhere(info, rule))) continue;
    auto [low, high] = amountOf(v, rule.actions[a]);
    out.actions.push_back(FiredAction{t, r, a, low, high});
  }
  for (size_t o = 0; o < rule.outputs.size(); ++o)
    needValue(v, rule.outputs[o], "output '" + info.outputs[o].name + "' of " + ruleWhere(info, rule));
}

// One table through its index: the same result as the scan (differential
// test: tests/unit/RuleIndexTest.cpp), touching only the matching rules
// and the residual ones (RuleIndex.h). Which rules fire is
// carepath::fire's definition (Rules.h) on a sparse set: under `first`,
// `priority` and `any` the first match in order, otherwise every match.
// Every match is still recorded (Result::matched is public, and `unique`
// and `any` need them all): its cost follows the matches, not the rules.
template <class SameOutputs>
void evaluateIndexed(const Table::Model &m, const std::vector<PatientValue> &patient, uint32_t t, const RuleIndex &ix,
                     Demand &demand, Result &out, SameOutputs &sameOutputs, std::vector<uint32_t> &involved) {
  const TableInfo &info = m.tables[t];
  std::vector<NodeValue> &v = out.values;
  // The query's bitsets, zero but for the words `touched` lists: those the
  // walk below clears, or an evaluation that threw left behind. Sized for
  // the largest table seen, so nothing here is proportional to the rules.
  static thread_local std::vector<uint64_t> matchedBits, undecidedBits, touchedBits;
  static thread_local std::vector<uint32_t> hits, fired, written, sparseOrder;
  static thread_local std::vector<uint8_t> ones;
  const size_t S = ix.summaryWords();
  if (touchedBits.size() < S) {
    touchedBits.resize(S, 0);
    matchedBits.resize(64 * S, 0);
    undecidedBits.resize(64 * S, 0);
  }
  uint64_t *matched = matchedBits.data(), *undecided = undecidedBits.data(), *touched = touchedBits.data();
  for (size_t s = 0; s < touchedBits.size(); ++s)
    for (uint64_t x = std::exchange(touched[s], 0); x; x &= x - 1) {
      size_t w = s * 64 + static_cast<size_t>(std::countr_zero(x));
      matched[w] = undecided[w] = 0;
    }
  ix.query(patient, matched, undecided, touched);
  const std::vector<uint32_t> &position = ix.position(), &order = ix.order();
  auto set = [&](uint64_t *b, uint32_t p) {
    b[p / 64] |= uint64_t(1) << (p % 64);
    touched[p / 4096] |= uint64_t(1) << (p / 64 % 64);
  };
  // The residual rules, in written order, as the scan reads them (the first
  // condition that cannot be computed is the error; a box check cannot fail).
  for (uint32_t r : ix.residual()) {
    const RuleInfo &rule = info.rules[r];
    demand.need(rule.condition);
    Truth cond = needTruth(v, rule.condition, [&] { return ruleWhere(info, rule); });
    if (cond == Truth::True) set(matched, position[r]);
    else if ((v[rule.condition].error != NodeValue::Error::None ? Truth::Unknown : v[rule.condition].truth) == Truth::Unknown)
      set(undecided, position[r]);
  }
  hits.clear();  // matched rules, in order
  for (size_t s = 0; s < S; ++s)
    for (uint64_t y = std::exchange(touched[s], 0); y; y &= y - 1) {
      size_t w = s * 64 + static_cast<size_t>(std::countr_zero(y));
      for (uint64_t x = std::exchange(matched[w], 0); x; x &= x - 1) {
        uint32_t r = order[w * 64 + static_cast<uint32_t>(std::countr_zero(x))];
        out.matched[t][r] = 1;
        hits.push_back(r);
      }
      for (uint64_t x = std::exchange(undecided[w], 0); x; x &= x - 1) {
        uint32_t r = order[w * 64 + static_cast<uint32_t>(std::countr_zero(x))];
        out.undecided[t][r] = 1;
        out.flagged[t].push_back(r);
      }
    }
  // Every flag set below is a matched rule's: listed, the next evaluation
  // clears just these.
  out.flagged[t].insert(out.flagged[t].end(), hits.begin(), hits.end());
  if (hits.empty()) {
    for (size_t o = 0, k = 0; o < info.outputs.size(); ++o)
      if (info.outputs[o].value) {
        uint32_t none = ix.noValue()[k++];
        demand.need(none);
        v[*info.outputs[o].value] = v[none];
        demand.mark(*info.outputs[o].value);
      }
    return;
  }
  fired.assign(hits.begin(), firesFirstMatchOnly(info.hit) ? hits.begin() + 1 : hits.end());
  for (uint32_t r : fired) out.fired[t][r] = 1;
  // The values the result reads: fired rules' amounts and outputs (every
  // match's under `any`, which compares them).
  for (uint32_t r : info.hit == HitPolicy::Any ? hits : fired) {
    const RuleInfo &rule = info.rules[r];
    for (uint32_t o : rule.outputs) demand.need(o);
    for (const ActionInfo &a : rule.actions) {
      demand.need(a.amount);
      demand.need(a.amountHigh);
      if (a.unless >= 0) demand.need(static_cast<uint32_t>(a.unless));
    }
  }
  if (hits.size() >= 2 && (info.hit == HitPolicy::Unique || info.hit == HitPolicy::Any)) {
    // carepath::findViolation on the matches only (it reads nothing else):
    // rule k of the sparse table is written[k], the k-th match in written order.
    written.assign(hits.begin(), hits.end());
    std::sort(written.begin(), written.end());
    sparseOrder.clear();
    for (uint32_t r : hits)
      sparseOrder.push_back(static_cast<uint32_t>(std::lower_bound(written.begin(), written.end(), r) - written.begin()));
    ones.assign(hits.size(), 1);
    auto same = [&](uint32_t a, uint32_t b) { return sameOutputs(written[a], written[b]); };
    HitViolation hv = findViolation(info.hit, std::span<const uint32_t>(sparseOrder), std::span<const uint8_t>(ones), same, involved);
    for (uint32_t &k : involved) k = written[k];
    if (hv != HitViolation::None) out.violations.push_back(Violation{t, hv, involved});
  }
  // Actions in written order; results in the table's order (resultOrder
  // over the fired rules, which are in order already).
  if (!info.outputs.empty())
    out.results[t] = resultOrder(info.hit, std::span<const uint32_t>(fired), out.fired[t], [&](uint32_t r) {
      const NodeValue &x = v[info.rules[r].outputs[0]];
      return x.missing ? INT32_MAX : x.member;
    });
  std::sort(fired.begin(), fired.end());
  for (uint32_t r : fired) recordFired(info, v, t, r, out);
  // Single values: the first fired rule's in order (ir::outputValue).
  for (size_t o = 0; o < info.outputs.size(); ++o)
    if (info.outputs[o].value) {
      v[*info.outputs[o].value] = v[info.rules[hits.front()].outputs[o]];
      demand.mark(*info.outputs[o].value);
    }
}

}  // namespace

// The signature check of a trusted load (docs/tables.md, "Signature"):
// `content` is the document without `digest`. Returns the signer's key id.
static std::string checkSignature(const Reader &r, const json &doc, json content, const TrustStore &trust) {
  auto it = doc.find("signature");
  if (it == doc.end())
    r.fail("signature", "the table is not signed, and only tables signed by a trusted key are accepted (compile it with --sign KEY)",
           LoadError::Kind::Unsigned);
  const json &sig = *it;
  if (!sig.is_object()) r.fail("signature", std::string("corrupt signature: expected an object, got ") + Reader::typeName(sig), LoadError::Kind::BadSignature);
  auto field = [&](const char *key) {
    auto f = sig.find(key);
    if (f == sig.end() || !f->is_string())
      r.fail(std::string("signature.") + key, "corrupt signature: expected a string", LoadError::Kind::BadSignature);
    return f->get<std::string>();
  };
  std::string algorithm = field("algorithm"), id = field("keyId"), value = field("value");
  if (algorithm != kSignatureAlgorithm)
    r.fail("signature.algorithm", "unsupported signature algorithm '" + algorithm + "' (this runtime checks " + kSignatureAlgorithm + ")",
           LoadError::Kind::BadSignature);
  std::string bytes;
  if (!base64Decode(value, bytes) || bytes.size() != 64)
    r.fail("signature.value", "corrupt signature: expected the base64 of a 64-byte Ed25519 signature", LoadError::Kind::BadSignature);
  if (!trust.trusts(id)) {
    std::string known;
    for (const std::string &k : trust.ids()) known += (known.empty() ? "" : ", ") + k;
    r.fail("signature.keyId", "signed by key " + id + ", which is not trusted (trusted: " + (known.empty() ? "none" : known) + ")",
           LoadError::Kind::Untrusted);
  }
  content.erase("signature");
  if (!trust.verify(id, signedMessage(content.dump()), bytes))
    r.fail("signature.value", "the signature by key " + id + " does not match the content: the table was changed after it was signed",
           LoadError::Kind::BadSignature);
  return id;
}

// ------------------------------------------------------------------ Table

Table Table::loadText(std::string_view text, const LoadOptions &options, const std::string &name) {
  if (text.size() > options.maxBytes)
    throw LoadError(name + ": the table is " + std::to_string(text.size()) + " bytes; the limit is " +
                        std::to_string(options.maxBytes) + " bytes",
                    LoadError::Kind::TooLarge);
  if (isCompact(text)) return loadCompact(text, options, name);
  json doc = parseStrict(text, name);
  Reader r(name);
  if (!doc.is_object()) r.fail("", std::string("not a carepath table: expected a JSON object, got ") + Reader::typeName(doc));
  const json &format = r.member(doc, "", "format");
  if (format != kTableFormatName)
    r.fail("format", "not a carepath table: format is " + format.dump() + ", expected \"" + kTableFormatName + "\"",
           LoadError::Kind::Unsupported);
  int64_t version = r.integer(doc, "", "formatVersion");
  if (version != kTableFormatVersion)
    r.fail("formatVersion", "format version " + std::to_string(version) + " is not supported by this runtime (it reads version " +
                                std::to_string(kTableFormatVersion) + ")",
           LoadError::Kind::Unsupported);
  std::string digest = r.string(doc, "", "digest");
  json content = doc;
  content.erase("digest");
  std::string computed = tableDigest(content.dump());
  if (digest != computed)
    r.fail("digest", "digest mismatch: the table was modified after it was compiled (recorded " + digest +
                         ", content hashes to " + computed + ")",
           LoadError::Kind::Tampered);

  auto m = std::make_shared<Model>();
  m->digest = digest;
  if (options.trust) m->signer = checkSignature(r, doc, std::move(content), *options.trust);
  const json &verification = r.object(doc, "", "verification");
  m->status = r.string(verification, "verification", "status");
  checkStatus(r, m->status, options);
  const json &protocol = r.object(doc, "", "protocol");
  m->name = r.string(protocol, "protocol", "name");
  m->version = r.string(protocol, "protocol", "version");
  m->title = r.string(protocol, "protocol", "title");

  Loader l(r, *m);
  l.inputs(doc);
  l.dosingWeight(protocol);
  l.enums(doc);
  l.nodes(doc);
  l.population(doc);
  l.codes(doc);
  l.contraindications(doc);
  l.containers(doc);
  l.jointCourses(doc);
  for (const TableInfo &t : m->tables) m->index.push_back(RuleIndex::build(m->nodes, m->inputs, t));
  return Table(std::move(m));
}

Table Table::load(const std::string &path, const LoadOptions &options) {
  // An ifstream opens a directory and reports its size as 2^63-1.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw LoadError(path + ": cannot read the file: it is a directory", LoadError::Kind::Io);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path + ": cannot open the file", LoadError::Kind::Io);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) throw LoadError(path + ": cannot read the file", LoadError::Kind::Io);
  if (static_cast<size_t>(size) > options.maxBytes)
    throw LoadError(path + ": the table is " + std::to_string(size) + " bytes; the limit is " +
                        std::to_string(options.maxBytes) + " bytes",
                    LoadError::Kind::TooLarge);
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) throw LoadError(path + ": cannot read the file", LoadError::Kind::Io);
  return loadText(text, options, path);
}

// ------------------------------------------------------------------ the compact format
// docs/runtime.md, "Compact tables": the loaded model in a binary form that
// loads without parsing JSON. Layout: the magic (8 bytes), the compact
// format version (u32), the SHA-256 of the payload (32 bytes), the
// payload's size (u64), the payload. Integers are LEB128 varints (signed
// ones zigzag), strings and lists a count then their items, numbers exact
// (numerator, denominator). Each struct's fields are listed once, in
// `fields` below, for both the writer and the reader. The rule index is
// stored as its recipe (RuleIndex::Recipe: what sorting the cut points and
// reading every condition gives), checked for shape and expanded on load;
// the rest the JSON loader derives (explanation lists, evaluation nodes) is
// derived again by the same code.

namespace {

constexpr char kCompactMagic[8] = {'\x89', 'C', 'P', 'T', '\r', '\n', '\x1a', '\n'};
constexpr uint32_t kCompactVersion = 8;  // 2: a give's route; 3: the rule index; 4: the codes; 5: contraindications, a plan's unit;
                                         // 6: an infusion's rate, the dosing weight; 7: the reachable course states;
                                         // 8: the joint course states (jointCourses, last)
constexpr uint32_t kCompactOldest = 7;   // read too: a 7 is an 8 without jointCourses
constexpr size_t kCompactHeader = 8 + 4 + 32 + 8;

std::array<unsigned char, 32> sha256(std::string_view bytes) {
#ifdef CAREPATH_NO_OPENSSL
  // WebAssembly (bindings/js): no OpenSSL, support/'s SHA-256.
  Sha256 h;
  h.update(bytes);
  return h.finish();
#else
  // OpenSSL's SHA-256 (with the CPU's SHA extensions where present): the
  // digest check is most of a compact load.
  std::array<unsigned char, 32> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 || len != 32)
    throw LoadError("cannot compute SHA-256 (OpenSSL)", LoadError::Kind::Io);
  return md;
#endif
}

/// The model's parts as stored (derived parts are not).
struct CompactParts {
  std::string name, version, title, digest, status;
  std::vector<InputSpec> inputs;
  std::vector<std::vector<std::string>> enumMembers;
  std::vector<std::pair<std::string, uint32_t>> enumsByName;
  std::vector<UnitSpec> catalogue;
  std::vector<NodeInfo> nodes;  // without `reads` (derived)
  std::optional<uint32_t> population;
  std::vector<TableInfo> tables;
  std::vector<std::optional<uint32_t>> entries;
  std::vector<std::vector<uint32_t>> guards;
  std::vector<AssumptionInfo> assumptions;
  std::vector<std::optional<RuleIndex::Recipe>> indexes;  // [table]: nullopt when it has none
  std::vector<CodeInfo> codes;
  std::vector<ContraindicationInfo> contraindications;
  std::optional<uint32_t> dosingWeight;
  std::vector<JointCourseInfo> jointCourses;  // version 8 on
};

template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsPair : std::false_type {};
template <class A, class B> struct IsPair<std::pair<A, B>> : std::true_type {};

// The largest value of each enum stored (the reader refuses others).
constexpr uint64_t enumMax(NodeInfo::Op) { return static_cast<uint64_t>(NodeInfo::Op::Count); }
constexpr uint64_t enumMax(InputSpec::Kind) { return static_cast<uint64_t>(InputSpec::Kind::String); }
constexpr uint64_t enumMax(Counting) { return static_cast<uint64_t>(Counting::Exactly); }
constexpr uint64_t enumMax(HitPolicy) { return static_cast<uint64_t>(HitPolicy::OutputOrder); }
constexpr uint64_t enumMax(Aggregation) { return static_cast<uint64_t>(Aggregation::Count); }
constexpr uint64_t enumMax(ActionKind) { return static_cast<uint64_t>(ActionKind::Unspecified); }
constexpr uint64_t enumMax(CodeInfo::Target) { return static_cast<uint64_t>(CodeInfo::Target::Action); }

class CompactOut {
public:
  std::string bytes;
  uint32_t version = kCompactVersion;  // what it writes
  template <class T> void operator()(T &x) {
    if constexpr (std::is_same_v<T, bool>) bytes.push_back(x ? 1 : 0);
    else if constexpr (std::is_enum_v<T>) varint(static_cast<uint64_t>(x));
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) zigzag(static_cast<int64_t>(x));
    else if constexpr (std::is_integral_v<T>) varint(static_cast<uint64_t>(x));
    else if constexpr (std::is_same_v<T, std::string>) {
      varint(x.size());
      bytes += x;
    } else if constexpr (std::is_same_v<T, Rational>) {
      zigzag(x.num());
      varint(static_cast<uint64_t>(x.den()));
    } else if constexpr (IsOptional<T>::value) {
      bytes.push_back(x ? 1 : 0);
      if (x) (*this)(*x);
    } else if constexpr (IsVector<T>::value) {
      varint(x.size());
      for (auto &item : x) (*this)(item);
    } else if constexpr (IsPair<T>::value) {
      (*this)(x.first);
      (*this)(x.second);
    } else {
      fields(*this, x);
    }
  }

private:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  void zigzag(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
};

class CompactIn {
public:
  CompactIn(std::string_view payload, const Reader &r) : p_(payload.data()), end_(payload.data() + payload.size()), r_(r) {}
  uint32_t version = kCompactVersion;  // of the file read (fields(CompactParts): what it holds)
  bool done() const { return p_ == end_; }
  [[noreturn]] void bad(const std::string &what) const { r_.fail("", "malformed compact table: " + what); }

  template <class T> void operator()(T &x) {
    if constexpr (std::is_same_v<T, bool>) {
      uint64_t v = varint();
      if (v > 1) bad("a flag is neither 0 nor 1");
      x = v == 1;
    } else if constexpr (std::is_enum_v<T>) {
      uint64_t v = varint();
      if (v > enumMax(T{})) bad("an enumerated value out of range");
      x = static_cast<T>(v);
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      uint64_t u = varint();
      int64_t v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) bad("an integer out of range");
      x = static_cast<T>(v);
    } else if constexpr (std::is_integral_v<T>) {
      uint64_t v = varint();
      if (v > std::numeric_limits<T>::max()) bad("an integer out of range");
      x = static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      size_t n = count();
      // UTF-8, as the JSON parser requires of a table's strings (and JSON
      // output of them needs).
      std::string_view text(p_, n);
      for (size_t i = 0; i < n;) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
          ++i;
          continue;
        }
        size_t len = decodeUtf8(text, i).length;
        if (len == 0) bad("a string that is not UTF-8");
        i += len;
      }
      x.assign(p_, n);
      p_ += n;
    } else if constexpr (std::is_same_v<T, Rational>) {
      int64_t num = 0;
      uint64_t den = 0;
      (*this)(num);
      (*this)(den);
      if (den == 0 || den > static_cast<uint64_t>(INT64_MAX)) bad("a number with a zero or too large denominator");
      try {
        x = Rational(num, static_cast<int64_t>(den));
      } catch (const std::exception &) {
        bad("a number out of range");
      }
      if (x.num() != num || x.den() != static_cast<int64_t>(den)) bad("a number not in lowest terms");
    } else if constexpr (IsOptional<T>::value) {
      bool present = false;
      (*this)(present);
      if (present) {
        x.emplace();
        (*this)(*x);
      } else {
        x.reset();
      }
    } else if constexpr (IsVector<T>::value) {
      size_t n = count();  // every item takes a byte at least: a bounded allocation
      x.clear();
      x.resize(n);
      for (auto &item : x) (*this)(item);
    } else if constexpr (IsPair<T>::value) {
      (*this)(x.first);
      (*this)(x.second);
    } else {
      fields(*this, x);
    }
  }

private:
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) bad("it ends in the middle of a value");
      auto b = static_cast<unsigned char>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    bad("an integer longer than 64 bits");
  }
  size_t count() {
    uint64_t n = varint();
    if (n > static_cast<uint64_t>(end_ - p_)) bad("a length beyond the end of the file");
    return static_cast<size_t>(n);
  }
  const char *p_, *end_;
  const Reader &r_;
};

// Each struct's stored fields, in order (the writer's and the reader's one
// definition). Every member is named by a structured binding, so a member
// added to one of these structs does not compile until it is listed here.
template <class IO> void fields(IO &io, UnitSpec &u) {
  auto &[name, factor, dimension, offset, ucum] = u;
  io(name), io(factor), io(dimension), io(offset), io(ucum);
}
template <class IO> void fields(IO &io, units::Ratio &r) {
  auto &[of, per, factor] = r;
  io(of), io(per), io(factor);
}
template <class IO> void fields(IO &io, InputSpec &s) {
  auto &[name, kind, members, integer, lo, hi, dimension, units, displayUnit, substance, conversions, optional] = s;
  io(name), io(kind), io(members), io(integer), io(lo), io(hi), io(dimension), io(units), io(displayUnit),
      io(substance), io(conversions), io(optional);
}
template <class IO> void fields(IO &io, PatientValue &v) {
  auto &[kind, boolean, member, number, text, missing] = v;
  io(kind), io(boolean), io(member), io(number), io(text), io(missing);
}
template <class IO> void fields(IO &io, NodeInfo &n) {
  auto &[op, kind, args, constant, input, members, counting, k, name, text, unit, reads] = n;
  (void)reads;  // derived on load (Loader::finishNode)
  io(op), io(kind), io(args), io(constant), io(input), io(members), io(counting), io(k), io(name), io(text), io(unit);
}
template <class IO> void fields(IO &io, ActionInfo::Plan::Rate &r) {
  auto &[lo, hi, canonicalUnit] = r;
  io(lo), io(hi), io(canonicalUnit);
}
template <class IO> void fields(IO &io, ActionInfo::Plan &p) {
  auto &[perDose, perDay, perCourse, doses, interval, unit, rate] = p;
  io(perDose), io(perDay), io(perCourse), io(doses), io(interval), io(unit), io(rate);
}
template <class IO> void fields(IO &io, ActionInfo::Timing &t) {
  auto &[kind, lo, hi, anchor] = t;
  io(kind), io(lo), io(hi), io(anchor);
}
template <class IO> void fields(IO &io, ActionInfo &a) {
  auto &[kind, name, note, reason, citations, identity, amount, amountHigh, canonicalUnit, unit, basis, extra, unless,
         choice, option, regimen, route, timing, plan] = a;
  io(kind), io(name), io(note), io(reason), io(citations), io(identity), io(amount), io(amountHigh),
      io(canonicalUnit), io(unit), io(basis), io(extra), io(unless), io(choice), io(option), io(regimen), io(route),
      io(timing), io(plan);
}
template <class IO> void fields(IO &io, RuleInfo &r) {
  auto &[name, priority, when, condition, outputs, actions, citations] = r;
  io(name), io(priority), io(when), io(condition), io(outputs), io(actions), io(citations);
}
template <class IO> void fields(IO &io, OutputInfo &o) {
  auto &[name, kind, unit, value] = o;
  io(name), io(kind), io(unit), io(value);
}
template <class IO> void fields(IO &io, CourseInfo &c) {
  auto &[onInput, onNext, exits, tierNext, reachable, reachableWhy] = c;
  io(onInput), io(onNext), io(exits), io(tierNext), io(reachable), io(reachableWhy);
}
template <class IO> void fields(IO &io, JointCourseInfo &j) {
  auto &[pathways, reachable, reachableWhy] = j;
  io(pathways), io(reachable), io(reachableWhy);
}
template <class IO> void fields(IO &io, TableInfo &t) {
  auto &[name, description, entryWhen, hit, aggregation, outputs, order, pathway, course, rules, citations] = t;
  io(name), io(description), io(entryWhen), io(hit), io(aggregation), io(outputs), io(order), io(pathway), io(course),
      io(rules), io(citations);
}
template <class IO> void fields(IO &io, AssumptionInfo &a) {
  auto &[name, when, node, citations] = a;
  io(name), io(when), io(node), io(citations);
}
template <class IO> void fields(IO &io, CodeInfo &c) {
  auto &[target, name, system, code, display, unspecified, citations] = c;
  io(target), io(name), io(system), io(code), io(display), io(unspecified), io(citations);
}
template <class IO> void fields(IO &io, ContraindicationInfo &c) {
  auto &[drug, when, condition, note, citations] = c;
  io(drug), io(when), io(condition), io(note), io(citations);
}
template <class IO> void fields(IO &io, RuleIndex::Check &c) {
  auto &[position, lo, hi, members, flags] = c;
  io(position), io(lo), io(hi), io(members), io(flags);
}
template <class IO> void fields(IO &io, RuleIndex::Column &c) {
  auto &[input, kind, cuts, checks, excluded] = c;
  io(input), io(kind), io(cuts), io(checks), io(excluded);
}
template <class IO> void fields(IO &io, RuleIndex::Recipe &r) {
  auto &[residual, columns] = r;
  io(residual), io(columns);
}
template <class IO> void fields(IO &io, CompactParts &p) {
  io(p.name), io(p.version), io(p.title), io(p.digest), io(p.status), io(p.inputs), io(p.enumMembers),
      io(p.enumsByName), io(p.catalogue), io(p.nodes), io(p.population), io(p.tables), io(p.entries), io(p.guards),
      io(p.assumptions), io(p.indexes), io(p.codes), io(p.contraindications), io(p.dosingWeight);
  // Last, so that a version 7 payload is the same without it (loadCompact).
  if (io.version >= 8) io(p.jointCourses);
}

// What evaluation relies on, checked on a compact load as the JSON loader
// checks it field by field: a file whose digest was recomputed after an
// edit may still be wrong. Returns the problem, "" when there is none.
std::string checkNode(const Model &m, const NodeInfo &n, size_t i) {
  using K = InputSpec::Kind;
  auto [lo, hi] = arity(n.op);
  if (n.args.size() < lo || n.args.size() > hi) return "wrong number of arguments";
  for (uint32_t a : n.args)
    if (a >= i) return "an argument that is not an earlier node";
  auto kind = [&](size_t k) { return m.nodes[n.args[k]].kind; };
  auto all = [&](K want) { return std::all_of(n.args.begin(), n.args.end(), [&](uint32_t a) { return m.nodes[a].kind == want; }); };
  auto sameKind = [&](size_t x, size_t y) {
    const NodeInfo &a = m.nodes[n.args[x]], &b = m.nodes[n.args[y]];
    return a.kind == b.kind && (a.kind != K::Enum || a.input == b.input);
  };
  auto enumOk = [&](uint32_t e) { return e < m.enumMembers.size(); };
  switch (n.op) {
    case Op::Const:
      if (n.constant.kind != n.kind) return "a constant of another kind";
      if (n.kind == K::Enum &&
          (!enumOk(n.input) || (!n.constant.missing && (n.constant.member < 0 ||
                                                         static_cast<size_t>(n.constant.member) >= m.enumMembers[n.input].size()))))
        return "an enum constant out of range";
      break;
    case Op::Input:
      if (n.input >= m.inputs.size() || m.inputs[n.input].kind != n.kind) return "an input out of range or of another kind";
      break;
    case Op::Define:
      if (n.kind != kind(0) || n.input != m.nodes[n.args[0]].input) return "a define of another kind than its value";
      break;
    case Op::Not: case Op::And: case Op::Or: case Op::IsTrue: case Op::Count:
      if (n.kind != K::Bool || !all(K::Bool)) return "a condition over values that are not conditions";
      if (n.op == Op::Count && n.k > n.args.size()) return "a count above its number of items";
      break;
    case Op::In:
      if (n.kind != K::Bool || kind(0) != K::Enum || n.input != m.nodes[n.args[0]].input || !enumOk(n.input) ||
          n.members == 0 || (m.enumMembers[n.input].size() < 64 && (n.members >> m.enumMembers[n.input].size()) != 0))
        return "a member test out of range";
      break;
    case Op::Eq: case Op::Ne:
      if (n.kind != K::Bool || !sameKind(0, 1)) return "a comparison of values of two kinds";
      break;
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
      if (n.kind != K::Bool || !all(K::Number)) return "an ordering of values that are not numbers";
      break;
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Neg: case Op::Min: case Op::Max:
      if (n.kind != K::Number || !all(K::Number)) return "arithmetic on values that are not numbers";
      break;
    case Op::Known:
      if (n.kind != K::Bool) return "a `known` that is not a condition";
      break;
    case Op::If:
      if (kind(0) != K::Bool || !sameKind(1, 2) || n.kind != kind(1) || n.input != m.nodes[n.args[1]].input)
        return "an if of mismatched kinds";
      break;
  }
  if (n.kind == K::Enum && !enumOk(n.input)) return "an enum value of no enum";
  return "";
}

}  // namespace

bool Table::isCompact(std::string_view bytes) {
  return bytes.size() >= sizeof kCompactMagic && std::memcmp(bytes.data(), kCompactMagic, sizeof kCompactMagic) == 0;
}

std::string Table::compact() const {
  const Model &m = *m_;
  CompactParts p{m.name, m.version, m.title, m.digest, m.status, m.inputs, m.enumMembers, {}, m.catalogue,
                 m.nodes, m.population, m.tables, m.entries, m.guards, m.assumptions, {}, m.codes,
                 m.contraindications, m.dosingWeight, m.jointCourses};
  p.enumsByName.assign(m.enumsByName.begin(), m.enumsByName.end());
  for (NodeInfo &n : p.nodes) n.reads.clear();
  for (const auto &ix : m.index) p.indexes.push_back(ix ? std::optional(ix->recipe()) : std::nullopt);
  CompactOut out;
  out(p);
  std::string file(kCompactMagic, sizeof kCompactMagic);
  for (int k = 0; k < 4; ++k) file.push_back(static_cast<char>(kCompactVersion >> (8 * k)));
  auto md = sha256(out.bytes);
  file.append(reinterpret_cast<const char *>(md.data()), md.size());
  for (int k = 0; k < 8; ++k) file.push_back(static_cast<char>(static_cast<uint64_t>(out.bytes.size()) >> (8 * k)));
  return file + out.bytes;
}

Table Table::loadCompact(std::string_view bytes, const LoadOptions &options, const std::string &name) {
  Reader r(name);
  if (bytes.size() > options.maxBytes)
    throw LoadError(name + ": the table is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                        std::to_string(options.maxBytes) + " bytes",
                    LoadError::Kind::TooLarge);
  if (!isCompact(bytes)) r.fail("", "not a compact carepath table (no magic number)", LoadError::Kind::Unsupported);
  if (bytes.size() < kCompactHeader) r.fail("", "corrupt compact table: it ends inside its header", LoadError::Kind::Tampered);
  auto le = [&](size_t at, int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + k])) << (8 * k);
    return v;
  };
  uint64_t version = le(8, 4);
  if (version < kCompactOldest || version > kCompactVersion)
    r.fail("", "compact format version " + std::to_string(version) + " is not supported by this runtime (it reads versions " +
                   std::to_string(kCompactOldest) + " to " + std::to_string(kCompactVersion) + ")",
           LoadError::Kind::Unsupported);
  std::string_view payload = bytes.substr(kCompactHeader);
  if (le(44, 8) != payload.size())
    r.fail("", "corrupt compact table: its payload is " + std::to_string(payload.size()) + " bytes, the header says " +
                   std::to_string(le(44, 8)) + " (truncated or extended)",
           LoadError::Kind::Tampered);
  auto md = sha256(payload);
  if (std::memcmp(md.data(), bytes.data() + 12, 32) != 0)
    r.fail("", "digest mismatch: the compact table was modified after it was written (its SHA-256 does not match)",
           LoadError::Kind::Tampered);

  CompactParts p;
  CompactIn in(payload, r);
  in.version = static_cast<uint32_t>(version);
  in(p);
  if (!in.done()) in.bad("bytes after the end of the table");
  // A compact table carries no signature: a trusted load needs the signed JSON table.
  if (options.trust)
    r.fail("signature", "a compact table carries no signature, and only tables signed by a trusted key are accepted (load the signed JSON table)",
           LoadError::Kind::Unsigned);
  checkStatus(r, p.status, options);

  auto m = std::make_shared<Model>();
  m->name = std::move(p.name);
  m->version = std::move(p.version);
  m->title = std::move(p.title);
  m->digest = std::move(p.digest);
  m->status = std::move(p.status);
  m->inputs = std::move(p.inputs);
  for (const InputSpec &s : m->inputs)
    if (s.kind == InputSpec::Kind::Enum ? s.members.empty() || s.members.size() > 64 : !s.members.empty())
      in.bad("input '" + s.name + "' has a wrong member list");
  m->enumMembers = std::move(p.enumMembers);
  if (m->enumMembers.size() < m->inputs.size()) in.bad("fewer enums than inputs");
  for (size_t e = 0; e < m->enumMembers.size(); ++e)
    if (e < m->inputs.size() ? m->enumMembers[e] != m->inputs[e].members
                             : m->enumMembers[e].empty() || m->enumMembers[e].size() > 64)
      in.bad("enum " + std::to_string(e) + " has a wrong member list");
  for (auto &[n, e] : p.enumsByName) {
    if (e < m->inputs.size() || e >= m->enumMembers.size()) in.bad("enum '" + n + "' out of range");
    m->enumsByName.emplace(n, e);
  }
  m->catalogue = std::move(p.catalogue);
  // Units divide displayed values: positive factors, as the JSON loader requires.
  auto unitOk = [](const UnitSpec &u) { return u.factor.sign() > 0; };
  bool positive = std::all_of(m->catalogue.begin(), m->catalogue.end(), unitOk);
  for (const InputSpec &s : m->inputs) {
    positive = positive && std::all_of(s.units.begin(), s.units.end(), unitOk);
    for (const units::Ratio &ratio : s.conversions) positive = positive && ratio.factor.sign() > 0;
  }
  for (const NodeInfo &n : p.nodes) positive = positive && (!n.unit || unitOk(*n.unit));
  for (const TableInfo &t : p.tables) {
    for (const OutputInfo &o : t.outputs) positive = positive && (!o.unit || unitOk(*o.unit));
    for (const RuleInfo &rule : t.rules)
      for (const ActionInfo &a : rule.actions) positive = positive && (!a.unit || unitOk(*a.unit));
  }
  if (!positive) in.bad("a unit or substance ratio whose factor is not positive");
  if (p.dosingWeight && (*p.dosingWeight >= m->inputs.size() || m->inputs[*p.dosingWeight].kind != InputSpec::Kind::Number))
    in.bad("the dosing weight is not a number input");
  m->dosingWeight = p.dosingWeight;
  Loader l(r, *m);
  l.displayUnits();
  m->nodes.reserve(p.nodes.size());
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    std::string problem = checkNode(*m, p.nodes[i], i);
    if (!problem.empty()) in.bad("node " + std::to_string(i) + ": " + problem);
    m->nodes.push_back(std::move(p.nodes[i]));
    l.finishNode();
  }
  auto nodeOk = [&](int64_t n, InputSpec::Kind k) { return n >= 0 && static_cast<size_t>(n) < m->nodes.size() && m->nodes[n].kind == k; };
  using K = InputSpec::Kind;
  if (p.population && !nodeOk(*p.population, K::Bool)) in.bad("the population is not a condition node");
  l.setPopulation(p.population);
  for (const AssumptionInfo &a : p.assumptions)
    if (!nodeOk(a.node, K::Bool)) in.bad("assumption '" + a.name + "' is not a condition node");
  l.setAssumptions(std::move(p.assumptions));
  // As the JSON loader reads them: a code has a system, an unspecified one none.
  for (const CodeInfo &c : p.codes)
    if (c.name.empty() || (c.unspecified ? !(c.system.empty() && c.code.empty() && c.display.empty())
                                         : c.system.empty() || c.code.empty()))
      in.bad("a code that is neither a code nor unspecified");
  m->codes = std::move(p.codes);
  for (const ContraindicationInfo &c : p.contraindications)
    if (!nodeOk(c.condition, K::Bool)) in.bad("a contraindication of drug '" + c.drug + "' is not a condition node");
  l.setContraindications(std::move(p.contraindications));
  if (p.entries.size() != p.tables.size() || p.guards.size() != p.tables.size()) in.bad("tables, entries and guards differ in number");
  for (size_t t = 0; t < p.tables.size(); ++t) {
    TableInfo &info = p.tables[t];
    std::string where = "table '" + info.name + "': ";
    if ((info.pathway && info.hit != HitPolicy::Unique) ||
        (info.aggregation != Aggregation::None && info.hit != HitPolicy::Collect))
      in.bad(where + "a hit policy it cannot have");
    if (p.entries[t] && !nodeOk(*p.entries[t], K::Bool)) in.bad(where + "the entry is not a condition node");
    if (p.guards[t].size() != info.rules.size()) in.bad(where + "one guard per rule expected");
    for (uint32_t g : p.guards[t])
      if (!nodeOk(g, K::Bool)) in.bad(where + "a guard is not a condition node");
    std::vector<bool> seen(info.rules.size(), false);
    if (info.order.size() != info.rules.size()) in.bad(where + "the order is not a permutation of the rules");
    for (uint32_t k : info.order) {
      if (k >= seen.size() || seen[k]) in.bad(where + "the order is not a permutation of the rules");
      seen[k] = true;
    }
    bool single = hasSingleOutput(info.hit, info.aggregation);
    for (const OutputInfo &o : info.outputs) {
      K valueKind = info.aggregation == Aggregation::Count ? K::Number : o.kind;
      if (o.value.has_value() != single || (o.value && !nodeOk(*o.value, valueKind)))
        in.bad(where + "output '" + o.name + "' has a wrong value");
      if (o.kind == K::Enum && single && o.value && !(m->nodes[*o.value].input < m->enumMembers.size()))
        in.bad(where + "output '" + o.name + "' has a wrong enum");
    }
    for (const RuleInfo &rule : info.rules) {
      if (!nodeOk(rule.condition, K::Bool)) in.bad(where + "rule '" + rule.name + "' has no condition node");
      if (rule.outputs.size() != info.outputs.size()) in.bad(where + "rule '" + rule.name + "' has a wrong number of outputs");
      for (size_t o = 0; o < rule.outputs.size(); ++o)
        if (!nodeOk(rule.outputs[o], info.outputs[o].kind)) in.bad(where + "rule '" + rule.name + "' has a wrong output node");
      for (const ActionInfo &a : rule.actions)
        if ((a.amount != -1 && !nodeOk(a.amount, K::Number)) || (a.amountHigh != -1 && (a.amount < 0 || !nodeOk(a.amountHigh, K::Number))) ||
            (a.unless != -1 && !nodeOk(a.unless, K::Bool)) || a.choice < -1 || a.option < -1 ||
            // As the JSON loader reads a rate: both factors above zero, low first.
            (a.plan && a.plan->rate && (a.plan->rate->lo.sign() <= 0 || a.plan->rate->lo > a.plan->rate->hi)))
          in.bad(where + "rule '" + rule.name + "' has a wrong action");
    }
    if (info.course) {
      bool ok = nodeOk(info.course->onNext, K::Bool);
      for (const auto &[n, node] : info.course->exits) ok = ok && nodeOk(node, K::Bool);
      for (const auto &[n, node] : info.course->tierNext) ok = ok && nodeOk(node, K::Enum);
      if (!ok) in.bad(where + "a wrong course node");
      std::vector<uint32_t> inputs;
      std::string problem = l.courseInputs(*info.course, inputs);
      if (!problem.empty() && info.course->reachable) in.bad(where + problem);
    }
    l.add(std::move(info), p.entries[t], std::move(p.guards[t]));
  }
  // The stored index, expanded (building it again would sort every cut point).
  if (p.indexes.size() != m->tables.size()) in.bad("one index entry per table expected");
  for (size_t t = 0; t < m->tables.size(); ++t) {
    if (!p.indexes[t]) {
      m->index.push_back(nullptr);
      continue;
    }
    std::string problem;
    m->index.push_back(RuleIndex::fromRecipe(std::move(*p.indexes[t]), m->nodes, m->inputs, m->tables[t], problem));
    if (!m->index.back()) in.bad("table '" + m->tables[t].name + "': " + problem);
  }
  std::string problem = l.setJointCourses(std::move(p.jointCourses));
  if (!problem.empty()) in.bad(problem);
  return Table(std::move(m));
}

const std::string &Table::protocolName() const { return m_->name; }
const std::string &Table::protocolVersion() const { return m_->version; }
const std::string &Table::title() const { return m_->title; }
const std::string &Table::digest() const { return m_->digest; }
const std::string &Table::verificationStatus() const { return m_->status; }
const std::string &Table::signer() const { return m_->signer; }
const std::vector<InputSpec> &Table::inputs() const { return m_->inputs; }
const std::vector<TableInfo> &Table::tables() const { return m_->tables; }
const std::vector<JointCourseInfo> &Table::jointCourses() const { return m_->jointCourses; }
const std::vector<NodeInfo> &Table::nodes() const { return m_->nodes; }
const std::vector<std::vector<std::string>> &Table::enumMembers() const { return m_->enumMembers; }
std::optional<uint32_t> Table::population() const { return m_->population; }
const std::vector<AssumptionInfo> &Table::assumptions() const { return m_->assumptions; }
const std::vector<CodeInfo> &Table::codes() const { return m_->codes; }
const std::vector<ContraindicationInfo> &Table::contraindications() const { return m_->contraindications; }

std::vector<uint32_t> Table::codings(CodeInfo::Target target, std::string_view name) const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < m_->codes.size(); ++i) {
    const CodeInfo &c = m_->codes[i];
    if (c.target == target && c.name == name && !c.unspecified) out.push_back(i);
  }
  return out;
}

std::vector<uint32_t> Table::actionCodings(const ActionInfo &a) const {
  if (a.kind == ActionKind::Unspecified) return {};
  if (a.kind != ActionKind::Give) return codings(CodeInfo::Target::Action, a.name);
  std::vector<uint32_t> out = codings(CodeInfo::Target::Drug, a.name);
  if (!a.route.empty())
    for (uint32_t i : codings(CodeInfo::Target::Route, a.route)) out.push_back(i);
  return out;
}
bool Table::indexed(uint32_t table) const { return m_->index.at(table) != nullptr; }

std::optional<std::vector<PatientValue>> Table::readPatient(std::string_view json,
                                                            std::vector<PatientError> &errors) const {
  std::vector<PatientValue> values;
  if (!readPatient(json, values, errors)) return std::nullopt;
  return values;
}

bool Table::readPatient(std::string_view json, std::vector<PatientValue> &values, std::vector<PatientError> &errors) const {
  if (runtime::readSimplePatient(m_->inputs, json, values)) return true;
  std::optional<std::vector<PatientValue>> read = runtime::readPatientGeneral(m_->inputs, json, errors, m_->catalogue);
  if (!read) return false;
  values = std::move(*read);
  return true;
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
    if (v.missing) {
      if (!s.optional) throw EvaluationError("input '" + s.name + "' is missing; only an optional input may be");
      continue;
    }
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
  out.contraindicated.clear();
  out.violations.clear();
  out.population.clear();
  out.populationMissing.clear();
  out.trace.clear();
  out.matched.resize(m.tables.size());
  out.results.resize(m.tables.size());
  for (auto &list : out.results) list.clear();
  out.undecided.resize(m.tables.size());
  out.fired.resize(m.tables.size());
  out.flagged.resize(m.tables.size());
  out.flagsListed.resize(m.tables.size());
  for (size_t t = 0; t < m.tables.size(); ++t) {
    size_t n = m.tables[t].rules.size();
    if (out.flagsListed[t] && out.matched[t].size() == n && out.undecided[t].size() == n && out.fired[t].size() == n) {
      for (uint32_t r : out.flagged[t]) out.matched[t][r] = out.undecided[t][r] = out.fired[t][r] = 0;
    } else {
      out.matched[t].assign(n, 0);
      out.undecided[t].assign(n, 0);
      out.fired[t].assign(n, 0);
    }
    out.flagged[t].clear();
    out.flagsListed[t] = 1;  // all clear; the scan below unlists them
  }
  std::vector<NodeValue> &v = out.values;
  v.resize(m.nodes.size());
  // The population's nodes come first: outside it, the pass stops there.
  evaluateNodes(m, patient, v, 0, m.populationEnd);

  std::vector<uint8_t> seen;
  auto checks = [&](const std::vector<ConditionCheck> &list, std::vector<ConditionCheck> &into) {
    for (ConditionCheck c : list) {
      c.truth = v[c.node].error != NodeValue::Error::None ? Truth::Unknown : v[c.node].truth;
      into.push_back(c);
    }
  };
  auto missing = [&](uint32_t node, std::vector<uint32_t> &into) {
    seen.assign(m.nodes.size(), 0);
    missingInputs(m, v, node, into, seen);
  };

  out.violatedAssumptions.clear();
  for (uint32_t k = 0; k < m.assumptions.size(); ++k)
    if (needTruth(v, m.assumptions[k].node, [&] { return "assumption '" + m.assumptions[k].name + "'"; }) == Truth::False)
      out.violatedAssumptions.push_back(k);
  out.unreachableCourses.clear();
  out.unreachableJointCourses.clear();
  out.inPopulation = true;
  out.populationUnknown = false;
  if (m.population) {
    Truth t = needTruth(v, *m.population, [] { return std::string("the population"); });
    out.inPopulation = t == Truth::True;
    out.populationUnknown = t == Truth::Unknown;
    if (explain) {
      checks(m.populationExplain, out.population);
      missing(*m.population, out.populationMissing);
    }
  }
  if (!out.inPopulation) return;
  // A course state no course produces (docs/runtime.md): the record's
  // state inputs against the reachable states, ascending, without a copy.
  // Unknown (a state input missing): not judged.
  auto unlisted = [&](const std::vector<uint32_t> &inputs, const std::vector<std::vector<uint32_t>> &states) {
    for (uint32_t i : inputs)
      if (patient[i].missing) return false;
    auto value = [&](size_t k) -> uint32_t {
      const PatientValue &x = patient[inputs[k]];
      return m.inputs[inputs[k]].kind == InputSpec::Kind::Bool ? (x.boolean ? 1u : 0u) : static_cast<uint32_t>(x.member);
    };
    auto before = [&](const std::vector<uint32_t> &state, int) {
      for (size_t k = 0; k < state.size(); ++k)
        if (state[k] != value(k)) return state[k] < value(k);
      return false;
    };
    auto it = std::lower_bound(states.begin(), states.end(), 0, before);
    bool equal = it != states.end();
    for (size_t k = 0; equal && k < it->size(); ++k) equal = (*it)[k] == value(k);
    return !equal;
  };
  for (const auto &[table, inputs] : m.courseChecks)
    if (unlisted(inputs, *m.tables[table].course->reachable)) out.unreachableCourses.push_back(table);
  // Pathways read together: only when each one's own state is reachable
  // (otherwise the record is flagged for that pathway already).
  for (const auto &[joint, inputs] : m.jointChecks) {
    const JointCourseInfo &j = m.jointCourses[joint];
    bool own = std::any_of(j.pathways.begin(), j.pathways.end(), [&](uint32_t t) {
      return std::find(out.unreachableCourses.begin(), out.unreachableCourses.end(), t) != out.unreachableCourses.end();
    });
    if (!own && unlisted(inputs, *j.reachable)) out.unreachableJointCourses.push_back(joint);
  }
  // With the index (some table large enough, no explanation asked) only
  // the nodes the result needs are computed; otherwise all, in one pass.
  bool indexed = !explain && !options.scan &&
                 std::any_of(m.index.begin(), m.index.end(), [](const auto &ix) { return ix != nullptr; });
  std::optional<Demand> demand;
  if (indexed) demand.emplace(m, patient, v, m.populationEnd);
  else evaluateNodes(m, patient, v, m.populationEnd, static_cast<uint32_t>(m.nodes.size()));

  std::vector<uint32_t> involved;  // allocates only when a violation is found
  for (uint32_t t = 0; t < m.tables.size(); ++t) {
    const TableInfo &info = m.tables[t];
    auto sameOutputs = [&](uint32_t x, uint32_t y) {
      const RuleInfo &a = info.rules[x], &b = info.rules[y];
      // The actions offered, as the evaluator compares them.
      auto offered = [&](const RuleInfo &rule) {
        std::vector<const ActionInfo *> out;
        for (const ActionInfo &act : rule.actions)
          if (offeredTo(v, act, "the 'unless' of " + ruleWhere(info, rule))) out.push_back(&act);
        return out;
      };
      std::vector<const ActionInfo *> ax = offered(a), bx = offered(b);
      if (ax.size() != bx.size()) return false;
      for (size_t k = 0; k < ax.size(); ++k)
        if (ax[k]->identity != bx[k]->identity || amountOf(v, *ax[k]) != amountOf(v, *bx[k])) return false;
      // Outputs too, as the evaluator compares them (missing equals missing).
      for (size_t o = 0; o < a.outputs.size(); ++o)
        if (!sameValue(needValue(v, a.outputs[o], ruleWhere(info, a)), needValue(v, b.outputs[o], ruleWhere(info, b)),
                       info.outputs[o].kind))
          return false;
      return true;
    };
    if (indexed && m.index[t]) {
      evaluateIndexed(m, patient, t, *m.index[t], *demand, out, sameOutputs, involved);
      continue;
    }
    if (indexed) {
      // A table without an index: every node it reads, as the full pass would.
      if (m.entries[t]) demand->need(*m.entries[t]);
      for (uint32_t r = 0; r < info.rules.size(); ++r) {
        const RuleInfo &rule = info.rules[r];
        demand->need(rule.condition);
        demand->need(m.guards[t][r]);
        for (uint32_t o : rule.outputs) demand->need(o);
        for (const ActionInfo &a : rule.actions) {
          demand->need(a.amount);
          demand->need(a.amountHigh);
          if (a.unless >= 0) demand->need(static_cast<uint32_t>(a.unless));
        }
      }
      for (const OutputInfo &o : info.outputs)
        if (o.value) demand->need(*o.value);
    }
    bool any = false;
    out.flagsListed[t] = 0;  // the scan sets flags anywhere
    for (uint32_t r = 0; r < info.rules.size(); ++r) {
      const RuleInfo &rule = info.rules[r];
      Truth cond = needTruth(v, rule.condition, [&] { return ruleWhere(info, rule); });
      bool h = cond == Truth::True;
      // Undecided: the guard is unknown because of a missing value (a
      // tier's entry included, as the condition reads it).
      Truth guard = v[m.guards[t][r]].error != NodeValue::Error::None ? Truth::Unknown : v[m.guards[t][r]].truth;
      if (m.entries[t]) {
        const NodeValue &e = v[*m.entries[t]];
        guard = kleeneAnd(e.error != NodeValue::Error::None ? Truth::Unknown : e.truth, guard);
      }
      out.matched[t][r] = h;
      out.undecided[t][r] = !h && guard == Truth::Unknown;
      any = any || h;
      if (explain) {
        out.trace.push_back({t, r, h ? Truth::True : guard, h, false, {}, {}});
        checks(m.explain[t][r], out.trace.back().checks);
        if (out.undecided[t][r]) {
          if (m.entries[t]) missing(*m.entries[t], out.trace.back().missing);
          missing(m.guards[t][r], out.trace.back().missing);
        }
      }
    }
    if (!any) continue;
    // Which rules fire and what the policy forbids: carepath/Rules.h, in
    // the order the table file gives.
    fire<uint8_t>(info.hit, info.order, out.matched[t], out.fired[t], ConcreteLogic{});
    HitViolation hv = findViolation(info.hit, info.order, out.matched[t], sameOutputs, involved);
    if (hv != HitViolation::None) out.violations.push_back(Violation{t, hv, involved});
    for (uint32_t r = 0; r < info.rules.size(); ++r)
      if (out.fired[t][r]) recordFired(info, v, t, r, out);
    if (!info.outputs.empty())
      out.results[t] = resultOrder(info.hit, info.order, out.fired[t], [&](uint32_t r) {
        const NodeValue &x = v[info.rules[r].outputs[0]];
        return x.missing ? INT32_MAX : x.member;
      });
  }
  if (explain)
    for (RuleTrace &rt : out.trace) rt.fired = out.fired[rt.table][rt.rule];
  // Each offered give against its drug's contraindications: one that holds
  // or may hold is reported (the verifier proves none does for a verified
  // protocol's patients; docs/runtime.md, "Contraindications").
  if (m.contraindications.empty()) return;
  for (uint32_t k = 0; k < out.actions.size(); ++k) {
    const FiredAction &f = out.actions[k];
    const ActionInfo &a = m.tables[f.table].rules[f.rule].actions[f.action];
    if (a.kind != ActionKind::Give) continue;
    auto it = m.contraindicationsOf.find(a.name);
    if (it == m.contraindicationsOf.end()) continue;
    for (uint32_t c : it->second) {
      const ContraindicationInfo &ci = m.contraindications[c];
      if (demand) demand->need(ci.condition);
      Truth t = needTruth(v, ci.condition, [&] { return "a contraindication of drug '" + ci.drug + "'"; });
      if (t != Truth::False) out.contraindicated.push_back({k, c, t});
    }
  }
}

std::string Table::describe(const Violation &v) const {
  const TableInfo &t = m_->tables.at(v.table);
  std::vector<std::string> names;
  for (uint32_t r : v.rules) names.push_back(t.rules.at(r).name);
  return describeViolation(v.kind, t.pathway, t.name, names);
}

namespace {
/// A string value as the protocol writes it: `"EU"`, `"` and `\` escaped.
std::string quoteString(const std::string &text) {
  std::string r = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r + "\"";
}
}  // namespace

std::string Table::displayValue(uint32_t input, const PatientValue &v) const {
  const InputSpec &s = m_->inputs.at(input);
  if (v.missing) return "missing";
  switch (s.kind) {
    case InputSpec::Kind::Bool: return v.boolean ? "true" : "false";
    case InputSpec::Kind::Enum: return v.member >= 0 && v.member < static_cast<int>(s.members.size()) ? s.members[v.member] : "?";
    case InputSpec::Kind::Number: return formatQuantity(v.number, m_->displayUnits[input]);
    case InputSpec::Kind::String: return quoteString(v.text);
  }
  return "?";
}

std::string Table::displayNode(uint32_t node, const Result &r) const {
  const NodeInfo &n = m_->nodes.at(node);
  if (node >= r.values.size()) return "?";
  const NodeValue &v = r.values[node];
  if (v.error != NodeValue::Error::None) return v.error == NodeValue::Error::Overflow ? "overflow" : "division by zero";
  switch (n.kind) {
    case InputSpec::Kind::Bool: return spelling(v.truth);
    case InputSpec::Kind::Enum: {
      if (v.missing) return "missing";
      const std::vector<std::string> &ms = m_->enumMembers.at(n.input);
      return v.member >= 0 && v.member < static_cast<int>(ms.size()) ? ms[v.member] : "?";
    }
    case InputSpec::Kind::Number: {
      if (v.missing) return "missing";
      const UnitSpec *unit = n.op == Op::Input ? m_->displayUnits[n.input] : n.unit ? &*n.unit : nullptr;
      return formatQuantity(v.number, unit);
    }
    case InputSpec::Kind::String: return v.missing ? "missing" : quoteString(v.text);
  }
  return "?";
}

std::optional<Table::PlanAmounts> Table::planAmounts(const ActionInfo &a, const FiredAction &f) const {
  if (!a.plan || !f.amount) return std::nullopt;
  const ActionInfo::Plan &p = *a.plan;
  const Rational &high = f.amountHigh ? *f.amountHigh : *f.amount;
  auto times = [](const Rational &x, const std::optional<Rational> &factor) {
    return factor ? std::optional<Rational>(x * *factor) : std::nullopt;
  };
  PlanAmounts out;
  out.perDose = times(*f.amount, p.perDose);
  out.perDoseHigh = times(high, p.perDose);
  out.perDay = times(*f.amount, p.perDay);
  out.perDayHigh = times(high, p.perDay);
  out.perCourse = times(*f.amount, p.perCourse);
  out.perCourseHigh = times(high, p.perCourse);
  out.doses = p.doses;
  out.interval = p.interval;
  if (p.rate) {
    out.rate = *f.amount * p.rate->lo;
    out.rateHigh = high * p.rate->hi;
  }
  return out;
}

std::string Table::displayRate(const ActionInfo &a, const FiredAction &f, const std::vector<PatientValue> &patient) const {
  std::optional<PlanAmounts> amounts = planAmounts(a, f);
  if (!amounts || !amounts->rate) return "";
  const ActionInfo::Plan::Rate &rate = *a.plan->rate;
  // Per the unit the infusion time reads in ("over 20 minutes": per minute).
  Rational fastest = Rational(1) / rate.hi, slowest = Rational(1) / rate.lo;
  DurationUnit time = durationUnit(fastest, slowest == fastest ? std::nullopt : std::optional(slowest), false);
  const std::string amountUnit = a.unit ? a.unit->name : a.canonicalUnit;
  const Rational amountFactor = a.unit ? a.unit->factor : Rational(1);
  auto shown = [&](const Rational &least, const Rational &most, const RateUnit &u) {
    std::string s = formatQuantity(least, u.factor, u.name);
    return most == least ? s : s + " .. " + formatQuantity(most, u.factor, u.name);
  };
  std::string s = shown(*amounts->rate, *amounts->rateHigh, rateUnit(amountUnit, amountFactor, time));
  // Per kg of the dosing weight first: what a per-weight rate limit reads.
  if (const std::optional<uint32_t> &w = m_->dosingWeight; w && *w < patient.size() && m_->displayUnits[*w]) {
    const PatientValue &weight = patient[*w];
    const UnitSpec &wu = *m_->displayUnits[*w];
    if (!weight.missing && weight.number.sign() > 0)
      s = shown(*amounts->rate / weight.number, *amounts->rateHigh / weight.number,
                rateUnit(amountUnit, amountFactor, time, wu.name, wu.factor)) +
          ", " + s;
  }
  return s;
}

Table::CourseState Table::courseState(uint32_t table, const Result &r) const {
  CourseState out;
  const TableInfo &info = m_->tables.at(table);
  if (!info.course) return out;
  out.next.emplace_back(info.course->onInput, displayNode(info.course->onNext, r));
  for (const auto &[input, node] : info.course->tierNext) out.next.emplace_back(input, displayNode(node, r));
  for (const auto &[name, node] : info.course->exits)
    if (node < r.values.size() && r.values[node].truth == Truth::True) out.exits.push_back(name);
  return out;
}

std::string Table::displayOutput(uint32_t table, size_t output, uint32_t node, const Result &r) const {
  const TableInfo &info = m_->tables.at(table);
  const OutputInfo &oi = info.outputs.at(output);
  const NodeValue &x = r.values.at(node);
  bool count = info.outputs[output].value && node == *oi.value && info.aggregation == Aggregation::Count;
  if (oi.kind != InputSpec::Kind::Number || count || x.missing || x.error != NodeValue::Error::None)
    return displayNode(node, r);
  return formatQuantity(x.number, oi.unit ? &*oi.unit : nullptr);
}

std::string Table::nodeLabel(uint32_t node) const {
  const NodeInfo &n = m_->nodes.at(node);
  if (n.op == Op::Input) return m_->inputs[n.input].name;
  if (n.op == Op::Define) return n.name;
  if (!n.text.empty()) return n.text;
  return spelling(n.op);
}

std::string Table::displayAmount(const ActionInfo &a, const Rational &canonical) const {
  return formatQuantity(canonical, a.unit ? &*a.unit : nullptr);
}

std::string Table::displayDose(const ActionInfo &a, const FiredAction &f) const {
  if (!f.amount) return "";
  std::string s = displayAmount(a, *f.amount);
  if (f.amountHigh && *f.amountHigh != *f.amount) s += " .. " + displayAmount(a, *f.amountHigh);
  return a.basis.empty() ? s : s + " " + a.basis;
}

std::string Table::displayPlan(const ActionInfo &a, const FiredAction &f) const {
  if (!a.plan || !f.amount) return "";
  const ActionInfo::Plan &p = *a.plan;
  // A continuous infusion's day and course are amounts, its dose a rate.
  auto shown = [&](const Rational &x) { return p.unit ? formatQuantity(x, &*p.unit) : displayAmount(a, x); };
  auto scaled = [&](const Rational &factor, const char *basis) {
    std::string s = shown(*f.amount * factor);
    if (f.amountHigh && *f.amountHigh != *f.amount) s += " .. " + shown(*f.amountHigh * factor);
    return s + " " + basis;
  };
  std::vector<std::string> parts;
  if (p.perDose) parts.push_back(scaled(*p.perDose, "per dose"));
  if (p.perDay) parts.push_back(scaled(*p.perDay, "per day"));
  if (p.perCourse) parts.push_back(scaled(*p.perCourse, "per course"));
  if (p.doses) parts.push_back(*p.doses == Rational(1) ? "1 dose" : "at most " + p.doses->str() + " doses");
  if (p.interval) {
    // Intervals are stored in hours: less than an hour reads in minutes,
    // two days or more in whole days as days.
    UnitSpec u = *p.interval < Rational(1) ? UnitSpec{"minutes", Rational(1, 60), "duration"}
                 : *p.interval >= Rational(48) && (*p.interval / Rational(24)).isInteger() ? UnitSpec{"days", 24, "duration"}
                                                                                          : UnitSpec{"h", 1, "duration"};
    parts.push_back("one every " + formatQuantity(*p.interval, &u));
  }
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  return s;
}

std::string Table::resultJson(const std::vector<PatientValue> &patient, const Result &r, bool explain) const {
  const Model &m = *m_;
  json out;
  out["protocol"] = {{"name", m.name}, {"version", m.version}, {"digest", m.digest}, {"verification", m.status}};
  out["inPopulation"] = r.inPopulation;
  // Only for a table with assumptions (docs/runtime.md): the names violated.
  if (!m.assumptions.empty()) {
    json violated = json::array();
    for (uint32_t k : r.violatedAssumptions) violated.push_back(m.assumptions[k].name);
    out["assumptionsViolated"] = violated;
  }
  // Only for a table with course pathways: those whose state no course produces.
  if (std::any_of(m.tables.begin(), m.tables.end(), [](const TableInfo &t) { return t.course.has_value(); })) {
    json unreachable = json::array();
    for (uint32_t t : r.unreachableCourses) unreachable.push_back(m.tables[t].name);
    out["courseStatesUnreachable"] = unreachable;
  }
  // Only for a table with joint course sets: each set (its pathways' names)
  // whose state, read together, no course produces.
  if (!m.jointCourses.empty()) {
    json unreachable = json::array();
    for (uint32_t j : r.unreachableJointCourses) {
      json names = json::array();
      for (uint32_t t : m.jointCourses[j].pathways) names.push_back(m.tables[t].name);
      unreachable.push_back(names);
    }
    out["jointCourseStatesUnreachable"] = unreachable;
  }
  auto ruleRef = [&](uint32_t t, uint32_t k) {
    return json{{m.tables[t].pathway ? "pathway" : "table", m.tables[t].name},
                {m.tables[t].pathway ? "tier" : "rule", m.tables[t].rules[k].name}};
  };
  json fired = json::array(), undecided = json::array();
  for (uint32_t t = 0; t < m.tables.size(); ++t)
    for (uint32_t k = 0; k < m.tables[t].rules.size(); ++k) {
      if (r.fired.size() > t && r.fired[t][k]) fired.push_back(ruleRef(t, k));
      if (r.undecided.size() > t && r.undecided[t][k]) undecided.push_back(ruleRef(t, k));
    }
  out["fired"] = fired;
  out["undecided"] = undecided;
  json actions = json::array();
  size_t hit = 0;  // r.contraindicated, in the order of the actions
  for (uint32_t k = 0; k < r.actions.size(); ++k) {
    const FiredAction &f = r.actions[k];
    const TableInfo &t = m.tables[f.table];
    const RuleInfo &rule = t.rules[f.rule];
    const ActionInfo &a = rule.actions[f.action];
    json j = {{"from", t.name + "." + rule.name}, {"kind", spelling(a.kind)}, {"name", a.name}, {"note", a.note},
              {"citations", a.citations}};
    if (a.kind == ActionKind::Give) {
      if (f.amount) {
        j["amount"] = f.amount->str();
        if (a.amountHigh >= 0) j["amountHigh"] = f.amountHigh->str();  // a range: amount is its low end
        j["canonicalUnit"] = a.canonicalUnit;
        j["display"] = displayDose(a, f);
      } else {
        j["amount"] = nullptr;
        j["doseUnspecified"] = a.reason;
      }
      j["basis"] = a.basis;
      if (std::optional<PlanAmounts> p = planAmounts(a, f)) {
        auto exact = [](const std::optional<Rational> &x) { return x ? json(x->str()) : json(nullptr); };
        j["plan"] = {{"perDose", exact(p->perDose)}, {"perDay", exact(p->perDay)}, {"perCourse", exact(p->perCourse)},
                     {"doses", exact(p->doses)}, {"interval", exact(p->interval)}, {"display", displayPlan(a, f)}};
        if (a.amountHigh >= 0) {
          j["plan"]["perDoseHigh"] = exact(p->perDoseHigh);
          j["plan"]["perDayHigh"] = exact(p->perDayHigh);
          j["plan"]["perCourseHigh"] = exact(p->perCourseHigh);
        }
        // Only for an intermittent infusion: the rate it runs at, least and
        // greatest, exact in its canonical unit ("mg/h").
        if (p->rate)
          j["rate"] = {{"low", p->rate->str()}, {"high", p->rateHigh->str()},
                       {"canonicalUnit", a.plan->rate->canonicalUnit}, {"display", displayRate(a, f, patient)}};
      }
    }
    // Only in a table with contraindications (docs/runtime.md): each give's
    // that hold ("true") or may hold ("unknown": a missing value).
    if (!m.contraindications.empty() && a.kind == ActionKind::Give) {
      json cs = json::array();
      for (; hit < r.contraindicated.size() && r.contraindicated[hit].action == k; ++hit) {
        const ContraindicationHit &h = r.contraindicated[hit];
        const ContraindicationInfo &c = m.contraindications[h.contraindication];
        cs.push_back({{"when", c.when}, {"note", c.note}, {"citations", c.citations},
                      {"truth", h.truth == Truth::True ? "true" : "unknown"}});
      }
      j["contraindications"] = cs;
    }
    if (a.kind == ActionKind::Unspecified) j["reason"] = a.reason;
    if (!a.route.empty()) j["route"] = a.route;  // only when the protocol names one
    if (!a.extra.empty()) j["timing"] = a.extra;
    if (a.choice >= 0) {  // an alternative: offered for the clinician to choose, not given outright
      j["choice"] = a.choice;
      j["option"] = a.option;
    }
    // Only for a table with codes (docs/runtime.md): the action's codings.
    if (!m.codes.empty()) {
      json codes = json::array();
      for (uint32_t i : actionCodings(a)) {
        const CodeInfo &c = m.codes[i];
        codes.push_back({{"target", spelling(c.target)}, {"system", c.system}, {"code", c.code}, {"display", c.display}});
      }
      j["codes"] = codes;
    }
    actions.push_back(j);
  }
  out["actions"] = actions;
  // Each table output: its single value (null for a list) and the fired
  // rules that gave it, in result order: which rule produced what.
  json outputs = json::array();
  for (uint32_t t = 0; t < m.tables.size(); ++t)
    for (size_t o = 0; o < m.tables[t].outputs.size(); ++o) {
      const TableInfo &info = m.tables[t];
      const OutputInfo &oi = info.outputs[o];
      json from = json::array();
      if (r.inPopulation && t < r.results.size())
        for (uint32_t k : r.results[t])
          from.push_back({{"rule", info.rules[k].name}, {"value", displayOutput(t, o, info.rules[k].outputs[o], r)}});
      json value = nullptr;
      if (oi.value) value = r.inPopulation ? displayOutput(t, o, *oi.value, r) : "missing";
      outputs.push_back({{"table", info.name}, {"output", oi.name}, {"value", value}, {"from", from}});
    }
  out["outputs"] = outputs;
  // Course pathways: the state after this evaluation (additive).
  json course = json::array();
  for (uint32_t t = 0; t < m.tables.size(); ++t)
    if (m.tables[t].course && r.inPopulation) {
      CourseState state = courseState(t, r);
      json next = json::object();
      for (const auto &[input, value] : state.next) next[input] = value;
      course.push_back({{"pathway", m.tables[t].name}, {"next", next}, {"exits", state.exits}});
    }
  if (!course.empty()) out["course"] = course;
  json violations = json::array();
  for (const Violation &v : r.violations) violations.push_back(describe(v));
  out["violations"] = violations;
  if (explain) {
    json values = json::object();
    for (uint32_t i = 0; i < m.inputs.size() && i < patient.size(); ++i) values[m.inputs[i].name] = displayValue(i, patient[i]);
    out["patient"] = values;
    auto checks = [&](const std::vector<ConditionCheck> &cs) {
      json a = json::array();
      for (const ConditionCheck &c : cs) {
        json reads = json::object();
        for (uint32_t x : m.nodes[c.node].reads) reads[nodeLabel(x)] = displayNode(x, r);
        a.push_back({{"check", nodeLabel(c.node)}, {"depth", c.depth}, {"value", displayNode(c.node, r)}, {"reads", reads}});
      }
      return a;
    };
    auto names = [&](const std::vector<uint32_t> &inputs) {
      json a = json::array();
      for (uint32_t i : inputs) a.push_back(m.inputs[i].name);
      return a;
    };
    out["populationChecks"] = checks(r.population);
    out["populationMissing"] = names(r.populationMissing);
    json trace = json::array();
    for (const RuleTrace &rt : r.trace) {
      const TableInfo &t = m.tables[rt.table];
      trace.push_back({{"table", t.name}, {"rule", t.rules[rt.rule].name}, {"when", t.rules[rt.rule].when},
                       {"guard", spelling(rt.guard)}, {"matched", rt.matched}, {"fired", rt.fired},
                       {"undecided", rt.guard == Truth::Unknown}, {"missing", names(rt.missing)},
                       {"checks", checks(rt.checks)}, {"citations", t.rules[rt.rule].citations}});
    }
    out["trace"] = trace;
  }
  return out.dump(2);
}

const char *spelling(NodeInfo::Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Input: return "input";
    case Op::Define: return "define";
    case Op::Not: return "not";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::In: return "in";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Neg: return "neg";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Known: return "known";
    case Op::IsTrue: return "is-true";
    case Op::If: return "if";
    case Op::Count: return "count";
  }
  return "?";
}

}  // namespace carepath::runtime
