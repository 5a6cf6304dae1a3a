// The patient reader (see carepath/Patient.h). The JSON is parsed with
// nlohmann's SAX interface into a small tree that keeps every number as the
// text it was written in, so that "14.35" becomes exactly 1435/100.
#include "carepath/Patient.h"
#include "carepath/Quantity.h"
#include "carepath/Suggest.h"
#include "JsonErrors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>

namespace carepath::runtime {

namespace {

// ------------------------------------------------------------------ JSON tree with exact numbers

struct Node {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  std::string text;  // Number: as written; String: the value
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> members;  // Object, in file order
  size_t items = 0;                                                    // Array: element count
};

const char *typeName(Node::Type t) {
  switch (t) {
  case Node::Type::Null: return "null";
  case Node::Type::Bool: return "a boolean";
  case Node::Type::Number: return "a number";
  case Node::Type::String: return "a string";
  case Node::Type::Array: return "an array";
  case Node::Type::Object: return "an object";
  }
  return "?";
}

/// Builds a Node tree. Array elements are only counted: no input takes an
/// array, so their contents never matter beyond "this is an array".
class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  std::unique_ptr<Node> root;
  std::string error;  // set on malformed JSON

  bool null() override { return value(Node::Type::Null); }
  bool boolean(bool b) override {
    Node *n = value(Node::Type::Bool, true);
    if (n) n->boolean = b;
    return true;
  }
  bool number_integer(number_integer_t v) override { return number(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(std::to_string(v)); }
  bool number_float(number_float_t, const string_t &s) override { return number(s); }
  bool string(string_t &s) override {
    Node *n = value(Node::Type::String, true);
    if (n) n->text = s;
    return true;
  }
  bool binary(binary_t &) override { return value(Node::Type::Null); }
  bool start_object(std::size_t) override {
    Node *n = value(Node::Type::Object, true);
    stack_.push_back(n);
    return true;
  }
  bool key(string_t &k) override {
    if (Node *top = stack_.back()) {
      top->members.emplace_back(k, nullptr);
      pendingKey_ = true;
    }
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    value(Node::Type::Array);
    stack_.push_back(nullptr);  // contents are not kept
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &ex) override {
    JsonSyntaxError e = describeJsonError(text_, position, ex.id);
    error = "malformed JSON at line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": " + e.reason;
    return false;
  }

private:
  bool number(const std::string &text) {
    Node *n = value(Node::Type::Number, true);
    if (n) n->text = text;
    return true;
  }
  /// Places a new node: the root, the value of the pending object key, or
  /// (when inside an array) nowhere. Returns it when it is kept.
  Node *value(Node::Type type, bool = false) {
    auto node = std::make_unique<Node>();
    node->type = type;
    Node *raw = node.get();
    if (stack_.empty()) {
      root = std::move(node);
      return raw;
    }
    Node *top = stack_.back();
    if (!top) return nullptr;  // inside an array
    if (top->type == Node::Type::Array) { ++top->items; return nullptr; }
    if (pendingKey_ && !top->members.empty()) {
      top->members.back().second = std::move(node);
      pendingKey_ = false;
      return raw;
    }
    return nullptr;
  }

  std::string_view text_;
  std::vector<Node *> stack_;  // open containers; nullptr = an array
  bool pendingKey_ = false;
};

// ------------------------------------------------------------------ helpers

std::string suggestion(const std::string &word, const std::vector<std::string> &candidates) {
  std::string best = closestMatch(word, candidates, std::max<size_t>(2, word.size() / 3) + 1);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string joined(const std::vector<std::string> &v) {
  std::string s;
  for (const std::string &x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string describeDimension(const std::string &dim) {
  if (dim.empty() || dim == "1") return "a plain number";
  return (std::string("aeiou").find(dim[0]) == std::string::npos ? "a " : "an ") + dim;
}

/// A unit suggestion only when it differs in letter case or by a plural
/// 's': "ml" -> "mL", "kgs" -> "kg". Other near names differ in magnitude
/// ('dL' is not 'L', 'mg' is not 'g'), so no guess is offered for them.
std::string unitSuggestion(const std::string &word, const std::vector<std::string> &candidates) {
  auto lower = [](std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string w = lower(word);
  std::string singular = w.size() > 1 && w.back() == 's' ? w.substr(0, w.size() - 1) : w;
  for (const std::string &c : candidates)
    if (c != word && (lower(c) == w || lower(c) == singular)) return " (did you mean '" + c + "'?)";
  return "";
}

/// Every unit the reader can name, by name and by UCUM code, for composing
/// written units ("mg/dL") with carepath/Units.h.
struct UnitCatalogue {
  std::map<std::string, units::UnitDef> byName, byUcum;
  void add(const UnitSpec &u) {
    // Compound entries ("mg/kg") are composed again from their atoms.
    if (u.name.find('/') != std::string::npos) return;
    std::optional<units::Dims> dims = units::parseDims(u.dimension);
    if (!dims) return;
    units::UnitDef d{u.name, *dims, u.factor, u.offset, u.ucum};
    byName.emplace(u.name, d);
    if (!u.ucum.empty()) byUcum.emplace(u.ucum, d);
  }
  const units::UnitDef *find(const std::string &atom) const {
    if (auto it = byName.find(atom); it != byName.end()) return &it->second;
    if (auto it = byUcum.find(atom); it != byUcum.end()) return &it->second;
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> v;
    for (const auto &[n, u] : byName) v.push_back(n);
    return v;
  }
};

/// A quantity string, "14.5 kg": its number's text and its unit's name
/// ("" when none), each trimmed; views into `text` (both readers).
void splitQuantity(std::string_view text, std::string_view &numberText, std::string_view &unitName) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  std::string_view s = text.substr(b, e - b);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-' ||
                          s[i] == '+' || ((s[i] == 'e' || s[i] == 'E') && i > 0 && i + 1 < s.size() &&
                                          (std::isdigit(static_cast<unsigned char>(s[i + 1])) ||
                                           s[i + 1] == '-' || s[i + 1] == '+'))))
    ++i;
  numberText = s.substr(0, i);
  unitName = s.substr(i);
  while (!unitName.empty() && (unitName.front() == ' ' || unitName.front() == '\t')) unitName.remove_prefix(1);
}

// ------------------------------------------------------------------ the fast path

/// A scanner of the simple patient documents batches are made of: one flat
/// object; keys and strings of printable ASCII without escapes; values
/// true, false, null, numbers, strings. Anything else (an escape, a
/// non-ASCII byte, a nested object, malformed JSON) stops it: the general
/// reader then reads the document and words every problem.
/// Two short names equal? Inline, 8 bytes at a time: keys and members are
/// compared tens of times per patient, and a call to memcmp per comparison
/// cost more than the comparison.
inline bool sameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0, n = a.size();
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

class SimpleScanner {
public:
  explicit SimpleScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}
  void space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool eat(char c) {
    space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool atEnd() {
    space();
    return p_ == end_;
  }
  bool string(std::string_view &out) {
    if (!eat('"')) return false;
    const char *b = p_;
    // Eight bytes at a time while none of them ends the string or needs the
    // byte loop below (a quote, a backslash, a control or non-ASCII byte):
    // the classic "has a zero byte" tests, (v - 0x01..) & ~v & 0x80..,
    // whose first flagged byte is exact.
    constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    while (end_ - p_ >= 8) {
      uint64_t x;
      std::memcpy(&x, p_, 8);
      uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
      uint64_t stop = ((quote - ones) & ~quote) | ((slash - ones) & ~slash) | ((x - ones * 0x20) & ~x) | x;
      if (stop & high) break;
      p_ += 8;
    }
    while (p_ != end_ && *p_ != '"') {
      auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(b, static_cast<size_t>(p_ - b));
    ++p_;
    return true;
  }
  /// A JSON number, exactly as the grammar has it; its text.
  bool number(std::string_view &out) {
    space();
    const char *b = p_;
    auto digits = [&] {
      const char *d = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return p_ != d;
    };
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0') ++p_;
    else if (!digits()) return false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    out = std::string_view(b, static_cast<size_t>(p_ - b));
    return true;
  }
  bool word(std::string_view w) {
    if (static_cast<size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  char peek() {
    space();
    return p_ == end_ ? '\0' : *p_;
  }

private:
  const char *p_, *end_;
};

}  // namespace

bool readSimplePatient(const std::vector<InputSpec> &specs, std::string_view jsonText, std::vector<PatientValue> &values) {
  SimpleScanner in(jsonText);
  if (!in.eat('{')) return false;
  // Reset in place: a batch reuses `values`, and its strings keep their buffers.
  values.resize(specs.size());
  for (PatientValue &v : values) {
    v.kind = InputSpec::Kind::Bool;
    v.boolean = false;
    v.member = -1;
    v.number = Rational();
    v.text.clear();
    v.missing = false;
  }
  static thread_local std::vector<uint8_t> given;
  given.assign(specs.size(), 0);
  std::string_view numberText, unitName;
  size_t next = 0;  // patients mostly list the inputs in the table's order: try the next one first
  if (in.peek() == '}') in.eat('}');
  else
    for (;;) {
      std::string_view key;
      if (!in.string(key) || !in.eat(':')) return false;
      size_t i = next < specs.size() && sameText(specs[next].name, key) ? next : 0;
      while (i < specs.size() && !sameText(specs[i].name, key)) ++i;
      next = i + 1;
      if (i == specs.size() || given[i]) return false;  // unknown or twice: the general reader words it
      given[i] = 1;
      const InputSpec &spec = specs[i];
      PatientValue &v = values[i];
      v.kind = spec.kind;
      char c = in.peek();
      if (c == 'n') {
        if (!in.word("null") || !spec.optional) return false;
        v.missing = true;
      } else if (c == 't' || c == 'f') {
        if (spec.kind != InputSpec::Kind::Bool || !(in.word("true") || in.word("false"))) return false;
        v.boolean = c == 't';
      } else if (c == '"') {
        std::string_view text;
        if (!in.string(text)) return false;
        switch (spec.kind) {
          case InputSpec::Kind::Bool: return false;
          case InputSpec::Kind::Enum: {
            auto m = std::find_if(spec.members.begin(), spec.members.end(), [&](const std::string &x) { return sameText(x, text); });
            if (m == spec.members.end()) return false;
            v.member = static_cast<int>(m - spec.members.begin());
            break;
          }
          case InputSpec::Kind::String: v.text = text; break;
          case InputSpec::Kind::Number: {
            splitQuantity(text, numberText, unitName);
            const UnitSpec *unit = nullptr;
            if (!unitName.empty()) {
              auto u = std::find_if(spec.units.begin(), spec.units.end(), [&](const UnitSpec &x) { return sameText(x.name, unitName); });
              if (u == spec.units.end()) return false;  // composed, converted or unknown: the general reader
              unit = &*u;
            } else if (!spec.dimension.empty()) {
              return false;
            }
            std::optional<Rational> number = parseDecimal(numberText);
            if (!number) return false;
            try {
              v.number = unit && !(unit->factor == 1 && unit->offset.isZero()) ? *number * unit->factor + unit->offset : *number;
            } catch (const RationalOverflow &) {
              return false;
            }
            break;
          }
        }
      } else {
        std::string_view text;
        if (spec.kind != InputSpec::Kind::Number || !spec.dimension.empty() || !in.number(text)) return false;
        std::optional<Rational> number = parseDecimal(text);
        if (!number) return false;
        v.number = *number;
      }
      if (spec.kind == InputSpec::Kind::Number && !v.missing) {
        if (spec.integer && !v.number.isInteger()) return false;
        if ((spec.lo && v.number < *spec.lo) || (spec.hi && v.number > *spec.hi)) return false;
      }
      if (in.eat(',')) continue;
      if (in.eat('}')) break;
      return false;
    }
  if (!in.atEnd()) return false;
  for (size_t i = 0; i < specs.size(); ++i)
    if (!given[i]) {
      if (!specs[i].optional) return false;
      values[i].kind = specs[i].kind;
      values[i].missing = true;
    }
  return true;
}

bool isDecimalSyntax(std::string_view text) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > from;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  if (!digits()) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

std::optional<Rational> parseDecimal(std::string_view text) {
  size_t e = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, e);
  if (mantissa.empty() || mantissa.back() == '.' || mantissa.front() == '.') return std::nullopt;
  try {
    std::optional<Rational> m = mantissa.find('/') == std::string_view::npos ? Rational::parse(mantissa) : std::nullopt;
    if (!m) return std::nullopt;
    if (e == std::string_view::npos) return m;
    std::string_view exp = text.substr(e + 1);
    bool neg = false;
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) { neg = exp[0] == '-'; exp.remove_prefix(1); }
    if (exp.empty() || exp.size() > 3) return std::nullopt;
    int n = 0;
    for (char c : exp) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    if (n > 18) return std::nullopt;  // beyond 64-bit exactness either way
    Rational scale = 1;
    for (int i = 0; i < n; ++i) scale *= 10;
    return neg ? *m / scale : *m * scale;
  } catch (const RationalOverflow &) {
    return std::nullopt;
  }
}

std::string formatQuantity(const Rational &canonical, const UnitSpec *unit) {
  return unit ? carepath::formatQuantity(canonical, unit->factor, unit->name, unit->offset) : formatDecimal(canonical);
}

std::optional<std::vector<PatientValue>> readPatient(const std::vector<InputSpec> &specs, std::string_view jsonText,
                                                     std::vector<PatientError> &errors,
                                                     const std::vector<UnitSpec> &knownUnits) {
  std::vector<PatientValue> values;
  if (readSimplePatient(specs, jsonText, values)) return values;
  return readPatientGeneral(specs, jsonText, errors, knownUnits);
}

std::optional<std::vector<PatientValue>> readPatientGeneral(const std::vector<InputSpec> &specs, std::string_view jsonText,
                                                            std::vector<PatientError> &errors,
                                                            const std::vector<UnitSpec> &knownUnits) {
  size_t errorsBefore = errors.size();
  using Kind = PatientError::Kind;
  auto fail = [&](const std::string &input, std::string message, Kind kind, std::string expected = {},
                  std::string found = {}) {
    errors.push_back({input, std::move(message), kind, std::move(expected), std::move(found)});
  };

  TreeBuilder builder(jsonText);
  bool ok = nlohmann::json::sax_parse(jsonText.begin(), jsonText.end(), &builder,
                                      nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok || !builder.root) {
    fail("", builder.error.empty() ? "malformed JSON" : builder.error, Kind::Malformed, "a JSON object", "malformed JSON");
    return std::nullopt;
  }
  const Node &root = *builder.root;
  if (root.type != Node::Type::Object) {
    fail("", std::string("the patient must be a JSON object mapping input names to values, got ") +
                 typeName(root.type),
         Kind::Malformed, "a JSON object", typeName(root.type));
    return std::nullopt;
  }

  // Every unit the reader can name: to compose "mg/dL", and to tell
  // "unknown" from "wrong dimension".
  UnitCatalogue catalogue;
  for (const UnitSpec &u : knownUnits) catalogue.add(u);
  for (const InputSpec &s : specs)
    for (const UnitSpec &u : s.units) catalogue.add(u);

  std::vector<std::string> names;
  for (const InputSpec &s : specs) names.push_back(s.name);

  std::map<std::string, const Node *> given;
  for (const auto &[key, value] : root.members) {
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end()) {
      fail(key, "unknown input '" + key + "'" + suggestion(key, names), Kind::UnknownInput, "", "'" + key + "'");
      continue;
    }
    if (!given.emplace(key, value.get()).second) fail(key, "input '" + key + "' is given more than once", Kind::Duplicate, "one value", "more than one");
  }

  std::vector<PatientValue> values;
  for (const InputSpec &spec : specs) {
    const std::string &name = spec.name;
    auto it = given.find(name);
    if (it == given.end() || it->second->type == Node::Type::Null) {
      PatientValue v;
      v.kind = spec.kind;
      v.missing = true;
      // An optional input may be left out (or null): its value is missing.
      if (!spec.optional)
        fail(name,
             it == given.end() ? "input '" + name + "' is missing"
                               : "input '" + name + "' is required; only an optional input may be null",
             Kind::Missing, "a value", it == given.end() ? "" : "null");
      values.push_back(v);
      continue;
    }
    const Node &node = *it->second;
    PatientValue v;
    v.kind = spec.kind;
    switch (spec.kind) {
    case InputSpec::Kind::Bool:
      if (node.type != Node::Type::Bool) {
        fail(name, "input '" + name + "' must be true or false, got " + typeName(node.type), Kind::WrongType,
             "true or false", typeName(node.type));
        break;
      }
      v.boolean = node.boolean;
      break;

    case InputSpec::Kind::Enum: {
      if (node.type != Node::Type::String) {
        fail(name, "input '" + name + "' must be one of " + joined(spec.members) + " (as a string), got " +
                       typeName(node.type),
             Kind::WrongType, "one of " + joined(spec.members), typeName(node.type));
        break;
      }
      auto m = std::find(spec.members.begin(), spec.members.end(), node.text);
      if (m == spec.members.end()) {
        fail(name, "input '" + name + "' has no member '" + node.text + "'" + suggestion(node.text, spec.members) +
                       "; members: " + joined(spec.members),
             Kind::UnknownMember, "one of " + joined(spec.members), "'" + node.text + "'");
        break;
      }
      v.member = static_cast<int>(m - spec.members.begin());
      break;
    }

    case InputSpec::Kind::String:
      // An open set of values: any string is one (no member list to check).
      if (node.type != Node::Type::String) {
        fail(name, "input '" + name + "' must be a string, got " + typeName(node.type), Kind::WrongType, "a string",
             typeName(node.type));
        break;
      }
      v.text = node.text;
      break;

    case InputSpec::Kind::Number: {
      // Split the value into its number text and its unit name (if any).
      std::string numberText, unitName, written;
      bool hasUnit = false, shapeOk = true;
      if (node.type == Node::Type::Number) {
        numberText = node.text;
      } else if (node.type == Node::Type::String) {
        std::string_view n, u;
        splitQuantity(node.text, n, u);
        numberText = n;
        unitName = u;
        hasUnit = !unitName.empty();
      } else if (node.type == Node::Type::Object) {
        const Node *val = nullptr, *unit = nullptr;
        for (const auto &[k, n] : node.members) {
          if (k == "value") val = n.get();
          else if (k == "unit") unit = n.get();
          else {
            fail(name, "input '" + name + "': unexpected key '" + k + "' (a quantity object has \"value\" and \"unit\")",
                 Kind::WrongType, "\"value\" and \"unit\"", "'" + k + "'");
            shapeOk = false;
          }
        }
        if (!val || val->type != Node::Type::Number) {
          fail(name, "input '" + name + "': a quantity object needs a numeric \"value\"", Kind::WrongType,
               "a numeric \"value\"", val ? typeName(val->type) : "");
          shapeOk = false;
        } else {
          numberText = val->text;
        }
        if (unit) {
          if (unit->type != Node::Type::String) {
            fail(name, "input '" + name + "': \"unit\" must be a string, got " + typeName(unit->type), Kind::WrongType,
                 "a string \"unit\"", typeName(unit->type));
            shapeOk = false;
          } else {
            unitName = unit->text;
            hasUnit = true;
          }
        }
      } else {
        std::string want = spec.dimension.empty() ? std::string("a number")
                                                  : "a quantity such as \"14 kg\" or {\"value\": 14, \"unit\": \"kg\"}";
        fail(name, "input '" + name + "' must be " + want + ", got " + typeName(node.type), Kind::WrongType, want,
             typeName(node.type));
        break;
      }
      if (!shapeOk) break;
      std::optional<Rational> number = parseDecimal(numberText);
      if (!number && isDecimalSyntax(numberText)) {
        // Written as a number, but more digits than exact arithmetic holds.
        fail(name, "input '" + name + "': '" + numberText + "' is too large or too precise for exact arithmetic (up to 18 digits)",
             Kind::TooLarge, "a value exact arithmetic can hold", "'" + numberText + "'");
        break;
      }
      if (!number) {
        std::string text = node.type == Node::Type::String ? node.text : numberText;
        fail(name, "input '" + name + "': '" + text + "' is not a number" +
                       (spec.dimension.empty() ? "" : " followed by a unit"),
             Kind::NotANumber, spec.dimension.empty() ? "a number" : "a number followed by a unit", "'" + text + "'");
        break;
      }
      // The unit: required for a dimension, optional (and of no dimension) otherwise.
      const UnitSpec *unit = nullptr;
      UnitSpec composed;
      if (hasUnit) {
        auto u = std::find_if(spec.units.begin(), spec.units.end(), [&](const UnitSpec &x) { return x.name == unitName; });
        std::optional<std::vector<std::string>> atoms = units::splitUnit(unitName);
        units::Composition c;
        if (atoms) c = units::compose(*atoms, [&](const std::string &a) { return catalogue.find(a); });
        std::optional<units::Dims> want = units::parseDims(spec.dimension);
        if (u != spec.units.end()) {
          unit = &*u;
        } else if (c.unit && want) {
          // Of the input's dimension, or of one its substance converts.
          std::optional<Rational> convert;
          try {
            convert = units::conversionFactor(c.unit->dims, *want, spec.conversions);
          } catch (const RationalOverflow &) {
            fail(name, "input '" + name + "': value too large or too precise", Kind::TooLarge,
                 "a value exact arithmetic can hold", "'" + numberText + " " + unitName + "'");
            break;
          }
          if (!convert) {
            std::string dim = units::dimsString(c.unit->dims);
            fail(name, "input '" + name + "' is " + describeDimension(spec.dimension) +
                           (spec.substance.empty() ? "" : " of " + spec.substance) + ", but '" + unitName + "' is " +
                           describeDimension(dim) + " unit",
                 Kind::WrongDimension, "a unit of " + spec.dimension, "'" + unitName + "' (" + dim + ")");
            break;
          }
          try {
            composed = UnitSpec{unitName, c.unit->factor * *convert, spec.dimension, c.unit->offset, c.unit->ucum};
          } catch (const RationalOverflow &) {
            fail(name, "input '" + name + "': value too large or too precise", Kind::TooLarge,
                 "a value exact arithmetic can hold", "'" + numberText + " " + unitName + "'");
            break;
          }
          unit = &composed;
        } else if (c.error == units::Composition::Error::AffineInCompound) {
          fail(name, "input '" + name + "': '" + c.atom + "' is an affine unit (its zero is shifted) and cannot be part of the compound unit '" +
                         unitName + "'",
               Kind::UnknownUnit, "a unit of " + spec.dimension, "'" + unitName + "'");
          break;
        } else {
          std::vector<std::string> accepted;
          for (const UnitSpec &x : spec.units) accepted.push_back(x.name);
          std::string what = !atoms ? "unknown unit '" + unitName + "'"
                             : atoms->size() == 1 ? "unknown unit '" + unitName + "'" + unitSuggestion(unitName, catalogue.names())
                                                  : "unknown unit '" + c.atom + "' in '" + unitName + "'" +
                                                        unitSuggestion(c.atom, catalogue.names());
          fail(name, "input '" + name + "': " + what +
                         (accepted.empty() ? std::string("; it takes a plain number") : "; units of " + spec.dimension + ": " + joined(accepted)),
               Kind::UnknownUnit, accepted.empty() ? "a plain number" : "a unit of " + spec.dimension, "'" + unitName + "'");
          break;
        }
      } else if (!spec.dimension.empty()) {
        std::string example = spec.displayUnit.empty() ? "a unit" : "\"" + numberText + " " + spec.displayUnit + "\"";
        fail(name, "input '" + name + "' is " + describeDimension(spec.dimension) + " and needs a unit, e.g. " + example,
             Kind::UnknownUnit, "a unit of " + spec.dimension, "'" + numberText + "'");
        break;
      }
      Rational canonical;
      try {
        canonical = unit ? *number * unit->factor + unit->offset : *number;
      } catch (const RationalOverflow &) {
        fail(name, "input '" + name + "': value too large or too precise", Kind::TooLarge,
             "a value exact arithmetic can hold", "'" + numberText + (unit ? " " + unitName : "") + "'");
        break;
      }
      written = formatQuantity(*number, nullptr) + (unit ? " " + unitName : "");
      if (spec.integer && !canonical.isInteger()) {
        fail(name, "input '" + name + "' must be a whole number, got " + written, Kind::NotInteger, "a whole number",
             written);
        break;
      }
      if ((spec.lo && canonical < *spec.lo) || (spec.hi && canonical > *spec.hi)) {
        const UnitSpec *display = nullptr;
        for (const UnitSpec &x : spec.units)
          if (x.name == spec.displayUnit) display = &x;
        std::string range = (spec.lo ? formatQuantity(*spec.lo, display) : std::string("-inf")) + " .. " +
                            (spec.hi ? formatQuantity(*spec.hi, display) : std::string("inf"));
        fail(name, "input '" + name + "' = " + written + " is outside its range " + range, Kind::OutOfRange, range,
             written);
        break;
      }
      v.number = canonical;
      break;
    }
    }
    values.push_back(v);
  }
  if (errors.size() != errorsBefore) return std::nullopt;
  return values;
}

}  // namespace carepath::runtime
