#include "verifier/CrossCheck.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char **environ;

namespace carepath::verifier {

const char *spelling(CrossCheck::Outcome o) {
  switch (o) {
  case CrossCheck::Outcome::Agreed: return "agreed";
  case CrossCheck::Outcome::Unknown: return "unknown";
  case CrossCheck::Outcome::Disagreed: return "disagreed";
  }
  return "?";
}

bool Report::crossCheckDisagreed() const {
  for (const PropertyResult &r : properties)
    if (r.crossCheck && r.crossCheck->outcome == CrossCheck::Outcome::Disagreed) return true;
  return false;
}

std::optional<std::string> findExecutable(const std::string &name) {
  auto runnable = [](const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) return runnable(name) ? std::optional<std::string>(name) : std::nullopt;
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (runnable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

namespace {
// Printed after each benchmark: the end of one answer on the shared output.
constexpr const char *kMarker = "carepath-cross-check-end";

std::string oneLine(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}
}  // namespace

SmtProcess::SmtProcess(std::string binary, unsigned timeoutMs) : binary_(std::move(binary)), timeoutMs_(timeoutMs) {}

SmtProcess::~SmtProcess() { stop(); }

bool SmtProcess::start(std::string &why) {
  // Sockets, not pipes: a write to a solver that died is an EPIPE error
  // (MSG_NOSIGNAL), never a SIGPIPE that would kill carepath.
  int in[2], out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    why = std::string("cannot start ") + binary_ + ": " + std::strerror(errno);
    return false;
  }
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) != 0) {
    why = std::string("cannot start ") + binary_ + ": " + std::strerror(errno);
    ::close(in[0]), ::close(in[1]);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[1], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  std::string limit = "--tlimit-per=" + std::to_string(timeoutMs_);
  std::vector<char *> argv = {binary_.data(), const_cast<char *>("--lang=smt2"), limit.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[1]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[0]), ::close(out[0]);
    why = "cannot run " + binary_ + ": " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  in_ = in[0];
  out_ = out[0];
  return true;
}

void SmtProcess::stop() {
  if (in_ >= 0) ::close(in_);
  if (out_ >= 0) ::close(out_);
  in_ = out_ = -1;
  if (pid_ > 0) {
    // Its input is closed, so a live solver exits; one that hangs is killed.
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      ::usleep(2000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

SmtAnswer SmtProcess::ask(const std::string &benchmark, std::string &reason) {
  if (!hung_.empty()) {
    reason = hung_;
    return SmtAnswer::Unknown;
  }
  if (pid_ < 0 && !start(reason)) return SmtAnswer::Unknown;
  // (get-info :reason-unknown) after an answer that is not `unknown` is a
  // harmless error line; the echo marks the end of this query's output.
  std::string request = benchmark + "\n(get-info :reason-unknown)\n(echo \"" + kMarker + "\")\n(reset)\n";
  size_t written = 0;
  std::string output;
  // cvc5 enforces --tlimit-per itself; this deadline is for a solver that
  // does not (a hang, a fake): twice the limit and 10 s more.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(2ull * timeoutMs_ + 10000);
  bool ended = false, eof = false;
  while (!ended && !eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      stop();
      reason = binary_ + " did not answer within " + std::to_string(2ull * timeoutMs_ + 10000) + " ms";
      // A solver that ignores its time limit once would cost as much on every query.
      hung_ = binary_ + " did not answer an earlier query within " + std::to_string(2ull * timeoutMs_ + 10000) +
              " ms; not asked again";
      return SmtAnswer::Unknown;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {in_, POLLOUT, 0}};
    int n = ::poll(fds, written < request.size() ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t got = ::read(out_, buf, sizeof buf);
      if (got <= 0) eof = true;
      else output.append(buf, static_cast<size_t>(got));
      ended = output.find(kMarker) != std::string::npos;
    }
    if (written < request.size() && (fds[1].revents & (POLLOUT | POLLHUP | POLLERR))) {
      ssize_t put = ::send(in_, request.data() + written, request.size() - written, MSG_NOSIGNAL);
      if (put < 0 && errno != EINTR && errno != EAGAIN) written = request.size();  // it died: read what it said
      else if (put > 0) written += static_cast<size_t>(put);
    }
  }
  // The answer is the first line that is one; an error line before it is
  // the reason there is none.
  std::istringstream lines(output);
  std::string line, error;
  std::optional<SmtAnswer> answer;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!answer && line == "sat") answer = SmtAnswer::Sat;
    else if (!answer && line == "unsat") answer = SmtAnswer::Unsat;
    else if (!answer && line == "unknown") answer = SmtAnswer::Unknown;
    else if (answer == SmtAnswer::Unknown && line.rfind("(:reason-unknown ", 0) == 0)
      reason = line.substr(17, line.size() - 18);
    else if (!answer && error.empty() && line.rfind("(error ", 0) == 0) error = line;
  }
  if (!ended) {
    // It exited (or hung up) before the end of the query: the next one starts a new process.
    stop();
    if (!answer || *answer == SmtAnswer::Unknown) {
      reason = binary_ + " stopped without an answer" + (error.empty() ? "" : ": " + error);
      if (error.empty() && !output.empty()) reason += ": " + oneLine(output.substr(0, 200));
      return SmtAnswer::Unknown;
    }
  }
  if (!answer) {
    reason = error.empty() ? "no answer from " + binary_ : error;
    return SmtAnswer::Unknown;
  }
  if (*answer == SmtAnswer::Unknown && reason.empty()) reason = "unknown";
  return *answer;
}

CrossChecker::CrossChecker(const ir::Protocol &protocol, const Options &options, Report &report)
    : p_(protocol), options_(options), report_(report), solver_(options.crossCheckSolver, options.timeoutMs) {
  report_.crossChecked = true;
}

std::string CrossChecker::write(const PropertyResult &r, const std::string &benchmark, bool z3Sat,
                                const std::string &what, std::string &error) {
  char number[16];
  std::snprintf(number, sizeof number, "%03zu", report_.stats.crossCheckQueries);
  std::string name = p_.name + "." + number + "." + spelling(r.kind) + ".smt2";
  std::string path = options_.smtDir + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << "; carepath verify --cross-check, protocol " << p_.name << ", query " << number << "\n"
    << "; obligation: " << spelling(r.kind) << ": " << oneLine(r.message) << "\n"
    << "; " << what << "; z3 answered " << (z3Sat ? "sat" : "unsat") << "\n"
    << benchmark;
  f.close();
  if (!f) error = "cannot write " + path + ": " + std::strerror(errno);
  return path;
}

void CrossChecker::check(PropertyResult &r, const std::optional<std::string> &benchmark, const std::string &why,
                         bool z3Sat, const std::string &what) {
  if (!r.crossCheck) r.crossCheck.emplace();
  CrossCheck &c = *r.crossCheck;
  if (c.outcome != CrossCheck::Outcome::Agreed) return;
  ++c.queries;
  ++report_.stats.crossCheckQueries;
  const char *z3 = z3Sat ? "sat" : "unsat";
  std::string reason = why;
  SmtAnswer answer = SmtAnswer::Unknown;
  if (benchmark) {
    std::string error;
    if (!options_.smtDir.empty()) c.files.push_back(write(r, *benchmark, z3Sat, what, error));
    if (error.empty()) answer = solver_.ask(*benchmark, reason);
    else reason = error;
  }
  if (answer == (z3Sat ? SmtAnswer::Sat : SmtAnswer::Unsat)) return;
  const std::string original = r.message;
  r.status = Status::Unknown;
  if (answer == SmtAnswer::Unknown) {
    c.outcome = CrossCheck::Outcome::Unknown;
    c.detail = what + ": z3 " + z3 + ", cvc5 unknown (" + reason + ")";
    r.message = "cvc5 could not confirm: " + original;
  } else {
    c.outcome = CrossCheck::Outcome::Disagreed;
    c.detail = what + ": z3 " + z3 + ", cvc5 " + (answer == SmtAnswer::Sat ? "sat" : "unsat");
    r.message = "z3 and cvc5 disagree on the " + std::string(spelling(r.kind)) + " obligation: " + original;
  }
  r.reason = c.detail;
}

}  // namespace carepath::verifier
