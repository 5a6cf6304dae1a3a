// `carepath compile FILE -o OUT.json`: front end, verifier (unless
// --no-verify), then the decision-table document (backends/JsonTable.h),
// written atomically. A refuted or inconclusive protocol gets no table
// unless --force, which marks it "unverified" (the runtime then refuses it
// unless the caller allows unverified tables). --sign KEY adds an Ed25519
// signature over the table, verification result included.
#include <iostream>

#include "CourseStates.h"
#include "Driver.h"
#include "backends/Dmn.h"
#include "backends/Elm.h"
#include "backends/Fhir.h"
#include "backends/JsonTable.h"
#include "backends/Sql.h"
#include "basic/AtomicFile.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

namespace {
struct CompileOptions {
  std::string file;
  std::string output;
  std::string target = "json";  // json | dmn | sql | fhir | elm (backends/Dmn.h, Sql.h, Fhir.h, Elm.h, docs/interop.md)
  std::string dialect = "sqlite";  // sql: sqlite | postgres | standard
  std::string fhirBase = backends::FhirOptions{}.base;  // fhir: the resources' canonical base
  bool noVerify = false;
  bool force = false;
  unsigned timeoutMs = 10000;
  std::string signKey;  // --sign: PEM Ed25519 private key (docs/tables.md, "Signature")
};

std::string location(const SourceManager &sources, const SourceRange &r) {
  if (!r.valid()) return "";
  std::string name = sources.name(r.file);
  auto slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  LineColumn lc = sources.begin(r);
  return name + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

int run(const CompileOptions &o, CommandContext &ctx) {
  SourceManager &sources = ctx.sources();
  DiagnosticEngine &diags = ctx.diags();
  // The key first: a signing run that cannot sign stops before the
  // verifier's minutes. A signature vouches for the table's verification
  // result, so one must have been computed; and DMN has no signature field.
  std::optional<runtime::SigningKey> key;
  if (!o.signKey.empty()) {
    if (o.noVerify) {
      diags.report(DiagId::err_sign_option, SourceRange{},
                   "needs the verifier: a signature vouches for the table's verification result, which --no-verify "
                   "leaves out");
      return kExitUsage;
    }
    if (o.target != "json") {
      diags.report(DiagId::err_sign_option, SourceRange{}, "signs JSON tables only; a DMN file has no place for a signature");
      return kExitUsage;
    }
    try {
      key = runtime::SigningKey::fromFile(o.signKey);
    } catch (const runtime::KeyError &e) {
      diags.report(DiagId::err_sign_key, SourceRange{}, e.what());
      return kExitFindings;
    }
  }
  FrontendResult fr = ctx.runFrontend(o.file);
  if (diags.hasErrors() || !fr.protocol) return kExitFindings;  // could not start
  ctx.setStarted(true);
  const ir::Protocol &p = *fr.protocol;

  backends::TableMetadata meta;
  meta.compilerVersion = version();
  if (key) meta.signer = &*key;
  if (!o.noVerify) {
    verifier::Options vo;
    vo.timeoutMs = o.timeoutMs;
    verifier::Report report = verifier::verify(p, vo);
    verifier::Verdict verdict = report.verdict();
    meta.verification.verdict = verifier::spelling(verdict);
    meta.verification.status = verdict == verifier::Verdict::Verified ? "verified" : "unverified";
    for (const verifier::PropertyResult &r : report.properties)
      meta.verification.properties.push_back({verifier::spelling(r.kind), verifier::spelling(r.status), r.message, location(sources, r.range)});
    meta.courseStatesWhy = "the verifier did not search the course states";
    // Each course pathway's reachable states, and each set of pathways'
    // read together, from the verifier's own searches.
    addCourseStates(meta, report.courses);
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
      if (!o.force) return verdict == verifier::Verdict::Failed ? kExitFindings : kExitInconclusive;
    } else {
      // Verified, perhaps with warnings (as `carepath verify` shows them).
      verifier::reportDiagnostics(report, diags);
    }
  }
  // With -W every warning is an error, and an error writes no table.
  if (diags.hasErrors()) return kExitFindings;

  std::optional<std::string> text;
  if (o.target == "dmn") {
    // --target dmn: the DMN 1.3 export (same verification gate as the table).
    backends::DmnOptions dmn;
    dmn.compilerVersion = meta.compilerVersion;
    dmn.verificationStatus = meta.verification.status;
    text = backends::emitDmn(p, dmn, diags);
  } else if (o.target == "sql") {
    // --target sql: a CREATE VIEW over a patients table (same gate).
    backends::SqlOptions sql;
    sql.dialect = o.dialect == "postgres"   ? backends::SqlDialect::Postgres
                  : o.dialect == "standard" ? backends::SqlDialect::Standard
                                            : backends::SqlDialect::Sqlite;
    sql.compilerVersion = meta.compilerVersion;
    sql.verificationStatus = meta.verification.status;
    text = backends::emitSql(p, sql, diags);
  } else if (o.target == "fhir") {
    // --target fhir: a FHIR R4 Bundle (PlanDefinition, ActivityDefinitions; same gate).
    backends::FhirOptions fhir;
    fhir.base = o.fhirBase;
    fhir.compilerVersion = meta.compilerVersion;
    fhir.verificationStatus = meta.verification.status;
    text = backends::emitFhir(p, fhir, diags);
  } else if (o.target == "elm") {
    // --target elm: a CQL/ELM JSON library (same gate).
    backends::ElmOptions elm;
    elm.compilerVersion = meta.compilerVersion;
    elm.verificationStatus = meta.verification.status;
    text = backends::emitElm(p, elm, diags);
  } else {
    text = backends::emitJsonTable(p, sources, meta, diags);
  }
  if (!text) return kExitFindings;
  std::string error;
  if (!writeFileAtomically(o.output, *text, error)) {
    diags.report(DiagId::err_cannot_write_output, SourceRange{}, error);
    return kExitFindings;
  }
  return kExitOk;
}
}  // namespace

Command compileCommand() {
  auto o = std::make_shared<CompileOptions>();
  Command c;
  c.name = "compile";
  c.help = "Verify a protocol and compile it to a decision-table document (JSON)";
  c.formats = {Format::Text, Format::Json, Format::Sarif};
  c.declare = [o](CommandLine &line) {
    line.option("file", o->file, "Protocol file ('-' for standard input)", true);
    line.option("-o,--output", o->output, "Where to write the table ('-' for standard output)", true);
    line.choice("--target", o->target,
                "Output format: json (compiled decision table), dmn (DMN 1.3 XML), sql (a view over a patients table) "
                "fhir (a FHIR R4 Bundle: PlanDefinition and ActivityDefinitions) or elm (a CQL/ELM JSON library over FHIR "
                "Observations)",
                {"json", "dmn", "sql", "fhir", "elm"});
    line.choice("--dialect", o->dialect, "SQL dialect for --target sql: sqlite, postgres or standard",
                {"sqlite", "postgres", "standard"});
    line.option("--fhir-base", o->fhirBase, "Canonical base URL of the resources for --target fhir");
    line.flag("--no-verify", o->noVerify, "Do not run the verifier; the table is marked not-verified");
    line.flag("--force", o->force,
              "Write the table even when verification fails or is inconclusive; it is marked unverified");
    line.option("--sign", o->signKey,
                "Sign the table with this Ed25519 private key (PEM, `openssl genpkey -algorithm ed25519`)");
    line.number("--timeout", o->timeoutMs, "Verifier time limit per property, in milliseconds");
  };
  c.run = [o](CommandContext &ctx) { return run(*o, ctx); };
  return c;
}

}  // namespace carepath::driver
