// `carepath doc FILE [-o page.html] [--format=html|markdown]`: the review
// page of a protocol (DocPage.h), with the flowchart drawn by Graphviz and
// the verifier's results (unless --no-verify); written atomically.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>
#include <sstream>

#include "DocPage.h"
#include "Driver.h"
#include "basic/AtomicFile.h"

extern char **environ;

namespace carepath::driver {

namespace {

struct DocOptions {
  std::string file;
  std::string output = "-";
  std::string dot = "dot";
  bool noVerify = false;
  unsigned timeoutMs = 10000;
};

std::string readWhole(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// A scratch folder removed with everything in it when this goes.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    const char *tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/carepath-doc-XXXXXX";
    if (::mkdtemp(tmpl.data())) path = tmpl;
  }
  ~ScratchDir() {
    if (path.empty()) return;
    for (const char *f : {"/flowchart.dot", "/flowchart.svg", "/dot.err"}) ::unlink((path + f).c_str());
    ::rmdir(path.c_str());
  }
};

/// `PROGRAM -Tsvg` on `source`: the SVG, or nullopt with the reason.
std::optional<std::string> runDot(const std::string &program, const std::string &source, std::string &error) {
  ScratchDir dir;
  if (dir.path.empty()) {
    error = std::string("cannot create a temporary folder: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string in = dir.path + "/flowchart.dot", out = dir.path + "/flowchart.svg", err = dir.path + "/dot.err";
  {
    std::ofstream f(in, std::ios::binary);
    f << source;
    if (!f) {
      error = "cannot write '" + in + "'";
      return std::nullopt;
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string outArg = "-o" + out;
  std::vector<char *> argv = {const_cast<char *>(program.c_str()), const_cast<char *>("-Tsvg"), outArg.data(),
                              in.data(), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  std::string hint = "; install Graphviz (Debian: apt-get install graphviz), pass --dot PROGRAM, or use --format=markdown";
  if (rc != 0) {
    error = "cannot run '" + program + "': " + std::strerror(rc) + hint;
    return std::nullopt;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      error = "waiting for '" + program + "': " + std::strerror(errno);
      return std::nullopt;
    }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = readWhole(err);
    message = message.substr(0, message.find('\n'));
    error = "'" + program + "' failed" +
            (WIFEXITED(status) ? " (exit " + std::to_string(WEXITSTATUS(status)) + ")" : std::string(" (killed)")) +
            (message.empty() ? "" : ": " + message) + (WIFEXITED(status) && WEXITSTATUS(status) == 127 ? hint : "");
    return std::nullopt;
  }
  std::string svg = readWhole(out);
  if (svg.find("<svg") == std::string::npos) {
    error = "'" + program + "' wrote no SVG";
    return std::nullopt;
  }
  return svg;
}

int run(const DocOptions &o, CommandContext &ctx) {
  FrontendResult fr = ctx.runFrontend(o.file);
  if (ctx.diags().hasErrors() || !fr.protocol || !fr.ast) return kExitFindings;  // could not start
  ctx.setStarted(true);
  const ir::Protocol &p = *fr.protocol;

  std::optional<verifier::Report> report;
  if (!o.noVerify) {
    verifier::Options vo;
    vo.timeoutMs = o.timeoutMs;
    report = verifier::verify(p, vo);
    // A bug in carepath, never a finding about the protocol: no page.
    if (!report->internalErrors.empty()) {
      ctx.diags().report(DiagId::err_internal, SourceRange{}, report->internalErrors.front());
      return kExitInternal;
    }
  }
  doc::PageInput in;
  in.protocol = &p;
  in.sources = &ctx.sources();
  in.file = fr.file;
  in.fileName = o.file == "-" ? "<stdin>" : o.file;
  in.carepathVersion = version();
  in.report = report ? &*report : nullptr;
  in.references = doc::references(*fr.ast, p);
  std::string dot = doc::flowchartDot(in);

  std::string page;
  if (ctx.format() == Format::Markdown) {
    page = doc::renderMarkdown(in, dot);
  } else {
    std::string error;
    std::optional<std::string> svg = runDot(o.dot, dot, error);
    if (!svg) {
      ctx.diags().report(DiagId::err_graphviz_failed, SourceRange{}, error);
      return kExitFindings;
    }
    page = doc::renderHtml(in, doc::cleanSvg(*svg));
  }
  // With -W a front-end warning is an error, and an error writes no page.
  if (ctx.diags().hasErrors()) return kExitFindings;
  std::string error;
  if (!writeFileAtomically(o.output, page, error)) {
    ctx.diags().report(DiagId::err_cannot_write_output, SourceRange{}, error);
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

Command docCommand() {
  auto o = std::make_shared<DocOptions>();
  Command c;
  c.name = "doc";
  c.help = "Write a protocol's review page: flowchart, rules in plain words with their sources, doses, verification, gaps";
  c.formats = {Format::Html, Format::Markdown};
  c.declare = [o](CommandLine &line) {
    line.option("file", o->file, "Protocol file ('-' for standard input)", true);
    line.option("-o,--output", o->output, "Where to write the page ('-', the default: standard output)");
    line.flag("--no-verify", o->noVerify, "Do not run the verifier; the page says nothing is proved");
    line.number("--timeout", o->timeoutMs, "Verifier time limit per property, in milliseconds", 1, 3600000);
    line.option("--dot", o->dot, "The Graphviz program that draws the flowchart (default: dot, on PATH)");
  };
  c.run = [o](CommandContext &ctx) { return run(*o, ctx); };
  return c;
}

}  // namespace carepath::driver
