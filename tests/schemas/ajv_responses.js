// SPDX-License-Identifier: Apache-2.0
// The published response schemas against what the API really answers: every JSON answer the
// API integration test received (kept in DLCS_SCHEMA_SAMPLES) is validated against the schema
// of its @type, and each Collection member against its own. An answer whose @type has no
// schema fails: every kind of answer must be published.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const [schemaDir, sampleDir] = process.argv.slice(2);
const byType = {
    'vocab:Customer': 'customer-resource.json',
    'vocab:Key': 'key-resource.json',
    'vocab:Space': 'space-resource.json',
    'vocab:Image': 'image-resource.json',
    'vocab:Batch': 'batch-resource.json',
    'vocab:CustomerQueue': 'customer-queue.json',
    'vocab:CustomerOriginStrategy': 'origin-strategy-resource.json',
    'vocab:DeliveryChannelPolicy': 'delivery-channel-policy-resource.json',
    'vocab:CustomerStorage': 'customer-storage.json',
    'vocab:NamedQuery': 'named-query-resource.json',
    'vocab:ImageStorage': 'image-storage.json',
    'vocab:OriginStrategyType': 'origin-strategy-type.json',
    'vocab:EntryPoint': 'entry-point.json',
    'vocab:DefaultDeliveryChannelPolicy': 'default-delivery-channel-policy.json',
    Collection: 'collection.json',
    Error: 'error.json',
};
const ajv = new Ajv({ allErrors: true });
for (const f of fs.readdirSync(schemaDir).filter((n) => n.endsWith('.json')))
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemaDir, f), 'utf8')), f);

let checked = 0;
const problems = [];
function check(doc, where) {
    let schema = byType[doc['@type']];
    const ctx = String(doc['@context'] || '');
    if (ctx.startsWith('http://iiif.io/api/')) return; // IIIF documents: their own tests
    if (!doc['@type'] && 'count' in doc && 'message' in doc) schema = 'delete-images-result.json';
    if (!schema) {
        problems.push(`${where}: no schema for @type ${JSON.stringify(doc['@type'])}`);
        return;
    }
    checked++;
    const validate = ajv.getSchema(schema);
    if (!validate(doc))
        problems.push(`${where} (${schema}): ${ajv.errorsText(validate.errors)}`);
    if (doc['@type'] === 'Collection')
        (doc.member || []).forEach((m, i) => check(m, `${where} member ${i}`));
}
const samples = fs.readdirSync(sampleDir).filter((n) => n.endsWith('.json')).sort();
if (samples.length === 0) {
    console.error(`no samples in ${sampleDir}: run the API integration test first`);
    process.exit(1);
}
for (const f of samples) check(JSON.parse(fs.readFileSync(path.join(sampleDir, f), 'utf8')), f);
problems.forEach((p) => console.error(p));
console.log(`${samples.length} answers, ${checked} documents checked, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
