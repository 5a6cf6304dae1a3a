// Verification on save (verifier/): refuted properties as diagnostics whose
// related information is the counterexample, each give's dose envelope for
// hover, on the worker thread (VerifyWorker, Server.h); and the code
// actions: one pastes a counterexample into the file as an `example` block,
// one applies a diagnostic's fix-its.
#include "lsp/Server.h"
#include "verifier/CourseReach.h"
#include "verifier/Display.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

namespace carepath::lsp {

namespace {
std::string envelopeText(const ir::Protocol &p, const verifier::DoseEnvelope &d, const std::string &per) {
  auto [least, greatest] = verifier::envelopeBounds(d);
  // Who gets the dose may read a course pathway's state: then the envelope
  // is over the reachable course states only, as `verify` marks it.
  std::string over = d.restrictedTo.empty() ? "the population"
                                            : "the course states of " + verifier::pathwaysText(p, d.restrictedTo) +
                                                  " reachable from a fresh patient";
  std::string rate;
  if (d.rate && !d.never) {
    auto [slowest, fastest] = verifier::envelopeBounds(d, true);
    rate = "; its rate over " + d.rate->over + ": least " + slowest + ", greatest " + fastest;
  }
  return "**dose envelope** of `" + d.drug + "` at `" + d.where + "` over " + over + " (per " + per +
         "): least " + least + ", greatest " + greatest + rate + " *(verified on save)*";
}
}  // namespace

Verified verifySnapshot(const VerifyWorker::Job &job) {
  Verified out;
  out.generation = job.generation;
  const Snapshot &snap = *job.snap;
  Document doc;  // what the diagnostics' locations need: the URI
  doc.uri = job.uri;
  // A bug in carepath: said on the document, and the server goes on.
  auto failed = [&](const std::string &what) {
    out.envelopes.clear();
    out.diagnostics = json::array({{{"range", LineIndex("").range(0, 0)},
                                    {"severity", 1},
                                    {"source", "carepath"},
                                    {"code", "internal-error"},
                                    {"message", "internal error in carepath's verifier (please report it): " + what}}});
  };
  try {
    verifier::Options options;
    options.timeoutMs = job.timeoutMs;
    verifier::Report report = verifier::verify(*snap.protocol, options);
    // Diagnostics worded as `carepath verify` words them, in the snapshot's sources.
    DiagnosticEngine diags(snap.sources);
    diags.setErrorLimit(0);
    verifier::reportDiagnostics(report, diags);
    out.diagnostics = toLspDiagnostics(doc, snap, diags.sorted());
    nlohmann::ordered_json summary = verifier::reportToJson(report, *snap.protocol, snap.sources);
    for (size_t i = 0; i < report.doses.size(); ++i) {
      const verifier::DoseEnvelope &d = report.doses[i];
      if (!d.range.valid() || d.range.file != snap.main) continue;
      std::string per = summary["doses"][i]["per"];
      out.envelopes.push_back({d.range.begin, d.range.end, envelopeText(*snap.protocol, d, per)});
    }
  } catch (const std::exception &e) {
    failed(e.what());
  } catch (...) {  // nothing may leave the worker thread (std::terminate)
    failed("an exception that is not a std::exception");
  }
  return out;
}

// ---- the worker

struct VerifyWorker::State {
  mutable std::mutex m;
  std::condition_variable wake;  // a job, or stop
  std::condition_variable idle;  // a job done
  std::deque<Job> queue;
  std::optional<std::pair<std::string, uint64_t>> running;  // uri, generation
  std::map<std::string, uint64_t> current;  // each open document's analysis
  std::map<std::string, std::shared_ptr<const Verified>> results;
  Notify notify;
  bool stopping = false;
};

VerifyWorker::VerifyWorker() : state_(std::make_shared<State>()) {}

VerifyWorker::~VerifyWorker() { stop(); }

void VerifyWorker::setNotify(Notify notify) {
  std::lock_guard<std::mutex> hold(state_->m);
  state_->notify = std::move(notify);
}

void VerifyWorker::setCurrent(const std::string &uri, uint64_t generation) {
  std::lock_guard<std::mutex> hold(state_->m);
  State &s = *state_;
  if (generation) s.current[uri] = generation;
  else s.current.erase(uri);
  auto r = s.results.find(uri);
  if (r != s.results.end() && r->second->generation != generation) s.results.erase(r);
  // A queued job of an older analysis would be dropped when done: not run at all.
  std::erase_if(s.queue, [&](const Job &j) { return j.uri == uri && j.generation != generation; });
}

void VerifyWorker::submit(Job job) {
  {
    std::lock_guard<std::mutex> hold(state_->m);
    State &s = *state_;
    if (s.stopping) return;
    auto r = s.results.find(job.uri);
    if (r != s.results.end() && r->second->generation == job.generation) return;  // verified already
    if (s.running && s.running->first == job.uri && s.running->second == job.generation) return;
    // A newer save of the document replaces its queued one.
    std::erase_if(s.queue, [&](const Job &j) { return j.uri == job.uri; });
    s.queue.push_back(std::move(job));
  }
  if (!thread_.joinable()) thread_ = std::thread(&VerifyWorker::work, state_);
  state_->wake.notify_one();
}

std::shared_ptr<const Verified> VerifyWorker::verified(const std::string &uri, uint64_t generation) const {
  std::lock_guard<std::mutex> hold(state_->m);
  auto r = state_->results.find(uri);
  return r != state_->results.end() && r->second->generation == generation ? r->second : nullptr;
}

void VerifyWorker::waitIdle() {
  std::unique_lock<std::mutex> lock(state_->m);
  state_->idle.wait(lock, [&] { return state_->queue.empty() && !state_->running; });
}

bool VerifyWorker::stop() {
  bool busy;
  {
    std::lock_guard<std::mutex> hold(state_->m);
    state_->stopping = true;
    state_->queue.clear();
    state_->notify = nullptr;
    busy = state_->running.has_value();
  }
  state_->wake.notify_all();
  state_->idle.notify_all();
  if (!thread_.joinable()) return false;
  if (!busy) {
    thread_.join();  // waiting for a job, or about to see `stopping`: at once
    return false;
  }
  // The verifier cannot be interrupted: it finishes on its own (the thread
  // owns what it reads, through the state and the job) and drops its result.
  thread_.detach();
  return true;
}

void VerifyWorker::work(std::shared_ptr<State> s) {
  std::unique_lock<std::mutex> lock(s->m);
  while (true) {
    s->wake.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
    if (s->stopping) return;
    VerifyWorker::Job job = std::move(s->queue.front());
    s->queue.pop_front();
    s->running.emplace(job.uri, job.generation);
    lock.unlock();
    if (job.delayMs) std::this_thread::sleep_for(std::chrono::milliseconds(job.delayMs));
    auto result = std::make_shared<const Verified>(verifySnapshot(job));
    lock.lock();
    s->running.reset();
    // Kept and published only if the document still has this analysis;
    // under the lock, so a change cannot come between the check and the
    // write (the server's publication of the change follows this one).
    auto it = s->current.find(job.uri);
    if (!s->stopping && it != s->current.end() && it->second == job.generation) {
      s->results[job.uri] = result;
      if (s->notify) s->notify(publishDiagnostics(job.uri, job.version, job.snap->diagnostics, result.get()));
    }
    s->idle.notify_all();
  }
}

json codeActions(const Server &, const Document &doc, const json &params) {
  json actions = json::array();
  const json &context = params.at("context");
  if (!context.contains("diagnostics")) return actions;
  LineIndex lines(doc.text);
  json end = lines.range(static_cast<uint32_t>(doc.text.size()), static_cast<uint32_t>(doc.text.size()));
  for (const json &d : context["diagnostics"]) {
    if (!d.contains("data") || !d["data"].is_object()) continue;
    if (d["data"].contains("fixits") && d["data"]["fixits"].is_array() && !d["data"]["fixits"].empty()) {
      // The compiler's fix-its of the diagnostic, as one preferred quick fix.
      std::string title = d["data"].contains("fixTitle") && d["data"]["fixTitle"].is_string()
                              ? d["data"]["fixTitle"].get<std::string>()
                              : "Fix";
      actions.push_back({{"title", title},
                         {"kind", "quickfix"},
                         {"isPreferred", true},
                         {"diagnostics", json::array({d})},
                         {"edit", {{"changes", {{doc.uri, d["data"]["fixits"]}}}}}});
    }
    if (!d["data"].contains("example")) continue;
    std::string block = doc.text.empty() || doc.text.back() == '\n' ? "\n" : "\n\n";
    for (const json &line : d["data"]["example"]) block += line.get<std::string>() + "\n";
    json edit = {{"range", end}, {"newText", block}};
    actions.push_back({{"title", "Add the counterexample as an example"},
                       {"kind", "quickfix"},
                       {"diagnostics", json::array({d})},
                       {"edit", {{"changes", {{doc.uri, json::array({edit})}}}}}});
  }
  return actions;
}

}  // namespace carepath::lsp
