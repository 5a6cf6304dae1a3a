// The large-table index: see RuleIndex.h.
#include "RuleIndex.h"

#include <algorithm>
#include <bit>

namespace carepath::runtime {

using Op = NodeInfo::Op;
using Kind = InputSpec::Kind;

struct RuleIndex::Column {
  uint32_t input = 0;
  Kind kind = Kind::Bool;
  std::vector<Rational> cuts;   // numbers: sorted, distinct
  size_t classes = 0;
  std::vector<uint64_t> rows;   // [class][word]: rules whose checks of this column are true
  std::vector<uint64_t> missingTrue, missingTrueOrUnknown;

  /// A present value's class: numbers 2i+1 at cuts[i], 2i below it and
  /// above cuts[i-1]; an enum's member; false 0, true 1.
  size_t classOf(const PatientValue &v) const {
    switch (kind) {
      case Kind::Number: {
        auto it = std::lower_bound(cuts.begin(), cuts.end(), v.number);
        size_t i = static_cast<size_t>(it - cuts.begin());
        return it != cuts.end() && *it == v.number ? 2 * i + 1 : 2 * i;
      }
      case Kind::Enum: return static_cast<size_t>(v.member);
      case Kind::Bool: return v.boolean ? 1 : 0;
      case Kind::String: break;
    }
    return 0;
  }
};

RuleIndex::~RuleIndex() = default;

namespace {

/// One check of one input against constants.
struct Atom {
  enum class Is : uint8_t { Compare, Members, Known, Absent } is = Is::Compare;
  uint32_t input = 0;
  Op op = Op::Eq;       // Compare: Lt, Le, Gt, Ge, Eq, Ne (input OP constant)
  Rational constant;    // Compare
  uint64_t members = 0; // Members: enum members, or bool values (bit 0 false, bit 1 true)
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
      out.push_back({Atom::Is::Members, x.input, Op::In, {}, 2});
      return true;
    case Op::Not: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op == Op::Input && a.kind == Kind::Bool) {
        out.push_back({Atom::Is::Members, a.input, Op::In, {}, 1});
        return true;
      }
      if (a.op == Op::Known && strip(nodes, a.args[0]).op == Op::Input) {
        out.push_back({Atom::Is::Absent, strip(nodes, a.args[0]).input, Op::Known, {}, 0});
        return true;
      }
      return false;
    }
    case Op::Known: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op != Op::Input) return false;
      out.push_back({Atom::Is::Known, a.input, Op::Known, {}, 0});
      return true;
    }
    case Op::In: {
      const NodeInfo &a = strip(nodes, x.args[0]);
      if (a.op != Op::Input) return false;
      out.push_back({Atom::Is::Members, a.input, Op::In, {}, x.members & allMembers(a.input)});
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
        case Kind::Number: out.push_back({Atom::Is::Compare, in->input, op, c->constant.number, 0}); return true;
        case Kind::Enum: {
          if (op != Op::Eq && op != Op::Ne) return false;
          uint64_t bit = uint64_t(1) << c->constant.member;
          out.push_back({Atom::Is::Members, in->input, Op::In, {}, (op == Op::Eq ? bit : ~bit) & allMembers(in->input)});
          return true;
        }
        case Kind::Bool: {
          if (op != Op::Eq && op != Op::Ne) return false;
          bool want = (op == Op::Eq) == c->constant.boolean;
          out.push_back({Atom::Is::Members, in->input, Op::In, {}, want ? 2u : 1u});
          return true;
        }
        case Kind::String: return false;  // scanned (rare in large tables)
      }
      return false;
    }
    default: return false;
  }
}

void setBit(std::vector<uint64_t> &bits, size_t base, uint32_t pos) { bits[base + pos / 64] |= uint64_t(1) << (pos % 64); }
void clearBit(std::vector<uint64_t> &bits, size_t base, uint32_t pos) { bits[base + pos / 64] &= ~(uint64_t(1) << (pos % 64)); }

}  // namespace

std::unique_ptr<RuleIndex> RuleIndex::build(const std::vector<NodeInfo> &nodes, const std::vector<InputSpec> &inputs,
                                            const TableInfo &t) {
  if (t.pathway || t.rules.size() < kMinRules || t.aggregation != Aggregation::None) return nullptr;
  std::unique_ptr<RuleIndex> ix(new RuleIndex);
  // A single output is the first fired rule's value (ir::outputValue: an
  // if-chain over the rules in order ending in "missing"); the index gives
  // it directly, so the chain must have exactly that shape.
  for (const OutputInfo &o : t.outputs) {
    if (!o.value) continue;
    uint32_t n = *o.value;
    while (nodes[n].op == Op::If) n = nodes[n].args[2];
    if (nodes[n].op != Op::Const || !nodes[n].constant.missing) return nullptr;
    ix->noValue_.push_back(n);
  }
  const size_t R = t.rules.size();
  ix->words_ = (R + 63) / 64;
  ix->order_ = t.order;
  ix->position_.assign(R, 0);
  for (uint32_t p = 0; p < R; ++p) ix->position_[t.order[p]] = p;
  ix->box_.assign(ix->words_, 0);

  // The checks of each box rule, by position.
  std::vector<std::vector<Atom>> byPos(R);
  std::vector<int> columnOf(inputs.size(), -1);
  size_t indexed = 0;
  for (uint32_t r = 0; r < R; ++r) {
    std::vector<Atom> as;
    if (!atoms(nodes, inputs, t.rules[r].condition, as)) {
      ix->residual_.push_back(r);
      continue;
    }
    ++indexed;
    uint32_t p = ix->position_[r];
    setBit(ix->box_, 0, p);
    for (const Atom &a : as)
      if (columnOf[a.input] < 0) {
        columnOf[a.input] = static_cast<int>(ix->columns_.size());
        ix->columns_.push_back({});
        ix->columns_.back().input = a.input;
        ix->columns_.back().kind = inputs[a.input].kind;
      }
    byPos[p] = std::move(as);
  }
  // Mostly residual: the scan is as good.
  if (indexed * 2 < R) return nullptr;

  const size_t W = ix->words_;
  for (Column &col : ix->columns_) {
    if (col.kind == Kind::Number) {
      for (const auto &as : byPos)
        for (const Atom &a : as)
          if (a.input == col.input && a.is == Atom::Is::Compare) col.cuts.push_back(a.constant);
      std::sort(col.cuts.begin(), col.cuts.end());
      col.cuts.erase(std::unique(col.cuts.begin(), col.cuts.end()), col.cuts.end());
      col.classes = 2 * col.cuts.size() + 1;
    } else {
      col.classes = col.kind == Kind::Enum ? inputs[col.input].members.size() : 2;
    }
    col.rows.assign(col.classes * W, 0);
    col.missingTrue.assign(W, 0);
    col.missingTrueOrUnknown.assign(W, 0);
    // Numbers: a rule's true classes are one range [lo, hi] less the
    // points of its `!=` checks; swept class by class, one running bitset.
    std::vector<std::vector<uint32_t>> starts(col.classes), ends(col.classes);
    std::vector<std::pair<uint32_t, size_t>> excluded;  // (position, class)
    for (uint32_t p = 0; p < R; ++p) {
      bool value = false, known = false, absent = false, any = false;
      size_t lo = 0, hi = col.classes - 1;
      uint64_t members = ~uint64_t(0);
      for (const Atom &a : byPos[p]) {
        if (a.input != col.input) continue;
        any = true;
        switch (a.is) {
          case Atom::Is::Known: known = true; break;
          case Atom::Is::Absent: absent = true; break;
          case Atom::Is::Members: value = true; members &= a.members; break;
          case Atom::Is::Compare: {
            value = true;
            size_t at = 2 * static_cast<size_t>(std::lower_bound(col.cuts.begin(), col.cuts.end(), a.constant) - col.cuts.begin()) + 1;
            switch (a.op) {
              case Op::Lt: hi = std::min(hi, at - 1); break;
              case Op::Le: hi = std::min(hi, at); break;
              case Op::Gt: lo = std::max(lo, at + 1); break;
              case Op::Ge: lo = std::max(lo, at); break;
              case Op::Eq: lo = std::max(lo, at); hi = std::min(hi, at); break;
              case Op::Ne: excluded.push_back({p, at}); break;
              default: break;
            }
            break;
          }
        }
      }
      bool box = (ix->box_[p / 64] >> (p % 64)) & 1;
      // Missing (Truth.h): `known` false; any other check unknown; `not known` true.
      if (!box || !any || (!known && !value)) setBit(col.missingTrue, 0, p);
      if (!box || !any || !known) setBit(col.missingTrueOrUnknown, 0, p);
      if (!box || !any) {
        lo = 0, hi = col.classes - 1, members = ~uint64_t(0);
      } else if (absent) {
        continue;  // false for every present value
      }
      if (col.kind == Kind::Number) {
        if (lo > hi) continue;
        starts[lo].push_back(p);
        ends[hi].push_back(p);
      } else {
        for (size_t c = 0; c < col.classes; ++c)
          if ((members >> c) & 1) setBit(col.rows, c * W, p);
      }
    }
    if (col.kind == Kind::Number) {
      std::vector<uint64_t> cur(W, 0);
      for (size_t c = 0; c < col.classes; ++c) {
        for (uint32_t p : starts[c]) setBit(cur, 0, p);
        std::copy(cur.begin(), cur.end(), col.rows.begin() + static_cast<std::ptrdiff_t>(c * W));
        for (uint32_t p : ends[c]) clearBit(cur, 0, p);
      }
      for (auto [p, c] : excluded) clearBit(col.rows, c * W, p);
    }
  }
  return ix;
}

bool RuleIndex::query(const std::vector<PatientValue> &patient, uint64_t *matched, uint64_t *undecided) const {
  const size_t W = words_;
  std::copy(box_.begin(), box_.end(), matched);
  bool anyMissing = false;
  for (const Column &col : columns_) {
    const PatientValue &v = patient[col.input];
    const uint64_t *row = v.missing ? col.missingTrue.data() : col.rows.data() + col.classOf(v) * W;
    anyMissing = anyMissing || v.missing;
    for (size_t w = 0; w < W; ++w) matched[w] &= row[w];
  }
  if (!anyMissing) {
    std::fill(undecided, undecided + W, 0);
    return false;
  }
  // Undecided: no check false, and not all true.
  std::copy(box_.begin(), box_.end(), undecided);
  for (const Column &col : columns_) {
    const PatientValue &v = patient[col.input];
    const uint64_t *row = v.missing ? col.missingTrueOrUnknown.data() : col.rows.data() + col.classOf(v) * W;
    for (size_t w = 0; w < W; ++w) undecided[w] &= row[w];
  }
  for (size_t w = 0; w < W; ++w) undecided[w] &= ~matched[w];
  return true;
}

}  // namespace carepath::runtime
