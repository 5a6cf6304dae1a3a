// Text for XML and HTML: one escaper for every writer of markup (the JUnit
// report, the DMN export, the `carepath doc` page).
#pragma once

#include <string>
#include <string_view>

namespace carepath {

/// `s` safe in element text and in a double-quoted attribute value: & < >
/// and " escaped (and ' with `apostrophe`, as the DMN export always has);
/// the control characters XML 1.0 forbids (below 0x20 except tab, newline
/// and carriage return) become '?', as no escape can write them.
inline std::string xmlEscape(std::string_view s, bool apostrophe = false) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default:
      if (c == '\'' && apostrophe) {
        out += "&apos;";
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
      else out += c;
    }
  }
  return out;
}

}  // namespace carepath
