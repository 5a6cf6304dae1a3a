// The one place a command's diagnostics are written: text on standard
// error, one JSON object, a SARIF 2.1.0 log, GitLab Code Quality JSON or
// JUnit XML on standard output, with the exit code the same in every
// format. A command given several files ran once per file; their runs are
// written here as one output (docs/cli.md, "Several files").
#include "Output.h"

#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "Explanations.h"
#include "carepath/Sha256.h"
#include "carepath/Xml.h"

namespace carepath::driver {

using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

CommandContext::CommandContext(const SharedOptions &options) : options_(options) {
  diags_.setErrorLimit(options_.errorLimit);
  diags_.setWarningsAsErrors(options_.warningsAsErrors);
}

CommandContext::~CommandContext() = default;

CommandPayload &CommandContext::payload() {
  if (!payload_) payload_ = std::make_unique<CommandPayload>();
  return *payload_;
}

FrontendResult CommandContext::runFrontend(const std::string &path, FrontendOptions::Stage stopAfter) {
  return runFrontend(path, stopAfter, diags_);
}

FrontendResult CommandContext::runFrontend(const std::string &path, FrontendOptions::Stage stopAfter,
                                           DiagnosticEngine &into) {
  FrontendOptions fo;
  fo.modulePath = options_.modulePath;
  fo.stdlibDir = stdlibDir();
  fo.stopAfter = stopAfter;
  FrontendResult result = carepath::runFrontend(path, sources_, into, fo);
  if (mainFile_ == kNoFile) mainFile_ = result.file;
  return result;
}

int CommandContext::exitCode(int commandExit) const {
  return commandExit == kExitOk && diags_.hasErrors() ? kExitFindings : commandExit;
}

namespace {

// ------------------------------------------------------------------ SARIF

/// Where SARIF (and Code Quality) locations point (docs/cli.md): a file
/// under the source root is relative to %SRCROOT%; a module of the
/// standard library root (shown `stdlib/NAME.care`) is relative to STDLIB;
/// anything else is an absolute file URI.
class Locator {
public:
  explicit Locator(const std::string &sourceRoot) {
    std::error_code ec;
    cwd_ = fs::current_path(ec);
    root_ = fs::weakly_canonical(sourceRoot.empty() ? cwd_ : cwd_ / sourceRoot, ec);
  }

  /// {"uri", "uriBaseId"} for a file name as diagnostics show it.
  ojson artifact(const std::string &name) const {
    if (name == "<stdin>") return {{"uri", uriReference(name)}};
    std::error_code ec;
    if (name.rfind("stdlib/", 0) == 0 && !fs::exists(cwd_ / name, ec))
      return {{"uri", uriReference(name.substr(7))}, {"uriBaseId", "STDLIB"}};
    fs::path abs = fs::weakly_canonical(cwd_ / name, ec);
    fs::path rel = abs.lexically_relative(root_);
    if (!rel.empty() && *rel.begin() != "..") return {{"uri", uriReference(rel.generic_string())}, {"uriBaseId", "%SRCROOT%"}};
    return {{"uri", "file://" + uriReference(abs.generic_string())}};
  }

  ojson originalUriBaseIds() const {
    std::string root = root_.generic_string();
    if (root.empty() || root.back() != '/') root += '/';
    return {{"%SRCROOT%",
             {{"uri", "file://" + uriReference(root)},
              {"description", {{"text", "The source root (--source-root, else the folder carepath ran in)"}}}}},
            {"STDLIB", {{"description", {{"text", "The carepath standard library (share/carepath/stdlib of the installation)"}}}}}};
  }

  static std::string decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }

private:
  fs::path cwd_, root_;
};

/// Rewrites every artifactLocation in `j` (locations, related locations,
/// code flows, fixes) from the shown name to Locator's form.
void relocate(ojson &j, const Locator &at) {
  if (j.is_object()) {
    for (auto &[key, value] : j.items()) {
      if (key == "artifactLocation" && value.is_object() && value.contains("uri") && !value.contains("uriBaseId") &&
          value["uri"].get<std::string>().rfind("file://", 0) != 0) {
        ojson a = at.artifact(Locator::decode(value["uri"].get<std::string>()));
        for (auto &[k, v] : a.items()) value[k] = v;
      } else {
        relocate(value, at);
      }
    }
  } else if (j.is_array()) {
    for (ojson &e : j) relocate(e, at);
  }
}

FileId fileNamed(const SourceManager &sm, const std::string &name) {
  for (FileId id = 0; id < sm.fileCount(); ++id)
    if (sm.name(id) == name) return id;
  return kNoFile;
}

/// The source line a result is at, blanks collapsed: with its rule and
/// file, what identifies it across edits that move it (fingerprints).
std::string lineKey(const SourceManager &sm, const ojson &result) {
  if (!result.contains("locations") || result["locations"].empty()) return "";
  const ojson &pl = result["locations"][0]["physicalLocation"];
  FileId file = fileNamed(sm, Locator::decode(pl["artifactLocation"]["uri"].get<std::string>()));
  if (file == kNoFile || !pl.contains("region")) return "";
  std::string_view line = sm.lineText(file, pl["region"]["startLine"].get<uint32_t>());
  std::string key;
  for (char c : line) {
    bool blank = c == ' ' || c == '\t' || c == '\r';
    if (blank && (key.empty() || key.back() == ' ')) continue;
    key.push_back(blank ? ' ' : c);
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

/// One run's part of the log, locations not yet relocated.
struct SarifPart {
  std::vector<ojson> results, notifications;
  std::vector<std::string> lineKeys;  // per result
  ojson properties = ojson::object();
  bool started = false;
};

SarifPart sarifPart(const CommandContext &run) {
  const SharedOptions &options = run.options();
  const DiagnosticEngine &diags = run.diags();
  const SourceManager &sm = diags.sources();
  const CommandPayload *payload = run.payloadIfAny();
  SarifPart part;
  part.started = run.started();
  if (payload) part.properties = payload->sarifProperties;
  bool own = payload && payload->sarifRun && run.started();
  for (const Diagnostic *d : own ? payload->sarifDiagnostics : diags.sorted()) {
    bool aboutTheRun = !run.started() || d->id == DiagId::err_too_many_errors || d->id == DiagId::err_internal;
    if (aboutTheRun) part.notifications.push_back(diagnosticToSarifNotification(*d, sm));
    else part.results.push_back(diagnosticToSarifResult(*d, sm));
  }
  if (own) {
    const ojson &ownRun = *payload->sarifRun;
    for (const ojson &r : ownRun.at("results")) part.results.push_back(r);
    for (const auto &[key, value] : ownRun.at("properties").items()) part.properties[key] = value;
    // -W and --error-limit apply to the command's own results as the
    // engine applies them to diagnostics.
    unsigned errors = 0, dropped = 0;
    std::vector<ojson> kept;
    for (ojson &r : part.results) {
      if (options.warningsAsErrors && r.value("level", "") == "warning") r["level"] = "error";
      if (r.value("level", "") == "error" && options.errorLimit != 0 && ++errors > options.errorLimit) {
        ++dropped;
        continue;
      }
      kept.push_back(std::move(r));
    }
    part.results = std::move(kept);
    if (dropped)
      part.notifications.push_back(
          {{"descriptor", {{"id", diagInfo(DiagId::err_too_many_errors).code}}},
           {"level", "error"},
           {"message", {{"text", fmt::format(fmt::runtime(diagInfo(DiagId::err_too_many_errors).format), options.errorLimit)}}}});
  }
  // Every result has a location (code-scanning services need one): a
  // finding about no position in particular is at the protocol's start.
  for (ojson &r : part.results) {
    if ((!r.contains("locations") || r["locations"].empty()) && run.mainFile() != kNoFile)
      r["locations"] = ojson::array({sarifLocation(sm, {run.mainFile(), 0, 0})});
    part.lineKeys.push_back(lineKey(sm, r));
  }
  return part;
}

/// The rule of a code: its entry in the diagnostics reference
/// (Explanations.h) as descriptions and help, and the catalogue severity.
ojson ruleFor(const std::string &id) {
  const Explanation *e = findExplanation(id);
  std::string summary = e && !e->summary.empty() ? e->summary : "carepath diagnostic '" + id + "'";
  std::string full = e && !e->description.empty() ? e->description : summary;
  std::string help = e ? e->text : "`carepath explain " + id + "` (no entry in the diagnostics reference yet)";
  Severity sev = severityOfCode(id);
  return {{"id", id},
          {"shortDescription", {{"text", summary}}},
          {"fullDescription", {{"text", full}}},
          {"help", {{"text", help}, {"markdown", help}}},
          {"helpUri", helpUri(id)},
          {"defaultConfiguration", {{"level", sev == Severity::Warning ? "warning" : "error"}}}};
}

const char *exitDescription(int code) {
  switch (code) {
  case kExitOk: return "clean";
  case kExitFindings: return "findings: errors in the input, a refuted property or a failing example";
  case kExitInconclusive: return "inconclusive: the solver could not decide";
  case kExitInternal: return "internal error in carepath";
  default: return "usage error";
  }
}

ojson sarifLog(const SharedOptions &options, const std::vector<std::unique_ptr<CommandContext>> &runs, int exitCode) {
  Locator at(options.sourceRoot);
  ojson results = ojson::array(), notifications = ojson::array();
  std::vector<std::string> keys;
  ojson perFile = ojson::array();
  bool allStarted = true;
  for (const auto &run : runs) {
    SarifPart part = sarifPart(*run);
    allStarted = allStarted && part.started;
    for (ojson &r : part.results) relocate(r, at), results.push_back(std::move(r));
    for (ojson &n : part.notifications) relocate(n, at), notifications.push_back(std::move(n));
    keys.insert(keys.end(), part.lineKeys.begin(), part.lineKeys.end());
    if (runs.size() > 1) {
      ojson p = {{"file", run->file()}};
      for (const auto &[k, v] : part.properties.items()) p[k] = v;
      perFile.push_back(std::move(p));
    } else if (!part.properties.empty()) {
      perFile = part.properties;
    }
  }
  // One rule per ruleId, described from the reference; every result has
  // its index and a fingerprint: rule, file and line text (not its number,
  // so an edit elsewhere keeps it), and which such result it is.
  ojson described = ojson::array();
  std::map<std::string, size_t> index, seen;
  for (size_t i = 0; i < results.size(); ++i) {
    ojson &r = results[i];
    std::string id = r.at("ruleId").get<std::string>();
    if (!index.count(id)) {
      index[id] = described.size();
      described.push_back(ruleFor(id));
    }
    r["ruleIndex"] = index[id];
    std::string where;
    if (r.contains("locations") && !r["locations"].empty()) {
      const ojson &a = r["locations"][0]["physicalLocation"]["artifactLocation"];
      where = a.value("uriBaseId", "") + ":" + a["uri"].get<std::string>();
    }
    std::string basis = id + '\0' + where + '\0' + keys[i];
    size_t n = seen[basis]++;
    r["partialFingerprints"] = {{"carepath/v1", Sha256::hex(basis + '\0' + std::to_string(n)).substr(0, 32)}};
  }
  ojson invocation = {{"executionSuccessful", allStarted && exitCode != kExitInternal},
                      {"exitCode", exitCode},
                      {"exitCodeDescription", exitDescription(exitCode)}};
  if (!options.arguments.empty()) {
    std::string line;
    for (const std::string &a : options.arguments) line += (line.empty() ? "" : " ") + a;
    invocation["commandLine"] = line;
    invocation["arguments"] = ojson(std::vector<std::string>(options.arguments.begin() + 1, options.arguments.end()));
  }
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
  ojson driver = {{"name", "carepath"},
                  {"version", version()},
                  {"semanticVersion", version()},
                  {"informationUri", std::string(CAREPATH_DOCS_URL) + "cli.md"},
                  {"rules", std::move(described)}};
  ojson run = {{"tool", {{"driver", std::move(driver)}}},
               {"invocations", ojson::array({std::move(invocation)})},
               {"originalUriBaseIds", at.originalUriBaseIds()},
               {"columnKind", "utf16CodeUnits"},
               {"results", std::move(results)}};
  if (runs.size() > 1) run["properties"] = {{"files", std::move(perFile)}};
  else if (!perFile.empty()) run["properties"] = std::move(perFile);
  return {{"version", "2.1.0"},
          {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"runs", ojson::array({std::move(run)})}};
}

// ------------------------------------------------------------ Code Quality

/// GitLab's Code Quality report (a JSON array of issues), made from the
/// SARIF log so both locate and fingerprint alike. Only what is in the
/// source root has a path GitLab can show; the rest is left out.
ojson codeQuality(const ojson &log) {
  ojson issues = ojson::array();
  const ojson &run = log["runs"][0];
  auto add = [&](const ojson &item, const std::string &check, const std::string &fingerprint) {
    if (!item.contains("locations") || item["locations"].empty()) return;
    const ojson &pl = item["locations"][0]["physicalLocation"];
    if (pl["artifactLocation"].value("uriBaseId", "") != "%SRCROOT%") return;
    std::string level = item.value("level", "warning");
    std::string text = item["message"]["text"].get<std::string>();
    issues.push_back({{"description", text.substr(0, text.find('\n'))},
                      {"check_name", check},
                      {"fingerprint", fingerprint},
                      {"severity", level == "error" ? "major" : level == "warning" ? "minor" : "info"},
                      {"location",
                       {{"path", Locator::decode(pl["artifactLocation"]["uri"].get<std::string>())},
                        {"lines", {{"begin", pl["region"]["startLine"]}}}}}});
  };
  for (const ojson &r : run["results"])
    add(r, r["ruleId"].get<std::string>(), r["partialFingerprints"]["carepath/v1"].get<std::string>());
  // A file that could not be checked (a syntax error) is an issue too.
  const ojson &inv = run["invocations"][0];
  if (inv.contains("toolExecutionNotifications"))
    for (const ojson &n : inv["toolExecutionNotifications"]) {
      std::string id = n["descriptor"]["id"].get<std::string>();
      add(n, id, Sha256::hex("notification:" + id + ":" + n["message"]["text"].get<std::string>()).substr(0, 32));
    }
  return issues;
}

// ------------------------------------------------------------------- JUnit

std::string diagnosticsText(const DiagnosticEngine &diags) {
  std::ostringstream out;
  TextPrintOptions po;
  po.summary = false;
  printDiagnosticsText(out, diags, po);
  return out.str();
}

/// `carepath test --format=junit`: one <testsuite> per FILE, one
/// <testcase> per example; a failing example has a <failure> with its
/// messages; a file that could not be run, or errors that belong to no
/// example (the compiled table disagreeing), are a testcase with an <error>.
std::string junit(const std::vector<std::unique_ptr<CommandContext>> &runs) {
  std::ostringstream suites;
  unsigned tests = 0, failures = 0, errors = 0;
  for (const auto &run : runs) {
    const DiagnosticEngine &diags = run->diags();
    const CommandPayload *payload = run->payloadIfAny();
    std::ostringstream cases;
    unsigned t = 0, f = 0, e = 0;
    std::string suite = run->file() == "-" ? "<stdin>" : run->file();
    if (run->started() && payload) {
      for (const auto &ex : payload->json["examples"]) {
        ++t;
        std::string line = ex["location"].is_null() ? "" : std::to_string(ex["location"]["line"].get<int>());
        cases << "    <testcase name=\"" << xmlEscape(ex["name"].get<std::string>()) << "\" classname=\"" << xmlEscape(suite)
              << "\" file=\"" << xmlEscape(suite) << "\"" << (line.empty() ? "" : " line=\"" + line + "\"");
        if (ex["failures"].empty()) {
          cases << "/>\n";
          continue;
        }
        ++f;
        std::string first = ex["failures"][0]["message"].get<std::string>(), body;
        for (const auto &fl : ex["failures"]) {
          const auto &loc = fl["location"];
          body += (loc.is_null() ? "" : loc["file"].get<std::string>() + ":" + std::to_string(loc["line"].get<int>()) + ":" +
                                            std::to_string(loc["column"].get<int>()) + ": ") +
                  fl["code"].get<std::string>() + ": " + fl["message"].get<std::string>() + "\n";
          for (const auto &n : fl["notes"]) body += "  note: " + n["message"].get<std::string>() + "\n";
        }
        cases << ">\n      <failure type=\"" << xmlEscape(ex["failures"][0]["code"].get<std::string>()) << "\" message=\""
              << xmlEscape(first) << "\">" << xmlEscape(body) << "</failure>\n    </testcase>\n";
      }
    }
    // Errors no example accounts for: the front end's, the table's.
    std::string other;
    for (const Diagnostic *d : diags.sorted()) {
      if (d->severity != Severity::Error || d->id == DiagId::err_example_failed || d->id == DiagId::err_example_eval) continue;
      LineColumn lc = d->range.valid() ? diags.sources().begin(d->range) : LineColumn{};
      other += (d->range.valid() ? diags.sources().name(d->range.file) + ":" + std::to_string(lc.line) + ":" +
                                       std::to_string(lc.column) + ": "
                                 : "") +
               d->code() + ": " + d->message + "\n";
    }
    if (!other.empty()) {
      ++t, ++e;
      cases << "    <testcase name=\"" << (run->started() ? "compiled table" : "front end") << "\" classname=\""
            << xmlEscape(suite) << "\" file=\"" << xmlEscape(suite) << "\">\n      <error type=\"carepath\" message=\""
            << xmlEscape(other.substr(0, other.find('\n'))) << "\">" << xmlEscape(diagnosticsText(diags))
            << "</error>\n    </testcase>\n";
    }
    tests += t, failures += f, errors += e;
    suites << "  <testsuite name=\"" << xmlEscape(suite) << "\" tests=\"" << t << "\" failures=\"" << f << "\" errors=\"" << e
           << "\" skipped=\"0\">\n"
           << cases.str() << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"carepath test\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" errors=\"" << errors << "\">\n"
      << suites.str() << "</testsuites>\n";
  return out.str();
}

}  // namespace

int finishRuns(const SharedOptions &options, const std::vector<std::unique_ptr<CommandContext>> &runs,
               const std::vector<int> &exits) {
  int code = kExitOk;
  for (int e : exits) code = worstExit(code, e);
  switch (options.format) {
  case Format::Text:
  case Format::Markdown:  // markdown: the command's text on standard output, diagnostics as text on standard error
  case Format::Html:      // html (doc): the page is written by the command, diagnostics as text on standard error
  case Format::Jsonl:    // jsonl: the command's lines are on standard output
  case Format::Junit: {  // junit: the XML on standard output, text as well on standard error
    TextPrintOptions po;
    po.color = shouldUseColor(options.color, STDERR_FILENO);
    po.errorsOnly = options.quiet;
    po.summary = false;
    unsigned errors = 0, warnings = 0;
    int passed = 0, failed = 0;
    bool tallies = runs.size() > 1;
    for (const auto &run : runs) {
      const DiagnosticEngine &diags = run->diags();
      std::cout.flush();
      printDiagnosticsText(std::cerr, diags, po);
      errors += diags.errorCount();
      warnings += options.quiet ? 0 : diags.warningCount();
      // One file: its count line right after its diagnostics, as ever.
      if (runs.size() == 1) printDiagnosticSummary(std::cerr, errors, warnings);
      std::cerr.flush();
      if (options.format == Format::Text) std::cout << run->textTrailer();
      if (options.format == Format::Markdown && run->payloadIfAny()) std::cout << run->payloadIfAny()->markdown;
      // Several files of `test`: a total line after theirs.
      const CommandPayload *p = run->payloadIfAny();
      if (p && p->json.contains("passed")) {
        passed += p->json["passed"].get<int>();
        failed += p->json["failed"].get<int>();
      } else {
        tallies = false;
      }
    }
    std::cout.flush();
    if (runs.size() > 1) printDiagnosticSummary(std::cerr, errors, warnings);
    if (options.format == Format::Text && tallies)
      std::cout << "total: " << passed << " passed, " << failed << " failed\n";
    if (options.format == Format::Junit) std::cout << junit(runs);
    break;
  }
  case Format::Json: {
    nlohmann::json diagnostics = nlohmann::json::array();
    unsigned errors = 0, warnings = 0;
    for (const auto &run : runs) {
      nlohmann::json one = diagnosticsToJson(run->diags());
      for (auto &d : one["diagnostics"]) diagnostics.push_back(std::move(d));
      errors += run->diags().errorCount();
      warnings += run->diags().warningCount();
    }
    ojson out = {{"diagnostics", diagnostics}, {"errors", errors}, {"warnings", warnings}};
    if (runs.size() == 1) {
      if (const CommandPayload *p = runs[0]->payloadIfAny())
        for (const auto &[key, value] : p->json.items()) out[key] = value;
    } else {
      // Several files: each one's keys under "files", in order.
      ojson files = ojson::array();
      for (const auto &run : runs) {
        ojson f = {{"file", run->file()}, {"exitCode", 0}};
        if (const CommandPayload *p = run->payloadIfAny())
          for (const auto &[key, value] : p->json.items()) f[key] = value;
        files.push_back(std::move(f));
      }
      for (size_t i = 0; i < runs.size(); ++i) files[i]["exitCode"] = exits[i];
      out["files"] = std::move(files);
    }
    std::cout << out.dump(2) << "\n";
    break;
  }
  case Format::Sarif:
    std::cout << sarifLog(options, runs, code).dump(2) << "\n";
    break;
  case Format::CodeQuality:
    std::cout << codeQuality(sarifLog(options, runs, code)).dump(2) << "\n";
    break;
  }
  std::cout.flush();
  return code;
}

}  // namespace carepath::driver
