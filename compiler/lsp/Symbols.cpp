// The outline: one DocumentSymbol per declaration, tiers, rules, outputs
// and enum members as children.
#include <algorithm>

#include "lsp/Server.h"

namespace carepath::lsp {

namespace {
// LSP SymbolKind values.
enum Kind : int {
  kModule = 2, kNamespace = 3, kPackage = 4, kClass = 5, kProperty = 7, kField = 8, kEnum = 10, kInterface = 11,
  kFunction = 12, kVariable = 13, kConstant = 14, kString = 15, kBoolean = 17, kObject = 19, kKey = 20, kEnumMember = 22,
  kStruct = 23, kEvent = 24
};

struct Outline {
  const SourceManager &sources;
  LineIndex lines;

  json symbol(const std::string &name, const std::string &detail, int kind, SourceRange whole, SourceRange selection) {
    if (!selection.valid()) selection = whole;
    json s = {{"name", name.empty() ? std::string("(unnamed)") : name},
              {"kind", kind},
              {"range", lines.range(whole.begin, std::max(whole.end, selection.end))},
              {"selectionRange", lines.range(selection.begin, selection.end)}};
    if (!detail.empty()) s["detail"] = detail;
    return s;
  }
};
}  // namespace

json documentSymbols(const ast::File &file, const SourceManager &sources) {
  Outline o{sources, LineIndex(sources.text(file.file))};
  json out = json::array();
  if (file.header) {
    const ast::Header &h = *file.header;
    bool module = h.kind == ast::Header::Kind::Module;
    out.push_back(o.symbol(module ? h.moduleName.str() : h.name.name, module ? "module" : "protocol " + h.version,
                           module ? kModule : kNamespace, h.range, module ? h.moduleName.range : h.name.range));
  }
  for (const auto &d : file.decls) {
    const ast::Decl *decl = d.get();
    if (auto *x = ast::dyn<ast::UseDecl>(decl)) {
      out.push_back(o.symbol(x->module.str(), "use", kPackage, x->range, x->module.range));
    } else if (auto *x = ast::dyn<ast::SourceDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, x->text, kString, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::DimensionDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "dimension", kInterface, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::UnitDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "unit", kKey, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::SubstanceDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "substance", kObject, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::InputDecl>(decl)) {
      json s = o.symbol(x->name.name, "input", x->type.members.empty() ? kVariable : kEnum, x->range, x->name.range);
      json children = json::array();
      for (const ast::Ident &m : x->type.members) children.push_back(o.symbol(m.name, "", kEnumMember, m.range, m.range));
      if (!children.empty()) s["children"] = children;
      out.push_back(std::move(s));
    } else if (auto *x = ast::dyn<ast::DefineDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "define", kConstant, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::AssumeDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "assumption", kBoolean, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::DrugDecl>(decl)) {
      out.push_back(o.symbol(x->name.name, "drug", kClass, x->range, x->name.range));
    } else if (auto *x = ast::dyn<ast::PathwayDecl>(decl)) {
      json s = o.symbol(x->name.name, "pathway", kStruct, x->range, x->name.range);
      json children = json::array();
      for (const ast::Tier &t : x->tiers) children.push_back(o.symbol(t.name.name, "tier", kField, t.range, t.name.range));
      s["children"] = children;
      out.push_back(std::move(s));
    } else if (auto *x = ast::dyn<ast::TableDecl>(decl)) {
      json s = o.symbol(x->name.name, "table", kStruct, x->range, x->name.range);
      json children = json::array();
      for (const ast::OutputDecl &output : x->outputs)
        children.push_back(o.symbol(output.name.name, "output", kProperty, output.range, output.name.range));
      for (const ast::Rule &r : x->rules) children.push_back(o.symbol(r.name.name, "rule", kField, r.range, r.name.range));
      s["children"] = children;
      out.push_back(std::move(s));
    } else if (auto *x = ast::dyn<ast::VerifyDecl>(decl)) {
      out.push_back(o.symbol("verify", std::to_string(x->properties.size()) + " properties", kEvent, x->range, SourceRange{}));
    } else if (auto *x = ast::dyn<ast::ExampleDecl>(decl)) {
      out.push_back(o.symbol(x->name, "example", kFunction, x->range, x->nameRange));
    }
  }
  return out;
}

}  // namespace carepath::lsp
