// `carepath lsp`: a Language Server Protocol server (docs/lsp.md). One
// thread, one request at a time: every request is answered before the next
// is read. The document store keeps each open file's text and the analysis
// of it; the features (one file each in this folder) read those.
#pragma once

#include <istream>
#include <stdexcept>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ast/AST.h"
#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "lsp/Index.h"
#include "lsp/JsonRpc.h"
#include "lsp/Positions.h"

namespace carepath::lsp {

struct ServerOptions {
  std::vector<std::string> modulePath;  // --stdlib / -I
  std::string stdlibDir;
  bool verifyOnSave = true;       // initializationOptions.verifyOnSave
  unsigned verifyTimeoutMs = 10000;  // initializationOptions.verifyTimeoutMs
};

/// The analysis of one version of a document's text.
struct Snapshot {
  SourceManager sources;  // the document, then every module it uses
  FileId main = kNoFile;
  bool parsed = false;    // no syntax error
  bool indexed = false;   // sema ran (the index is filled)
  Index index;
  json documentSymbols = json::array();
  json diagnostics = json::array();  // LSP Diagnostic[] of this text
  std::optional<ir::Protocol> protocol;  // when the text has no error
};

/// A give's least and greatest amount, from the last verification.
struct EnvelopeNote {
  uint32_t begin = 0, end = 0;  // the give, in the document
  std::string text;             // Markdown
};

struct Document {
  std::string uri, path, text;
  int64_t version = 0;
  std::shared_ptr<Snapshot> current;  // of `text`
  std::shared_ptr<Snapshot> lastParsed;  // the last text that parsed (outline, completion while typing)
  // Verification on save, valid while the text is `verifiedText`.
  std::string verifiedText;
  json verifyDiagnostics = json::array();
  std::vector<EnvelopeNote> envelopes;
};

class Server {
public:
  explicit Server(ServerOptions options) : options_(std::move(options)) {}

  /// Reads messages from `in` and answers on `out` until `exit` or the end
  /// of input. Returns the process exit code (0 after shutdown, else 1).
  int run(std::istream &in, std::ostream &out);

  /// Handles one message; returns what to send (responses, notifications).
  std::vector<json> handle(const json &message);

  // ---- used by the features
  const ServerOptions &options() const { return options_; }
  Document *document(const json &params);  // by params.textDocument.uri; throws InvalidParams if unknown
  /// The URI of a file of the snapshot (the document, or a module on disk).
  std::string uriOf(const Document &doc, const Snapshot &snap, FileId file) const;
  json location(const Document &doc, const Snapshot &snap, FileId file, uint32_t begin, uint32_t end) const;

private:
  json dispatch(const std::string &method, const json &params, bool &handled);
  void analyze(Document &doc);
  json publish(const Document &doc) const;

  ServerOptions options_;
  std::map<std::string, Document> documents_;
  bool initialized_ = false, shutdown_ = false, exit_ = false;
  std::vector<json> pending_;  // notifications produced while handling a message
};

/// A request that fails with a JSON-RPC error.
struct RequestError : std::runtime_error {
  RequestError(int c, const std::string &m) : std::runtime_error(m), code(c) {}
  int code;
};

// ---- the features (one file each)
/// The LSP form of the diagnostics of `snap` (Diagnostics.cpp).
json toLspDiagnostics(const Server &server, const Document &doc, const Snapshot &snap,
                      const std::vector<const Diagnostic *> &diags);
/// The outline of a parsed file (Symbols.cpp).
json documentSymbols(const ast::File &file, const SourceManager &sources);
json hover(const Server &server, const Document &doc, const json &params);
json definition(const Server &server, const Document &doc, const json &params);
json references(const Server &server, const Document &doc, const json &params);
json prepareRename(const Server &server, const Document &doc, const json &params);
json rename(const Server &server, const Document &doc, const json &params);
json completion(const Server &server, const Document &doc, const json &params);
json formatting(const Server &server, const Document &doc, const json &params);
/// Runs the verifier on the document's saved text (Verification.cpp).
void verifyOnSave(const Server &server, Document &doc);
json codeActions(const Server &server, const Document &doc, const json &params);

/// The byte offset of params.position in the document's text.
uint32_t offsetOf(const Document &doc, const json &params);

}  // namespace carepath::lsp
