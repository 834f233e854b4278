// SPDX-License-Identifier: Apache-2.0
// The JSON Schema side of the schema agreement: every fixture in fixtures.json is validated
// with ajv (draft-07, Debian's node-ajv) against the published schema in schemas/, and must be
// accepted or refused as the fixture says (schema_fixtures_test.c does the same through the
// C validation). For "update" fixtures the schema's top-level "required" is dropped (PATCH).
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const [schemaDir, fixturesPath] = process.argv.slice(2);
if (!schemaDir || !fixturesPath) {
    console.error('usage: node ajv_fixtures.js SCHEMA_DIR FIXTURES.json');
    process.exit(2);
}
const ajv = new Ajv({ allErrors: true });
const schemas = {};
for (const f of fs.readdirSync(schemaDir).filter((n) => n.endsWith('.json'))) {
    schemas[f] = JSON.parse(fs.readFileSync(path.join(schemaDir, f), 'utf8'));
    ajv.addSchema(schemas[f]); // by $id, so "$ref": "image.json" resolves
}
let wrong = 0;
let checked = 0;
for (const g of JSON.parse(fs.readFileSync(fixturesPath, 'utf8'))) {
    const schema = Object.assign({}, schemas[g.schema]);
    if (!schemas[g.schema]) {
        console.error(`no schema ${g.schema}`);
        process.exit(1);
    }
    if (g.mode === 'update') {
        delete schema.required;
        schema.$id = schema.$id + '#update';
    }
    const validate = ajv.compile(schema);
    for (const [want, docs] of [[true, g.valid], [false, g.invalid]]) {
        docs.forEach((doc, i) => {
            checked++;
            if (validate(doc) === want) return;
            wrong++;
            console.error(`${g.schema} (${g.mode}): ${want ? 'valid' : 'invalid'} fixture ${i} ` +
                `${JSON.stringify(doc)} was ${want ? 'refused' : 'accepted'} by the schema` +
                (validate.errors ? `: ${ajv.errorsText(validate.errors)}` : ''));
        });
    }
}
// every schema must itself compile (also the ones without fixtures, such as error.json)
for (const f of Object.keys(schemas)) ajv.getSchema(schemas[f].$id);
console.log(`${checked} fixtures, ${wrong} disagreements with the schemas`);
process.exit(wrong === 0 ? 0 : 1);
