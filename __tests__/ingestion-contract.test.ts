/**
 * Contract between the synthesized rules and the processor: every rule's event_pattern,
 * input_paths and input_template are read from the synthesized JSON, applied to sample
 * events written from the AWS documentation's examples, and the output must be valid JSON
 * that the handler's own validator accepts with the expected bucket, key and task id.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseTaskMessage, TaskMessage } from '../handlers/common/task-message';
import { matchesEventPattern } from '../src/eventbridge/pattern';
import { applyInputTransformer } from '../src/eventbridge/transformer';
import { synthIngestion } from './support/ingestion-stack';
import { Json, listOf, nameOf } from './support/synth';

const FIXTURES = path.join(__dirname, 'fixtures', 'events');
const fixture = (name: string): Json => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

const json = synthIngestion({
  TAP_INGEST_BUCKET_NAMES: 'tap-test-ingest-a,tap-test-ingest-b',
  TAP_EXISTING_BUCKET_NAMES: 'tap-existing-uploads',
  TAP_INGEST_KEY_PREFIXES: 'tap-existing-uploads=incoming/',
  TAP_INGEST_KEY_SUFFIXES: 'tap-existing-uploads=.csv',
});

interface SynthesizedRule {
  readonly name: string;
  readonly eventPattern: string;
  readonly inputPaths: Record<string, string>;
  readonly inputTemplate: string;
}

const rules: SynthesizedRule[] = Object.entries<Json>(json.resource.aws_cloudwatch_event_rule).map(([id, rule]) => {
  const [target] = listOf(json, 'aws_cloudwatch_event_target').filter((t) => nameOf(t.rule) === id);
  return {
    name: rule.name,
    eventPattern: rule.event_pattern,
    inputPaths: target.input_transformer.input_paths,
    inputTemplate: target.input_transformer.input_template,
  };
});

const matchingRules = (event: unknown) => rules.filter((r) => matchesEventPattern(r.eventPattern, event));

/** What EventBridge would put on the task queue, parsed by the processor's validator. */
function deliver(event: Json): { body: string; message: TaskMessage } {
  const [rule, ...others] = matchingRules(event);
  expect(others).toEqual([]);
  const body = applyInputTransformer({ inputPaths: rule.inputPaths, inputTemplate: rule.inputTemplate }, event, {
    ruleArn: `arn:aws:events:us-east-1:111122223333:rule/${rule.name}`,
    ruleName: rule.name,
  });
  expect(() => JSON.parse(body)).not.toThrow();
  const parsed = parseTaskMessage(body);
  if (!parsed.ok) throw new Error(`${parsed.reason}\n${body}`);
  return { body, message: parsed.message };
}

/** The task id written out independently of the validator: SHA-256 of [bucket, key, identity]. */
const expectedTaskId = (bucket: string, key: string, identity: string) =>
  createHash('sha256').update(JSON.stringify([bucket, key, identity])).digest('hex');

const SPACE_PLUS = 'uploads/report 2024+final.csv';
const UNICODE = 'données/résumé 📄.pdf';
const QUOTE = 'quotes/say "hi" \\ back.txt';
const UNVERSIONED = 'incoming/daily batch.csv';

const delivered = [
  { file: 's3-object-created-put.json', source: 's3-eventbridge', bucket: 'tap-test-ingest-a', key: SPACE_PLUS, size: 5, identity: 'version:IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' },
  { file: 's3-object-created-multipart.json', source: 's3-eventbridge', bucket: 'tap-test-ingest-b', key: UNICODE, size: 198524144, identity: 'version:uhggCJ2_B6gU2JaXWXebnXFDstO0ID6G' },
  { file: 's3-object-created-copy.json', source: 's3-eventbridge', bucket: 'tap-test-ingest-a', key: QUOTE, size: 800704, identity: 'version:KKsjUC1.6gIjqtvhfg5AdMI0eCePIiT3' },
  { file: 's3-object-created-unversioned.json', source: 's3-eventbridge', bucket: 'tap-existing-uploads', key: UNVERSIONED, size: 42, identity: 'request:0BH729840619AG5K' },
  { file: 'cloudtrail-put-object.json', source: 'cloudtrail', bucket: 'tap-test-ingest-a', key: SPACE_PLUS, size: undefined, identity: 'version:IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' },
  { file: 'cloudtrail-complete-multipart-upload.json', source: 'cloudtrail', bucket: 'tap-test-ingest-b', key: UNICODE, size: undefined, identity: 'version:uhggCJ2_B6gU2JaXWXebnXFDstO0ID6G' },
  { file: 'cloudtrail-copy-object.json', source: 'cloudtrail', bucket: 'tap-test-ingest-a', key: QUOTE, size: undefined, identity: 'version:KKsjUC1.6gIjqtvhfg5AdMI0eCePIiT3' },
  { file: 'cloudtrail-put-object-unversioned.json', source: 'cloudtrail', bucket: 'tap-existing-uploads', key: UNVERSIONED, size: undefined, identity: 'request:0BH729840619AG5K' },
];

test('reads one rule with one transformer per event format from the synthesized JSON', () => {
  expect(rules.map((r) => JSON.parse(r.eventPattern)['detail-type']).sort()).toEqual([['AWS API Call via CloudTrail'], ['Object Created']]);
});

describe.each(delivered)('$file', ({ file, source, bucket, key, size, identity }) => {
  const event = fixture(file);

  test('is matched by exactly the rule of its format', () => {
    const matched = matchingRules(event).map((r) => JSON.parse(r.eventPattern)['detail-type'][0]);
    expect(matched).toEqual([source === 'cloudtrail' ? 'AWS API Call via CloudTrail' : 'Object Created']);
  });

  test('becomes a valid task message with the decoded key and the expected task id', () => {
    const { message } = deliver(event);
    expect(message).toMatchObject({ source, bucket, key, taskType: 'object-created', eventId: event.id });
    expect(message.size).toBe(size);
    expect(message.taskId).toBe(expectedTaskId(bucket, key, identity));
  });

  test('gives a redelivered event the same task id, even under a new EventBridge event id', () => {
    const again = deliver({ ...event, id: '00000000-0000-4000-8000-000000000000' }).message;
    expect(again.taskId).toBe(deliver(event).message.taskId);
    expect(again.eventId).not.toBe(event.id);
  });
});

test.each([
  ['s3-object-created-put.json', 'cloudtrail-put-object.json'],
  ['s3-object-created-multipart.json', 'cloudtrail-complete-multipart-upload.json'],
  ['s3-object-created-copy.json', 'cloudtrail-copy-object.json'],
  ['s3-object-created-unversioned.json', 'cloudtrail-put-object-unversioned.json'],
])('%s and %s (one upload seen through both formats) yield the same task id', (s3, cloudtrail) => {
  expect(deliver(fixture(s3)).message.taskId).toBe(deliver(fixture(cloudtrail)).message.taskId);
});

test('keys with a double quote and a backslash reach the message through the object placeholder', () => {
  const { body } = deliver(fixture('cloudtrail-copy-object.json'));
  expect(JSON.parse(body).object.key).toBe(QUOTE);
  expect(body).not.toContain('"key":"<');
});

test.each([
  ['s3-object-created-other-bucket.json', 'another bucket'],
  ['cloudtrail-put-object-other-bucket.json', 'another bucket'],
  ['cloudtrail-put-object-access-denied.json', 'a failed call'],
])('%s (%s) matches no rule', (file) => {
  expect(matchingRules(fixture(file))).toEqual([]);
});

test('an event without an object key matches no rule, so the unquoted object placeholder is never empty', () => {
  const s3Event = fixture('s3-object-created-put.json');
  const { key: _key, ...objectWithoutKey } = s3Event.detail.object;
  expect(matchingRules({ ...s3Event, detail: { ...s3Event.detail, object: objectWithoutKey } })).toEqual([]);
  const ctEvent = fixture('cloudtrail-put-object.json');
  const { key: _ctKey, ...parametersWithoutKey } = ctEvent.detail.requestParameters;
  expect(matchingRules({ ...ctEvent, detail: { ...ctEvent.detail, requestParameters: parametersWithoutKey } })).toEqual([]);
});

describe('key filters of an existing bucket (prefix incoming/, suffix .csv)', () => {
  const s3Event = fixture('s3-object-created-unversioned.json');
  const ctEvent = fixture('cloudtrail-put-object-unversioned.json');
  const withS3Key = (key: string) => ({ ...s3Event, detail: { ...s3Event.detail, object: { ...s3Event.detail.object, key } } });
  const withCtKey = (key: string) => ({
    ...ctEvent,
    detail: { ...ctEvent.detail, requestParameters: { ...ctEvent.detail.requestParameters, key } },
  });

  test.each(['other/daily.csv', 'incoming/daily.json'])('rejects %s in both formats', (key) => {
    expect(matchingRules(withS3Key(key))).toEqual([]);
    expect(matchingRules(withCtKey(key))).toEqual([]);
  });

  test('does not filter the created buckets', () => {
    const event = fixture('s3-object-created-put.json');
    expect(matchingRules({ ...event, detail: { ...event.detail, object: { ...event.detail.object, key: 'other/x.json' } } })).toHaveLength(1);
  });
});
