// A JavaScript consumer of the installed package (<prefix>/share/carepath/js,
// tests/install/run.cmake): loads the table, evaluates the patient and
// prints each give's dose, as the C and C++ consumers do.
//   node consumer.mjs PACKAGE_DIR TABLE.json PATIENT.json
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkg, table, patient] = process.argv.slice(2);
const carepath = await import(pathToFileURL(path.join(pkg, "index.mjs")).href);
const t = carepath.load(fs.readFileSync(table, "utf8"));
const r = t.evaluate(JSON.parse(fs.readFileSync(patient, "utf8")));
for (const a of r.actions) if (a.kind === "give") console.log(`${a.name} ${a.display}`);
