// `carepath audit PROTOCOL --csv FILE | --sqlite DB --table T | --postgres
// CONNSTR --table T`: runs a protocol over a cohort (docs/cli.md, "audit").
// The table has the layout the SQL export reads (backends/Sql.h: column
// patient_id, one column per input in the unit sqlInputColumns states, NULL
// or an empty cell for a missing value) and may record what each patient
// got: `got_<drug>` (the amount given, canonical units) and `got_<action>`
// (true / false) for the protocol's other actions. Per tier and rule: how
// many patients met it; per patient: where what they got differs from what
// the protocol says. A database is read through its own client (sqlite3,
// psql), exporting the table as CSV.
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "Output.h"
#include "backends/Sql.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"

namespace carepath::driver {

namespace {
struct AuditOptions {
  std::string file;
  std::string csv, sqlite, postgres, table;
  unsigned show = 20;
};

using Row = std::vector<std::optional<std::string>>;  // nullopt: NULL / empty cell

// RFC 4180 CSV; an empty unquoted cell is NULL, a quoted empty one "".
bool parseCsv(const std::string &text, std::vector<Row> &rows, std::string &error) {
  Row row;
  std::string cell;
  bool quoted = false, wasQuoted = false, any = false;
  size_t line = 1;
  auto endCell = [&] {
    row.push_back(cell.empty() && !wasQuoted ? std::nullopt : std::optional<std::string>(cell));
    cell.clear();
    wasQuoted = false;
  };
  for (size_t k = 0; k < text.size(); ++k) {
    char c = text[k];
    if (quoted) {
      if (c == '"' && k + 1 < text.size() && text[k + 1] == '"') cell += '"', ++k;
      else if (c == '"') quoted = false;
      else cell += c, line += c == '\n';
      continue;
    }
    any = true;
    if (c == '"' && cell.empty()) quoted = wasQuoted = true;
    else if (c == ',') endCell();
    else if (c == '\n' || c == '\r') {
      if (c == '\r' && k + 1 < text.size() && text[k + 1] == '\n') ++k;
      endCell();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
      ++line;
    } else cell += c;
  }
  if (quoted) {
    error = "unterminated quoted cell at line " + std::to_string(line);
    return false;
  }
  if (any) {
    endCell();
    rows.push_back(std::move(row));
  }
  return true;
}

std::string shellQuote(const std::string &s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a database client; its standard output, or nullopt with `error`.
std::optional<std::string> capture(const std::string &command, std::string &error) {
  FILE *f = popen((command + " 2>&1").c_str(), "r");
  if (!f) {
    error = "cannot run: " + command;
    return std::nullopt;
  }
  std::string out;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  int status = pclose(f);
  if (status != 0) {
    error = out.empty() ? "'" + command + "' failed" : out;
    while (!error.empty() && (error.back() == '\n' || error.back() == '\r')) error.pop_back();
    return std::nullopt;
  }
  return out;
}

std::string describeAmount(const ir::FiredAction &a) {
  if (!a.amount) return "given (no amount)";
  if (a.amountHigh && *a.amountHigh != *a.amount) return a.amount->decimal(6) + " .. " + a.amountHigh->decimal(6);
  return a.amount->decimal(6);
}

int run(const AuditOptions &o, CommandContext &ctx) {
  DiagnosticEngine &diags = ctx.diags();
  int sources = !o.csv.empty() + !o.sqlite.empty() + !o.postgres.empty();
  if (sources != 1) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, "give exactly one of --csv FILE, --sqlite DB, --postgres CONNSTR");
    return kExitUsage;
  }
  if (o.csv.empty() && !std::regex_match(o.table, std::regex("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?"))) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{},
                 "--table must name a table (letters, digits, '_', optionally schema.table), not '" + o.table + "'");
    return kExitUsage;
  }
  FrontendResult fr = ctx.runFrontend(o.file);
  if (diags.hasErrors() || !fr.protocol) return kExitFindings;
  const ir::Protocol &p = *fr.protocol;

  // The cohort, as CSV text.
  std::string text, error, where;
  if (!o.csv.empty()) {
    std::ifstream in(o.csv, std::ios::binary);
    if (!in) {
      diags.report(DiagId::err_cannot_read_file, SourceRange{}, "cannot read '" + o.csv + "'");
      return kExitFindings;
    }
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
    where = o.csv;
  } else {
    std::string quoted = "\"" + std::regex_replace(o.table, std::regex("\\."), "\".\"") + "\"";
    std::string cmd = !o.sqlite.empty()
                          ? "sqlite3 -bail -csv -header -nullvalue '' " + shellQuote(o.sqlite) + " " +
                                shellQuote("SELECT * FROM " + quoted + ";")
                          : "psql -X -q -v ON_ERROR_STOP=1 " + shellQuote(o.postgres) + " -c " +
                                shellQuote("COPY (SELECT * FROM " + quoted + ") TO STDOUT WITH (FORMAT csv, HEADER)");
    auto out = capture(cmd, error);
    if (!out) {
      diags.report(DiagId::err_cannot_read_file, SourceRange{}, "cannot read table '" + o.table + "': " + error);
      return kExitFindings;
    }
    text = std::move(*out);
    where = (o.sqlite.empty() ? "postgres " : o.sqlite + " ") + o.table;
  }
  std::vector<Row> rows;
  if (!parseCsv(text, rows, error) || rows.empty()) {
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, where + ": " + (error.empty() ? "no header line" : error));
    return kExitFindings;
  }
  ctx.setStarted(true);
  const Row header = rows.front();
  std::map<std::string, size_t> col;
  for (size_t k = 0; k < header.size(); ++k) col[header[k].value_or("")] = k;
  std::vector<std::string> missingColumns;
  for (const ir::Input &in : p.inputs)
    if (!col.count(in.name)) missingColumns.push_back(in.name);
  if (!col.count("patient_id")) missingColumns.insert(missingColumns.begin(), "patient_id");
  if (!missingColumns.empty()) {
    std::string list;
    for (const std::string &m : missingColumns) list += (list.empty() ? "" : ", ") + m;
    diags.report(DiagId::err_cannot_read_file, SourceRange{}, where + ": no column for " + list);
    return kExitFindings;
  }
  std::vector<backends::SqlInputColumn> units = backends::sqlInputColumns(p, backends::SqlDialect::Postgres);

  // What the protocol can do, by action name: the `got_` columns it reads.
  std::map<std::string, size_t> got;
  for (const auto &[name, k] : col)
    if (name.rfind("got_", 0) == 0) got[name.substr(4)] = k;

  // Counts: [pathway][tier], [table][rule].
  std::vector<std::vector<size_t>> tiers(p.pathways.size()), rules(p.tables.size());
  for (size_t i = 0; i < p.pathways.size(); ++i) tiers[i].assign(p.pathways[i].tiers.size(), 0);
  for (size_t i = 0; i < p.tables.size(); ++i) rules[i].assign(p.tables[i].rules.size(), 0);
  size_t patients = 0, invalid = 0, inPopulation = 0, violations = 0;
  nlohmann::ordered_json invalidRows = nlohmann::ordered_json::array(), deviations = nlohmann::ordered_json::array();
  std::ostringstream details;
  size_t deviationCount = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const Row &row = rows[r];
    if (row.size() == 1 && !row[0]) continue;  // a blank line
    ++patients;
    auto cell = [&](size_t k) -> std::optional<std::string> { return k < row.size() ? row[k] : std::nullopt; };
    std::string id = cell(col["patient_id"]).value_or("");
    nlohmann::json j = nlohmann::json::object();
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const ir::Input &in = p.inputs[i];
      auto v = cell(col[in.name]);
      // Missing: NULL, or an empty cell (sqlite3's CSV writes an imported empty cell as "").
      if (!v || (v->empty() && in.type.kind != ir::Type::Kind::String)) continue;
      switch (in.type.kind) {
        case ir::Type::Kind::Bool: {
          static const std::map<std::string, bool> words{{"1", true}, {"0", false}, {"t", true}, {"f", false},
                                                         {"true", true}, {"false", false}, {"TRUE", true}, {"FALSE", false}};
          auto w = words.find(*v);
          j[in.name] = w == words.end() ? nlohmann::json(*v) : nlohmann::json(w->second);
          break;
        }
        case ir::Type::Kind::Number:
          j[in.name] = units[i].unit.empty() ? *v : *v + " " + units[i].unit;
          break;
        default: j[in.name] = *v;
      }
    }
    std::vector<runtime::PatientError> errors;
    auto patient = ir::readPatient(p, j.dump(), errors);
    if (!patient) {
      ++invalid;
      std::string msg;
      for (const runtime::PatientError &e : errors) msg += (msg.empty() ? "" : "; ") + e.message;
      if (invalidRows.size() < o.show) invalidRows.push_back({{"patient", id}, {"line", r + 1}, {"error", msg}});
      continue;
    }
    ir::Evaluation ev;
    try {
      ev = ir::evaluate(p, *patient);
    } catch (const ir::EvalError &e) {
      ++invalid;
      if (invalidRows.size() < o.show) invalidRows.push_back({{"patient", id}, {"line", r + 1}, {"error", e.what()}});
      continue;
    }
    if (!ev.inPopulation) continue;
    ++inPopulation;
    violations += !ev.violations.empty();
    for (size_t i = 0; i < ev.tiers.size(); ++i)
      for (size_t t = 0; t < ev.tiers[i].size(); ++t) tiers[i][t] += ev.tiers[i][t];
    for (size_t i = 0; i < ev.rules.size(); ++i)
      for (size_t k = 0; k < ev.rules[i].size(); ++k) rules[i][k] += ev.rules[i][k];
    // What the protocol says, per recorded action; then what was got.
    std::map<std::string, const ir::FiredAction *> says;
    for (const ir::FiredAction &a : ev.actions)
      if (got.count(a.action->name) && !says.count(a.action->name)) says[a.action->name] = &a;
    for (const auto &[name, k] : got) {
      auto v = cell(k);
      auto it = says.find(name);
      const ir::FiredAction *a = it == says.end() ? nullptr : it->second;
      bool isGive = a ? a->action->kind == ir::ActionKind::Give : p.findDrug(name) >= 0;
      std::string expected, gotText = v && !v->empty() ? *v : std::string("NULL"), problem;
      if (isGive) {
        std::optional<Rational> amount;
        if (v && !v->empty()) {
          try {
            amount = Rational::parse(*v);
          } catch (const RationalOverflow &) {
          }
          if (!amount) { problem = "not a number"; }
        }
        bool given = amount && !amount->isZero();
        expected = a ? describeAmount(*a) : "none";
        if (problem.empty()) {
          if (a && !given) problem = "not given";
          else if (!a && given) problem = "given, the protocol gives none";
          else if (a && given && a->amount && (*amount < *a->amount || *amount > a->amountHigh.value_or(*a->amount)))
            problem = "a different amount";
        }
      } else {
        bool done = v && (*v == "1" || *v == "t" || *v == "true" || *v == "TRUE");
        expected = a ? "done" : "not done";
        if (a && !done) problem = "not done";
        else if (!a && done) problem = "done, the protocol does not say so";
      }
      if (problem.empty()) continue;
      ++deviationCount;
      if (deviations.size() < o.show) {
        deviations.push_back({{"patient", id}, {"action", name}, {"protocol", expected}, {"got", gotText}, {"problem", problem}});
        details << "  patient " << id << ": " << name << ": " << problem << " (protocol: " << expected << "; got: " << gotText << ")\n";
      }
    }
  }

  std::ostringstream out;
  out << "audit of " << p.name << " " << p.version << " over " << where << ": " << patients << " patient(s), "
      << invalid << " invalid, " << inPopulation << " in the population\n";
  nlohmann::ordered_json met = nlohmann::ordered_json::array();
  for (size_t i = 0; i < p.pathways.size(); ++i)
    for (size_t t = 0; t < p.pathways[i].tiers.size(); ++t) {
      out << "  tier " << p.pathways[i].name << "." << p.pathways[i].tiers[t].name << ": " << tiers[i][t] << "\n";
      met.push_back({{"kind", "tier"}, {"decision", p.pathways[i].name}, {"name", p.pathways[i].tiers[t].name}, {"patients", tiers[i][t]}});
    }
  for (size_t i = 0; i < p.tables.size(); ++i)
    for (size_t k = 0; k < p.tables[i].rules.size(); ++k) {
      out << "  rule " << p.tables[i].name << "." << p.tables[i].rules[k].name << ": " << rules[i][k] << "\n";
      met.push_back({{"kind", "rule"}, {"decision", p.tables[i].name}, {"name", p.tables[i].rules[k].name}, {"patients", rules[i][k]}});
    }
  if (violations) out << "hit-policy violations: " << violations << " patient(s)\n";
  for (const auto &r : invalidRows)
    out << "invalid row " << r["line"].get<size_t>() << " (patient " << r["patient"].get<std::string>() << "): " << r["error"].get<std::string>() << "\n";
  if (got.empty()) out << "no got_ columns: what patients got is not recorded\n";
  else out << deviationCount << " deviation(s) from the protocol" << (deviationCount ? ":\n" : "\n") << details.str();
  if (deviationCount > deviations.size()) out << "  ... " << deviationCount - deviations.size() << " more (--show N)\n";
  std::string summary = std::to_string(patients) + " patient(s), " + std::to_string(invalid) + " invalid, " +
                        std::to_string(deviationCount) + " deviation(s)\n";
  ctx.setTextTrailer(out.str(), summary);
  CommandPayload &payload = ctx.payload();
  payload.json["source"] = where;
  payload.json["patients"] = patients;
  payload.json["invalid"] = invalid;
  payload.json["inPopulation"] = inPopulation;
  payload.json["violations"] = violations;
  payload.json["met"] = met;
  payload.json["invalidRows"] = invalidRows;
  payload.json["recorded"] = !got.empty();
  payload.json["deviationCount"] = deviationCount;
  payload.json["deviations"] = deviations;
  payload.sarifProperties["patients"] = patients;
  payload.sarifProperties["deviations"] = deviationCount;
  return invalid || deviationCount ? kExitFindings : kExitOk;
}
}  // namespace

Command auditCommand() {
  auto o = std::make_shared<AuditOptions>();
  Command c;
  c.name = "audit";
  c.help = "Run a protocol over a cohort (CSV, SQLite or PostgreSQL table): who met each rule, who got something else";
  c.formats = {Format::Text, Format::Json};
  c.declare = [o](CommandLine &line) {
    line.option("file", o->file, "Protocol file", true);
    line.option("--csv", o->csv, "The cohort as a CSV file (header: patient_id and one column per input)");
    line.option("--sqlite", o->sqlite, "An SQLite database holding the cohort table (read with the sqlite3 client)");
    line.option("--postgres", o->postgres, "A PostgreSQL connection string (read with psql)");
    line.option("--table", o->table, "The cohort table in the database");
    line.number("--show", o->show, "How many invalid rows and deviations to list", 0, 100000);
  };
  c.run = [o](CommandContext &ctx) { return run(*o, ctx); };
  return c;
}

}  // namespace carepath::driver
