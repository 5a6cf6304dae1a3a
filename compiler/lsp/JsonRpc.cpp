#include "lsp/JsonRpc.h"

#include <cctype>

namespace carepath::lsp {

namespace {
/// One header line without its "\r\n" (a bare "\n" is accepted too);
/// false at end of input before any character.
bool readLine(std::istream &in, std::string &line) {
  line.clear();
  int c;
  while ((c = in.get()) != EOF) {
    if (c == '\n') break;
    line.push_back(static_cast<char>(c));
    if (line.size() > 4096) break;  // no header is this long: resynchronise at the next line
  }
  if (c == EOF && line.empty()) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

Incoming readMessage(std::istream &in) {
  Incoming result;
  std::string line;
  long long length = -1;
  bool any = false, badLength = false;
  while (true) {
    if (!readLine(in, line)) {
      if (!any) return result;  // EndOfInput
      result.status = Incoming::Status::BadFrame;
      result.error = "input ended inside a header block";
      return result;
    }
    if (line.empty()) {
      if (!any) continue;  // stray blank lines between messages
      break;
    }
    any = true;
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      badLength = true;
      continue;
    }
    if (lower(line.substr(0, colon)) != "content-length") continue;  // Content-Type and others
    std::string value = line.substr(colon + 1);
    size_t i = value.find_first_not_of(" \t");
    value = i == std::string::npos ? "" : value.substr(i);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string::npos) {
      badLength = true;
      continue;
    }
    length = std::stoll(value);
  }
  if (badLength || length < 0) {
    result.status = Incoming::Status::BadFrame;
    result.error = "a message header without a valid Content-Length";
    return result;
  }
  if (static_cast<unsigned long long>(length) > kMaxMessageSize) {
    in.ignore(length);
    result.status = Incoming::Status::BadFrame;
    result.error = "a message of " + std::to_string(length) + " bytes (the limit is " +
                   std::to_string(kMaxMessageSize) + ")";
    return result;
  }
  result.body.resize(static_cast<size_t>(length));
  in.read(result.body.data(), length);
  if (in.gcount() != length) {
    result.status = Incoming::Status::BadFrame;
    result.error = "input ended inside a message body";
    return result;
  }
  result.status = Incoming::Status::Message;
  return result;
}

void writeMessage(std::ostream &out, const json &message) {
  // Invalid UTF-8 in a string (from a file's bytes) is replaced, never thrown.
  std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

}  // namespace carepath::lsp
