// schema-util.mjs — pick an ajv class from a schema's "$schema" and compile it.
// Shared by validate-schema.mjs and validate-sarif.mjs.
import Ajv07 from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function ajvFor(schema, extraOpts = {}) {
  const id = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '') : '';
  const opts = { allErrors: true, strict: false, validateFormats: true, ...extraOpts };
  let ajv, draft;
  if (/json-schema\.org\/draft\/2020-12\/schema$/.test(id)) { ajv = new Ajv2020(opts); draft = '2020-12'; }
  else if (/json-schema\.org\/draft\/2019-09\/schema$/.test(id)) { ajv = new Ajv2019(opts); draft = '2019-09'; }
  else if (/json-schema\.org\/draft-07\/schema$/.test(id)) { ajv = new Ajv07(opts); draft = 'draft-07'; }
  else if (/json-schema\.org\/draft-06\/schema$/.test(id)) {
    ajv = new Ajv07(opts);
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
    draft = 'draft-06';
  } else if (/json-schema\.org\/draft-04\/schema$/.test(id)) { ajv = new AjvDraft04(opts); draft = 'draft-04'; }
  else {
    throw new Error(`unsupported or missing "$schema" (${JSON.stringify(schema.$schema)}); ` +
      'expected draft 2020-12, 2019-09, 07, 06 or 04');
  }
  addFormats(ajv);
  return { ajv, draft };
}

export function formatErrors(errors) {
  return errors.map(e => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra = e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : '';
    return `${where}: ${e.message}${extra}  [schema ${e.schemaPath}]`;
  }).join('\n');
}
