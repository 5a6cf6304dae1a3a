// `carepath diff OLD NEW`: the semantic diff of two versions of a protocol
// (verifier/SemanticDiff.h): which patients get another outcome, each with
// its region and a pasteable example patient; "no patient changes" is a
// proof (docs/cli.md, "diff").
#include <iostream>
#include <set>
#include <sstream>

#include "Output.h"
#include "verifier/Display.h"
#include "verifier/SemanticDiff.h"

namespace carepath::driver {

namespace {

using verifier::OutcomeKind;
using verifier::OutcomeResult;
using verifier::Status;
using ojson = nlohmann::ordered_json;

/// "rule 'treat.pulse'", "'give methylprednisolone at treat.pulse'".
std::string title(const OutcomeResult &r) {
  std::string s;
  switch (r.kind) {
  case OutcomeKind::Population: s = "the population"; break;
  case OutcomeKind::Tier: s = "tier '" + r.name + "'"; break;
  case OutcomeKind::Rule: s = "rule '" + r.name + "'"; break;
  case OutcomeKind::Action:
  case OutcomeKind::Dose: s = "'" + r.name + "'"; break;
  }
  if (!r.inOld) s += " (added)";
  if (!r.inNew) s += " (removed)";
  return s;
}

std::string regionText(const OutcomeResult &r) {
  std::string s;
  for (const std::string &x : r.region) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "some patients" : "patients with " + s;
}

/// What was written, when it differs between the versions.
std::string writtenChange(const OutcomeResult &r) {
  if (r.kind == OutcomeKind::Action || r.before == r.after || !r.inOld || !r.inNew) return "";
  std::string what = r.kind == OutcomeKind::Dose ? "dose" : "condition";
  return what + " '" + r.before + "' -> '" + r.after + "'";
}

/// The one-line description of a change: region, outcome, before -> after.
std::string headline(const OutcomeResult &r) {
  std::string s = regionText(r) + ": " + title(r) + ": " + r.exampleBefore + " -> " + r.exampleAfter;
  std::string w = writtenChange(r);
  return w.empty() ? s : s + " (" + w + ")";
}

ojson patientJson(const ir::Protocol &p, const std::vector<ir::Value> &patient) {
  ojson out = ojson::object();
  for (size_t i = 0; i < patient.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    if (patient[i].missing) out[in.name] = nullptr;
    else if (in.type.kind == ir::Type::Kind::Bool) out[in.name] = patient[i].boolean;
    else out[in.name] = verifier::valueText(p, static_cast<int>(i), patient[i]);
  }
  return out;
}

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string markdown(const verifier::DiffReport &d, const std::string &oldFile, const std::string &newFile,
                     const char *result) {
  std::ostringstream md;
  size_t changed = d.count(Status::Refuted), unknown = d.count(Status::Unknown);
  md << "### carepath diff: `" << oldFile << "` → `" << newFile << "`\n\n";
  if (changed == 0 && unknown == 0 && d.inputs.empty() && d.assumptions.empty())
    md << "**No patient changes**: all " << d.outcomes.size() << " outcomes are proved the same for every patient.\n";
  else
    md << "**" << result << "**: " << changed << " of " << d.outcomes.size() << " outcomes change for some patients, "
       << d.count(Status::Proved) << " are proved the same, " << unknown << " not decided.\n";
  if (!d.inputs.empty()) {
    md << "\n| Input | Change |\n|---|---|\n";
    for (const auto &in : d.inputs) md << "| `" << cell(in.name) << "` | " << cell(in.description) << " |\n";
  }
  if (!d.assumptions.empty()) {
    md << "\n| Assumption | Change |\n|---|---|\n";
    for (const auto &a : d.assumptions) md << "| `" << cell(a.name) << "` | " << cell(a.description) << " |\n";
  }
  if (changed) {
    md << "\n| Outcome | Patients | Before | After |\n|---|---|---|---|\n";
    for (const OutcomeResult &r : d.outcomes) {
      if (r.status != Status::Refuted) continue;
      std::string w = writtenChange(r);
      md << "| " << cell(title(r)) << " | " << cell(regionText(r)) << " | " << cell(r.exampleBefore) << " | "
         << cell(r.exampleAfter) << (w.empty() ? "" : "<br>" + cell(w)) << " |\n";
    }
    md << "\n<details><summary>One example patient per change (paste into the new version as an example)</summary>\n\n```\n";
    bool first = true;
    for (const OutcomeResult &r : d.outcomes) {
      if (r.status != Status::Refuted || r.example.empty()) continue;
      if (!first) md << "\n";
      first = false;
      for (const std::string &line : r.example) md << line << "\n";
    }
    md << "```\n\n</details>\n";
  }
  if (unknown) {
    md << "\nNot decided (this is no proof that they are unchanged):\n\n";
    for (const OutcomeResult &r : d.outcomes)
      if (r.status == Status::Unknown) md << "* " << title(r) << ": " << r.reason << "\n";
  }
  return md.str();
}

}  // namespace

Command diffCommand() {
  struct Options {
    verifier::Options verify;
    std::string oldFile, newFile, failOn = "any";
    bool stats = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "diff";
  c.help = "Which patients get another outcome from NEW than from OLD: proved, with one example patient per change";
  c.formats = {Format::Text, Format::Json, Format::Sarif, Format::Markdown};
  c.declare = [o](CommandLine &line) {
    line.option("old", o->oldFile, "The old version of the protocol", true);
    line.option("new", o->newFile, "The new version of the protocol", true);
    line.option("--fail-on", o->failOn,
                "Exit 1 only for changes of these kinds, comma-separated: population, tier, rule, action, dose, input, "
                "assumption; "
                "any (the default) or none");
    line.number("--timeout", o->verify.timeoutMs, "Solver time limit per outcome, in milliseconds", 1, 3600000);
    line.number("--rlimit", o->verify.rlimit, "Solver resource limit per outcome (deterministic)");
    line.flag("--stats", o->stats, "Print solver statistics to standard error");
  };
  c.run = [o](CommandContext &ctx) -> int {
    std::set<std::string> failOn;
    for (size_t start = 0; start <= o->failOn.size();) {
      size_t comma = o->failOn.find(',', start);
      std::string k = o->failOn.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (k != "any" && k != "none" && k != "input" && k != "assumption" && !verifier::parseOutcomeKind(k)) {
        std::cerr << "carepath diff: --fail-on: unknown kind '" << k
                  << "' (population, tier, rule, action, dose, input, assumption, any, none)\n";
        return kExitUsage;
      }
      failOn.insert(k);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    // The new version first: SARIF places results without a position at its start.
    FrontendResult now = ctx.runFrontend(o->newFile);
    FrontendResult before = ctx.runFrontend(o->oldFile);
    if (ctx.diags().hasErrors() || !now.protocol || !before.protocol) return kExitFindings;  // could not start
    ctx.setStarted(true);
    const ir::Protocol &np = *now.protocol;
    verifier::DiffReport d = verifier::semanticDiff(*before.protocol, np, o->verify);

    DiagnosticEngine &diags = ctx.diags();
    for (const verifier::InputChange &in : d.inputs) {
      Diagnostic &x = diags.report(DiagId::warn_input_changed, in.newRange.valid() ? in.newRange : in.oldRange,
                                   "input '" + in.name + "': " + in.description);
      if (in.newRange.valid() && in.oldRange.valid())
        diags.note(x, DiagId::note_related, in.oldRange, "the old version declares it here");
    }
    for (const verifier::InputChange &a : d.assumptions) {
      Diagnostic &x = diags.report(DiagId::warn_assumption_changed, a.newRange.valid() ? a.newRange : a.oldRange,
                                   "assumption '" + a.name + "': " + a.description);
      if (a.newRange.valid() && a.oldRange.valid())
        diags.note(x, DiagId::note_related, a.oldRange, "the old version declares it here");
    }
    size_t changed = 0, failing = d.inputs.empty() ? 0 : (failOn.count("any") || failOn.count("input"));
    if (!d.assumptions.empty() && (failOn.count("any") || failOn.count("assumption"))) ++failing;
    for (const OutcomeResult &r : d.outcomes) {
      SourceRange at = r.newRange.valid() ? r.newRange : r.oldRange;
      if (r.status == Status::Unknown) {
        diags.report(DiagId::err_inconclusive, at, "could not decide whether " + title(r) + " changes", r.reason);
        continue;
      }
      if (r.status != Status::Refuted) continue;
      ++changed;
      if (failOn.count("any") || failOn.count(verifier::spelling(r.kind))) ++failing;
      Diagnostic &x = diags.report(DiagId::warn_semantic_change, at, headline(r));
      if (r.newRange.valid() && r.oldRange.valid())
        diags.note(x, DiagId::note_related, r.oldRange,
                   r.before.empty() ? std::string("in the old version") : "in the old version: '" + r.before + "'");
      if (!r.example.empty()) {
        x.detail.push_back("example patient (" + r.exampleBefore + " -> " + r.exampleAfter +
                           "; paste into the new version as an example):");
        for (const std::string &line : r.example) x.detail.push_back("  " + line);
      }
    }
    for (const std::string &e : d.internalErrors) diags.report(DiagId::err_model_check_failed, SourceRange{}, e);

    size_t unknown = d.count(Status::Unknown), same = d.count(Status::Proved);
    const char *result =
        changed || !d.inputs.empty() || !d.assumptions.empty() ? "changed" : unknown ? "inconclusive" : "unchanged";
    std::ostringstream text;
    text << "diff " << o->oldFile << " -> " << o->newFile << ": " << d.outcomes.size() << " outcomes: " << changed
         << " changed, " << same << " unchanged (" << d.syntactic << " identical, " << same - d.syntactic
         << " proved by the solver), " << unknown << " not decided; " << d.inputs.size() << (d.inputs.size() == 1 ? " input changed" : " inputs changed");
    if (!d.assumptions.empty())
      text << ", " << d.assumptions.size() << (d.assumptions.size() == 1 ? " assumption changed" : " assumptions changed");
    text << "\n";
    std::string summary = text.str();
    for (const OutcomeResult &r : d.outcomes)
      if (r.status == Status::Refuted) text << "  " << headline(r) << "\n";
    text << "result: " << result << "\n";
    ctx.setTextTrailer(text.str(), summary);

    CommandPayload &out = ctx.payload();
    ojson inputs = ojson::array(), changes = ojson::array();
    for (const auto &in : d.inputs) inputs.push_back({{"name", in.name}, {"change", in.description}});
    ojson assumptions = ojson::array();
    for (const auto &a : d.assumptions) assumptions.push_back({{"name", a.name}, {"change", a.description}});
    for (const OutcomeResult &r : d.outcomes) {
      if (r.status == Status::Proved) continue;
      ojson j = {{"kind", verifier::spelling(r.kind)}, {"name", r.name},
                 {"status", r.status == Status::Refuted ? "changed" : "unknown"},
                 {"inOld", r.inOld}, {"inNew", r.inNew}, {"before", r.before}, {"after", r.after}};
      if (r.status == Status::Unknown) j["reason"] = r.reason;
      if (r.status == Status::Refuted) {
        j["region"] = r.region;
        j["exampleBefore"] = r.exampleBefore;
        j["exampleAfter"] = r.exampleAfter;
        if (r.patient) j["patient"] = patientJson(np, *r.patient);
        std::string block;
        for (const std::string &line : r.example) block += line + "\n";
        j["example"] = block;
      }
      changes.push_back(std::move(j));
    }
    out.json = {{"result", result},
                {"old", o->oldFile},
                {"new", o->newFile},
                {"outcomes", d.outcomes.size()},
                {"changed", changed},
                {"unchanged", same},
                {"identical", d.syntactic},
                {"unknown", unknown},
                {"inputs", inputs},
                {"assumptions", assumptions},
                {"changes", changes}};
    out.sarifProperties = {{"result", result}, {"outcomes", d.outcomes.size()}, {"changed", changed},
                           {"unchanged", same}, {"unknown", unknown}, {"inputsChanged", d.inputs.size()},
                           {"assumptionsChanged", d.assumptions.size()}};
    out.markdown = markdown(d, o->oldFile, o->newFile, result);
    if (o->stats)
      std::cerr << "stats: solver checks " << d.solverChecks << ", identical outcomes " << d.syntactic
                << ", optimisations " << d.optimisations << "\n";
    if (!d.internalErrors.empty()) return kExitInternal;
    if (failing && !failOn.count("none")) return kExitFindings;
    if (unknown) return kExitInconclusive;
    return kExitOk;
  };
  return c;
}

}  // namespace carepath::driver
