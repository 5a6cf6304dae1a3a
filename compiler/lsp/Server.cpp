#include "lsp/Server.h"

#include <cstdlib>
#include <mutex>

#include "Frontend.h"
#include "parse/ParseFile.h"

namespace carepath::lsp {

namespace {

json errorResponse(const json &id, int code, const std::string &message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json capabilities() {
  return {
      {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentSymbolProvider", true},
      {"completionProvider", {{"triggerCharacters", {".", "["}}}},
      {"documentFormattingProvider", true},
      {"renameProvider", {{"prepareProvider", true}}},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
  };
}

/// Applies one contentChanges entry: a whole new text, or a range edit.
void applyChange(std::string &text, const json &change) {
  if (!change.contains("range")) {
    text = change.at("text").get<std::string>();
    return;
  }
  LineIndex lines(text);
  const json &r = change.at("range");
  uint32_t b = lines.offset({r.at("start").at("line").get<uint32_t>(), r.at("start").at("character").get<uint32_t>()});
  uint32_t e = lines.offset({r.at("end").at("line").get<uint32_t>(), r.at("end").at("character").get<uint32_t>()});
  if (e < b) std::swap(b, e);
  text.replace(b, e - b, change.at("text").get<std::string>());
}

}  // namespace

uint32_t offsetOf(const Document &doc, const json &params) {
  const json &p = params.at("position");
  return LineIndex(doc.text).offset({p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()});
}

Document *Server::document(const json &params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  auto it = documents_.find(uri);
  if (it == documents_.end()) throw RequestError(kInvalidParams, "the document '" + uri + "' is not open");
  return &it->second;
}

std::string Server::uriOf(const Document &doc, const Snapshot &snap, FileId file) {
  if (file == snap.main) return doc.uri;
  auto it = snap.index.paths.find(file);
  return it == snap.index.paths.end() ? doc.uri : pathToUri(it->second);
}

json Server::location(const Document &doc, const Snapshot &snap, FileId file, uint32_t begin, uint32_t end) {
  LineIndex lines(snap.sources.text(file));
  return {{"uri", uriOf(doc, snap, file)}, {"range", lines.range(begin, end)}};
}

void Server::analyze(Document &doc) {
  auto snap = std::make_shared<Snapshot>();
  DiagnosticEngine diags(snap->sources);
  diags.setErrorLimit(100);
  FrontendOptions options;
  options.modulePath = options_.modulePath;
  options.stdlibDir = options_.stdlibDir;
  Snapshot *s = snap.get();
  options.inspect = [s](const sema::Analysis &a) {
    try {
      s->index = buildIndex(a);
      s->indexed = true;
    } catch (const std::exception &) {
      s->indexed = false;  // no navigation for this text; diagnostics still go out
    }
  };
  std::string name = doc.path.empty() ? doc.uri : doc.path;
  try {
    FrontendResult result = runFrontendOnBuffer(name, doc.text, snap->sources, diags, options);
    snap->main = result.file;
    snap->parsed = result.parsed;
    snap->protocol = std::move(result.protocol);
    if (result.parsed && result.ast) snap->documentSymbols = documentSymbols(*result.ast, snap->sources);
    snap->diagnostics = toLspDiagnostics(doc, *snap, diags.sorted());
  } catch (const std::exception &e) {
    // A bug in carepath: said on the document, and the server goes on.
    snap->parsed = snap->indexed = false;
    snap->protocol.reset();
    json d = {{"range", LineIndex("").range(0, 0)},
              {"severity", 1},
              {"source", "carepath"},
              {"code", "internal-error"},
              {"message", std::string("internal error in carepath (please report it): ") + e.what()}};
    snap->diagnostics = json::array();
    snap->diagnostics.push_back(std::move(d));
  }
  doc.current = snap;
  if (snap->parsed) doc.lastParsed = snap;
  // A new analysis: the verification of the old one no longer applies.
  doc.generation = ++generations_;
  worker_.setCurrent(doc.uri, doc.generation);
}

json publishDiagnostics(const std::string &uri, int64_t version, const json &analysis, const Verified *verified) {
  json all = analysis;
  if (verified)
    for (const json &d : verified->diagnostics) all.push_back(d);
  return {{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", uri}, {"version", version}, {"diagnostics", all}}}};
}

json Server::publish(const Document &doc) const {
  std::shared_ptr<const Verified> v = verified(doc);
  return publishDiagnostics(doc.uri, doc.version, doc.current ? doc.current->diagnostics : json::array(), v.get());
}

json Server::dispatch(const std::string &method, const json &params, bool &handled) {
  handled = true;
  if (method == "initialize") {
    initialized_ = true;
    if (params.is_object() && params.contains("initializationOptions") && params["initializationOptions"].is_object()) {
      const json &o = params["initializationOptions"];
      if (o.contains("verifyOnSave") && o["verifyOnSave"].is_boolean()) options_.verifyOnSave = o["verifyOnSave"];
      if (o.contains("verifyTimeoutMs") && o["verifyTimeoutMs"].is_number_unsigned())
        options_.verifyTimeoutMs = o["verifyTimeoutMs"];
    }
    return {{"capabilities", capabilities()}, {"serverInfo", {{"name", "carepath"}}}};
  }
  if (!initialized_) throw RequestError(kServerNotInitialized, "the server was not initialized");
  if (method == "initialized") return nullptr;
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/didOpen") {
    const json &td = params.at("textDocument");
    Document doc;
    doc.uri = td.at("uri").get<std::string>();
    doc.path = uriToPath(doc.uri);
    doc.text = td.at("text").get<std::string>();
    doc.version = td.value("version", 0);
    analyze(doc);
    std::string uri = doc.uri;
    Document &stored = documents_[uri] = std::move(doc);
    pending_.push_back(publish(stored));
    return nullptr;
  }
  if (method == "textDocument/didChange") {
    Document *doc = document(params);
    for (const json &change : params.at("contentChanges")) applyChange(doc->text, change);
    doc->version = params.at("textDocument").value("version", doc->version + 1);
    analyze(*doc);
    pending_.push_back(publish(*doc));
    return nullptr;
  }
  if (method == "textDocument/didSave") {
    Document *doc = document(params);
    if (params.contains("text") && params["text"].is_string() && params["text"] != doc->text) {
      doc->text = params["text"];
      analyze(*doc);
      pending_.push_back(publish(*doc));
    }
    // The verifier's diagnostics are published when it is done (a text
    // with errors is not verified: its errors are shown already).
    if (options_.verifyOnSave && doc->current && doc->current->protocol)
      worker_.submit({doc->uri, doc->version, doc->generation, doc->current, options_.verifyTimeoutMs,
                      options_.verifyDelayMs});
    return nullptr;
  }
  if (method == "textDocument/didClose") {
    Document *doc = document(params);
    json cleared = {{"jsonrpc", "2.0"},
                    {"method", "textDocument/publishDiagnostics"},
                    {"params", {{"uri", doc->uri}, {"diagnostics", json::array()}}}};
    worker_.setCurrent(doc->uri, 0);
    documents_.erase(doc->uri);
    pending_.push_back(cleared);
    return nullptr;
  }
  if (method == "textDocument/documentSymbol") {
    Document *doc = document(params);
    const Snapshot *snap = doc->current && doc->current->parsed ? doc->current.get() : doc->lastParsed.get();
    return snap ? snap->documentSymbols : json::array();
  }
  if (method == "textDocument/hover") return hover(*this, *document(params), params);
  if (method == "textDocument/definition") return definition(*this, *document(params), params);
  if (method == "textDocument/references") return references(*this, *document(params), params);
  if (method == "textDocument/prepareRename") return prepareRename(*this, *document(params), params);
  if (method == "textDocument/rename") return rename(*this, *document(params), params);
  if (method == "textDocument/completion") return completion(*this, *document(params), params);
  if (method == "textDocument/formatting") return formatting(*this, *document(params), params);
  if (method == "textDocument/codeAction") return codeActions(*this, *document(params), params);
  handled = false;
  return nullptr;
}

std::vector<json> Server::handle(const json &message) {
  pending_.clear();
  std::vector<json> out;
  if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
    // A response to a request we never sent is ignored; anything else is invalid.
    if (message.is_object() && message.contains("id") && (message.contains("result") || message.contains("error")))
      return out;
    json id = message.is_object() && message.contains("id") ? message["id"] : json(nullptr);
    out.push_back(errorResponse(id, kInvalidRequest, "not a JSON-RPC request or notification"));
    return out;
  }
  std::string method = message["method"];
  bool isRequest = message.contains("id");
  json id = isRequest ? message["id"] : json(nullptr);
  json params = message.contains("params") ? message["params"] : json::object();
  if (method == "exit") {
    exit_ = true;
    return out;
  }
  if (shutdown_ && isRequest) {
    out.push_back(errorResponse(id, kInvalidRequest, "the server is shutting down"));
    return out;
  }
  try {
    bool handled = false;
    json result = dispatch(method, params, handled);
    if (!handled) {
      // Unknown notifications ($/cancelRequest, workspace/didChangeConfiguration, ...) are ignored.
      if (isRequest) out.push_back(errorResponse(id, kMethodNotFound, "method not supported: " + method));
    } else if (isRequest) {
      out.push_back({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
    }
  } catch (const RequestError &e) {
    if (isRequest) out.push_back(errorResponse(id, e.code, e.what()));
  } catch (const json::exception &e) {
    if (isRequest) out.push_back(errorResponse(id, kInvalidParams, std::string("invalid params: ") + e.what()));
  } catch (const std::exception &e) {
    if (isRequest) out.push_back(errorResponse(id, kInternalError, std::string("internal error: ") + e.what()));
  }
  for (json &n : pending_) out.push_back(std::move(n));
  pending_.clear();
  return out;
}

int Server::run(std::istream &in, std::ostream &out) {
  if (const char *delay = std::getenv("CAREPATH_LSP_VERIFY_DELAY_MS"))
    options_.verifyDelayMs = static_cast<unsigned>(std::strtoul(delay, nullptr, 10));
  // Two writers (this thread, the verification worker), one message at a
  // time. Reading `in` must not flush `out` behind the lock: untied.
  std::mutex outMutex;
  auto send = [&](const json &m) {
    std::lock_guard<std::mutex> hold(outMutex);
    writeMessage(out, m);
  };
  std::ostream *tied = in.tie(nullptr);
  worker_.setNotify(send);
  while (!exit_) {
    Incoming msg = readMessage(in);
    if (msg.status == Incoming::Status::EndOfInput) break;
    if (msg.status == Incoming::Status::BadFrame) {
      send(errorResponse(nullptr, kParseError, msg.error));
      if (!in) break;
      continue;
    }
    json parsed = json::parse(msg.body, nullptr, false);
    if (parsed.is_discarded()) {
      send(errorResponse(nullptr, kParseError, "the message is not valid JSON"));
      continue;
    }
    for (const json &reply : handle(parsed)) send(reply);
  }
  // No result is written after this (`send` and `outMutex` end here).
  abandoned_ = worker_.stop();
  in.tie(tied);
  return shutdown_ ? 0 : 1;
}

}  // namespace carepath::lsp
