// Rule boxes of a table: the sweep for intersecting pairs and the search for
// a patient in one box outside others (see TableBoxes.h).
#include "verifier/TableBoxes.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <variant>

namespace carepath::verifier {

using namespace ir;
using Kind = Type::Kind;

RuleRows rowsWithinDomain(const Protocol &p, const ExprRef &guard) {
  if (!guard) return std::vector<Row>{Row{}};
  auto cols = toColumns(p, *guard);
  if (!std::holds_alternative<Columns>(cols)) return std::nullopt;
  std::vector<Row> out;
  for (const Row &r : std::get<Columns>(cols).rows)
    if (auto within = withinDomain(p, r)) out.push_back(std::move(*within));
  return out;
}

namespace {

const InputCondition *find(const Row &r, int input) {
  for (const InputCondition &c : r.conditions)
    if (c.input == input) return &c;
  return nullptr;
}

// Whether some value satisfies both conditions (on one input), without
// building their conjunction.
bool conditionsMeet(const InputCondition &a, const InputCondition &b) {
  switch (a.kind) {
  case Kind::Bool: return a.value == b.value;
  case Kind::Enum: {
    auto i = a.members.begin(), j = b.members.begin();
    while (i != a.members.end() && j != b.members.end()) {
      if (*i == *j) return true;
      *i < *j ? ++i : ++j;
    }
    return false;
  }
  case Kind::Number:
    for (const Interval &x : a.intervals)
      for (const Interval &y : b.intervals) {
        Interval both = x;
        if (y.lo && (!both.lo || *y.lo > *both.lo || (*y.lo == *both.lo && !y.loClosed))) both.lo = y.lo, both.loClosed = y.loClosed;
        if (y.hi && (!both.hi || *y.hi < *both.hi || (*y.hi == *both.hi && !y.hiClosed))) both.hi = y.hi, both.hiClosed = y.hiClosed;
        if (!both.empty()) return true;
      }
    return false;
  case Kind::String: break;
  }
  Row x{{a}}, y{{b}};
  return conjoinRows(x, y).has_value();
}

// Whether some patient satisfies both rows (conditions ordered by input).
bool rowsMeet(const Row &a, const Row &b) {
  auto i = a.conditions.begin(), j = b.conditions.begin();
  while (i != a.conditions.end() && j != b.conditions.end()) {
    if (i->input < j->input) ++i;
    else if (j->input < i->input) ++j;
    else if (!conditionsMeet(*i++, *j++)) return false;
  }
  return true;
}

bool rowsMeet(const RuleRows &a, const RuleRows &b) {
  if (!a || !b) return true;
  for (const Row &x : *a)
    for (const Row &y : *b)
      if (rowsMeet(x, y)) return true;
  return false;
}

constexpr int32_t kBelow = 0;                                      // unbounded below
constexpr int32_t kAbove = std::numeric_limits<int32_t>::max();  // unbounded above

}  // namespace

TableBoxes::TableBoxes(const Protocol &p, const Table &t) : t_(t) {
  size_t n = t.rules.size();
  rows_.reserve(n);
  for (const Rule &r : t.rules) rows_.push_back(rowsWithinDomain(p, r.guard));
  never_.assign(n, false);
  // The inputs some rule tests, and every endpoint on each numeric one.
  std::map<int, std::vector<Rational>> ends;
  std::set<int> discrete;
  for (size_t r = 0; r < n; ++r) {
    if (!rows_[r]) continue;
    if (rows_[r]->empty()) never_[r] = true;
    for (const Row &row : *rows_[r])
      for (const InputCondition &c : row.conditions) {
        if (c.kind == Kind::Number) {
          std::vector<Rational> &e = ends[c.input];
          for (const Interval &i : c.intervals) {
            if (i.lo) e.push_back(*i.lo);
            if (i.hi) e.push_back(*i.hi);
          }
        } else if (c.kind == Kind::Enum || c.kind == Kind::Bool) {
          discrete.insert(c.input);
        }
      }
  }
  for (auto &[input, e] : ends) {
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
    numeric_.push_back(input);
  }
  discrete_.assign(discrete.begin(), discrete.end());
  for (size_t d = 0; d < numeric_.size(); ++d) meetOrder_.push_back(d);
  // Compressed coordinates: value number k (0-based) is at 2k + 1, the gap
  // above it at 2k + 2, the gap below the least value at 0.
  size_t dn = numeric_.size(), dd = discrete_.size();
  lo_.assign(n * dn, kBelow);
  hi_.assign(n * dn, kAbove);
  mask_.assign(n * dd, ~uint64_t{0});
  for (size_t r = 0; r < n; ++r) {
    if (!rows_[r] || never_[r]) continue;
    for (size_t d = 0; d < dn; ++d) {
      const std::vector<Rational> &e = ends[numeric_[d]];
      auto rank = [&](const Rational &v) {
        return static_cast<int32_t>(std::lower_bound(e.begin(), e.end(), v) - e.begin());
      };
      int32_t lo = kAbove, hi = kBelow;
      for (const Row &row : *rows_[r]) {
        const InputCondition *c = find(row, numeric_[d]);
        if (!c || c->intervals.empty()) {
          lo = kBelow, hi = kAbove;
          break;
        }
        const Interval &first = c->intervals.front(), &last = c->intervals.back();
        int32_t l = first.lo ? 2 * rank(*first.lo) + (first.loClosed ? 1 : 2) : kBelow;
        int32_t h = last.hi ? 2 * rank(*last.hi) + (last.hiClosed ? 1 : 0) : kAbove;
        lo = std::min(lo, l), hi = std::max(hi, h);
      }
      lo_[r * dn + d] = lo, hi_[r * dn + d] = hi;
    }
    for (size_t d = 0; d < dd; ++d) {
      uint64_t m = 0;
      for (const Row &row : *rows_[r]) {
        const InputCondition *c = find(row, discrete_[d]);
        if (!c) { m = ~uint64_t{0}; break; }
        if (c->kind == Kind::Bool) m |= uint64_t{1} << (c->value ? 1 : 0);
        for (int member : c->members) m |= member < 64 ? uint64_t{1} << member : ~uint64_t{0};
      }
      mask_[r * dd + d] = m;
    }
  }
}

bool TableBoxes::boxesMeet(size_t a, size_t b) const {
  if (never_[a] || never_[b]) return false;
  size_t dn = numeric_.size(), dd = discrete_.size();
  for (size_t d : meetOrder_)
    if (std::max(lo_[a * dn + d], lo_[b * dn + d]) > std::min(hi_[a * dn + d], hi_[b * dn + d])) return false;
  for (size_t d = 0; d < dd; ++d)
    if (!(mask_[a * dd + d] & mask_[b * dd + d])) return false;
  return true;
}

const std::vector<std::pair<int, int>> &TableBoxes::intersecting() {
  if (pairs_) return *pairs_;
  pairs_.emplace();
  size_t n = rows_.size(), dn = numeric_.size();
  // The axis: the numeric input along which the fewest pairs of hulls meet
  // (counted by a sweep over sorted ends; the rest are tested pair by pair).
  int axis = -1;
  size_t fewest = std::numeric_limits<size_t>::max();
  std::vector<size_t> meetsAlong(dn);
  for (size_t d = 0; d < dn; ++d) {
    std::vector<std::pair<int32_t, int>> events;  // (coordinate, 0 = start / 1 = end)
    for (size_t r = 0; r < n; ++r)
      if (!never_[r]) events.push_back({lo_[r * dn + d], 0}), events.push_back({hi_[r * dn + d], 1});
    std::sort(events.begin(), events.end());  // a start before an end at one coordinate: closed hulls meet
    size_t open = 0, meets = 0;
    for (auto [x, end] : events) {
      if (end) --open;
      else meets += open, ++open;
    }
    if (meets < fewest) fewest = meets, axis = static_cast<int>(d);
    meetsAlong[d] = meets;
  }
  // boxesMeet tests the inputs that separate the most pairs first: most
  // pairs are apart on one of them, and the answer does not depend on the order.
  std::stable_sort(meetOrder_.begin(), meetOrder_.end(), [&](size_t a, size_t b) { return meetsAlong[a] < meetsAlong[b]; });
  std::vector<size_t> order;
  for (size_t r = 0; r < n; ++r)
    if (!never_[r]) order.push_back(r);
  auto lo = [&](size_t r) { return axis < 0 ? kBelow : lo_[r * dn + static_cast<size_t>(axis)]; };
  auto hi = [&](size_t r) { return axis < 0 ? kAbove : hi_[r * dn + static_cast<size_t>(axis)]; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lo(a) < lo(b); });
  std::vector<size_t> active;
  for (size_t k : order) {
    // Rules that end before this one starts meet none of the rest.
    active.erase(std::remove_if(active.begin(), active.end(), [&](size_t a) { return hi(a) < lo(k); }), active.end());
    for (size_t a : active)
      if (boxesMeet(a, k) && rowsMeet(rows_[a], rows_[k]))
        pairs_->emplace_back(static_cast<int>(std::min(a, k)), static_cast<int>(std::max(a, k)));
    active.push_back(k);
  }
  std::sort(pairs_->begin(), pairs_->end());
  return *pairs_;
}

std::vector<uint32_t> TableBoxes::earlierIntersecting(const std::vector<uint32_t> &order, uint32_t rule) {
  if (neighbours_.empty()) {
    neighbours_.resize(rows_.size());
    for (auto [a, b] : intersecting()) {
      neighbours_[static_cast<size_t>(a)].push_back(static_cast<uint32_t>(b));
      neighbours_[static_cast<size_t>(b)].push_back(static_cast<uint32_t>(a));
    }
  }
  if (order != order_) {
    order_ = order;
    position_.assign(rows_.size(), 0);
    for (size_t k = 0; k < order.size(); ++k) position_[order[k]] = k;
  }
  const std::vector<size_t> &position = position_;
  std::vector<uint32_t> out;
  for (uint32_t e : neighbours_.at(rule))
    if (position[e] < position[rule]) out.push_back(e);
  std::sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) { return position[a] < position[b]; });
  (void)t_;
  return out;
}

TableBoxes &ProtocolBoxes::of(size_t table) {
  std::unique_ptr<TableBoxes> &boxes = tables_.at(table);
  if (!boxes) boxes = std::make_unique<TableBoxes>(p_, p_.tables[table]);
  return *boxes;
}

// ------------------------------------------------------------------ witness search

namespace {

bool conditionHolds(const InputCondition &c, const Value &v) {
  switch (c.kind) {
  case Kind::Bool: return v.boolean == c.value;
  case Kind::Enum: return std::binary_search(c.members.begin(), c.members.end(), v.member);
  case Kind::String: return std::binary_search(c.texts.begin(), c.texts.end(), v.text) != c.excluded;
  case Kind::Number:
    return std::any_of(c.intervals.begin(), c.intervals.end(), [&](const Interval &i) { return i.contains(v.number); });
  }
  return false;
}

/// One value per cell that the conditions on `input` cut its allowed set
/// into (a superset: some cells get more than one).
std::vector<Value> representatives(const Protocol &p, int input, const InputCondition *allowed,
                                   const std::vector<const InputCondition *> &cuts, std::vector<Rational> &ends) {
  const Input &in = p.inputs.at(static_cast<size_t>(input));
  std::vector<Value> out;
  switch (in.type.kind) {
  case Kind::Bool:
    for (bool b : {true, false}) out.push_back(Value::ofBool(b));
    break;
  case Kind::Enum:
    for (int m = 0; m < static_cast<int>(p.enums.at(in.type.enumType).members.size()); ++m) out.push_back(Value::ofEnum(m));
    break;
  case Kind::String: {
    std::set<std::string> texts;
    for (const InputCondition *c : cuts) texts.insert(c->texts.begin(), c->texts.end());
    if (allowed) texts.insert(allowed->texts.begin(), allowed->texts.end());
    std::string fresh = "other";  // a string no condition lists
    while (texts.count(fresh)) fresh += "'";
    texts.insert(fresh);
    for (const std::string &s : texts) out.push_back(Value::ofString(s));
    break;
  }
  case Kind::Number: {
    auto add = [&](const InputCondition *c) {
      for (const Interval &i : c->intervals) {
        if (i.lo) ends.push_back(*i.lo);
        if (i.hi) ends.push_back(*i.hi);
      }
    };
    InputCondition domain = numberDomain(p, input);
    add(&domain);
    if (allowed) add(allowed);
    for (const InputCondition *c : cuts) add(c);
    std::sort(ends.begin(), ends.end());
    ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
    std::vector<Rational> values;
    try {
      if (ends.empty()) values.push_back(Rational(0));
      for (size_t k = 0; k < ends.size(); ++k) {
        values.push_back(ends[k]);
        // All ends are whole numbers for an integer input (withinDomain):
        // a cell of whole numbers starts at an end or next to one.
        if (in.type.integer) {
          values.push_back(ends[k] - Rational(1));
          values.push_back(ends[k] + Rational(1));
        } else if (k + 1 < ends.size()) {
          values.push_back((ends[k] + ends[k + 1]) / Rational(2));
        }
      }
      if (!in.type.integer && !ends.empty()) {
        values.push_back(ends.front() - Rational(1));
        values.push_back(ends.back() + Rational(1));
      }
    } catch (const RationalOverflow &) {
      // Fewer representatives: the search may then give up, never err.
    }
    for (const Rational &v : values)
      if (!in.type.integer || v.isInteger()) out.push_back(Value::ofNumber(v));
    if (!domain.intervals.empty())
      out.erase(std::remove_if(out.begin(), out.end(), [&](const Value &v) { return !conditionHolds(domain, v); }), out.end());
    else out.clear();
    break;
  }
  }
  if (allowed)
    out.erase(std::remove_if(out.begin(), out.end(), [&](const Value &v) { return !conditionHolds(*allowed, v); }), out.end());
  return out;
}

/// Where a number lies among the sorted `ends`: 2k + 1 at ends[k], 2k in the
/// gap just below it (2n above the last). Two numbers at one coordinate
/// are inside or outside every interval whose ends are among `ends` alike.
int32_t coordinate(const std::vector<Rational> &ends, const Rational &v) {
  size_t k = static_cast<size_t>(std::lower_bound(ends.begin(), ends.end(), v) - ends.begin());
  return static_cast<int32_t>(2 * k + (k < ends.size() && ends[k] == v ? 1 : 0));
}

/// A numeric condition's intervals as closed ranges of coordinates (its
/// ends are among `ends`), so that testing a value is integer comparisons.
std::vector<std::pair<int32_t, int32_t>> coordinateRanges(const std::vector<Rational> &ends, const InputCondition &c) {
  std::vector<std::pair<int32_t, int32_t>> out;
  auto at = [&](const Rational &v) {
    return static_cast<int32_t>(2 * (std::lower_bound(ends.begin(), ends.end(), v) - ends.begin()));
  };
  for (const Interval &i : c.intervals) {
    int32_t lo = i.lo ? at(*i.lo) + (i.loClosed ? 1 : 2) : 0;
    int32_t hi = i.hi ? at(*i.hi) + (i.hiClosed ? 1 : 0) : std::numeric_limits<int32_t>::max();
    out.push_back({lo, hi});
  }
  return out;
}

/// A value of the input's domain (for inputs no row tests).
Value anyValue(const Protocol &p, int input) {
  const Input &in = p.inputs.at(static_cast<size_t>(input));
  switch (in.type.kind) {
  case Kind::Bool: return Value::ofBool(false);
  case Kind::Enum: return Value::ofEnum(0);
  case Kind::String: return Value::ofString("");
  case Kind::Number: {
    InputCondition d = numberDomain(p, input);
    if (d.intervals.empty()) return Value::ofNumber(Rational(0));
    const Interval &i = d.intervals.front();
    if (i.contains(Rational(0))) return Value::ofNumber(Rational(0));
    if (i.lo && i.loClosed) return Value::ofNumber(*i.lo);
    if (i.hi && i.hiClosed) return Value::ofNumber(*i.hi);
    if (i.lo && i.hi) return Value::ofNumber((*i.lo + *i.hi) / Rational(2));
    return Value::ofNumber(i.lo ? *i.lo + Rational(1) : *i.hi - Rational(1));
  }
  }
  return Value::ofBool(false);
}

class Search {
public:
  Search(size_t rows, size_t budget) : kills_(rows, 0), remaining_(rows, 0), budget_(budget) {}

  struct Level {
    int input;
    std::vector<Value> values;
    std::vector<std::vector<int>> falsifies;  // per value: the rows it falsifies
    std::vector<int> testing;                 // rows that test this input
  };
  std::vector<Level> levels;
  std::vector<size_t> chosen;

  bool run() {
    for (const Level &l : levels)
      for (int r : l.testing) ++remaining_[static_cast<size_t>(r)];
    for (size_t r = 0; r < remaining_.size(); ++r)
      if (remaining_[r] == 0) return false;  // a row that tests nothing here holds everywhere
    chosen.assign(levels.size(), 0);
    return dfs(0);
  }

private:
  bool dfs(size_t depth) {
    if (depth == levels.size()) return true;
    if (steps_++ > budget_) return false;
    const Level &l = levels[depth];
    // Values that falsify the most rows still alive first.
    std::vector<std::pair<size_t, size_t>> byKills;
    for (size_t v = 0; v < l.values.size(); ++v) {
      size_t k = 0;
      for (int r : l.falsifies[v]) k += kills_[static_cast<size_t>(r)] == 0;
      byKills.push_back({k, v});
    }
    std::stable_sort(byKills.begin(), byKills.end(), [](auto a, auto b) { return a.first > b.first; });
    for (auto [k, v] : byKills) {
      for (int r : l.falsifies[v]) ++kills_[static_cast<size_t>(r)];
      bool conflict = false;
      for (int r : l.testing) {
        size_t &rem = remaining_[static_cast<size_t>(r)];
        --rem;
        if (rem == 0 && kills_[static_cast<size_t>(r)] == 0) conflict = true;
      }
      if (!conflict && dfs(depth + 1)) {
        chosen[depth] = v;
        return true;
      }
      for (int r : l.testing) ++remaining_[static_cast<size_t>(r)];
      for (int r : l.falsifies[v]) --kills_[static_cast<size_t>(r)];
      if (steps_ > budget_) return false;
    }
    return false;
  }

  std::vector<size_t> kills_;      // per row: assigned values that falsify it
  std::vector<size_t> remaining_;  // per row: inputs it tests not assigned yet
  size_t budget_, steps_ = 0;
};

}  // namespace

std::optional<std::vector<Value>> boxWitness(const Protocol &p, const Row &target, const std::vector<const Row *> &avoid,
                                            size_t budget) {
  std::optional<Row> box = withinDomain(p, target);
  if (!box) return std::nullopt;
  for (const InputCondition &c : box->conditions)
    if (!conditionSatisfiable(c)) return std::nullopt;
  // Only rows that meet the box can hold inside it.
  std::vector<const Row *> rows;
  for (const Row *r : avoid)
    if (rowsMeet(*box, *r)) rows.push_back(r);
  std::set<int> inputs;
  for (const InputCondition &c : box->conditions) inputs.insert(c.input);
  for (const Row *r : rows)
    for (const InputCondition &c : r->conditions) inputs.insert(c.input);
  Search s(rows.size(), budget);
  for (int input : inputs) {
    Search::Level l;
    l.input = input;
    std::vector<const InputCondition *> cuts;
    std::vector<int> testing;
    for (size_t r = 0; r < rows.size(); ++r)
      if (const InputCondition *c = find(*rows[r], input)) cuts.push_back(c), testing.push_back(static_cast<int>(r));
    // One value per distinct set of rows it falsifies.
    std::set<std::vector<int>> seen;
    std::vector<int> falsified;  // reused: most values repeat a set already seen
    std::vector<Rational> ends;  // a number's: every end of the cuts among them
    std::vector<Value> values = representatives(p, input, find(*box, input), cuts, ends);
    // A number is tested by its coordinate among the ends (the same answers
    // as conditionHolds, by integer comparisons); a value at a coordinate
    // already tried falsifies the same rows, so it is skipped at once.
    bool number = p.inputs.at(static_cast<size_t>(input)).type.kind == Kind::Number;
    std::vector<std::vector<std::pair<int32_t, int32_t>>> ranges;
    std::vector<bool> tried(number ? 2 * ends.size() + 1 : 0);
    if (number)
      for (const InputCondition *c : cuts) ranges.push_back(coordinateRanges(ends, *c));
    for (Value &v : values) {
      falsified.clear();
      if (number) {
        int32_t at = coordinate(ends, v.number);
        if (tried[static_cast<size_t>(at)]) continue;
        tried[static_cast<size_t>(at)] = true;
        for (size_t k = 0; k < cuts.size(); ++k)
          if (std::none_of(ranges[k].begin(), ranges[k].end(),
                           [&](const std::pair<int32_t, int32_t> &r) { return r.first <= at && at <= r.second; }))
            falsified.push_back(testing[k]);
      } else {
        for (size_t k = 0; k < cuts.size(); ++k)
          if (!conditionHolds(*cuts[k], v)) falsified.push_back(testing[k]);
      }
      if (seen.count(falsified)) continue;
      seen.insert(falsified);
      l.values.push_back(std::move(v));
      l.falsifies.push_back(falsified);
    }
    if (l.values.empty()) return std::nullopt;
    l.testing = std::move(testing);
    s.levels.push_back(std::move(l));
  }
  // The inputs most rows test first: they decide the most.
  std::stable_sort(s.levels.begin(), s.levels.end(),
                   [](const Search::Level &a, const Search::Level &b) { return a.testing.size() > b.testing.size(); });
  if (!s.run()) return std::nullopt;
  std::vector<Value> patient;
  for (size_t i = 0; i < p.inputs.size(); ++i) patient.push_back(anyValue(p, static_cast<int>(i)));
  for (size_t k = 0; k < s.levels.size(); ++k)
    patient[static_cast<size_t>(s.levels[k].input)] = s.levels[k].values[s.chosen[k]];
  return patient;
}

}  // namespace carepath::verifier
