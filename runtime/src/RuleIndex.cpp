// The large-table index: see RuleIndex.h.
#include "RuleIndex.h"

#include <algorithm>
#include <bit>

namespace carepath::runtime {

using Op = NodeInfo::Op;
using Kind = InputSpec::Kind;

/// A column's rows, expanded from its recipe: per class the bitset of the
/// rules whose checks of the column are true there, and each row's summary.
struct RuleIndex::Rows {
  size_t classes = 0;
  std::vector<uint64_t> rows, sums;  // [class][word], [class][summary word]
  std::vector<uint64_t> missingTrue, missingTrueSum, missingTrueOrUnknown, missingTrueOrUnknownSum;
};

RuleIndex::~RuleIndex() = default;

namespace {

/// A present value's class: numbers 2i+1 at cuts[i], 2i below it and
/// above cuts[i-1]; an enum's member; false 0, true 1.
size_t classOf(const RuleIndex::Column &col, const PatientValue &v) {
  switch (col.kind) {
    case Kind::Number: {
      auto it = std::lower_bound(col.cuts.begin(), col.cuts.end(), v.number);
      size_t i = static_cast<size_t>(it - col.cuts.begin());
      return it != col.cuts.end() && *it == v.number ? 2 * i + 1 : 2 * i;
    }
    case Kind::Enum: return static_cast<size_t>(v.member);
    case Kind::Bool: return v.boolean ? 1 : 0;
    case Kind::String: break;
  }
  return 0;
}

size_t classesOf(const RuleIndex::Column &col, const std::vector<InputSpec> &inputs) {
  switch (col.kind) {
    case Kind::Number: return 2 * col.cuts.size() + 1;
    case Kind::Enum: return inputs[col.input].members.size();
    default: return 2;  // bools; strings (only `known` is indexed: every present value is class 0)
  }
}

/// The words of an index's rows: classes times words per column. Above
/// RuleIndex::kMaxRowWords the table is scanned (build) or the stored
/// recipe refused (a crafted file must not make the loader exhaust memory).
size_t rowWords(const RuleIndex::Recipe &recipe, const std::vector<InputSpec> &inputs, size_t words) {
  size_t total = 0;
  for (const RuleIndex::Column &col : recipe.columns) total += (classesOf(col, inputs) + 4) * words;
  return total;
}

/// One check of one input against constants.
struct Atom {
  enum class Is : uint8_t { Compare, Members, Known, Absent } is = Is::Compare;
  uint32_t input = 0;
  Op op = Op::Eq;         // Compare: Lt, Le, Gt, Ge, Eq, Ne (input OP constant)
  uint32_t constant = 0;  // Compare: the constant's node
  uint64_t members = 0;   // Members: enum members, or bool values (bit 0 false, bit 1 true)
};

const NodeInfo &strip(const std::vector<NodeInfo> &nodes, uint32_t n) {
  while (nodes[n].op == Op::Define) n = nodes[n].args[0];  // a define is its value
  return nodes[n];
}

Op flip(Op op) {
  switch (op) {
    case Op::Lt: return Op::Gt;
    case Op::Le: return Op::Ge;
    case Op::Gt: return Op::Lt;
    case Op::Ge: return Op::Le;
    default: return op;
  }
}

/// The checks of a box condition, or false when the condition is not a
/// conjunction of checks of single inputs against constants. None of these
/// checks can fail (no arithmetic), so the conjunction's Kleene value is
/// the rule's condition whatever order they are read in.
bool atoms(const std::vector<NodeInfo> &nodes, const std::vector<InputSpec> &inputs, uint32_t n, std::vector<Atom> &out) {
  const NodeInfo &x = strip(nodes, n);
  auto allMembers = [&](uint32_t input) {
    size_t k = inputs[input].members.size();
    return k >= 64 ? ~uint64_t(0) : (uint64_t(1) << k) - 1;
  };
  switch (x.op) {
    case Op::And:
      for (uint32_t a : x.args)
        if (!atoms(nodes, inputs, a, out)) return false;
      return true;
    case Op::Const: return x.kind == Kind::Bool && !x.constant.missing && x.constant.boolean;  // `true`: no check
    case Op::Input:
      if (x.kind != Kind::Bool) return false;
      out.push_back({Atom::Is::Members, x.input, Op::In, 0, 2});
      return true;
    case Op::Not: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op == Op::Input && a.kind == Kind::Bool) {
        out.push_back({Atom::Is::Members, a.input, Op::In, 0, 1});
        return true;
      }
      if (a.op == Op::Known && strip(nodes, a.args[0]).op == Op::Input) {
        out.push_back({Atom::Is::Absent, strip(nodes, a.args[0]).input, Op::Known, 0, 0});
        return true;
      }
      return false;
    }
    case Op::Known: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op != Op::Input) return false;
      out.push_back({Atom::Is::Known, a.input, Op::Known, 0, 0});
      return true;
    }
    case Op::In: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op != Op::Input) return false;
      out.push_back({Atom::Is::Members, a.input, Op::In, 0, x.members & allMembers(a.input)});
      return true;
    }
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: {
      const NodeInfo *in = &strip(nodes, x.args[0]), *c = &strip(nodes, x.args[1]);
      Op op = x.op;
      if (in->op == Op::Const && c->op == Op::Input) {
        std::swap(in, c);
        op = flip(op);
      }
      if (in->op != Op::Input || c->op != Op::Const || c->constant.missing || in->kind != c->kind) return false;
      switch (in->kind) {
        case Kind::Number:
          out.push_back({Atom::Is::Compare, in->input, op, static_cast<uint32_t>(c - nodes.data()), 0});
          return true;
        case Kind::Enum: {
          if (op != Op::Eq && op != Op::Ne) return false;
          uint64_t bit = uint64_t(1) << c->constant.member;
          out.push_back({Atom::Is::Members, in->input, Op::In, 0, (op == Op::Eq ? bit : ~bit) & allMembers(in->input)});
          return true;
        }
        case Kind::Bool: {
          if (op != Op::Eq && op != Op::Ne) return false;
          bool want = (op == Op::Eq) == c->constant.boolean;
          out.push_back({Atom::Is::Members, in->input, Op::In, 0, want ? 2u : 1u});
          return true;
        }
        case Kind::String: return false;  // scanned (rare in large tables)
      }
      return false;
    }
    default: return false;
  }
}

void setBit(uint64_t *bits, uint32_t pos) { bits[pos / 64] |= uint64_t(1) << (pos % 64); }
void clearBit(uint64_t *bits, uint32_t pos) { bits[pos / 64] &= ~(uint64_t(1) << (pos % 64)); }

/// Bit w of `sums` for each non-zero word w of `row`.
void summarise(const uint64_t *row, size_t words, uint64_t *sums) {
  for (size_t w = 0; w < words; ++w)
    if (row[w]) sums[w / 64] |= uint64_t(1) << (w % 64);
}

}  // namespace

bool RuleIndex::possible(const TableInfo &t) {
  return !t.pathway && t.rules.size() >= kMinRules && t.aggregation == Aggregation::None;
}

bool RuleIndex::prepare(const std::vector<NodeInfo> &nodes, const TableInfo &t) {
  // A single output is the first fired rule's value (ir::outputValue: an
  // if-chain over the rules in order ending in "missing"); the index gives
  // it directly, so the chain must have exactly that shape.
  for (const OutputInfo &o : t.outputs) {
    if (!o.value) continue;
    uint32_t n = *o.value;
    while (nodes[n].op == Op::If) n = nodes[n].args[2];
    if (nodes[n].op != Op::Const || !nodes[n].constant.missing) return false;
    noValue_.push_back(n);
  }
  const size_t R = t.rules.size();
  words_ = (R + 63) / 64;
  order_ = t.order;
  position_.assign(R, 0);
  for (uint32_t p = 0; p < R; ++p) position_[t.order[p]] = p;
  return true;
}

std::unique_ptr<RuleIndex> RuleIndex::build(const std::vector<NodeInfo> &nodes, const std::vector<InputSpec> &inputs,
                                            const TableInfo &t) {
  if (!possible(t)) return nullptr;
  std::unique_ptr<RuleIndex> ix(new RuleIndex);
  if (!ix->prepare(nodes, t)) return nullptr;
  const size_t R = t.rules.size();
  Recipe &recipe = ix->recipe_;

  // The checks of each box rule, gathered per column as (position, atom).
  std::vector<Atom> all;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> uses;
  std::vector<int> columnOf(inputs.size(), -1);
  size_t indexed = 0;
  for (uint32_t r = 0; r < R; ++r) {
    size_t mark = all.size();
    if (!atoms(nodes, inputs, t.rules[r].condition, all)) {
      all.resize(mark);
      recipe.residual.push_back(r);
      continue;
    }
    ++indexed;
    for (size_t k = mark; k < all.size(); ++k) {
      uint32_t input = all[k].input;
      if (columnOf[input] < 0) {
        columnOf[input] = static_cast<int>(recipe.columns.size());
        recipe.columns.push_back({});
        recipe.columns.back().input = input;
        recipe.columns.back().kind = inputs[input].kind;
        uses.emplace_back();
      }
      uses[static_cast<size_t>(columnOf[input])].push_back({ix->position_[r], static_cast<uint32_t>(k)});
    }
  }
  // Mostly residual: the scan is as good.
  if (indexed * 2 < R) return nullptr;

  // Cut points: the distinct constants, found by node first (a constant
  // shared by many rules is one node), so only the distinct values are sorted.
  std::vector<uint8_t> seen;
  std::vector<uint32_t> atOf;  // constant node -> its class (of the column at hand)
  if (std::any_of(recipe.columns.begin(), recipe.columns.end(), [](const Column &c) { return c.kind == Kind::Number; })) {
    seen.assign(nodes.size(), 0);
    atOf.assign(nodes.size(), 0);
  }
  std::vector<uint32_t> cutNodes;
  for (size_t ci = 0; ci < recipe.columns.size(); ++ci) {
    Column &col = recipe.columns[ci];
    auto &us = uses[ci];
    std::stable_sort(us.begin(), us.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    if (col.kind == Kind::Number) {
      cutNodes.clear();
      for (auto [p, k] : us)
        if (all[k].is == Atom::Is::Compare && !seen[all[k].constant]) {
          seen[all[k].constant] = 1;
          cutNodes.push_back(all[k].constant);
        }
      std::sort(cutNodes.begin(), cutNodes.end(),
                [&](uint32_t a, uint32_t b) { return nodes[a].constant.number < nodes[b].constant.number; });
      for (uint32_t n : cutNodes) {
        seen[n] = 0;
        const Rational &x = nodes[n].constant.number;
        if (col.cuts.empty() || col.cuts.back() != x) col.cuts.push_back(x);
        atOf[n] = static_cast<uint32_t>(2 * (col.cuts.size() - 1) + 1);
      }
    }
    const uint32_t top = static_cast<uint32_t>(classesOf(col, inputs) - 1);
    // Per rule: a number's true classes are one range [lo, hi] less the
    // points of its `!=` checks; an enum's or bool's a set of members.
    for (size_t i = 0; i < us.size();) {
      uint32_t p = us[i].first;
      bool value = false, known = false, absent = false;
      uint32_t lo = 0, hi = top;
      uint64_t members = ~uint64_t(0);
      size_t excludedFrom = col.excluded.size();
      for (; i < us.size() && us[i].first == p; ++i) {
        const Atom &a = all[us[i].second];
        switch (a.is) {
          case Atom::Is::Known: known = true; break;
          case Atom::Is::Absent: absent = true; break;
          case Atom::Is::Members: value = true; members &= a.members; break;
          case Atom::Is::Compare: {
            value = true;
            uint32_t at = atOf[a.constant];
            switch (a.op) {
              case Op::Lt: hi = std::min(hi, at - 1); break;
              case Op::Le: hi = std::min(hi, at); break;
              case Op::Gt: lo = std::max(lo, at + 1); break;
              case Op::Ge: lo = std::max(lo, at); break;
              case Op::Eq: lo = std::max(lo, at); hi = std::min(hi, at); break;
              case Op::Ne: col.excluded.push_back({p, at}); break;
              default: break;
            }
            break;
          }
        }
      }
      Check c;
      c.position = p;
      // Missing (Truth.h): `known` false; any other check unknown; `not known` true.
      c.flags = static_cast<uint8_t>((!known && !value ? Check::MissingTrue : 0) | (!known ? Check::MissingUnknown : 0));
      if (absent || (col.kind == Kind::Number && lo > hi)) {
        c.flags |= Check::NoValue;
        col.excluded.resize(excludedFrom);
      } else if (col.kind == Kind::Number) {
        c.lo = lo, c.hi = hi;
      } else {
        c.members = top >= 63 ? members : members & ((uint64_t(2) << top) - 1);
      }
      col.checks.push_back(c);
    }
  }
  if (rowWords(recipe, inputs, ix->words_) > kMaxRowWords) return nullptr;
  ix->expand(inputs);
  return ix;
}

std::unique_ptr<RuleIndex> RuleIndex::fromRecipe(Recipe recipe, const std::vector<NodeInfo> &nodes,
                                                 const std::vector<InputSpec> &inputs, const TableInfo &t,
                                                 std::string &problem) {
  if (!possible(t)) {
    problem = "an index for a table that cannot have one";
    return nullptr;
  }
  std::unique_ptr<RuleIndex> ix(new RuleIndex);
  if (!ix->prepare(nodes, t)) {
    problem = "an index for a table whose outputs it cannot give";
    return nullptr;
  }
  const size_t R = t.rules.size();
  std::vector<uint8_t> box(R, 1), used(inputs.size(), 0);
  for (size_t k = 0; k < recipe.residual.size(); ++k) {
    uint32_t r = recipe.residual[k];
    if (r >= R || (k > 0 && r <= recipe.residual[k - 1])) {
      problem = "the index's residual rules are not ascending rules of the table";
      return nullptr;
    }
    box[r] = 0;
  }
  for (const Column &col : recipe.columns) {
    if (col.input >= inputs.size() || used[col.input] || inputs[col.input].kind != col.kind) {
      problem = "an index column of no input, of another kind, or repeated";
      return nullptr;
    }
    used[col.input] = 1;
    // Each cut is a distinct constant of the table: no more of them than nodes.
    bool cutsOk = (col.kind == Kind::Number || col.cuts.empty()) && col.cuts.size() <= nodes.size();
    for (size_t k = 1; cutsOk && k < col.cuts.size(); ++k) cutsOk = col.cuts[k - 1] < col.cuts[k];
    if (!cutsOk) {
      problem = "an index column whose cut points are not ascending constants";
      return nullptr;
    }
    const size_t classes = classesOf(col, inputs);
    for (size_t k = 0; k < col.checks.size(); ++k) {
      const Check &c = col.checks[k];
      bool ok = c.position < R && box[ix->order_[c.position]] && (k == 0 || c.position > col.checks[k - 1].position) &&
                c.flags <= 7;
      if (ok && !(c.flags & Check::NoValue)) {
        if (col.kind == Kind::Number) ok = c.members == 0 && c.lo <= c.hi && c.hi < classes;
        else ok = c.lo == 0 && c.hi == 0 && (classes >= 64 || (c.members >> classes) == 0);
      }
      if (!ok) {
        problem = "an index check of a wrong rule or class";
        return nullptr;
      }
    }
    for (auto [p, c] : col.excluded)
      if (col.kind != Kind::Number || p >= R || c >= classes) {
        problem = "an index exclusion of a wrong rule or class";
        return nullptr;
      }
  }
  if (rowWords(recipe, inputs, ix->words_) > kMaxRowWords) {
    problem = "an index larger than a table can have";
    return nullptr;
  }
  ix->recipe_ = std::move(recipe);
  ix->expand(inputs);
  return ix;
}

void RuleIndex::expand(const std::vector<InputSpec> &inputs) {
  const size_t W = words_, S = summaryWords(), R = position_.size();
  // Every position, less the padding of the last word.
  std::vector<uint64_t> everyRule(W, ~uint64_t(0));
  if (R % 64) everyRule[W - 1] = (uint64_t(1) << (R % 64)) - 1;
  box_ = everyRule;
  for (uint32_t r : recipe_.residual) clearBit(box_.data(), position_[r]);
  boxSummary_.assign(S, 0);
  summarise(box_.data(), W, boxSummary_.data());
  rows_.clear();
  rows_.resize(recipe_.columns.size());
  std::vector<uint32_t> startAt, endAt, starts, ends;
  for (size_t ci = 0; ci < recipe_.columns.size(); ++ci) {
    const Column &col = recipe_.columns[ci];
    Rows &rw = rows_[ci];
    const size_t C = rw.classes = classesOf(col, inputs);
    // A rule the column does not list: true in every class and when missing.
    rw.missingTrue = everyRule;
    rw.missingTrueOrUnknown = everyRule;
    std::vector<uint64_t> unlisted = everyRule;
    for (const Check &c : col.checks) {
      clearBit(unlisted.data(), c.position);
      if (!(c.flags & Check::MissingTrue)) clearBit(rw.missingTrue.data(), c.position);
      if (!(c.flags & Check::MissingUnknown)) clearBit(rw.missingTrueOrUnknown.data(), c.position);
    }
    rw.rows.resize(C * W);
    if (col.kind == Kind::Number) {
      // Swept class by class with one running bitset: a rule enters at its
      // range's low class and leaves after its high one.
      startAt.assign(C + 1, 0);
      endAt.assign(C + 1, 0);
      for (const Check &c : col.checks)
        if (!(c.flags & Check::NoValue)) ++startAt[c.lo + 1], ++endAt[c.hi + 1];
      for (size_t k = 0; k < C; ++k) startAt[k + 1] += startAt[k], endAt[k + 1] += endAt[k];
      starts.resize(startAt[C]);
      ends.resize(endAt[C]);
      {
        std::vector<uint32_t> s(startAt.begin(), startAt.end() - 1), e(endAt.begin(), endAt.end() - 1);
        for (const Check &c : col.checks)
          if (!(c.flags & Check::NoValue)) starts[s[c.lo]++] = c.position, ends[e[c.hi]++] = c.position;
      }
      std::vector<uint64_t> cur = unlisted;
      for (size_t k = 0; k < C; ++k) {
        for (uint32_t i = startAt[k]; i < startAt[k + 1]; ++i) setBit(cur.data(), starts[i]);
        std::copy(cur.begin(), cur.end(), rw.rows.begin() + static_cast<std::ptrdiff_t>(k * W));
        for (uint32_t i = endAt[k]; i < endAt[k + 1]; ++i) clearBit(cur.data(), ends[i]);
      }
      for (auto [p, k] : col.excluded) clearBit(rw.rows.data() + k * W, p);
    } else {
      for (size_t k = 0; k < C; ++k) std::copy(unlisted.begin(), unlisted.end(), rw.rows.begin() + static_cast<std::ptrdiff_t>(k * W));
      for (const Check &c : col.checks)
        if (!(c.flags & Check::NoValue))
          for (uint64_t m = c.members; m; m &= m - 1) setBit(rw.rows.data() + static_cast<size_t>(std::countr_zero(m)) * W, c.position);
    }
    rw.sums.assign(C * S, 0);
    for (size_t k = 0; k < C; ++k) summarise(rw.rows.data() + k * W, W, rw.sums.data() + k * S);
    rw.missingTrueSum.assign(S, 0);
    rw.missingTrueOrUnknownSum.assign(S, 0);
    summarise(rw.missingTrue.data(), W, rw.missingTrueSum.data());
    summarise(rw.missingTrueOrUnknown.data(), W, rw.missingTrueOrUnknownSum.data());
  }
}

void RuleIndex::query(const std::vector<PatientValue> &patient, uint64_t *matched, uint64_t *undecided,
                      uint64_t *touched) const {
  const size_t W = words_, S = summaryWords(), C = rows_.size();
  // Per column the row and summary of the patient's class: [0, C) for the
  // matches, [C, 2C) for "true or unknown" (the undecided).
  static thread_local std::vector<const uint64_t *> row, sum;
  row.resize(2 * C);
  sum.resize(2 * C);
  bool anyMissing = false;
  for (size_t c = 0; c < C; ++c) {
    const Rows &rw = rows_[c];
    const PatientValue &v = patient[recipe_.columns[c].input];
    if (v.missing) {
      anyMissing = true;
      row[c] = rw.missingTrue.data(), sum[c] = rw.missingTrueSum.data();
      row[C + c] = rw.missingTrueOrUnknown.data(), sum[C + c] = rw.missingTrueOrUnknownSum.data();
    } else {
      size_t k = classOf(recipe_.columns[c], v);
      row[c] = row[C + c] = rw.rows.data() + k * W;
      sum[c] = sum[C + c] = rw.sums.data() + k * S;
    }
  }
  // The AND of the summaries names the words that can hold a rule true in
  // every column; only those are read. `exclude`: the matches (undecided
  // rules are those not matched).
  auto pass = [&](const uint64_t *const *rows, const uint64_t *const *sums, uint64_t *out, const uint64_t *exclude) {
    for (size_t s = 0; s < S; ++s) {
      uint64_t cand = boxSummary_[s];
      for (size_t c = 0; c < C && cand; ++c) cand &= sums[c][s];
      for (; cand; cand &= cand - 1) {
        size_t w = s * 64 + static_cast<size_t>(std::countr_zero(cand));
        uint64_t x = box_[w];
        for (size_t c = 0; c < C && x; ++c) x &= rows[c][w];
        if (exclude) x &= ~exclude[w];
        if (!x) continue;
        out[w] = x;
        touched[s] |= uint64_t(1) << (w % 64);
      }
    }
  };
  pass(row.data(), sum.data(), matched, nullptr);
  if (anyMissing) pass(row.data() + C, sum.data() + C, undecided, matched);
}

}  // namespace carepath::runtime
