// Runs the SQL export (standard dialect) in DuckDB (@duckdb/node-api), for
// tests/sql/sql-compare.py --engine duckdb:
//   node duckdb-run.mjs SETUP.sql PATIENTS.csv VIEW.sql OUT.csv
// SETUP.sql creates table `patients`; PATIENTS.csv (header, an empty
// unquoted cell is NULL) is copied into it; VIEW.sql creates the view; its
// rows, ordered by patient_id, go to OUT.csv with every value quoted (an
// unquoted empty cell is NULL). Prints the query's seconds.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [setup, patients, view, out] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(readFileSync(setup, 'utf8'));
await c.run(`COPY patients FROM '${patients}' (HEADER, NULLSTR '')`);
const sql = readFileSync(view, 'utf8');
await c.run(sql);
const name = /^CREATE VIEW "([^"]+)"/m.exec(sql)[1];
const t0 = process.hrtime.bigint();
await c.run(`COPY (SELECT * FROM "${name}" ORDER BY patient_id) TO '${out}' (HEADER, FORCE_QUOTE *)`);
console.log(Number(process.hrtime.bigint() - t0) / 1e9);
