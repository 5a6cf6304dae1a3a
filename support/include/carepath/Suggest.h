// "Did you mean ...?": the closest known name to a misspelt one. Shared by
// the parser (keywords), sema (declared names) and the patient reader
// (input names), which is why it lives in support/, below both.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace carepath {

/// Levenshtein distance (insertions, deletions, substitutions).
inline size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// The candidate nearest to `word` at a distance below `limit` (the first
/// of equals, in candidate order), or "" when none is that close. `word`
/// itself is never suggested.
inline std::string closestMatch(const std::string &word, const std::vector<std::string> &candidates, size_t limit) {
  std::string pick;
  for (const std::string &c : candidates) {
    if (c == word) continue;
    size_t d = editDistance(word, c);
    if (d < limit) {
      limit = d;
      pick = c;
    }
  }
  return pick;
}

}  // namespace carepath
