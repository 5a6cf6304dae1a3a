#include "TermRange.h"

#include <algorithm>

namespace carepath::verifier {

namespace {

using ir::Op;

TermRange hull(const TermRange &a, const TermRange &b) {
  return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}

/// The least and greatest of four corner values (products, quotients).
TermRange corners(Rational a, Rational b, Rational c, Rational d) {
  return {std::min({a, b, c, d}), std::max({a, b, c, d})};
}

std::optional<TermRange> rangeOf(const ir::Protocol &p, const ir::Expr &e, int depth) {
  if (depth > 200) return std::nullopt;  // a term this deep is not a dose worth proposing for
  auto arg = [&](size_t i) { return rangeOf(p, *e.args[i], depth + 1); };
  switch (e.op) {
  case Op::Const:
    if (e.constant.kind != ir::Type::Kind::Number || e.constant.missing) return std::nullopt;
    return TermRange{e.constant.number, e.constant.number};
  case Op::Input: {
    const ir::Input &in = p.inputs[static_cast<size_t>(e.index)];
    if (in.type.kind != ir::Type::Kind::Number || !in.lo || !in.hi) return std::nullopt;
    return TermRange{*in.lo, *in.hi};
  }
  case Op::Define:
    return rangeOf(p, *p.defines[static_cast<size_t>(e.index)].value, depth + 1);
  case Op::Neg: {
    std::optional<TermRange> a = arg(0);
    if (!a) return std::nullopt;
    return TermRange{-a->hi, -a->lo};
  }
  case Op::Add:
  case Op::Sub: {
    std::optional<TermRange> a = arg(0), b = arg(1);
    if (!a || !b) return std::nullopt;
    if (e.op == Op::Add) return TermRange{a->lo + b->lo, a->hi + b->hi};
    return TermRange{a->lo - b->hi, a->hi - b->lo};
  }
  case Op::Mul: {
    std::optional<TermRange> a = arg(0), b = arg(1);
    if (!a || !b) return std::nullopt;
    return corners(a->lo * b->lo, a->lo * b->hi, a->hi * b->lo, a->hi * b->hi);
  }
  case Op::Div: {
    std::optional<TermRange> a = arg(0), b = arg(1);
    if (!a || !b || (b->lo.sign() <= 0 && b->hi.sign() >= 0)) return std::nullopt;
    return corners(a->lo / b->lo, a->lo / b->hi, a->hi / b->lo, a->hi / b->hi);
  }
  case Op::Min:
  case Op::Max: {
    std::optional<TermRange> out;
    for (size_t i = 0; i < e.args.size(); ++i) {
      std::optional<TermRange> a = arg(i);
      if (!a) return std::nullopt;
      if (!out) out = a;
      else if (e.op == Op::Min) out = TermRange{std::min(out->lo, a->lo), std::min(out->hi, a->hi)};
      else out = TermRange{std::max(out->lo, a->lo), std::max(out->hi, a->hi)};
    }
    return out;
  }
  case Op::If: {
    std::optional<TermRange> a = arg(1), b = arg(2);
    if (!a || !b) return std::nullopt;
    return hull(*a, *b);
  }
  default:
    return std::nullopt;
  }
}

}  // namespace

std::optional<TermRange> termRange(const ir::Protocol &p, const ir::Expr &term) {
  try {
    return rangeOf(p, term, 0);
  } catch (const RationalOverflow &) {
    return std::nullopt;
  }
}

}  // namespace carepath::verifier
