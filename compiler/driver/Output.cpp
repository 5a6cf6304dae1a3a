// The one place a command's diagnostics are written: text on standard
// error, one JSON object on standard output, or a SARIF 2.1.0 log on
// standard output, with the exit code the same in every format.
#include "Output.h"

#include <unistd.h>

#include <iostream>

namespace carepath::driver {

using ojson = nlohmann::ordered_json;

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
  return carepath::runFrontend(path, sources_, into, fo);
}

namespace {

/// The log of one run (SARIF 2.1.0, docs/cli.md): results are findings;
/// a run that could not start has executionSuccessful false and its
/// diagnostics as toolExecutionNotifications.
ojson sarifLog(const SharedOptions &options, const DiagnosticEngine &diags, const CommandPayload *payload,
               bool started, int exitCode) {
  const SourceManager &sm = diags.sources();
  ojson results = ojson::array(), notifications = ojson::array(), rules = ojson::array();
  ojson properties = payload ? payload->sarifProperties : ojson::object();
  bool own = payload && payload->sarifRun && started;
  for (const Diagnostic *d : own ? payload->sarifDiagnostics : diags.sorted()) {
    bool aboutTheRun = !started || d->id == DiagId::err_too_many_errors || d->id == DiagId::err_internal;
    (aboutTheRun ? notifications : results)
        .push_back(aboutTheRun ? diagnosticToSarifNotification(*d, sm) : diagnosticToSarifResult(*d, sm));
  }
  if (own) {
    const ojson &run = *payload->sarifRun;
    for (const ojson &r : run.at("results")) results.push_back(r);
    rules = run.at("rules");
    for (const auto &[key, value] : run.at("properties").items()) properties[key] = value;
    // -W and --error-limit apply to the command's own results as the
    // engine applies them to diagnostics.
    unsigned errors = 0, dropped = 0;
    ojson kept = ojson::array();
    for (ojson &r : results) {
      if (options.warningsAsErrors && r.value("level", "") == "warning") r["level"] = "error";
      if (r.value("level", "") == "error" && options.errorLimit != 0 && ++errors > options.errorLimit) {
        ++dropped;
        continue;
      }
      kept.push_back(std::move(r));
    }
    results = std::move(kept);
    if (dropped)
      notifications.push_back({{"descriptor", {{"id", diagInfo(DiagId::err_too_many_errors).code}}},
                               {"level", "error"},
                               {"message", {{"text", fmt::format(fmt::runtime(diagInfo(DiagId::err_too_many_errors).format),
                                                                 options.errorLimit)}}}});
  }
  // Every ruleId has a rule (the command's own, with their descriptions,
  // first), and every result its index.
  for (ojson &r : results) {
    std::string id = r.at("ruleId").get<std::string>();
    size_t index = 0;
    while (index < rules.size() && rules[index].at("id") != id) ++index;
    if (index == rules.size()) rules.push_back({{"id", id}});
    r["ruleIndex"] = index;
  }
  ojson invocation = {{"executionSuccessful", started && exitCode != kExitInternal}, {"exitCode", exitCode}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
  ojson driver = {{"name", "carepath"}, {"version", version()}, {"rules", std::move(rules)}};
  ojson run = {{"tool", {{"driver", std::move(driver)}}},
               {"invocations", ojson::array({std::move(invocation)})},
               {"results", std::move(results)}};
  if (!properties.empty()) run["properties"] = std::move(properties);
  return {{"version", "2.1.0"},
          {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"runs", ojson::array({std::move(run)})}};
}

}  // namespace

int CommandContext::finish(int commandExit) {
  int code = commandExit == kExitOk && diags_.hasErrors() ? kExitFindings : commandExit;
  switch (options_.format) {
  case Format::Text:
  case Format::Jsonl: {  // jsonl: the command's lines are on standard output
    TextPrintOptions po;
    po.color = shouldUseColor(options_.color, STDERR_FILENO);
    std::cout.flush();
    printDiagnosticsText(std::cerr, diags_, po);
    if (options_.format == Format::Text) std::cout << trailer_;
    break;
  }
  case Format::Json: {
    ojson out = diagnosticsToJson(diags_);
    if (payload_)
      for (const auto &[key, value] : payload_->json.items()) out[key] = value;
    std::cout << out.dump(2) << "\n";
    break;
  }
  case Format::Sarif:
    std::cout << sarifLog(options_, diags_, payload_.get(), started_, code).dump(2) << "\n";
    break;
  }
  std::cout.flush();
  return code;
}

}  // namespace carepath::driver
