import { synthDefaultStack } from '../../src/default-synth';
import { checkStack, failuresOf } from '../../src/verify';
import { inCommercialPartition } from '../../src/verify/policy';
import { processorCalls } from '../../src/verify/processor-calls';

type Json = Record<string, any>;

// Synthesized as `npm run synth` does, so the assets exist beside the JSON.
const synth = synthDefaultStack();
const { stackDir } = synth;
const synthesized: Json = synth.json;
afterAll(() => synth.remove());

const copy = (): Json => JSON.parse(JSON.stringify(synthesized));
const check = (json: Json) => checkStack(json, { assetsDir: stackDir, handlerCalls: processorCalls(json), terraform: false });
const only = (type: string, json: Json, match: (name: string) => boolean): [string, Json] => {
  const entries = Object.entries<Json>(json.resource[type]).filter(([name]) => match(name));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0];
};

describe('npm run check on the synthesized TapStack', () => {
  test('passes every check: references, schema, rules, IAM against the handler, assets', () => {
    const report = check(synthesized);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.suppressed.map((s) => s.rule)).toEqual(['CKV_AWS_272']);
  });

  test('catches a misspelled attribute', () => {
    const json = copy();
    const [name, queue] = only('aws_sqs_queue', json, (n) => n.startsWith('queues_tasks_'));
    queue.visibility_timeout_second = queue.visibility_timeout_seconds;
    delete queue.visibility_timeout_seconds;
    expect(failuresOf(check(json), 'schema')).toEqual([
      expect.objectContaining({ address: `aws_sqs_queue.${name}`, attribute: 'visibility_timeout_second' }),
    ]);
  });

  test('catches a dangling reference', () => {
    const json = copy();
    const [name, fn] = only('aws_lambda_function', json, () => true);
    fn.role = '${aws_iam_role.no_such_role.arn}';
    expect(failuresOf(check(json), 'reference').map((f) => f.address)).toContain(`aws_lambda_function.${name}`);
  });

  test('catches an unencrypted queue', () => {
    const json = copy();
    const [name, queue] = only('aws_sqs_queue', json, (n) => n.startsWith('queues_dlq_'));
    delete queue.kms_master_key_id;
    delete queue.kms_data_key_reuse_period_seconds;
    const failed = check(json).failures.filter((f) => f.address === `aws_sqs_queue.${name}`).map((f) => f.check);
    expect(failed).toEqual(expect.arrayContaining(['CKV_AWS_27']));
  });

  test('catches an SDK call the role does not grant', () => {
    const json = copy();
    const calls = processorCalls(json);
    const withExtra = { processor: [...calls.processor, { action: 'dynamodb:Query', resource: { parameterValue: 'task-table-name', suffix: '/index/*' } }] };
    const report = checkStack(json, { assetsDir: stackDir, handlerCalls: withExtra, terraform: false });
    expect(failuresOf(report, 'iam').map((f) => f.message).join('\n')).toMatch(/dynamodb:Query/);
  });

  test('catches a grant no call uses', () => {
    const json = copy();
    const [, doc] = Object.entries<Json>(json.data.aws_iam_policy_document).find(([n]) => n.startsWith('processor_fn_permissions_')) as [string, Json];
    doc.statement.push({ sid: 'Unused', actions: ['dynamodb:Scan'], resources: [doc.statement.find((s: Json) => s.actions.includes('dynamodb:UpdateItem')).resources[0]] });
    expect(failuresOf(check(json), 'iam').map((f) => f.message).join('\n')).toMatch(/dynamodb:Scan/);
  });
});

test('partition references read as the commercial partition', () => {
  expect(inCommercialPartition('events.${data.aws_partition.p_1.dns_suffix}')).toBe('events.amazonaws.com');
  expect(inCommercialPartition('arn:${data.aws_partition.p.partition}:iam::1:root')).toBe('arn:aws:iam::1:root');
});
