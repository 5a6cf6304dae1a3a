// JSON-RPC 2.0 framing as the Language Server Protocol uses it on stdio: a
// `Content-Length: N` header block, a blank line, N bytes of JSON.
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace carepath::lsp {

using nlohmann::json;

/// JSON-RPC error codes (the LSP specification's "ErrorCodes").
enum RpcError : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kRequestFailed = -32803,
};

struct Incoming {
  enum class Status { Message, EndOfInput, BadFrame } status = Status::EndOfInput;
  std::string body;   // Message: the JSON text
  std::string error;  // BadFrame: what was wrong
};

/// Largest message body accepted; a larger one is skipped and reported.
inline constexpr size_t kMaxMessageSize = 64u << 20;

/// Reads one framed message. A header block without a usable Content-Length
/// or a body too large is a BadFrame (consumed, so reading can go on).
Incoming readMessage(std::istream &in);

/// Writes one framed message and flushes.
void writeMessage(std::ostream &out, const json &message);

}  // namespace carepath::lsp
