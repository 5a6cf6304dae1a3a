// `carepath lsp`: a Language Server Protocol server (docs/lsp.md). One
// thread reads and answers, one request at a time: every request is
// answered before the next is read. The document store keeps each open
// file's text and the analysis of it; the features (one file each in this
// folder) read those. Verification on save runs on a worker thread
// (VerifyWorker) that sees only what a job hands it: an analysis, which is
// never changed once made, and the guarded table of each document's
// current analysis.
#pragma once

#include <functional>
#include <istream>
#include <stdexcept>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
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
  /// Tests only: the worker waits this long before verifying, as a slow
  /// verifier would (CAREPATH_LSP_VERIFY_DELAY_MS, read by run()).
  unsigned verifyDelayMs = 0;
};

/// The analysis of one version of a document's text. Never changed once
/// made (Server::analyze makes a new one), so the verification worker may
/// read one while the server answers from it.
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

/// What the verifier found in one analysis of a document.
struct Verified {
  uint64_t generation = 0;           // the analysis (Document::generation)
  json diagnostics = json::array();  // LSP Diagnostic[]
  std::vector<EnvelopeNote> envelopes;
};

struct Document {
  std::string uri, path, text;
  int64_t version = 0;
  uint64_t generation = 0;  // of `current`: a number no other analysis in this server has
  std::shared_ptr<Snapshot> current;  // of `text`
  std::shared_ptr<Snapshot> lastParsed;  // the last text that parsed (outline, completion while typing)
};

/// The notification that publishes a document's diagnostics: those of the
/// analysis, then (when given) the verifier's.
json publishDiagnostics(const std::string &uri, int64_t version, const json &analysis, const Verified *verified);

/// Verification on save, off the thread that answers (Verification.cpp):
/// one worker thread, started at the first job, one verification at a
/// time, jobs in the order of the saves. A result is kept, and published,
/// only if the document's analysis is still the one verified: a change
/// during verification drops it, and drops a queued job of the document;
/// a newer save of a document replaces its queued job.
class VerifyWorker {
public:
  struct Job {
    std::string uri;
    int64_t version = 0;
    uint64_t generation = 0;
    std::shared_ptr<const Snapshot> snap;  // has a protocol
    unsigned timeoutMs = 0, delayMs = 0;
  };
  using Notify = std::function<void(const json &)>;

  VerifyWorker();
  ~VerifyWorker();  // stop()
  VerifyWorker(const VerifyWorker &) = delete;
  VerifyWorker &operator=(const VerifyWorker &) = delete;

  /// Where published results go (called on the worker thread, under the
  /// worker's lock; never after stop()).
  void setNotify(Notify notify);
  /// The document's analysis is now `generation` (0: the document closed).
  void setCurrent(const std::string &uri, uint64_t generation);
  /// Queues a verification, unless this very analysis is verified, being
  /// verified or queued already.
  void submit(Job job);
  /// The result for this analysis, or null.
  std::shared_ptr<const Verified> verified(const std::string &uri, uint64_t generation) const;
  /// Blocks until nothing is queued or running (tests).
  void waitIdle();
  /// Drops the queue and ends the thread: joined when idle; left to finish
  /// on its own (detached, its result dropped) when a verification is
  /// running, and then true: the caller should end the process without
  /// running static destructors under it (LspCommand.cpp).
  bool stop();

private:
  struct State;
  static void work(std::shared_ptr<State> state);  // the thread
  std::shared_ptr<State> state_;
  std::thread thread_;
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
  /// Static: they read no server state (the verification worker uses them).
  static std::string uriOf(const Document &doc, const Snapshot &snap, FileId file);
  static json location(const Document &doc, const Snapshot &snap, FileId file, uint32_t begin, uint32_t end);
  /// The last verification of the document's current analysis, or null.
  std::shared_ptr<const Verified> verified(const Document &doc) const { return worker_.verified(doc.uri, doc.generation); }

  /// Where verification results are published when they arrive (run()
  /// sets it to its output; tests to a list).
  void setNotify(VerifyWorker::Notify notify) { worker_.setNotify(std::move(notify)); }
  /// Blocks until no verification is queued or running (tests).
  void waitForVerification() { worker_.waitIdle(); }
  /// run() returned while a verification was still running (left to finish
  /// on its own): the process should end with _Exit.
  bool abandonedVerification() const { return abandoned_; }

private:
  json dispatch(const std::string &method, const json &params, bool &handled);
  void analyze(Document &doc);
  json publish(const Document &doc) const;

  ServerOptions options_;
  std::map<std::string, Document> documents_;
  bool initialized_ = false, shutdown_ = false, exit_ = false, abandoned_ = false;
  uint64_t generations_ = 0;  // the last Document::generation given
  std::vector<json> pending_;  // notifications produced while handling a message
  VerifyWorker worker_;
};

/// A request that fails with a JSON-RPC error.
struct RequestError : std::runtime_error {
  RequestError(int c, const std::string &m) : std::runtime_error(m), code(c) {}
  int code;
};

// ---- the features (one file each)
/// The LSP form of the diagnostics of `snap` (Diagnostics.cpp).
json toLspDiagnostics(const Document &doc, const Snapshot &snap, const std::vector<const Diagnostic *> &diags);
/// The outline of a parsed file (Symbols.cpp).
json documentSymbols(const ast::File &file, const SourceManager &sources);
json hover(const Server &server, const Document &doc, const json &params);
json definition(const Server &server, const Document &doc, const json &params);
json references(const Server &server, const Document &doc, const json &params);
json prepareRename(const Server &server, const Document &doc, const json &params);
json rename(const Server &server, const Document &doc, const json &params);
json completion(const Server &server, const Document &doc, const json &params);
json formatting(const Server &server, const Document &doc, const json &params);
/// Runs the verifier on a job's analysis (Verification.cpp; on the worker thread).
Verified verifySnapshot(const VerifyWorker::Job &job);
json codeActions(const Server &server, const Document &doc, const json &params);

/// The byte offset of params.position in the document's text.
uint32_t offsetOf(const Document &doc, const json &params);

}  // namespace carepath::lsp
