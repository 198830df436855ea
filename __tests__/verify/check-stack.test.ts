import { checkStack, failuresOf, formatReport, Report } from '../../src/verify';
import { bucket, bucketPolicy, goodStack, HANDLER_CALLS } from './fixtures/good-stack';

const check = (json: Record<string, any>): Report => checkStack(json, { handlerCalls: HANDLER_CALLS });
const brief = (r: Report, kind: string): string[] => failuresOf(r, kind).map((f) => `${f.address} ${f.attribute}: ${f.message}`);

describe('checkStack on the complete fixture stack', () => {
  it('passes every check and counts what it checked', () => {
    const report = check(goodStack());
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.resources).toBe(58);
    expect(report.dataSources).toBe(12);
    expect(report.referencesResolved).toBeGreaterThan(150);
    expect(report.iam).toEqual([expect.objectContaining({ function: 'aws_lambda_function.processor', role: 'aws_iam_role.processor', callsKnown: true })]);
  });

  it('shows the suppressed code-signing rule with its reason', () => {
    const report = check(goodStack());
    expect(report.suppressed).toEqual([expect.objectContaining({ rule: 'CKV_AWS_272', address: 'aws_lambda_function.processor' })]);
    expect(formatReport(report)).toMatch(/Suppressed:\n {2}CKV_AWS_272 {2}aws_lambda_function\.processor code_signing_config_arn: Code is bundled/);
  });
});

describe('deliberately broken copies', () => {
  it('fails on a misspelled attribute, naming the resource, the attribute and the likely spelling', () => {
    const json = goodStack();
    const queue = json.resource.aws_sqs_queue.task;
    queue.visibility_timeout = queue.visibility_timeout_seconds;
    delete queue.visibility_timeout_seconds;
    const report = check(json);
    expect(report.ok).toBe(false);
    expect(brief(report, 'schema')).toEqual(['aws_sqs_queue.task visibility_timeout: unknown argument (did you mean "visibility_timeout_seconds"?)']);
  });

  it('fails on a dangling reference', () => {
    const json = goodStack();
    json.resource.aws_lambda_event_source_mapping.processor.event_source_arn = '${aws_sqs_queue.tasks.arn}';
    expect(brief(check(json), 'reference')).toEqual([
      'aws_lambda_event_source_mapping.processor event_source_arn: ${aws_sqs_queue.tasks.arn} names aws_sqs_queue.tasks, which is not declared in this stack',
    ]);
  });

  it('fails on an unencrypted queue', () => {
    const json = goodStack();
    delete json.resource.aws_sqs_queue.task.kms_master_key_id;
    const rules = failuresOf(check(json), 'rules');
    expect(rules.map((f) => [f.check, f.address, f.attribute])).toEqual([
      ['CKV_AWS_27', 'aws_sqs_queue.task', 'kms_master_key_id'],
      ['CKV2_AWS_73', 'aws_sqs_queue.task', 'kms_master_key_id'],
    ]);
  });

  it('fails on an SDK call the role does not grant', () => {
    const calls = { processor: [...HANDLER_CALLS.processor, { action: 'sqs:SendMessage', resource: { address: 'aws_sqs_queue.task_dlq' } }] };
    const report = checkStack(goodStack(), { handlerCalls: calls });
    expect(brief(report, 'iam')).toEqual([
      'aws_lambda_function.processor role: handler call sqs:SendMessage needs sqs:SendMessage on aws_sqs_queue.task_dlq.arn, which aws_iam_role.processor does not allow',
    ]);
  });

  it('fails on an attribute the referenced type does not have', () => {
    const json = goodStack();
    json.resource.aws_ssm_parameter.task_table_name.value = '${aws_dynamodb_table.tasks.table_name}';
    expect(brief(check(json), 'reference')).toEqual([
      'aws_ssm_parameter.task_table_name value: aws_dynamodb_table.tasks has no attribute "table_name"',
    ]);
  });

  it('reads nested computed attributes through tolist(), as cdktf writes them', () => {
    const json = goodStack();
    json.resource.aws_ssm_parameter.lease_seconds.value = '${tolist(aws_dynamodb_table.tasks.replica).0.arn}';
    expect(check(json).failures).toEqual([]);
    json.resource.aws_ssm_parameter.lease_seconds.value = '${tolist(aws_dynamodb_table.tasks.replica).0.arnn}';
    expect(brief(check(json), 'reference')).toEqual(['aws_ssm_parameter.lease_seconds value: aws_dynamodb_table.tasks.replica has no attribute "arnn"']);
  });

  it('fails on a reference cycle through depends_on', () => {
    const json = goodStack();
    json.resource.aws_iam_role_policy.processor.depends_on = ['aws_lambda_function.processor'];
    expect(brief(check(json), 'reference')).toEqual([
      'aws_iam_role_policy.processor : dependency cycle: aws_iam_role_policy.processor -> aws_lambda_function.processor -> aws_iam_role_policy.processor',
    ]);
  });

  it('fails on a required argument that is missing and on a wrongly shaped value', () => {
    const json = goodStack();
    delete json.resource.aws_lambda_function.processor.function_name;
    json.resource.aws_lambda_function.processor.timeout = { seconds: 45 };
    json.resource.aws_lambda_function.processor.architectures = 'arm64';
    expect(brief(check(json), 'schema').sort()).toEqual([
      'aws_lambda_function.processor architectures: must be a list (list(string)), got a string',
      'aws_lambda_function.processor function_name: required argument is missing',
      'aws_lambda_function.processor timeout: must be a number, got an object',
    ]);
  });

  it('fails on an addOverride that writes a list index as an object key', () => {
    const json = goodStack();
    // What `addOverride('replica.0.point_in_time_recovery', true)` on a set block synthesizes.
    json.resource.aws_dynamodb_table.tasks.replica = { 0: { point_in_time_recovery: true } };
    const schema = brief(check(json), 'schema');
    expect(schema).toContain('aws_dynamodb_table.tasks replica.0: unknown argument');
    expect(schema).toContain('aws_dynamodb_table.tasks replica.region_name: required argument is missing');
  });

  it('fails when a computed attribute is set', () => {
    const json = goodStack();
    json.resource.aws_sqs_queue.task.url = 'https://example.invalid';
    expect(brief(check(json), 'schema')).toEqual(['aws_sqs_queue.task url: is computed by the provider and cannot be set']);
  });

  it('fails when the stack pins another aws provider version than the schema', () => {
    const json = goodStack();
    json.terraform.required_providers.aws.version = '6.30.0';
    expect(brief(check(json), 'schema')).toEqual([
      'terraform required_providers.aws.version: pins aws 6.30.0, but the schema is aws 6.25.0: regenerate it with scripts/gen-schema.ts',
    ]);
  });

  it('fails on an unknown resource type with a suggestion', () => {
    const json = goodStack();
    json.resource.aws_sqs_queues = { extra: { provider: 'aws.primary' } };
    expect(brief(check(json), 'schema')).toEqual(['aws_sqs_queues.extra : unknown resource type in aws 6.25.0 (did you mean aws_sqs_queue?)']);
  });

  it('fails on a provider alias that is not configured and on a resource without provider', () => {
    const json = goodStack();
    json.resource.aws_sns_topic.success.provider = 'aws.secondary';
    delete json.resource.aws_sns_topic.failure.provider;
    const report = check(json);
    expect(brief(report, 'reference')).toEqual(['aws_sns_topic.success provider: provider "aws.secondary" is not configured in this stack']);
    expect(failuresOf(report, 'rules').map((f) => `${f.check} ${f.address}`)).toEqual(['TAP_PROVIDER_EXPLICIT aws_sns_topic.failure']);
  });

  it('fails when a primary-region resource uses a replica-region key', () => {
    const json = goodStack();
    json.resource.aws_sns_topic.success.kms_master_key_id = '${aws_kms_replica_key.replica.arn}';
    expect(brief(check(json), 'reference')).toEqual([
      'aws_sns_topic.success kms_master_key_id: us-east-1 resource refers to aws_kms_replica_key.replica.arn in us-west-2; AWS needs both in one region here',
    ]);
  });

  it('fails when a global-table replica uses a key of another region', () => {
    const json = goodStack();
    json.resource.aws_dynamodb_table.locks.replica[0].kms_key_arn = '${aws_kms_key.primary.arn}';
    const report = check(json);
    expect(brief(report, 'reference')).toEqual(['aws_dynamodb_table.locks replica[0].kms_key_arn: key aws_kms_key.primary is in us-east-1, the replica is in us-west-2']);
    expect(failuresOf(report, 'rules').map((f) => f.check)).toEqual(['TAP_DDB_REPLICA']);
  });

  it('fails on an undeclared variable and on count.index outside a counted block', () => {
    const json = goodStack();
    json.resource.aws_ssm_parameter.lease_seconds.value = '${count.index}';
    json.resource.aws_ssm_parameter.lock_table_name.value = '${var.lock_table}';
    expect(brief(check(json), 'reference').sort()).toEqual([
      'aws_ssm_parameter.lease_seconds value: ${count.index} is used in a block without count',
      'aws_ssm_parameter.lock_table_name value: ${var.lock_table} names nothing declared in this stack',
    ]);
    json.variable = { lock_table: { type: 'string' } };
    json.resource.aws_ssm_parameter.lease_seconds.count = 1;
    expect(brief(check(json), 'reference')).toEqual([]);
  });

  it('reports an unterminated expression instead of throwing', () => {
    const json = goodStack();
    json.resource.aws_ssm_parameter.lease_seconds.value = '${aws_sqs_queue.task.arn';
    expect(brief(check(json), 'reference')).toEqual(['aws_ssm_parameter.lease_seconds value: unterminated ${ in "${aws_sqs_queue.task.arn"']);
  });

  it('rejects input that is not a stack object, naming the bad part', () => {
    expect(() => checkStack([] as unknown as Record<string, unknown>)).toThrow('the stack must be a JSON object (a parsed cdk.tf.json)');
    expect(() => checkStack({ resource: { aws_sqs_queue: ['x'] } })).toThrow('"resource.aws_sqs_queue" must be an object of named blocks');
  });

  it('notes a suppression that matched nothing', () => {
    const json = goodStack();
    json.resource.aws_lambda_function.processor.code_signing_config_arn = 'arn:aws:lambda:us-east-1:111122223333:code-signing-config:csc-1';
    const report = check(json);
    expect(report.ok).toBe(true);
    expect(report.unusedSuppressions.map((s) => s.rule)).toEqual(['CKV_AWS_272']);
    expect(formatReport(report)).toContain('note: suppression of CKV_AWS_272 for aws_lambda_function.* matched nothing in this stack');
  });
});

describe('speed', () => {
  it('checks a stack of about 150 resources in well under a second', () => {
    const json = goodStack();
    // Eleven more buckets with their satellites and policies: 58 + 11 * 8 = 146 resources.
    for (let i = 1; i <= 11; i++) {
      const name = `extra_${i}`;
      for (const [type, blocks] of Object.entries(bucket(name))) json.resource[type] = { ...json.resource[type], ...blocks };
      json.data.aws_iam_policy_document[`${name}_tls`] = bucketPolicy(name);
    }
    check(json); // warm-up: loads the committed schema
    const started = performance.now();
    const report = check(json);
    const ms = performance.now() - started;
    expect(report.failures).toEqual([]);
    expect(report.resources).toBe(146);
    console.log(`checkStack: ${report.resources} resources + ${report.dataSources} data sources in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });
});
