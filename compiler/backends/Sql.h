// The SQL export (`carepath compile --target sql`): the protocol as one
// CREATE VIEW over a table of patients (one row each, one column per input,
// NULL for a missing value), giving per patient the rules and tiers that
// fired, hit-policy violations, typed outputs and the doses, exactly.
// docs/interop.md ("SQL") documents the columns, the exact fixed-point
// encoding and the limits; tests/interop/sql-compare.py proves SQLite and
// PostgreSQL agree with `carepath eval`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::backends {

enum class SqlDialect { Sqlite, Postgres, Standard };

struct SqlOptions {
  SqlDialect dialect = SqlDialect::Sqlite;
  std::string view;                 // "" = the protocol's name
  std::string table = "patients";   // the patients table the view reads
  std::string compilerVersion;
  std::string verificationStatus = "not-verified";
};

/// How a number input is read from its column: value_canonical = x * factor
/// + offset, where x (in `unit`) has at most `scale` decimal places; the
/// view computes on x * 10^scale as an exact integer. Shared by the export
/// and `carepath audit`, which reads the same table layout.
struct SqlInputColumn {
  std::string unit;   // as the column is stated: the declared unit, or canonical ("" dimensionless)
  Rational factor = 1, offset = 0;
  int scale = 0;
  bool declared = false;  // in the author's declared unit
};
std::vector<SqlInputColumn> sqlInputColumns(const ir::Protocol &p, SqlDialect dialect);

/// The view's column for a give's amount: "decision__rule__drug" (and
/// "__high" for a range's high end); longer than PostgreSQL's 63 bytes, its
/// first 54 characters, '_' and a hash of the whole name.
std::string sqlDoseColumn(const std::string &decision, const std::string &rule, const std::string &drug, bool high);
/// The view's column for a give's contraindications that hold or may hold:
/// "decision__rule__drug__contraindicated", shortened as above.
std::string sqlContraindicationColumn(const std::string &decision, const std::string &rule, const std::string &drug);

/// Builds the SQL text (a DROP VIEW where the dialect has IF EXISTS, then
/// CREATE VIEW). What SQL cannot compute exactly is reported to `diags`
/// (located) and nullopt is returned. Deterministic text.
std::optional<std::string> emitSql(const ir::Protocol &p, const SqlOptions &options, DiagnosticEngine &diags);

}  // namespace carepath::backends
