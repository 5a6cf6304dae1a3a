#include "basic/VerifyDiagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace carepath {

namespace {

constexpr std::string_view kPrefix = "expected-";

struct Kind {
  std::string_view word;  // after "expected-"
  Severity severity;
};
constexpr Kind kKinds[] = {
    {"error", Severity::Error}, {"warning", Severity::Warning}, {"note", Severity::Note}};

std::string_view kindName(Severity s) {
  for (const Kind &k : kKinds)
    if (k.severity == s) return k.word;
  return "error";
}

/// One `expected-<kind>[@where] [count] {{text}}` directive.
struct Directive {
  Severity severity = Severity::Error;
  SourceRange at;  // the directive itself, where problems with it are reported
  enum class Where { Line, FileLine, File, Anywhere } where = Where::Line;
  std::string fileName;  // Where::FileLine and Where::File: a suffix of the diagnostic's file name
  uint32_t line = 0;     // Where::Line and Where::FileLine
  uint32_t column = 0;   // Where::Line and Where::FileLine: 0 when any column matches
  std::string marker;    // Where::Line given as '@#NAME': the line of that marker, once known
  unsigned count = 1;          // at least this many diagnostics
  unsigned maxCount = 1;       // at most this many (kUnbounded: any number)
  std::string text;  // matched as a substring of the message
  static constexpr unsigned kUnbounded = UINT32_MAX;

  std::string countText() const {
    if (maxCount == count) return std::to_string(count);
    if (maxCount == kUnbounded) return fmt::format("at least {}", count);
    return fmt::format("{} to {}", count, maxCount);
  }

  std::string whereText() const {
    switch (where) {
    case Where::Line: return column ? fmt::format("at line {}, column {}", line, column) : fmt::format("at line {}", line);
    case Where::FileLine:
      return column ? fmt::format("in '{}' at line {}, column {}", fileName, line, column)
                    : fmt::format("in '{}' at line {}", fileName, line);
    case Where::File: return fmt::format("in '{}'", fileName);
    case Where::Anywhere: return "anywhere";
    }
    return {};
  }
};

/// A diagnostic or one of its notes, as produced.
struct Seen {
  Severity severity;
  SourceRange range;
  const std::string *message;
};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::optional<uint32_t> parseNumber(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  uint32_t n = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  return n;
}

class DirectiveParser {
public:
  DirectiveParser(const SourceManager &sources, FileId file, DiagnosticEngine &report)
      : sources_(sources), file_(file), text_(sources.text(file)), report_(report) {
    lineCount_ = 1;
    for (char c : text_)
      if (c == '\n') ++lineCount_;
  }

  /// Walks the file, skipping text literals, and reads every comment.
  void run() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (c == '"') {  // a text literal ends at its closing quote or the end of the line
        for (++i; i < text_.size() && text_[i] != '"' && text_[i] != '\n'; ++i)
          if (text_[i] == '\\' && i + 1 < text_.size() && text_[i + 1] != '\n') ++i;
        ++i;
      } else if (text_.compare(i, 2, "//") == 0) {
        size_t end = text_.find('\n', i);
        if (end == std::string_view::npos) end = text_.size();
        comment(i + 2, end);
        i = end;
      } else if (text_.compare(i, 2, "/*") == 0) {
        size_t end = text_.find("*/", i + 2);
        if (end == std::string_view::npos) end = text_.size();
        comment(i + 2, end);
        i = end + 2;
      } else {
        ++i;
      }
    }
  }

  /// Resolves the '@#NAME' locations once every marker is known.
  void resolveMarkers() {
    std::vector<Directive> resolved;
    for (Directive &d : directives) {
      if (!d.marker.empty()) {
        auto it = std::find_if(markers_.begin(), markers_.end(), [&](const Marker &m) { return m.name == d.marker; });
        if (it == markers_.end()) {
          report_.report(DiagId::err_verify_directive, d.at,
                         fmt::format("no marker '#{}' in this file; write '// #{}' on the line meant", d.marker, d.marker));
          continue;
        }
        d.line = it->line;
      }
      resolved.push_back(std::move(d));
    }
    directives = std::move(resolved);
  }

  std::vector<Directive> directives;
  std::optional<SourceRange> noDiagnostics;  // where `expected-no-diagnostics` was written

private:
  /// A comment holds directives and markers (`#NAME`, a line that
  /// directives elsewhere refer to as `@#NAME`); other words are prose.
  void comment(size_t begin, size_t end) {
    size_t p = begin;
    while (p < end) {
      bool boundary = p == begin || !isWordChar(text_[p - 1]);
      if (boundary && text_.compare(p, kPrefix.size(), kPrefix) == 0) {
        p = directive(p, end);
      } else if (boundary && text_[p] == '#' && p + 1 < end &&
                 (std::isalpha(static_cast<unsigned char>(text_[p + 1])) || text_[p + 1] == '_')) {
        size_t nameEnd = p + 1;
        while (nameEnd < end && isWordChar(text_[nameEnd])) ++nameEnd;
        marker(p, nameEnd);
        p = nameEnd;
      } else {
        ++p;
      }
    }
  }

  void marker(size_t begin, size_t end) {
    std::string name(text_.substr(begin + 1, end - begin - 1));
    for (const Marker &m : markers_)
      if (m.name == name) {
        bad(begin, end, fmt::format("marker '#{}' is already on line {}", name, m.line));
        return;
      }
    markers_.push_back({name, sources_.lineColumn(file_, static_cast<uint32_t>(begin)).line});
  }

  SourceRange range(size_t from, size_t to) const {
    return {file_, static_cast<uint32_t>(from), static_cast<uint32_t>(to)};
  }
  void bad(size_t from, size_t to, const std::string &message) {
    report_.report(DiagId::err_verify_directive, range(from, to), message);
  }

  /// Parses the directive at `start`; returns where scanning resumes.
  size_t directive(size_t start, size_t end) {
    size_t p = start + kPrefix.size();
    size_t wordEnd = p;
    while (wordEnd < end && (std::islower(static_cast<unsigned char>(text_[wordEnd])) || text_[wordEnd] == '-'))
      ++wordEnd;
    std::string_view word = text_.substr(p, wordEnd - p);
    if (word == "no-diagnostics") {
      noDiagnostics = range(start, wordEnd);
      return wordEnd;
    }
    const Kind *kind = nullptr;
    for (const Kind &k : kKinds)
      if (word == k.word) kind = &k;
    if (!kind) {
      bad(start, wordEnd,
          fmt::format("unknown directive 'expected-{}'; expected 'expected-error', 'expected-warning', "
                      "'expected-note' or 'expected-no-diagnostics'",
                      word));
      return wordEnd;
    }
    Directive d;
    d.severity = kind->severity;
    d.line = sources_.lineColumn(file_, static_cast<uint32_t>(start)).line;
    p = wordEnd;
    if (p < end && text_[p] == '@') {
      size_t locEnd = p + 1;
      while (locEnd < end && !std::isspace(static_cast<unsigned char>(text_[locEnd])) &&
             text_.compare(locEnd, 2, "{{") != 0)
        ++locEnd;
      if (!location(text_.substr(p + 1, locEnd - p - 1), d, start, locEnd)) return locEnd;
      p = locEnd;
    }
    while (p < end && text_[p] == ' ') ++p;
    if (p < end && std::isdigit(static_cast<unsigned char>(text_[p]))) {
      // N, N+ (at least N) or N-M.
      size_t countEnd = p;
      while (countEnd < end && !std::isspace(static_cast<unsigned char>(text_[countEnd])) &&
             text_.compare(countEnd, 2, "{{") != 0)
        ++countEnd;
      std::string_view count = text_.substr(p, countEnd - p), high;
      bool atLeast = !count.empty() && count.back() == '+';
      if (atLeast) count.remove_suffix(1);
      if (size_t dash = count.find('-'); dash != std::string_view::npos) {
        high = count.substr(dash + 1);
        count = count.substr(0, dash);
      }
      std::optional<uint32_t> low = parseNumber(count);
      std::optional<uint32_t> top = high.empty() ? low : parseNumber(high);
      if (!low || !top || (atLeast && !high.empty()) || *top < *low || *top == 0) {
        bad(start, countEnd,
            fmt::format("bad count '{}'; expected N, N+ (at least N) or N-M, with M at least 1 and N",
                        text_.substr(p, countEnd - p)));
        return countEnd;
      }
      d.count = *low;
      d.maxCount = atLeast ? Directive::kUnbounded : *top;
      p = countEnd;
      while (p < end && text_[p] == ' ') ++p;
    }
    if (text_.compare(p, 2, "{{") != 0 || p >= end) {
      bad(start, p, fmt::format("expected '{{{{' and the text of the {} after 'expected-{}'", kind->word, kind->word));
      return p;
    }
    size_t close = text_.find("}}", p + 2);
    if (close == std::string_view::npos || close >= end) {
      bad(start, end, "missing '}}' to close the expected text");
      return end;
    }
    d.text = std::string(text_.substr(p + 2, close - p - 2));
    d.at = range(start, close + 2);
    if (d.text.find_first_not_of(' ') == std::string::npos) {
      bad(start, close + 2, "the expected text is empty; write a part of the message");
      return close + 2;
    }
    directives.push_back(std::move(d));
    return close + 2;
  }

  /// `+N[:COL]`, `-N[:COL]`, `#MARKER[:COL]`, `*`, `FILE:LINE` or `FILE:*`.
  bool location(std::string_view loc, Directive &d, size_t start, size_t locEnd) {
    if (loc == "*") {
      d.where = Directive::Where::Anywhere;
      return true;
    }
    if (!loc.empty() && (loc[0] == '+' || loc[0] == '-' || loc[0] == '#')) {
      std::string_view offset = loc.substr(1), column;
      if (size_t colon = offset.find(':'); colon != std::string_view::npos) {
        column = offset.substr(colon + 1);
        offset = offset.substr(0, colon);
      }
      bool named = loc[0] == '#' && !offset.empty() &&
                   std::all_of(offset.begin(), offset.end(), isWordChar) && !std::isdigit(static_cast<unsigned char>(offset[0]));
      std::optional<uint32_t> n = named ? std::optional<uint32_t>(0) : parseNumber(offset);
      std::optional<uint32_t> col = column.empty() ? std::optional<uint32_t>(0) : parseNumber(column);
      if (!n || !col || (loc.find(':') != std::string_view::npos && *col == 0)) {
        bad(start, locEnd,
            fmt::format("bad location '@{}'; expected '@+N', '@-N', '@#MARKER' (each maybe with ':COLUMN'), '@*' "
                        "or '@FILE:LINE'",
                        loc));
        return false;
      }
      d.column = *col;
      if (named) {
        d.marker = std::string(offset);
        return true;
      }
      int64_t line = loc[0] == '+' ? int64_t(d.line) + *n : int64_t(d.line) - *n;
      // The line after a final newline counts: an error at the end of the file is there.
      if (line < 1 || line > int64_t(lineCount_)) {
        bad(start, locEnd, fmt::format("'@{}' points {} the file", loc, line < 1 ? "before the start of" : "past the end of"));
        return false;
      }
      d.line = static_cast<uint32_t>(line);
      return true;
    }
    size_t colon = loc.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      bad(start, locEnd,
          fmt::format("bad location '@{}'; lines of this file are relative ('@+N', '@-N'), other files are "
                      "named ('@FILE:LINE', '@FILE:*')",
                      loc));
      return false;
    }
    d.fileName = std::string(loc.substr(0, colon));
    std::string_view line = loc.substr(colon + 1);
    if (line == "*") {
      d.where = Directive::Where::File;
      return true;
    }
    // FILE:LINE:COLUMN when what is before the last ':' ends in ':LINE'.
    if (size_t colon2 = d.fileName.rfind(':'); colon2 != std::string::npos && colon2 > 0 &&
                                               parseNumber(std::string_view(d.fileName).substr(colon2 + 1))) {
      std::optional<uint32_t> col = parseNumber(line);
      if (!col || *col == 0) {
        bad(start, locEnd, fmt::format("bad column '{}' in '@{}'; expected a column number", line, loc));
        return false;
      }
      d.column = *col;
      line = loc.substr(colon2 + 1, colon - colon2 - 1);
      d.fileName.resize(colon2);
    }
    std::optional<uint32_t> n = parseNumber(line);
    if (!n || *n == 0) {
      bad(start, locEnd, fmt::format("bad line '{}' in '@{}'; expected a line number or '*'", line, loc));
      return false;
    }
    d.where = Directive::Where::FileLine;
    d.line = *n;
    return true;
  }

  const SourceManager &sources_;
  FileId file_;
  std::string_view text_;
  DiagnosticEngine &report_;
  uint32_t lineCount_ = 1;
  struct Marker {
    std::string name;
    uint32_t line;
  };
  std::vector<Marker> markers_;
};

/// `name` is `suffix`, or ends with "/" + `suffix`.
bool nameMatches(std::string_view name, std::string_view suffix) {
  if (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return false;
  return name.size() == suffix.size() || name[name.size() - suffix.size() - 1] == '/';
}

bool matches(const Directive &d, const Seen &s, const SourceManager &sources, FileId file) {
  if (d.severity != s.severity || s.message->find(d.text) == std::string::npos) return false;
  if (d.where == Directive::Where::Anywhere) return true;
  if (!s.range.valid()) return false;
  LineColumn lc = sources.begin(s.range);
  switch (d.where) {
  case Directive::Where::Line:
    return s.range.file == file && lc.line == d.line && (d.column == 0 || lc.column == d.column);
  case Directive::Where::FileLine:
    return nameMatches(sources.name(s.range.file), d.fileName) && lc.line == d.line &&
           (d.column == 0 || lc.column == d.column);
  case Directive::Where::File: return nameMatches(sources.name(s.range.file), d.fileName);
  case Directive::Where::Anywhere: return true;
  }
  return false;
}

/// Maximum bipartite matching (Kuhn): one produced diagnostic satisfies at
/// most one expected slot, and no order of directives can make a loose text
/// take the diagnostic that a precise one needed.
class Matcher {
public:
  explicit Matcher(std::vector<std::vector<size_t>> edges, size_t seenCount)
      : edges_(std::move(edges)), seenOwner_(seenCount, kNone), slotSeen_(edges_.size(), kNone) {
    for (size_t slot = 0; slot < edges_.size(); ++slot) {
      std::vector<bool> visited(seenCount, false);
      augment(slot, visited);
    }
  }
  static constexpr size_t kNone = SIZE_MAX;
  size_t seenOf(size_t slot) const { return slotSeen_[slot]; }
  bool seenMatched(size_t seen) const { return seenOwner_[seen] != kNone; }

private:
  bool augment(size_t slot, std::vector<bool> &visited) {
    for (size_t s : edges_[slot]) {
      if (visited[s]) continue;
      visited[s] = true;
      if (seenOwner_[s] == kNone || augment(seenOwner_[s], visited)) {
        seenOwner_[s] = slot;
        slotSeen_[slot] = s;
        return true;
      }
    }
    return false;
  }
  std::vector<std::vector<size_t>> edges_;
  std::vector<size_t> seenOwner_, slotSeen_;
};

}  // namespace

bool verifyDiagnostics(const DiagnosticEngine &seenDiags, FileId file, DiagnosticEngine &report) {
  const SourceManager &sources = seenDiags.sources();
  unsigned before = report.errorCount();

  std::vector<Directive> directives;
  if (file != kNoFile) {
    DirectiveParser parser(sources, file, report);
    parser.run();
    parser.resolveMarkers();
    directives = std::move(parser.directives);
    if (parser.noDiagnostics && !directives.empty())
      report.report(DiagId::err_verify_directive, *parser.noDiagnostics,
                    "'expected-no-diagnostics' cannot be combined with expected-* directives");
    if (!parser.noDiagnostics && directives.empty() && report.errorCount() == before)
      report.report(DiagId::err_verify_directive, SourceRange{file, 0, 0},
                    "no expected-error, expected-warning or expected-note directive in this file; write "
                    "'expected-no-diagnostics' if it should produce none");
  }

  std::vector<Seen> seen;
  for (const Diagnostic *d : seenDiags.sorted()) {
    seen.push_back({d->severity, d->range, &d->message});
    for (const DiagNote &n : d->notes) seen.push_back({Severity::Note, n.range, &n.message});
  }

  // One slot per expected occurrence: first the ones each directive needs
  // (its count), then the ones it may take (up to its maximum). Augmenting
  // paths never unmatch a slot, so the optional slots cannot take a
  // diagnostic a needed one could have had.
  std::vector<size_t> slotDirective;
  std::vector<bool> slotNeeded;
  std::vector<std::vector<size_t>> edges;
  for (bool needed : {true, false})
    for (size_t i = 0; i < directives.size(); ++i) {
      const Directive &d = directives[i];
      size_t optional = d.maxCount == Directive::kUnbounded ? seen.size() : d.maxCount - d.count;
      for (size_t k = 0, n = needed ? d.count : optional; k < n; ++k) {
        slotDirective.push_back(i);
        slotNeeded.push_back(needed);
        edges.emplace_back();
        for (size_t s = 0; s < seen.size(); ++s)
          if (matches(d, seen[s], sources, file)) edges.back().push_back(s);
      }
    }
  Matcher matcher(edges, seen.size());

  std::vector<unsigned> missing(directives.size(), 0);
  for (size_t slot = 0; slot < slotDirective.size(); ++slot)
    if (slotNeeded[slot] && matcher.seenOf(slot) == Matcher::kNone) ++missing[slotDirective[slot]];
  for (size_t i = 0; i < directives.size(); ++i) {
    if (missing[i] == 0) continue;
    const Directive &d = directives[i];
    std::string where = d.whereText();
    if (d.maxCount > 1) where += fmt::format(" ({} of {})", missing[i], d.countText());
    Diagnostic &r = report.report(DiagId::err_verify_not_produced, d.at, kindName(d.severity), where, d.text);
    // Point at a produced diagnostic with this text that no directive
    // claimed: usually the directive's line offset or column is off.
    for (size_t s = 0; s < seen.size(); ++s) {
      if (matcher.seenMatched(s) || seen[s].severity != d.severity ||
          seen[s].message->find(d.text) == std::string::npos)
        continue;
      const char *article = d.severity == Severity::Error ? "an" : "a";
      report.note(r, DiagId::note_here, seen[s].range,
                  fmt::format("{} {} with this text was produced {}", article, kindName(d.severity),
                              seen[s].range.valid() ? "here" : "without a location"));
      break;
    }
  }
  for (size_t s = 0; s < seen.size(); ++s)
    if (!matcher.seenMatched(s))
      report.report(DiagId::err_verify_unexpected, seen[s].range, kindName(seen[s].severity), *seen[s].message);
  return report.errorCount() == before;
}

}  // namespace carepath
