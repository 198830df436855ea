import * as fs from 'fs';
import { loadSchema, SCHEMA_FILE, serializeSchema } from '../../src/verify/schema';
import { deriveSchema, JsiiAssembly, snakeCase } from '../../src/verify/schema-derive';

describe('provider schema', () => {
  const schema = loadSchema();

  it('is the one the installed @cdktf/provider-aws generates (run scripts/gen-schema.ts after an upgrade)', () => {
    const started = performance.now();
    const assembly = JSON.parse(fs.readFileSync(require.resolve('@cdktf/provider-aws/.jsii'), 'utf8')) as JsiiAssembly;
    const { schema: derived } = deriveSchema(assembly);
    const deriveMs = performance.now() - started;
    const loadStarted = performance.now();
    JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    const loadMs = performance.now() - loadStarted;
    console.log(`schema: derive from .jsii ${deriveMs.toFixed(0)} ms, load committed copy ${loadMs.toFixed(0)} ms`);
    expect(derived.packageVersion).toBe(require('@cdktf/provider-aws/package.json').version);
    expect(serializeSchema(derived) === fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(true);
  });

  it('pins the provider version the package was generated from', () => {
    expect(schema.providerVersion).toBe('6.25.0');
  });

  it('knows arguments, their types and whether they are required', () => {
    const queue = schema.resources.aws_sqs_queue;
    expect(queue.a.kms_master_key_id).toEqual(['string', 'o']);
    expect(queue.a.visibility_timeout_seconds).toEqual(['number', 'o']);
    expect(queue.a.arn).toEqual(['string', 'c']);
    expect(queue.a.url).toEqual(['string', 'c']);
    expect(schema.resources.aws_lambda_function.a.function_name).toEqual(['string', 'r']);
    expect(schema.resources.aws_lambda_function.a.architectures).toEqual(['list(string)', 'o']);
    expect(schema.dataSources.aws_iam_policy_document.a.json).toEqual(['string', 'c']);
  });

  it('knows nested blocks with their own computed attributes', () => {
    const replica = schema.resources.aws_dynamodb_table.b!.replica;
    expect(replica).toMatchObject({ n: 'list', m: 'o' });
    expect(replica.s.a.region_name).toEqual(['string', 'r']);
    expect(replica.s.a.arn).toEqual(['string', 'c']);
    expect(schema.resources.aws_dynamodb_table.b!.point_in_time_recovery.n).toBe('single');
    expect(schema.resources.aws_vpc_endpoint.b!.dns_entry).toMatchObject({ n: 'list', m: 'c' });
  });

  it('uses Terraform names where the generator renamed a property', () => {
    // cdktf calls these `selfAttribute` and `addressLine1`.
    expect(schema.resources.aws_default_security_group.b!.ingress.s.a.self).toEqual(['bool', 'o']);
    expect(schema.resources.aws_account_primary_contact.a.address_line_1).toEqual(['string', 'r']);
    expect(snakeCase('kmsMasterKeyId')).toBe('kms_master_key_id');
  });
});
