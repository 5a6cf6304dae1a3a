// IR -> SQL view (see Sql.h and docs/interop.md, "SQL").
//
// Numbers are exact fixed point: every numeric SQL expression is an integer
// n standing for n / 10^scale in the canonical unit, with the scale known at
// export time. Sums align scales, products add them, a division by a
// constant multiplies by its reciprocal when that is a finite decimal, and a
// comparison with a rational constant compares the integer with the
// constant's floor or ceiling, so no bound is rounded. SQLite has no exact
// decimal type (NUMERIC affinity stores REAL or INTEGER), so there the
// integers are 64-bit INTEGERs and the export bounds every intermediate
// value from the inputs' ranges, refusing what could overflow; PostgreSQL
// and standard SQL compute on NUMERIC / DECIMAL, exact as well.
//
// Missing values are NULL and SQL's AND / OR / NOT are Kleene's tables
// (docs/semantics.md); `if`, `known`, counting and min / max are written
// with CASE so that NULL behaves as the evaluator's missing value.
//
// The view is a chain of common table expressions: the inputs read and
// checked (cp_in), the defines by depth (cp_d1, ...), when each rule and
// tier fires (cp_fire), the fixed-point values (cp_val), then the columns.
#include "backends/Sql.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "backends/Decimals.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

namespace {

using Kind = ir::Type::Kind;

// Refusal: what cannot be written exactly, where.
struct Refuse {
  SourceRange range;
  std::string what;
};

// SQLite's INTEGER is 64 bits; the largest magnitude any intermediate
// integer may reach (with margin). PostgreSQL NUMERIC has no such limit;
// standard DECIMAL has at least 38 digits on the engines docs/interop.md names.
constexpr double kSqliteLimit = 9.0e18;
constexpr double kDecimalLimit = 1.0e37;
// SQLite reads a number input as a double; x * 10^scale must be below
// 2^53 to be an exact integer there.
constexpr double kDoubleExact = 9.0e15;
// The most decimal places a number input's column may carry.
constexpr int kInputScale = 6;

std::string pow10(int k) { return "1" + std::string(static_cast<size_t>(k), '0'); }

std::string quote(const std::string &name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string literal(const std::string &s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string join(const std::vector<std::string> &v, const std::string &sep) {
  std::string out;
  for (size_t k = 0; k < v.size(); ++k) out += (k ? sep : "") + v[k];
  return out;
}


double maxAbs(const ir::Input &in) {
  if (!in.lo || !in.hi) return NAN;
  return std::max(std::fabs(in.lo->toDouble()), std::fabs(in.hi->toDouble()));
}

// A numeric SQL expression: the integer n in `sql` stands for n / 10^scale.
struct Num {
  std::string sql;
  int scale = 0;
  double mag = 0;  // an upper bound of |n|
};

}  // namespace

namespace {
// A column's name within PostgreSQL's 63 bytes (sqlDoseColumn).
std::string columnName(const std::string &name) {
  if (name.size() <= 63) return name;
  // PostgreSQL truncates identifiers to 63 bytes: a long name keeps its
  // start and ends with a hash of the whole (FNV-1a), deterministic.
  uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", h);
  return name.substr(0, 54) + "_" + hex;
}
}  // namespace

std::string sqlDoseColumn(const std::string &decision, const std::string &rule, const std::string &drug, bool high) {
  return columnName(decision + "__" + rule + "__" + drug + (high ? "__high" : ""));
}

std::string sqlContraindicationColumn(const std::string &decision, const std::string &rule, const std::string &drug) {
  return columnName(decision + "__" + rule + "__" + drug + "__contraindicated");
}

std::vector<SqlInputColumn> sqlInputColumns(const ir::Protocol &p, SqlDialect dialect) {
  std::vector<SqlInputColumn> out(p.inputs.size());
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    SqlInputColumn &c = out[i];
    if (in.type.kind != Kind::Number) continue;
    const ir::Unit &du = in.displayUnit;
    // The declared unit when it converts exactly in fixed point (a finite
    // decimal factor and offset), else the canonical unit.
    if (!du.name.empty() && du.factor.sign() > 0 && decimalPlaces(du.factor) && decimalPlaces(du.offset)) {
      c.unit = du.name;
      c.factor = du.factor;
      c.offset = du.offset;
      c.declared = true;
    } else {
      c.unit = in.type.dim.dimensionless() ? "" : ir::canonicalUnitName(p, in.type.dim);
    }
    c.scale = in.type.integer && c.factor == Rational(1) && c.offset.isZero() ? 0 : kInputScale;
    if (dialect == SqlDialect::Sqlite) {
      // x * 10^scale must stay an exact integer in a double.
      double m = maxAbs(in);
      double inUnit = std::isnan(m) ? 1e9 : (m + std::fabs(c.offset.toDouble())) / c.factor.toDouble();
      while (c.scale > 0 && inUnit * std::pow(10.0, c.scale) >= kDoubleExact) --c.scale;
    }
  }
  return out;
}

namespace {

class SqlWriter {
public:
  SqlWriter(const ir::Protocol &p, const SqlOptions &o) : p_(p), o_(o), columns_(sqlInputColumns(p, o.dialect)) {
    limit_ = o.dialect == SqlDialect::Sqlite ? kSqliteLimit : kDecimalLimit;
  }

  std::string document() {
    const std::string view = o_.view.empty() ? p_.name : o_.view;
    // --- cp_in: the inputs, read, checked and converted.
    std::vector<std::string> inCols{quote("patient_id")}, errors;
    inputNums_.resize(p_.inputs.size());
    for (size_t i = 0; i < p_.inputs.size(); ++i) inCols.push_back(readInput(static_cast<int>(i), errors) + " AS i" + std::to_string(i));
    inCols.push_back(errors.empty() ? "CAST(NULL AS VARCHAR(200)) AS cp_error"
                                    : "CASE " + join(errors, " ") + " END AS cp_error");
    std::vector<std::string> ctes;
    ctes.push_back(stage("cp_in", join(inCols, ",\n    "), quote(o_.table)));
    std::string prev = "cp_in";

    // --- the defines, by depth (a define reads only shallower ones).
    std::vector<int> depth(p_.defines.size(), -1);
    int maxDepth = 0;
    for (size_t d = 0; d < p_.defines.size(); ++d) maxDepth = std::max(maxDepth, defineDepth(static_cast<int>(d), depth));
    defineNums_.resize(p_.defines.size());
    for (int level = 1; level <= maxDepth; ++level) {
      std::vector<std::string> cols{prev + ".*"};
      for (size_t d = 0; d < p_.defines.size(); ++d) {
        if (depth[d] != level) continue;
        const ir::Define &def = p_.defines[d];
        std::string sql;
        if (def.value->type.kind == Kind::Number) {
          Num n = num(*def.value);
          defineNums_[d] = n;
          sql = n.sql;
        } else {
          sql = value(*def.value);
        }
        cols.push_back(sql + " AS d" + std::to_string(d));
      }
      std::string name = "cp_d" + std::to_string(level);
      ctes.push_back(stage(name, join(cols, ",\n    "), prev));
      prev = name;
    }

    // --- cp_pop: in the population (a row with an error is not); cp_fire:
    // when each tier and rule fires (outside the population nothing does).
    std::string pop = p_.population ? "COALESCE(" + cond(*p_.population) + ", FALSE)" : "TRUE";
    ctes.push_back(stage("cp_pop", prev + ".*, (cp_error IS NULL AND " + pop + ") AS cp_pop", prev));
    std::vector<std::string> fireCols{"cp_pop.*"};
    std::vector<Decision> decisions = collectDecisions();
    for (size_t d = 0; d < decisions.size(); ++d)
      for (size_t r = 0; r < decisions[d].rules.size(); ++r)
        fireCols.push_back("(cp_pop AND COALESCE(" + cond(*decisions[d].fire[r]) + ", FALSE)) AS " + fireName(d, r));
    ctes.push_back(stage("cp_fire", join(fireCols, ",\n    "), "cp_pop"));

    // --- cp_val: the fixed-point values of doses and number outputs.
    std::vector<std::string> valCols{"cp_fire.*"};
    std::vector<std::string> out{quote("patient_id"), "cp_error AS " + quote("carepath_error"),
                                 "cp_pop AS " + quote("in_population")};
    std::vector<std::string> header;
    std::set<std::string> names{"patient_id", "carepath_error", "in_population"};
    auto column = [&](const std::string &name, SourceRange at, const std::string &what) {
      if (name.size() > 63)
        throw Refuse{at, "its column name '" + name + "' is longer than 63 characters (PostgreSQL's limit); use shorter names"};
      if (!names.insert(name).second)
        throw Refuse{at, "its column name '" + name + "' is already taken by another column; rename one of them"};
      header.push_back("--   " + name + ": " + what);
    };
    if (!p_.assumptions.empty()) {
      // The assumptions the patient violates (ir::assumptionViolated),
      // whether in the population or not, as the runtime reports them.
      std::vector<std::string> parts;
      for (const ir::Assumption &a : p_.assumptions)
        parts.push_back("CASE WHEN " + cond(*ir::assumptionViolated(a)) + " THEN " + literal("," + a.name) + " ELSE '' END");
      column("assumptions_violated", p_.assumptions.front().range,
             "population assumptions the patient violates, by name (rows of " + assumptionsView(view) +
                 "), comma-separated in the protocol's order ('' none; NULL: the row is not a valid patient)");
      out.push_back("CASE WHEN cp_error IS NULL THEN SUBSTR(" + join(parts, " || ") + ", 2) END AS " +
                    quote("assumptions_violated"));
    }
    int valIndex = 0;
    for (size_t d = 0; d < decisions.size(); ++d) {
      const Decision &dc = decisions[d];
      // The fired rules, in written order, comma-separated ('' when none).
      std::vector<std::string> parts;
      for (size_t r = 0; r < dc.rules.size(); ++r)
        parts.push_back("CASE WHEN " + fireName(d, r) + " THEN " + literal("," + dc.rules[r].name) + " ELSE '' END");
      column(dc.name, dc.range, std::string(dc.pathway ? "tiers" : "rules") + " that fired, comma-separated in written order ('' when none)");
      out.push_back("SUBSTR(" + (parts.empty() ? std::string("''") : join(parts, " || ")) + ", 2) AS " + quote(dc.name));
      column(dc.name + "__violation", dc.range, "hit-policy violation (" + std::string(spelling(dc.hit)) + ")");
      out.push_back(violation(d, dc) + " AS " + quote(dc.name + "__violation"));
      for (size_t r = 0; r < dc.rules.size(); ++r) {
        std::set<std::string> drugs;
        for (const ir::Action &a : *dc.rules[r].actions) {
          ir::GivenAmount amount = ir::givenAmount(a);
          if (!amount) continue;
          if (!drugs.insert(a.name).second)
            throw Refuse{a.range, "'" + a.name + "' is given twice by one rule; one column holds one amount"};
          std::string unit = ir::canonicalUnitName(p_, amount.low->type.dim);
          std::vector<std::pair<std::string, ir::ExprRef>> ends{{sqlDoseColumn(dc.name, dc.rules[r].name, a.name, false), amount.low}};
          if (amount.isRange()) ends.push_back({sqlDoseColumn(dc.name, dc.rules[r].name, a.name, true), amount.high});
          for (auto &[name, e] : ends) {
            // "amount of DRUG by DECISION.RULE [(high end)]": what a reader
            // (tests/sql/sql-compare.py) matches against the fired actions.
            column(name, a.range, "amount of " + a.name + " by " + dc.name + "." + dc.rules[r].name +
                                      (ends.size() > 1 ? (e == amount.low ? " (low end)" : " (high end)") : "") +
                                      (unit.empty() ? "" : " in " + unit) + (a.basis.str().empty() ? "" : " " + a.basis.str()) +
                                      (a.taperHi ? ", the full amount before a taper" : ""));
            Num n = num(*e);
            std::string v = "v" + std::to_string(valIndex++);
            valCols.push_back("CASE WHEN " + offered(d, r, a) + " THEN " + n.sql + " END AS " + v);
            out.push_back(format(v, n.scale) + " AS " + quote(name));
          }
        }
      }
      for (size_t r = 0; r < dc.rules.size(); ++r) contraindicationColumns(d, dc, r, column, out);
      if (dc.table) {
        for (size_t o = 0; o < dc.table->outputs.size(); ++o) {
          const ir::Output &output = dc.table->outputs[o];
          if (!carepath::hasSingleOutput(dc.table->hit, dc.table->aggregation)) {
            // A list (rule order, plain collect): one column holds one
            // value; the fired rules are in the table's column.
            header.push_back("--   (output " + output.name + " of " + dc.name + " is a list, one value per fired rule: no column)");
            continue;
          }
          std::string name = dc.name + "__" + output.name;
          column(name, output.range, "output " + output.name);
          ir::ExprRef e = ir::outputValue(*dc.table, static_cast<int>(o));
          if (output.type.kind == Kind::Number) {
            Num n = num(*e);
            std::string v = "v" + std::to_string(valIndex++);
            valCols.push_back("CASE WHEN cp_pop THEN " + n.sql + " END AS " + v);
            out.push_back(format(v, n.scale) + " AS " + quote(name));
          } else {
            out.push_back("CASE WHEN cp_pop THEN " + value(*e) + " END AS " + quote(name));
          }
        }
      }
    }
    ctes.push_back(stage("cp_val", join(valCols, ",\n    "), "cp_fire"));

    std::ostringstream x;
    x << "-- carepath protocol " << p_.name << " " << p_.version << " (verification: " << o_.verificationStatus
      << "), SQL dialect " << dialectName() << ".\n";
    x << "-- Generated by carepath " << o_.compilerVersion << "; do not edit. docs/interop.md (\"SQL\") describes it.\n";
    x << "-- Reads table " << quote(o_.table) << ": one row per patient, column patient_id (any type) and\n";
    x << "-- one column per input, NULL where a value is missing:\n";
    for (size_t i = 0; i < p_.inputs.size(); ++i) x << "--   " << p_.inputs[i].name << ": " << describeInput(static_cast<int>(i)) << "\n";
    x << "-- View " << quote(view) << ", one row per patient: patient_id; carepath_error (NULL, or why the row\n";
    x << "-- is not a valid patient: then nothing fires); in_population; then\n";
    for (const std::string &h : header) x << h << "\n";
    x << "-- Amounts and number outputs are exact decimals in canonical units";
    x << (o_.dialect == SqlDialect::Sqlite ? " (TEXT, built from 64-bit integers).\n" : " (NUMERIC).\n");
    if (o_.dialect != SqlDialect::Standard) x << "DROP VIEW IF EXISTS " << quote(view) << ";\n";
    x << "CREATE VIEW " << quote(view) << " AS\nWITH\n" << join(ctes, ",\n") << "\nSELECT\n  " << join(out, ",\n  ")
      << "\nFROM cp_val;\n";
    x << codes(view);
    x << contraindications(view);
    x << assumptions(view);
    return x.str();
  }

private:
  // A view of constant rows (codes, contraindications, assumptions): the
  // rows' SELECTs under one CREATE VIEW, after a DROP where the dialect has
  // IF EXISTS.
  // The first row names the columns.
  std::string listView(const std::string &name, const std::vector<const char *> &columns,
                       const std::vector<std::vector<std::string>> &cellRows) const {
    std::vector<std::string> rows;
    for (std::vector<std::string> cells : cellRows) {
      if (rows.empty())
        for (size_t j = 0; j < cells.size() && j < columns.size(); ++j) cells[j] += " AS " + quote(columns[j]);
      rows.push_back("SELECT " + join(cells, ", "));
    }
    std::string x;
    if (o_.dialect != SqlDialect::Standard) x += "DROP VIEW IF EXISTS " + quote(name) + ";\n";
    return x + "CREATE VIEW " + quote(name) + " AS\n" + join(rows, "\nUNION ALL ") + ";\n";
  }

  // One stage of the view's WITH chain. SQLite and PostgreSQL would flatten
  // the chain into the outer query, substituting each column's expression
  // into every use: a define read by ten rules, or a `first` table's rule
  // read by every later one, is then computed again at each use (Kawasaki:
  // 185 patients/s on SQLite). MATERIALIZED computes each stage once per row
  // (60x faster on a whole table; docs/interop.md, "Performance"). The
  // standard dialect has no such hint.
  std::string stage(const std::string &name, const std::string &columns, const std::string &from) const {
    const char *hint = o_.dialect == SqlDialect::Standard ? "" : "MATERIALIZED ";
    return name + " AS " + hint + "(\n  SELECT " + columns + "\n  FROM " + from + "\n)";
  }


  // The terminology codes as a second view, VIEW__codes: one row per
  // `code` declaration (`position` its declaration order), so an audit can
  // join the fired rules' drugs and actions, and the inputs, to their codes.
  // None when the protocol declares no code.
  std::string codes(const std::string &view) const {
    if (p_.codes.empty()) return "";
    const std::string name = view + "__codes";
    if (name.size() > 63)
      throw Refuse{p_.codes.front().range, "the codes view's name '" + name + "' is longer than 63 characters (PostgreSQL's limit)"};
    auto text = [](const std::optional<std::string> &v) { return v ? literal(*v) : std::string("CAST(NULL AS VARCHAR(200))"); };
    std::vector<std::vector<std::string>> rows;
    for (size_t k = 0; k < p_.codes.size(); ++k) {
      const ir::CodeBinding &c = p_.codes[k];
      auto part = [&](std::string ir::Coding::*m) { return c.coding ? std::optional<std::string>((*c.coding).*m) : std::nullopt; };
      rows.push_back({std::to_string(k + 1), literal(ir::spelling(c.target)), literal(c.name),
                      text(part(&ir::Coding::system)), text(part(&ir::Coding::code)),
                      text(part(&ir::Coding::display)), text(c.unspecified)});
    }
    std::ostringstream x;
    x << "-- View " << quote(name) << ": the protocol's terminology codes, one row per `code` declaration:\n";
    x << "--   position (declaration order), target (input, member, drug, route, action), name (a member:\n";
    x << "--   INPUT.MEMBER), system (canonical URI), code, display; or unspecified (the reason; the others NULL).\n";
    x << listView(name, {"position", "target", "name", "system", "code", "display", "unspecified"}, rows);
    return x.str();
  }

  struct Decision {
    std::string name;
    bool pathway = false;
    const ir::Table *table = nullptr;
    ir::HitPolicy hit = ir::HitPolicy::Unique;
    struct Rule {
      std::string name;
      const std::vector<ir::Action> *actions;
      const std::vector<ir::ExprRef> *outputs;
      SourceRange range;
    };
    std::vector<Rule> rules;
    std::vector<ir::ExprRef> matched, fire;  // fire: with the population
    SourceRange range;
  };

  const char *dialectName() const {
    switch (o_.dialect) {
      case SqlDialect::Sqlite: return "sqlite";
      case SqlDialect::Postgres: return "postgres";
      case SqlDialect::Standard: return "standard";
    }
    return "standard";
  }

  static std::string fireName(size_t d, size_t r) { return "f" + std::to_string(d) + "_" + std::to_string(r); }
  // Whether action `a` of rule r of decision d is offered (ir::offered,
  // the one definition): the rule fires and its `unless` is known false. A
  // withheld give has no amount and no contraindications.
  std::string offered(size_t d, size_t r, const ir::Action &a) {
    if (!a.unless) return fireName(d, r);
    return "(" + fireName(d, r) + " AND COALESCE(" + cond(*ir::offered(a, nullptr)) + ", FALSE))";
  }
  // The view's name for the drugs' contraindications (VIEW__contraindications).
  std::string contraindicationsView(const std::string &view) const { return view + "__contraindications"; }
  // Position (from 1) of drug d's first contraindication in that view: the
  // drugs in order, each drug's in order (the compiled table's order).
  int firstContraindication(int d) const {
    int k = 1;
    for (int i = 0; i < d; ++i) k += static_cast<int>(p_.drugs[i].contraindications.size());
    return k;
  }
  // Per give of a drug with contraindications (docs/interop.md, "SQL"):
  // NULL when it is not offered (its rule does not fire, or its `unless`
  // is not known false); else those of its drug's contraindications that
  // hold ("K:true") or may hold ("K:unknown": a missing value),
  // comma-separated in the drug's order, '' when none does: what the
  // runtime reports (docs/runtime.md, "Contraindications").
  template <typename Column>
  void contraindicationColumns(size_t d, const Decision &dc, size_t r, Column &column, std::vector<std::string> &out) {
    std::set<std::string> drugs;
    const std::string view = contraindicationsView(o_.view.empty() ? p_.name : o_.view);
    for (const ir::Action &a : *dc.rules[r].actions) {
      if (a.kind != ir::ActionKind::Give || a.drug < 0 || p_.drugs[a.drug].contraindications.empty()) continue;
      if (!drugs.insert(a.name).second)
        throw Refuse{a.range, "'" + a.name + "' is given twice by one rule; one column holds its contraindications"};
      std::string name = sqlContraindicationColumn(dc.name, dc.rules[r].name, a.name);
      column(name, a.range,
             "contraindications of " + a.name + " by " + dc.name + "." + dc.rules[r].name +
                 " that hold (K:true) or may hold (K:unknown), K the position in " + view +
                 ", comma-separated ('' none; NULL: not offered)");
      std::vector<std::string> parts;
      int k = firstContraindication(a.drug);
      for (const ir::Contraindication &c : p_.drugs[a.drug].contraindications) {
        std::string when = cond(*c.when), pos = std::to_string(k++);
        parts.push_back("CASE WHEN " + when + " IS NULL THEN " + literal("," + pos + ":unknown") + " WHEN " + when +
                        " THEN " + literal("," + pos + ":true") + " ELSE '' END");
      }
      out.push_back("CASE WHEN " + offered(d, r, a) + " THEN SUBSTR(" + join(parts, " || ") + ", 2) END AS " + quote(name));
    }
  }
  // The drugs' contraindications as a view, VIEW__contraindications: one
  // row each (position, drug, condition as written, note, citations
  // comma-separated), for the contraindication columns' positions. None
  // when no drug has one.
  std::string contraindications(const std::string &view) const {
    const std::string name = contraindicationsView(view);
    std::vector<std::vector<std::string>> rows;
    for (size_t d = 0; d < p_.drugs.size(); ++d)
      for (const ir::Contraindication &c : p_.drugs[d].contraindications) {
        rows.push_back({std::to_string(rows.size() + 1), literal(p_.drugs[d].name), literal(ir::toString(p_, *c.when)),
                        literal(c.note), literal(join(c.citations, ","))});
      }
    if (rows.empty()) return "";
    if (name.size() > 63)
      throw Refuse{p_.drugs.front().range, "the contraindications view's name '" + name + "' is longer than 63 characters (PostgreSQL's limit)"};
    std::ostringstream x;
    x << "-- View " << quote(name) << ": the drugs' contraindications, one row each: position (the\n";
    x << "--   contraindication columns' K), drug, condition (as written), note, citations (comma-separated).\n";
    x << listView(name, {"position", "drug", "condition", "note", "citations"}, rows);
    return x.str();
  }

  // The view's name for the population assumptions (VIEW__assumptions).
  static std::string assumptionsView(const std::string &view) { return view + "__assumptions"; }
  // The population assumptions as a view, VIEW__assumptions: one row each,
  // in the protocol's order (position, name, condition as written, note,
  // citations comma-separated, unspecified: why nothing is cited, else
  // NULL). None when the protocol has none.
  std::string assumptions(const std::string &view) const {
    if (p_.assumptions.empty()) return "";
    const std::string name = assumptionsView(view);
    if (name.size() > 63)
      throw Refuse{p_.assumptions.front().range, "the assumptions view's name '" + name + "' is longer than 63 characters (PostgreSQL's limit)"};
    std::vector<std::vector<std::string>> rows;
    for (const ir::Assumption &a : p_.assumptions) {
      rows.push_back({std::to_string(rows.size() + 1), literal(a.name), literal(ir::toString(p_, *a.condition)),
                      literal(a.note), literal(join(a.citations, ",")),
                      a.unspecified ? literal(*a.unspecified) : std::string("CAST(NULL AS VARCHAR(200))")});
    }
    std::ostringstream x;
    x << "-- View " << quote(name) << ": the population assumptions, one row each in the protocol's order:\n";
    x << "--   position, name (as the assumptions_violated column names it), condition (as written), note,\n";
    x << "--   citations (comma-separated), unspecified (why nothing is cited; else NULL).\n";
    x << listView(name, {"position", "name", "condition", "note", "citations", "unspecified"}, rows);
    return x.str();
  }

  // Pathways first, then tables: the runtime's order.
  std::vector<Decision> collectDecisions() {
    std::vector<Decision> out;
    for (size_t pi = 0; pi < p_.pathways.size(); ++pi) {
      const ir::Pathway &pw = p_.pathways[pi];
      Decision d{pw.name, true, nullptr, ir::kPathwayHitPolicy, {}, {}, {}, pw.range};
      for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
        const ir::Tier &t = pw.tiers[ti];
        d.rules.push_back({t.name, &t.actions, nullptr, t.range});
        ir::ExprRef g = p_.tierGuard(static_cast<int>(pi), static_cast<int>(ti));
        d.matched.push_back(g);
        d.fire.push_back(g);
      }
      out.push_back(std::move(d));
    }
    for (const ir::Table &t : p_.tables) {
      Decision d{t.name, false, &t, t.hit, {}, {}, {}, t.range};
      std::vector<ir::ExprRef> fired = ir::rulesFire(t);
      for (size_t r = 0; r < t.rules.size(); ++r) {
        d.rules.push_back({t.rules[r].name, &t.rules[r].actions, &t.rules[r].outputs, t.rules[r].range});
        d.matched.push_back(t.rules[r].guard ? ir::build::isTrue(t.rules[r].guard) : ir::build::boolean(true));
        d.fire.push_back(fired[r]);
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  // Whether the decision's hit policy is violated: `unique` (and a
  // pathway's tiers): two or more match; `any`: two matching rules differ
  // in what they give (decided at export; refused where it depends on
  // the patient).
  std::string violation(size_t d, const Decision &dc) {
    if (dc.hit == ir::HitPolicy::Unique) {
      if (dc.rules.size() < 2) return "FALSE";
      std::vector<std::string> ones;
      for (size_t r = 0; r < dc.rules.size(); ++r) ones.push_back("CASE WHEN " + fireName(d, r) + " THEN 1 ELSE 0 END");
      return "(" + join(ones, " + ") + " >= 2)";
    }
    if (dc.hit == ir::HitPolicy::Any) {
      std::vector<std::string> pairs;
      for (size_t a = 0; a < dc.rules.size(); ++a)
        for (size_t b = a + 1; b < dc.rules.size(); ++b)
          if (differ(dc, a, b))
            pairs.push_back("(COALESCE(" + cond(*dc.matched[a]) + ", FALSE) AND COALESCE(" + cond(*dc.matched[b]) + ", FALSE))");
      if (pairs.empty()) return "FALSE";
      return "(cp_pop AND (" + join(pairs, " OR ") + "))";
    }
    return "FALSE";
  }

  // Whether two rules of an `any` table give different actions or outputs
  // whatever the patient; refused when it depends on the patient.
  bool differ(const Decision &dc, size_t a, size_t b) {
    const auto &ra = dc.rules[a], &rb = dc.rules[b];
    if (ra.actions->size() != rb.actions->size()) return true;
    for (size_t k = 0; k < ra.actions->size(); ++k) {
      const ir::Action &x = (*ra.actions)[k], &y = (*rb.actions)[k];
      if (ir::actionIdentity(x) != ir::actionIdentity(y)) return true;
      ir::GivenAmount gx = ir::givenAmount(x), gy = ir::givenAmount(y);
      if (!gx && !gy) continue;
      if (!gx || !gy) return true;
      if (sameText(gx.low, gy.low) && sameText(gx.high, gy.high)) continue;
      throw Refuse{rb.range, "whether its amount of '" + y.name + "' equals rule '" + ra.name +
                                 "''s depends on the patient (hit any); the SQL export decides `any` violations at export time"};
    }
    if (ra.outputs && rb.outputs)
      for (size_t o = 0; o < ra.outputs->size(); ++o) {
        const ir::ExprRef &x = (*ra.outputs)[o], &y = (*rb.outputs)[o];
        if (sameText(x, y)) continue;
        if (x->op == ir::Op::Const && y->op == ir::Op::Const && !x->constant.missing && !y->constant.missing) return true;
        throw Refuse{rb.range, "whether its outputs equal rule '" + ra.name +
                                   "''s depends on the patient (hit any); the SQL export decides `any` violations at export time"};
      }
    return false;
  }

  bool sameText(const ir::ExprRef &a, const ir::ExprRef &b) { return ir::toString(p_, *a) == ir::toString(p_, *b); }

  int defineDepth(int d, std::vector<int> &depth) {
    if (depth[d] >= 0) return depth[d];
    depth[d] = 0;  // a cycle cannot happen (sema); guards the recursion
    int deepest = 0;
    std::function<void(const ir::Expr &)> walk = [&](const ir::Expr &e) {
      if (e.op == ir::Op::Define) deepest = std::max(deepest, defineDepth(e.index, depth));
      for (const ir::ExprRef &a : e.args) walk(*a);
    };
    walk(*p_.defines[d].value);
    return depth[d] = deepest + 1;
  }

  std::string describeInput(int i) {
    const ir::Input &in = p_.inputs[i];
    std::string s;
    switch (in.type.kind) {
      case Kind::Bool: s = o_.dialect == SqlDialect::Sqlite ? "bool (1 true, 0 false)" : "BOOLEAN"; break;
      case Kind::Enum: s = "text, one of " + join(p_.enums[in.type.enumType].members, ", "); break;
      case Kind::String: s = "text"; break;
      case Kind::Number: {
        const SqlInputColumn &c = columns_[i];
        s = std::string(in.type.integer ? "integer" : "number") + (c.unit.empty() ? "" : " in " + c.unit) +
            (c.declared ? "" : " (canonical unit)") + ", at most " + std::to_string(c.scale) + " decimal places";
        if (in.lo && in.hi)
          s += ", " + ((*in.lo - c.offset) / c.factor).decimal(12) + " .. " + ((*in.hi - c.offset) / c.factor).decimal(12);
        break;
      }
    }
    if (in.optional) s += "; optional (NULL: missing)";
    return s;
  }

  // cp_in's column for input i (numbers: canonical fixed point), and the
  // checks that make a row an invalid patient (carepath_error), in order.
  std::string readInput(int i, std::vector<std::string> &errors) {
    const ir::Input &in = p_.inputs[i];
    std::string x = quote(in.name);
    if (!in.optional) errors.push_back("WHEN " + x + " IS NULL THEN " + literal("input " + in.name + " is missing"));
    switch (in.type.kind) {
      case Kind::Bool:
        if (o_.dialect == SqlDialect::Sqlite) {
          errors.push_back("WHEN " + x + " NOT IN (0, 1) THEN " + literal("input " + in.name + " is not a bool (0 or 1)"));
          return "CASE WHEN " + x + " IS NULL THEN NULL WHEN " + x + " = 1 THEN TRUE ELSE FALSE END";
        }
        return x;
      case Kind::Enum: {
        std::vector<std::string> members;
        for (const std::string &m : p_.enums[in.type.enumType].members) members.push_back(literal(m));
        errors.push_back("WHEN " + x + " NOT IN (" + join(members, ", ") + ") THEN " +
                         literal("input " + in.name + " is not one of its members"));
        return x;
      }
      case Kind::String: return x;
      case Kind::Number: break;
    }
    const SqlInputColumn &c = columns_[i];
    std::string scaled;  // x * 10^scale, an exact integer for a valid row
    if (o_.dialect == SqlDialect::Sqlite) {
      double inUnit = kDoubleExact / std::pow(10.0, c.scale);
      std::ostringstream bound;
      bound.precision(17);
      bound << inUnit;
      scaled = "CAST(round(" + x + " * " + pow10(c.scale) + ") AS INTEGER)";
      errors.push_back("WHEN typeof(" + x + ") NOT IN ('integer', 'real', 'null') THEN " + literal("input " + in.name + " is not a number"));
      errors.push_back("WHEN abs(" + x + ") >= " + bound.str() + " THEN " + literal("input " + in.name + " is out of range"));
      // Exact: the double of the decimal with `scale` places is the value
      // read (both are the double nearest that decimal).
      errors.push_back("WHEN " + scaled + " / " + pow10(c.scale) + ".0 <> " + x + " THEN " +
                       literal("input " + in.name + " has more than " + std::to_string(c.scale) + " decimal places"));
    } else {
      // The check compares the value with itself rounded (no product that
      // could overflow); then the value is widened to the widest standard
      // precision before it is scaled: engines that infer a product's
      // precision from its operands' (DuckDB: DECIMAL(18) for a DECIMAL(18, 6)
      // column) would otherwise overflow. For a valid row both are exact.
      std::string places = std::to_string(c.scale);
      errors.push_back("WHEN " + x + " <> " + (c.scale ? "ROUND(" + x + ", " + places + ")" : "FLOOR(" + x + ")") +
                       " THEN " + literal("input " + in.name + " has more than " + places + " decimal places"));
      std::string raw = c.scale ? "(CAST(" + x + " AS DECIMAL(38, " + places + ")) * " + pow10(c.scale) + ")" : x;
      scaled = "CAST(" + raw + " AS DECIMAL(38, 0))";
    }
    // canonical = x * factor + offset, in fixed point.
    double m = maxAbs(in);
    double inUnit = std::isnan(m) ? kDoubleExact / std::pow(10.0, c.scale) : (m + std::fabs(c.offset.toDouble())) / c.factor.toDouble();
    Num n{scaled, c.scale, inUnit * std::pow(10.0, c.scale)};
    if (c.factor != Rational(1)) n = mul(n, constant(c.factor, in.range), in.range);
    if (!c.offset.isZero()) n = add(n, constant(c.offset, in.range), "+", in.range);
    inputNums_[i] = Num{"i" + std::to_string(i), n.scale, n.mag};
    if (in.lo) errors.push_back("WHEN " + compareConst(n, ir::Op::Lt, *in.lo, in.range) + " THEN " + literal("input " + in.name + " is out of range"));
    if (in.hi) errors.push_back("WHEN " + compareConst(n, ir::Op::Gt, *in.hi, in.range) + " THEN " + literal("input " + in.name + " is out of range"));
    return n.sql;
  }

  // ---------------------------------------------------------------- numbers

  Num checked(Num n, SourceRange at) {
    if (!(n.mag < limit_))
      throw Refuse{at, o_.dialect == SqlDialect::Sqlite
                           ? "an intermediate value may exceed SQLite's 64-bit integers in exact fixed point; narrow the inputs' ranges"
                           : "an intermediate value may exceed 38 decimal digits; narrow the inputs' ranges"};
    return n;
  }

  Num constant(const Rational &c, SourceRange at) {
    auto places = decimalPlaces(c);
    if (!places)
      throw Refuse{at, "the constant " + c.str() + " (canonical units) has no finite decimal form; write it as a finite decimal"};
    Rational scaled;
    try {
      scaled = times10(c, *places);
    } catch (const RationalOverflow &) {
      throw Refuse{at, "the constant " + c.str() + " has too many digits"};
    }
    std::string s = std::to_string(scaled.num());
    if (scaled.num() < 0) s = "(" + s + ")";
    return checked(Num{s, *places, std::fabs(static_cast<double>(scaled.num()))}, at);
  }

  Num rescale(const Num &n, int to, SourceRange at) {
    if (to <= n.scale) return n;
    return checked(Num{"(" + n.sql + " * " + pow10(to - n.scale) + ")", to, n.mag * std::pow(10.0, to - n.scale)}, at);
  }

  Num add(Num a, Num b, const std::string &op, SourceRange at) {
    int s = std::max(a.scale, b.scale);
    a = rescale(a, s, at);
    b = rescale(b, s, at);
    return checked(Num{"(" + a.sql + " " + op + " " + b.sql + ")", s, a.mag + b.mag}, at);
  }

  Num mul(const Num &a, const Num &b, SourceRange at) {
    return checked(Num{"(" + a.sql + " * " + b.sql + ")", a.scale + b.scale, a.mag * b.mag}, at);
  }

  // A comparison of fixed point n with a rational constant, exactly: with
  // C = c * 10^scale not an integer, n < C is n <= floor(C), and so on.
  std::string compareConst(const Num &n, ir::Op op, const Rational &c, SourceRange at) {
    Rational C;
    try {
      C = times10(c, n.scale);
    } catch (const RationalOverflow &) {
      throw Refuse{at, "the constant " + c.str() + " has too many digits for exact fixed point"};
    }
    auto lit = [](int64_t v) { return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v); };
    if (C.isInteger()) {
      static const std::map<ir::Op, std::string> ops{{ir::Op::Eq, "="}, {ir::Op::Ne, "<>"}, {ir::Op::Lt, "<"},
                                                     {ir::Op::Le, "<="}, {ir::Op::Gt, ">"}, {ir::Op::Ge, ">="}};
      return "(" + n.sql + " " + ops.at(op) + " " + lit(C.num()) + ")";
    }
    int64_t fl = floorOf(C);
    switch (op) {
      case ir::Op::Lt:
      case ir::Op::Le: return "(" + n.sql + " <= " + lit(fl) + ")";
      case ir::Op::Gt:
      case ir::Op::Ge: return "(" + n.sql + " > " + lit(fl) + ")";
      case ir::Op::Eq: return "CASE WHEN " + n.sql + " IS NULL THEN NULL ELSE FALSE END";
      case ir::Op::Ne: return "CASE WHEN " + n.sql + " IS NULL THEN NULL ELSE TRUE END";
      default: break;
    }
    throw Refuse{at, "internal: not a comparison"};
  }

  static ir::Op flip(ir::Op op) {
    switch (op) {
      case ir::Op::Lt: return ir::Op::Gt;
      case ir::Op::Le: return ir::Op::Ge;
      case ir::Op::Gt: return ir::Op::Lt;
      case ir::Op::Ge: return ir::Op::Le;
      default: return op;
    }
  }

  static bool isNumberConst(const ir::Expr &e) { return e.op == ir::Op::Const && e.type.kind == Kind::Number && !e.constant.missing; }

  std::string compare(const ir::Expr &e) {
    const ir::Expr &a = *e.args.at(0), &b = *e.args.at(1);
    if (isNumberConst(b)) return compareConst(num(a), e.op, b.constant.number, e.range);
    if (isNumberConst(a)) return compareConst(num(b), flip(e.op), a.constant.number, e.range);
    Num x = num(a), y = num(b);
    int s = std::max(x.scale, y.scale);
    x = rescale(x, s, e.range);
    y = rescale(y, s, e.range);
    static const std::map<ir::Op, std::string> ops{{ir::Op::Eq, "="}, {ir::Op::Ne, "<>"}, {ir::Op::Lt, "<"},
                                                   {ir::Op::Le, "<="}, {ir::Op::Gt, ">"}, {ir::Op::Ge, ">="}};
    return "(" + x.sql + " " + ops.at(e.op) + " " + y.sql + ")";
  }

  Num num(const ir::Expr &e) {
    if (e.type.kind != Kind::Number) throw Refuse{e.range, "internal: a number was expected"};
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return Num{"NULL", 0, 0};
        return constant(e.constant.number, e.range);
      case ir::Op::Input: return inputNums_.at(e.index);
      case ir::Op::Define: return Num{"d" + std::to_string(e.index), defineNums_.at(e.index).scale, defineNums_.at(e.index).mag};
      case ir::Op::Add:
      case ir::Op::Sub: return add(num(*e.args.at(0)), num(*e.args.at(1)), e.op == ir::Op::Add ? "+" : "-", e.range);
      case ir::Op::Mul: return mul(num(*e.args.at(0)), num(*e.args.at(1)), e.range);
      case ir::Op::Div: {
        const ir::Expr &b = *e.args.at(1);
        if (!isNumberConst(b))
          throw Refuse{e.range, "'" + ir::toString(p_, e) + "' divides by a value that is not a constant; exact fixed point divides only by constants"};
        if (b.constant.number.isZero()) throw Refuse{e.range, "'" + ir::toString(p_, e) + "' divides by zero"};
        Rational inv = Rational(1) / b.constant.number;
        if (!decimalPlaces(inv))
          throw Refuse{e.range, "'" + ir::toString(p_, e) + "' divides by " + b.constant.number.str() +
                                    ", whose reciprocal has no finite decimal form"};
        return mul(num(*e.args.at(0)), constant(inv, e.range), e.range);
      }
      case ir::Op::Neg: {
        Num a = num(*e.args.at(0));
        return Num{"(-" + a.sql + ")", a.scale, a.mag};
      }
      case ir::Op::Min:
      case ir::Op::Max: {
        std::vector<Num> xs;
        int s = 0;
        for (const ir::ExprRef &a : e.args) {
          xs.push_back(num(*a));
          s = std::max(s, xs.back().scale);
        }
        std::vector<std::string> parts, nulls;
        double mag = 0;
        for (Num &x : xs) {
          x = rescale(x, s, e.range);
          parts.push_back(x.sql);
          nulls.push_back(x.sql + " IS NULL");
          mag = std::max(mag, x.mag);
        }
        if (parts.size() == 1) return xs[0];
        // SQLite's min()/max() are NULL when an argument is; LEAST and
        // GREATEST skip NULLs, so a missing operand is tested first.
        if (o_.dialect == SqlDialect::Sqlite)
          return Num{std::string(e.op == ir::Op::Min ? "min(" : "max(") + join(parts, ", ") + ")", s, mag};
        return Num{"CASE WHEN " + join(nulls, " OR ") + " THEN NULL ELSE " + (e.op == ir::Op::Min ? "LEAST(" : "GREATEST(") +
                       join(parts, ", ") + ") END",
                   s, mag};
      }
      case ir::Op::If: {
        Num a = num(*e.args.at(1)), b = num(*e.args.at(2));
        int s = std::max(a.scale, b.scale);
        a = rescale(a, s, e.range);
        b = rescale(b, s, e.range);
        return Num{"CASE WHEN " + cond(*e.args.at(0)) + " THEN " + a.sql + " ELSE " + b.sql + " END", s, std::max(a.mag, b.mag)};
      }
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not arithmetic SQL can compute"};
  }

  // ---------------------------------------------------------------- conditions and values

  // A Bool, Enum or String expression; NULL when missing.
  std::string value(const ir::Expr &e) {
    if (e.type.kind == Kind::Bool) return cond(e);
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return "NULL";
        if (e.type.kind == Kind::Enum) return literal(p_.enums.at(e.type.enumType).members.at(e.constant.member));
        if (e.type.kind == Kind::String) return literal(e.constant.text);
        break;
      case ir::Op::Input: return "i" + std::to_string(e.index);
      case ir::Op::Define: return "d" + std::to_string(e.index);
      case ir::Op::If:
        return "CASE WHEN " + cond(*e.args.at(0)) + " THEN " + value(*e.args.at(1)) + " ELSE " + value(*e.args.at(2)) + " END";
      default: break;
    }
    if (e.type.kind == Kind::Number) return num(e).sql;
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a value SQL can compute"};
  }

  std::string cond(const ir::Expr &e) {
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return "NULL";
        return e.constant.boolean ? "TRUE" : "FALSE";
      case ir::Op::Input: return "i" + std::to_string(e.index);
      case ir::Op::Define: return "d" + std::to_string(e.index);
      case ir::Op::Not: return "(NOT " + cond(*e.args.at(0)) + ")";
      case ir::Op::And:
      case ir::Op::Or: {
        std::vector<std::string> parts;
        for (const ir::ExprRef &a : e.args) parts.push_back(cond(*a));
        return "(" + join(parts, e.op == ir::Op::And ? " AND " : " OR ") + ")";
      }
      case ir::Op::Eq:
      case ir::Op::Ne:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        return "(" + value(*e.args.at(0)) + (e.op == ir::Op::Eq ? " = " : " <> ") + value(*e.args.at(1)) + ")";
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        break;
      case ir::Op::Known: return "(" + value(*e.args.at(0)) + " IS NOT NULL)";
      case ir::Op::IsTrue: return "COALESCE(" + cond(*e.args.at(0)) + ", FALSE)";
      case ir::Op::If:
        return "CASE WHEN " + cond(*e.args.at(0)) + " THEN " + cond(*e.args.at(1)) + " ELSE " + cond(*e.args.at(2)) + " END";
      case ir::Op::Count: {
        std::vector<std::string> t, u;
        for (const ir::ExprRef &a : e.args) {
          std::string c = cond(*a);
          t.push_back("CASE WHEN " + c + " THEN 1 ELSE 0 END");
          u.push_back("CASE WHEN " + c + " IS NULL THEN 1 ELSE 0 END");
        }
        std::string least = "(" + join(t, " + ") + ")", most = "(" + join(t, " + ") + " + " + join(u, " + ") + ")";
        std::string k = std::to_string(e.index);
        switch (e.counting) {
          case Counting::AtLeast: return "CASE WHEN " + least + " >= " + k + " THEN TRUE WHEN " + most + " < " + k + " THEN FALSE END";
          case Counting::AtMost: return "CASE WHEN " + most + " <= " + k + " THEN TRUE WHEN " + least + " > " + k + " THEN FALSE END";
          case Counting::Exactly:
            return "CASE WHEN " + least + " = " + k + " AND " + most + " = " + k + " THEN TRUE WHEN " + least + " > " + k +
                   " OR " + most + " < " + k + " THEN FALSE END";
        }
        break;
      }
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a condition SQL can compute"};
  }

  // A fixed-point column as an exact decimal: SQLite text from integer
  // arithmetic; NUMERIC times an exact power of ten elsewhere.
  std::string format(const std::string &v, int scale) {
    if (scale == 0) return o_.dialect == SqlDialect::Sqlite ? "CAST(" + v + " AS TEXT)" : v;
    if (o_.dialect == SqlDialect::Sqlite)
      return "CASE WHEN " + v + " IS NULL THEN NULL ELSE (CASE WHEN " + v + " < 0 THEN '-' ELSE '' END) || (abs(" + v +
             ") / " + pow10(scale) + ") || '.' || substr('" + std::string(static_cast<size_t>(scale), '0') + "' || (abs(" + v +
             ") % " + pow10(scale) + "), -" + std::to_string(scale) + ") END";
    return "(" + v + " * 0." + std::string(static_cast<size_t>(scale - 1), '0') + "1)";
  }

  const ir::Protocol &p_;
  const SqlOptions &o_;
  std::vector<SqlInputColumn> columns_;
  std::vector<Num> inputNums_, defineNums_;
  double limit_ = kSqliteLimit;
};

}  // namespace

std::optional<std::string> emitSql(const ir::Protocol &p, const SqlOptions &options, DiagnosticEngine &diags) {
  SqlWriter w(p, options);
  try {
    return w.document();
  } catch (const Refuse &r) {
    diags.report(DiagId::err_sql_not_exact, r.range, r.what);
    return std::nullopt;
  }
}

}  // namespace carepath::backends
