// The canonical layout (docs/fmt.md, "Layout rules"). fmt decides line
// starts and spacing from the parse tree (parse::scanLayout): items start
// lines; the author's other line breaks are kept (blank lines collapsed to
// one), with their indentation recomputed; nothing is joined or split
// except a break after `and`/`or` or a rule's `->`, which moves before it.
#include "format/Formatter.h"

#include <algorithm>

namespace carepath::format {

using parse::LayoutElement;
using Kind = parse::LayoutElement::Kind;

namespace {

constexpr unsigned kIndent = 2;

bool isToken(const LayoutElement &e) { return e.kind == Kind::Token; }
bool has(const LayoutElement &e, unsigned flag) { return isToken(e) && (e.flags & flag); }

/// Brackets inside an item (not the braces of a block): lines that start
/// inside them are indented one more step per level.
bool opensInline(const LayoutElement &e) {
  return isToken(e) && (e.text == "(" || e.text == "[" || (e.text == "{" && !(e.flags & parse::kBlockOpen)));
}
bool closesInline(const LayoutElement &e) {
  return isToken(e) && (e.text == ")" || e.text == "]" || (e.text == "}" && !(e.flags & parse::kBlockClose)));
}

/// The blanks between two tokens on one line.
const char *space(const LayoutElement &p, const LayoutElement &e) {
  if (!isToken(p) || !isToken(e)) return " ";
  const std::string &a = p.text, &b = e.text;
  if (b == "," || b == ")" || b == "]" || b == ".") return "";
  if (a == "(" || a == "[" || a == ".") return "";
  if (p.flags & parse::kUnaryMinus) return "";
  if ((p.flags | e.flags) & parse::kTightSlash) return "";
  if (e.flags & parse::kCallParen) return "";
  if ((p.flags & parse::kBlockOpen) && (e.flags & parse::kBlockClose)) return "";  // `{}`
  if (a == "{" && !(p.flags & (parse::kBlockOpen | parse::kPaddedBrace))) return "";
  if (b == "}" && !(e.flags & (parse::kBlockClose | parse::kPaddedBrace))) return "";
  return " ";
}

/// A break after `and`/`or`, or after a rule's `->` that an action follows,
/// moves before it: continuation lines start with the operator.
std::vector<LayoutElement> breaksBeforeOperators(std::vector<LayoutElement> els) {
  for (size_t i = 1; i + 1 < els.size(); ++i) {
    LayoutElement &op = els[i], &next = els[i + 1];
    bool movable = has(op, parse::kBinaryLogic) || (has(op, parse::kRuleArrow) && !has(next, parse::kBlockOpen));
    if (movable && isToken(els[i - 1]) && isToken(next) && op.newlinesBefore == 0 && next.newlinesBefore > 0) {
      op.newlinesBefore = next.newlinesBefore;
      next.newlinesBefore = 0;
    }
  }
  return els;
}

class Printer {
public:
  std::string run(const std::vector<LayoutElement> &els) {
    for (size_t i = 0; i < els.size(); ++i) {
      const LayoutElement &e = els[i];
      const LayoutElement *p = i ? &els[i - 1] : nullptr;
      unsigned lines = breaksBefore(p, e);
      if (lines) {
        if (isToken(e)) {
          lineIndent_ = indentOf(e, false);
        } else {
          // A comment line is indented as the token it comes before.
          size_t j = i;
          while (j < els.size() && !isToken(els[j])) ++j;
          lineIndent_ = j < els.size() ? indentOf(els[j], true) : frames_.back().content;
        }
        out_.append(lines, '\n');
        out_.append(lineIndent_, ' ');
        blankAfterTopLevel_ = openLine_ = false;
      } else if (p) {
        out_ += space(*p, e);
      }
      out_ += e.text;
      if (isToken(e)) update(e);
    }
    out_ += '\n';
    return std::move(out_);
  }

private:
  struct Frame {
    unsigned content;     // indentation of the block's items
    unsigned item = 0;    // indentation of the current item's first line
    bool rule = false;    // the current item is a table rule
    unsigned depth = 0;   // inline brackets open in the current item
  };

  unsigned breaksBefore(const LayoutElement *p, const LayoutElement &e) const {
    if (!p) return 0;  // no blank lines at the start of the file
    unsigned lines = e.newlinesBefore;
    if (p->kind == Kind::LineComment) {
      lines = std::max(lines, 1u);
    } else if (isToken(e) && has(*p, parse::kBlockOpen) && has(e, parse::kBlockClose)) {
      return 0;  // an empty block is `{}`
    } else if (isToken(e) && (e.flags & (parse::kItemStart | parse::kBlockClose))) {
      lines = std::max(lines, 1u);
    } else if (isToken(e) && openLine_) {
      lines = std::max(lines, 1u);  // a block's first item, after `{` and any comment on its line
    }
    if (lines == 0) return 0;
    lines = std::min(lines, 2u);
    if (openLine_ || has(e, parse::kBlockClose)) lines = 1;
    if (blankAfterTopLevel_) lines = 2;
    return lines;
  }

  /// The indentation of a line that starts with `e` (`forComment`: a
  /// comment line just before `e`).
  unsigned indentOf(const LayoutElement &e, bool forComment) const {
    const Frame &f = frames_.back();
    if (!isToken(e)) return f.content;
    if (e.flags & parse::kBlockClose) return forComment ? f.content : f.content - kIndent;
    if (e.flags & parse::kItemStart) return f.content;
    unsigned base = f.item + (f.rule && !(e.flags & parse::kRuleArrow) ? 2 * kIndent : kIndent);
    unsigned depth = f.depth;
    if (closesInline(e) && !forComment && depth) --depth;
    return base + depth * kIndent;
  }

  void update(const LayoutElement &e) {
    Frame &f = frames_.back();
    if (e.flags & parse::kItemStart) {
      f.item = lineIndent_;
      f.rule = e.flags & parse::kRuleStart;
      f.depth = 0;
    }
    if (opensInline(e)) ++f.depth;
    if (closesInline(e) && f.depth) --f.depth;
    if (e.flags & parse::kBlockOpen) {
      // Items indent one step from their owner's first line, wherever the
      // `{` is (`rule r when a\n    and b -> {`).
      frames_.push_back(Frame{f.item + kIndent});
      openLine_ = true;
    }
    if ((e.flags & parse::kBlockClose) && frames_.size() > 1) {
      frames_.pop_back();
      openLine_ = false;
    }
    if ((e.flags & parse::kTopLevelClose) && (e.flags & parse::kBlockClose)) blankAfterTopLevel_ = true;
  }

  std::string out_;
  std::vector<Frame> frames_{Frame{0}};
  unsigned lineIndent_ = 0;
  bool openLine_ = false;            // the current line opened a block
  bool blankAfterTopLevel_ = false;  // a top-level block just closed
};

bool sameElement(const LayoutElement &a, const LayoutElement &b) {
  return a.kind == b.kind && a.text == b.text;
}

}  // namespace

std::string layout(const std::vector<LayoutElement> &elements) {
  return Printer().run(breaksBeforeOperators(elements));
}

FormatResult formatFile(FileId file, SourceManager &sources, DiagnosticEngine &diags, LayoutFunction layoutFn) {
  FormatResult result;
  std::optional<std::vector<LayoutElement>> before = parse::scanLayout(file, sources, diags);
  if (!before) return result;
  std::string text = layoutFn(*before);

  // Only white space may change: the output must parse to the same tokens
  // and comments. Anything else is a bug, and nothing is written.
  FileId formatted = sources.addBuffer(std::string(sources.name(file)) + " (formatted)", text);
  DiagnosticEngine scratch(sources);
  std::optional<std::vector<LayoutElement>> after = parse::scanLayout(formatted, sources, scratch);
  auto internal = [&](uint32_t at, const std::string &what) {
    diags.report(DiagId::err_internal, SourceRange{file, at, at}, "fmt " + what + "; the file is left as it is");
    result.status = FormatStatus::Internal;
    return result;
  };
  if (!after) return internal(0, "produced text that does not parse");
  size_t n = std::min(before->size(), after->size());
  for (size_t i = 0; i < n; ++i)
    if (!sameElement((*before)[i], (*after)[i]))
      return internal((*before)[i].begin, "changed '" + (*before)[i].text + "' into '" + (*after)[i].text + "'");
  if (before->size() != after->size()) {
    uint32_t at = n < before->size() ? (*before)[n].begin : uint32_t(sources.text(file).size());
    return internal(at, "changed the number of tokens and comments");
  }
  result.status = FormatStatus::Ok;
  result.text = std::move(text);
  return result;
}

// ------------------------------------------------------------------ diff

namespace {

std::vector<std::string_view> splitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    lines.push_back(s.substr(at, end - at));
    at = end;
  }
  return lines;
}

}  // namespace

std::string unifiedDiff(std::string_view name, std::string_view before, std::string_view after) {
  if (before == after) return "";
  std::vector<std::string_view> a = splitLines(before), b = splitLines(after);
  // Common ends, then a longest common subsequence of the middle (bounded
  // work: a middle too large to compare is shown as replaced).
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  // ops: ' ' both, '-' a only, '+' b only; in order.
  std::vector<char> ops(pre, ' ');
  if (n * m <= 4'000'000) {
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[pre + i] == b[pre + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        ops.push_back(' '), ++i, ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.push_back('-'), ++i;  // removals before additions, as diff -u
      } else {
        ops.push_back('+'), ++j;
      }
    }
  } else {
    ops.insert(ops.end(), n, '-');
    ops.insert(ops.end(), m, '+');
  }
  ops.insert(ops.end(), suf, ' ');

  // Positions of each op in a and b.
  std::vector<size_t> ai(ops.size() + 1), bi(ops.size() + 1);
  for (size_t k = 0; k < ops.size(); ++k) {
    ai[k + 1] = ai[k] + (ops[k] != '+');
    bi[k + 1] = bi[k] + (ops[k] != '-');
  }
  auto line = [](std::string_view l) {
    std::string s(l);
    if (s.empty() || s.back() != '\n') s += "\n\\ No newline at end of file\n";
    return s;
  };
  constexpr size_t kContext = 3;
  std::string out = "--- " + std::string(name) + "\n+++ " + std::string(name) + "\n";
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k] == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext before this change to kContext after the last
    // change that is within 2 * kContext of the previous one.
    size_t start = k >= kContext ? k - kContext : 0;
    size_t end = k;
    for (size_t q = k; q < ops.size(); ++q) {
      if (ops[q] != ' ') end = q + 1;
      else if (q - end >= 2 * kContext) break;
    }
    size_t stop = std::min(ops.size(), end + kContext);
    size_t aLen = ai[stop] - ai[start], bLen = bi[stop] - bi[start];
    auto range = [](size_t from, size_t len) {
      size_t first = len == 0 ? from : from + 1;
      return std::to_string(first) + (len == 1 ? "" : "," + std::to_string(len));
    };
    out += "@@ -" + range(ai[start], aLen) + " +" + range(bi[start], bLen) + " @@\n";
    for (size_t q = start; q < stop; ++q) {
      if (ops[q] == ' ') out += " " + line(a[ai[q]]);
      else if (ops[q] == '-') out += "-" + line(a[ai[q]]);
      else out += "+" + line(b[bi[q]]);
    }
    k = stop;
  }
  return out;
}

}  // namespace carepath::format
