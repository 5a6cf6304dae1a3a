// `carepath fmt [--check] [FILE...]`: rewrites protocol files in the
// canonical layout (docs/fmt.md); `-` or no FILE formats standard input to
// standard output; --check changes nothing and prints a unified diff of
// each file that is not formatted (docs/cli.md, "fmt").
#include "Driver.h"
#include "basic/AtomicFile.h"
#include "format/Formatter.h"

namespace carepath::driver {

Command fmtCommand() {
  struct Options {
    bool check = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "fmt";
  c.help = "Rewrite protocol files in the canonical layout (only white space changes)";
  c.formats = {Format::Text};
  c.readsProtocols = false;
  c.multiFile = true;
  c.filesOptional = true;
  c.declare = [o](CommandLine &line) {
    line.flag("--check", o->check, "Change nothing; print a diff and exit 1 if a file is not formatted");
  };
  c.run = [o](CommandContext &ctx) -> int {
    const std::string &path = ctx.file();
    bool stdio = path == "-";
    std::string shown = stdio ? "<stdin>" : path;
    std::string error;
    std::optional<std::string> text = readSourceFile(path, error);
    if (!text) {
      FileId placeholder = ctx.sources().addBuffer(shown, "");
      ctx.diags().report(DiagId::err_cannot_read_file, SourceRange{placeholder, 0, 0}, error);
      return kExitFindings;
    }
    FileId file = ctx.sources().addBuffer(shown, *text);
    ctx.setStarted(true);
    format::FormatResult result = format::formatFile(file, ctx.sources(), ctx.diags());
    if (result.status == format::FormatStatus::Internal) return kExitInternal;
    if (result.status != format::FormatStatus::Ok) return kExitFindings;
    if (o->check) {
      std::string diff = format::unifiedDiff(shown, *text, result.text);
      ctx.setTextTrailer(diff, diff);
      return diff.empty() ? kExitOk : kExitFindings;
    }
    if (stdio) {
      ctx.setTextTrailer(result.text, result.text);
      return kExitOk;
    }
    if (result.text == *text) return kExitOk;  // untouched: keeps the file's time stamp
    if (!writeFileAtomically(path, result.text, error)) {
      ctx.diags().report(DiagId::err_cannot_write_output, SourceRange{}, error);
      return kExitFindings;
    }
    return kExitOk;
  };
  return c;
}

}  // namespace carepath::driver
