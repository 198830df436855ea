/**
 * Regenerates src/verify/aws-provider-schema.json from the installed @cdktf/provider-aws.
 * Run after upgrading the provider package: `npx tsx scripts/gen-schema.ts`.
 * `npx tsx scripts/gen-schema.ts --check` exits 1 when the committed copy is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deriveSchema, JsiiAssembly } from '../src/verify/schema-derive';
import { SCHEMA_FILE, serializeSchema } from '../src/verify/schema';

const assemblyFile = require.resolve('@cdktf/provider-aws/.jsii');
const started = Date.now();
const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf8')) as JsiiAssembly;
const { schema } = deriveSchema(assembly);
const text = serializeSchema(schema);
const ms = Date.now() - started;
const relative = path.relative(process.cwd(), SCHEMA_FILE);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
  if (current !== text) {
    console.error(`${relative} is stale for @cdktf/provider-aws ${schema.packageVersion}: run npx tsx scripts/gen-schema.ts`);
    process.exit(1);
  }
  console.log(`${relative} is current (${ms} ms to derive)`);
} else {
  fs.writeFileSync(SCHEMA_FILE, text);
  console.log(
    `${relative}: aws ${schema.providerVersion} (@cdktf/provider-aws ${schema.packageVersion}), ` +
      `${Object.keys(schema.resources).length} resources, ${Object.keys(schema.dataSources).length} data sources, ` +
      `${text.length} bytes, ${ms} ms`,
  );
}
