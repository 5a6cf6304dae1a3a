// `carepath compile FILE -o OUT.json`: front end, verifier (unless
// --no-verify), then the decision-table document (backends/JsonTable.h),
// written atomically. A refuted or inconclusive protocol gets no table
// unless --force, which marks it "unverified" (the runtime then refuses it
// unless the caller allows unverified tables).
#include <iostream>

#include "Driver.h"
#include "backends/Dmn.h"
#include "backends/JsonTable.h"
#include "basic/AtomicFile.h"
#include "basic/DiagnosticPrinter.h"
#include "verifier/Verifier.h"

#ifndef CAREPATH_VERSION
#define CAREPATH_VERSION "unknown"
#endif

namespace carepath::driver {

namespace {
struct CompileOptions {
  std::string file;
  std::string output;
  std::string target = "json";  // json | dmn (backends/Dmn.h, docs/interop.md)
  bool noVerify = false;
  bool force = false;
  unsigned timeoutMs = 10000;
  CommonOptions common;
};

std::string location(const SourceManager &sources, const SourceRange &r) {
  if (!r.valid()) return "";
  std::string name = sources.name(r.file);
  auto slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  LineColumn lc = sources.begin(r);
  return name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

int run(const CompileOptions &o) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  diags.setErrorLimit(o.common.errorLimit);
  diags.setWarningsAsErrors(o.common.warningsAsErrors);
  int code = kExitOk;
  auto finish = [&](int c) {
    if (o.common.format == "json") std::cout << diagnosticsToJson(diags).dump(2) << "\n";
    printDiagnostics(diags, o.common);
    return c;
  };

  FrontendResult fr = runFrontend(o.file, sources, diags, frontendOptions(o.common));
  if (diags.hasErrors() || !fr.protocol) return finish(kExitFindings);
  const ir::Protocol &p = *fr.protocol;

  backends::TableMetadata meta;
  meta.compilerVersion = CAREPATH_VERSION;
  if (!o.noVerify) {
    verifier::Options vo;
    vo.timeoutMs = o.timeoutMs;
    verifier::Report report = verifier::verify(p, vo);
    verifier::Verdict verdict = report.verdict();
    meta.verification.verdict = verifier::spelling(verdict);
    meta.verification.status = verdict == verifier::Verdict::Verified ? "verified" : "unverified";
    for (const verifier::PropertyResult &r : report.properties)
      meta.verification.properties.push_back({verifier::spelling(r.kind), verifier::spelling(r.status), r.message, location(sources, r.range)});
    if (verdict != verifier::Verdict::Verified) {
      // Point at the first obligation that did not hold; list the others.
      std::string what = verdict == verifier::Verdict::Failed ? "failed" : "was inconclusive";
      SourceRange at;
      std::vector<const verifier::PropertyResult *> bad;
      for (const verifier::PropertyResult &r : report.properties)
        if (r.status == verifier::Status::Refuted || r.status == verifier::Status::Unknown) bad.push_back(&r);
      if (!bad.empty()) at = bad.front()->range;
      Diagnostic &d = o.force ? diags.report(DiagId::warn_compile_forced, at, o.output, what)
                              : diags.report(DiagId::err_compile_refuted, at, o.output, what);
      for (const verifier::PropertyResult *r : bad)
        diags.note(d, DiagId::note_here, r->range,
                   std::string(verifier::spelling(r->status)) + " (" + verifier::spelling(r->kind) + "): " + r->message +
                       (r->reason.empty() ? "" : " [" + r->reason + "]"));
      if (!o.force) return finish(verdict == verifier::Verdict::Failed ? kExitFindings : kExitInconclusive);
    }
  }

  std::optional<std::string> text;
  if (o.target == "dmn") {
    // --target dmn: the DMN 1.3 export (same verification gate as the table).
    backends::DmnOptions dmn;
    dmn.compilerVersion = meta.compilerVersion;
    dmn.verificationStatus = meta.verification.status;
    text = backends::emitDmn(p, dmn, diags);
  } else {
    text = backends::emitJsonTable(p, sources, meta, diags);
  }
  if (!text) return finish(kExitFindings);
  std::string error;
  if (!writeFileAtomically(o.output, *text, error)) {
    diags.report(DiagId::err_cannot_write_output, SourceRange{}, error);
    return finish(kExitFindings);
  }
  return finish(diags.hasErrors() ? kExitFindings : code);
}
}  // namespace

void addCompileCommand(CLI::App &app, int &exitCode) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App *cmd = app.add_subcommand("compile", "Verify a protocol and compile it to a decision-table document (JSON)");
  cmd->add_option("file", options->file, "Protocol file ('-' for standard input)")->required();
  cmd->add_option("-o,--output", options->output, "Where to write the table ('-' for standard output)")->required();
  cmd->add_option("--target", options->target, "Output format: json (compiled decision table) or dmn (DMN 1.3 XML)")
      ->check(CLI::IsMember({"json", "dmn"}))
      ->capture_default_str();
  cmd->add_flag("--no-verify", options->noVerify, "Do not run the verifier; the table is marked not-verified");
  cmd->add_flag("--force", options->force,
                "Write the table even when verification fails or is inconclusive; it is marked unverified");
  cmd->add_option("--timeout", options->timeoutMs, "Verifier time limit per property, in milliseconds")
      ->capture_default_str();
  addCommonOptions(cmd, options->common);
  // An exception escaping run() is a bug: main() reports it (exit 4).
  cmd->callback([options, &exitCode] { exitCode = run(*options); });
}

}  // namespace carepath::driver
