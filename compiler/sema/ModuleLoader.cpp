// Pass 1: modules. Follows every `use` from the checked file, finds the
// module's `.care` file on the search path, parses it into the
// SourceManager and repeats for its own `use`s. Reports modules not found
// (with every place looked at), import cycles (with the cycle), files that
// are protocols rather than modules, and a module header naming another
// module than the one used.
#include <algorithm>
#include <filesystem>

#include "parse/ParseFile.h"

#include "sema/SemaContext.h"

namespace carepath::sema {

namespace fs = std::filesystem;

namespace {

/// A place a module may live: the path read, and the name diagnostics show.
/// A module of the standard library root is shown as `stdlib/<name>.care`
/// wherever the root is (docs/cli.md), so messages and SARIF links never
/// name the folder carepath happens to be installed or built in.
struct Candidate {
  std::string path;
  std::string shown;
};

/// Every place `name` may live, in search order: the module path, then the
/// stdlib root.
std::vector<Candidate> candidates(const std::vector<std::string> &parts, const SemaOptions &options) {
  std::vector<Candidate> result;
  auto add = [&](const fs::path &dir, size_t first, bool stdlibRoot) {
    fs::path p = dir, rel = "stdlib";
    for (size_t i = first; i < parts.size(); ++i) p /= parts[i], rel /= parts[i];
    p += ".care";
    rel += ".care";
    std::string s = p.lexically_normal().string();
    for (const Candidate &c : result)
      if (c.path == s) return;
    result.push_back({s, stdlibRoot ? rel.string() : s});
  };
  bool stdlib = parts.size() > 1 && parts[0] == "stdlib";
  for (const std::string &dir : options.modulePath) {
    // `-I DIR` may be a stdlib root (DIR/drugs.care) or hold modules by
    // their full name (DIR/stdlib/drugs.care, DIR/a/b.care).
    if (stdlib) add(dir, 1, false);
    add(dir, 0, false);
  }
  if (stdlib && !options.stdlibDir.empty()) add(options.stdlibDir, 1, true);
  return result;
}

struct Loader {
  Analysis &a;
  std::vector<std::string> stack;  // modules being loaded, for cycles

  /// Loads module `name` (used at `use`); returns its files index or -1.
  int load(const ast::UseDecl &use) {
    const std::string name = use.module.str();
    auto known = a.moduleIndex.find(name);
    if (std::find(stack.begin(), stack.end(), name) != stack.end()) {
      std::string cycle;
      for (auto it = std::find(stack.begin(), stack.end(), name); it != stack.end(); ++it) cycle += *it + " -> ";
      a.diags.report(DiagId::err_import_cycle, use.module.range, name, cycle + name);
      return -1;
    }
    if (known != a.moduleIndex.end()) return known->second;

    std::vector<std::string> parts;
    for (const ast::Ident &p : use.module.parts) parts.push_back(p.name);
    std::vector<Candidate> looked = candidates(parts, a.options);
    std::string found, path;
    for (const Candidate &c : looked) {
      std::error_code ec;
      if (fs::is_regular_file(c.path, ec)) {
        found = c.shown;
        path = c.path;
        break;
      }
    }
    if (found.empty()) {
      auto &d = a.diags.report(DiagId::err_module_not_found, use.module.range, name);
      if (looked.empty())
        a.diags.note(d, DiagId::note_here, SourceRange{}, "no module search folder is set: pass --stdlib DIR or -I DIR");
      for (const Candidate &c : looked) a.diags.note(d, DiagId::note_looked_for, SourceRange{}, c.path);
      a.moduleIndex[name] = -1;
      return -1;
    }
    std::string error;
    std::optional<std::string> text = readSourceFile(path, error);
    if (!text) {
      a.diags.report(DiagId::err_module_unreadable, use.module.range, name, path + ": " + error);
      a.moduleIndex[name] = -1;
      return -1;
    }
    FileId id = a.sources.addBuffer(found, std::move(*text));
    unsigned errorsBefore = a.diags.errorCount();
    std::unique_ptr<ast::File> file = parse::parseFile(id, a.sources, a.diags);
    if (!file || a.diags.errorCount() != errorsBefore) {
      auto &d = a.diags.report(DiagId::err_module_has_errors, use.module.range, name);
      a.diags.note(d, DiagId::note_here, SourceRange{}, "module file: " + found);
      a.moduleIndex[name] = -1;
      return -1;
    }
    if (!file->header || file->header->kind != ast::Header::Kind::Module) {
      auto &d = a.diags.report(DiagId::err_module_is_protocol, use.module.range, name, found);
      if (file->header) a.diags.note(d, DiagId::note_here, file->header->range, "the file starts with a 'protocol' header");
      a.moduleIndex[name] = -1;
      return -1;
    }
    if (file->header->moduleName.str() != name) {
      auto &d = a.diags.report(DiagId::err_module_name_mismatch, use.module.range, name, found,
                               file->header->moduleName.str());
      a.diags.note(d, DiagId::note_here, file->header->moduleName.range, "the module names itself here");
    }
    int index = static_cast<int>(a.files.size());
    a.files.push_back(LoadedFile{file.get(), found, name, {}, false});
    a.ownedModules.push_back(std::move(file));
    a.moduleIndex[name] = index;
    stack.push_back(name);
    followUses(index);
    stack.pop_back();
    return index;
  }

  void followUses(int fileIndex) {
    const ast::File *file = a.files[fileIndex].ast;
    for (const auto &d : file->decls)
      if (auto *use = ast::dyn<ast::UseDecl>(d.get())) {
        int target = load(*use);
        a.useTarget[use] = target;
      }
  }
};

}  // namespace

void loadModules(Analysis &a) {
  Loader loader{a, {}};
  const ast::File *root = a.files[0].ast;
  if (root->header && root->header->kind == ast::Header::Kind::Module) {
    a.files[0].module = root->header->moduleName.str();
    a.moduleIndex[a.files[0].module] = 0;
    loader.stack.push_back(a.files[0].module);
  }
  loader.followUses(0);
}

}  // namespace carepath::sema
