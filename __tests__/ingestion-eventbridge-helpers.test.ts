import { EventPatternError, matchesEventPattern } from '../src/eventbridge/pattern';
import {
  InputTransformer,
  InputTransformerError,
  MAX_INPUT_PATHS,
  applyInputTransformer,
  buildJsonInputTransformer,
  jsonAt,
  literal,
  readJsonPath,
  stringAt,
  validateInputTransformer,
} from '../src/eventbridge/transformer';

// The EC2 example event of the EventBridge input transformation guide.
const ec2Event = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const context = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example' };
const paths = { instance: '$.detail.instance-id', state: '$.detail.state' };
const apply = (inputTemplate: string, event: unknown = ec2Event, inputPaths: Record<string, string> = paths) =>
  applyInputTransformer({ inputPaths, inputTemplate }, event, context);

describe('event pattern matching', () => {
  const event = {
    source: 'aws.s3',
    detail: { bucket: { name: 'a' }, object: { key: 'in/x.csv', size: 5 }, tags: ['red', 'blue'], nothing: null },
  };

  test('matches when every named field matches and ignores fields the pattern does not name', () => {
    expect(matchesEventPattern({ source: ['aws.s3'], detail: { bucket: { name: ['b', 'a'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.s3'], detail: { bucket: { name: ['b'] } } }, event)).toBe(false);
  });

  test('compares literals exactly, including case, numbers and null', () => {
    expect(matchesEventPattern({ source: ['AWS.S3'] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { object: { size: [5] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { object: { size: ['5'] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { nothing: [null] } }, event)).toBe(true);
  });

  test('matches an array value when any element matches', () => {
    expect(matchesEventPattern({ detail: { tags: ['blue'] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { tags: ['green'] } }, event)).toBe(false);
  });

  test('applies prefix, suffix, wildcard and equals-ignore-case filters', () => {
    const key = (filter: unknown) => matchesEventPattern({ detail: { object: { key: [filter] } } }, event);
    expect(key({ prefix: 'in/' })).toBe(true);
    expect(key({ prefix: 'out/' })).toBe(false);
    expect(key({ suffix: '.csv' })).toBe(true);
    expect(key({ suffix: '.json' })).toBe(false);
    expect(key({ wildcard: 'in/*.csv' })).toBe(true);
    expect(key({ wildcard: 'in/*.json' })).toBe(false);
    expect(key({ wildcard: 'in/x\\*.csv' })).toBe(false);
    expect(key({ 'equals-ignore-case': 'IN/X.CSV' })).toBe(true);
  });

  test('treats a missing field as matching only exists false', () => {
    expect(matchesEventPattern({ detail: { errorCode: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { errorCode: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { object: { key: [{ exists: true }] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { errorCode: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  test('applies anything-but to values, lists and prefixes', () => {
    expect(matchesEventPattern({ source: [{ 'anything-but': 'aws.ec2' }] }, event)).toBe(true);
    expect(matchesEventPattern({ source: [{ 'anything-but': ['aws.s3', 'aws.ec2'] }] }, event)).toBe(false);
    expect(matchesEventPattern({ source: [{ 'anything-but': { prefix: 'aws.' } }] }, event)).toBe(false);
  });

  test('requires one alternative of $or in addition to the other fields', () => {
    const pattern = {
      source: ['aws.s3'],
      detail: { $or: [{ bucket: { name: ['b'] } }, { object: { key: [{ prefix: 'in/' }] } }] },
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern({ ...pattern, source: ['aws.ec2'] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { $or: [{ bucket: { name: ['b'] } }, { object: { size: [6] } }] } }, event)).toBe(false);
  });

  test('accepts the pattern as JSON text', () => {
    expect(matchesEventPattern('{"detail":{"bucket":{"name":["a"]}}}', event)).toBe(true);
  });

  test('fails if the pattern uses an operator the matcher does not implement', () => {
    expect(() => matchesEventPattern({ detail: { object: { size: [{ numeric: ['>', 1] }] } } }, event)).toThrow(EventPatternError);
    expect(() => matchesEventPattern({ source: 'aws.s3' }, event)).toThrow(/must be an array/);
    expect(() => matchesEventPattern({ source: [] }, event)).toThrow(/empty array/);
  });
});

describe('JSON path lookup', () => {
  test('reads dot notation with dashes, array indices, and reports missing paths as undefined', () => {
    expect(readJsonPath(ec2Event, '$.detail.instance-id')).toBe('i-0123456789');
    expect(readJsonPath(ec2Event, '$.resources[0]')).toBe('arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111');
    expect(readJsonPath(ec2Event, '$')).toBe(ec2Event);
    expect(readJsonPath(ec2Event, '$.detail.missing')).toBeUndefined();
    expect(readJsonPath({ a: null }, '$.a.b')).toBeUndefined();
  });

  test('fails if the path uses syntax EventBridge does not evaluate', () => {
    expect(() => readJsonPath(ec2Event, '$.resources[*]')).toThrow(InputTransformerError);
    expect(() => readJsonPath(ec2Event, 'detail.state')).toThrow(/must start with/);
  });
});

describe('input transformer substitution', () => {
  // Rows of the input transform examples table in the EventBridge user guide.
  test('reproduces the documented examples', () => {
    expect(apply('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
    expect(JSON.parse(apply('{"instance" : <instance>, "state": <state>}'))).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
    expect(JSON.parse(apply('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}'))).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
    expect(JSON.parse(apply('{"instanceStatus": "instance \\"<instance>\\" is in <state>"}'))).toEqual({
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
    expect(apply('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  test('inserts predefined variables: rule, ingestion time, event without detail, whole event', () => {
    const out = JSON.parse(
      apply('{"ruleArn":<aws.events.rule-arn>,"at":"<aws.events.event.ingestion-time>","event":<aws.events.event>,"json":<aws.events.event.json>}'),
    );
    expect(out.ruleArn).toBe(context.ruleArn);
    expect(out.at).toBe(ec2Event.time);
    expect(out.event.detail).toBeUndefined();
    expect(out.event.id).toBe(ec2Event.id);
    expect(out.json).toEqual(ec2Event);
  });

  test('does not escape a string placeholder inside quotes, so a quote in the value breaks the JSON', () => {
    const event = { detail: { key: 'say "hi"' } };
    const out = apply('{"key":"<key>"}', event, { key: '$.detail.key' });
    expect(out).toBe('{"key":"say "hi""}');
    expect(() => JSON.parse(out)).toThrow();
  });

  test('serializes an object placeholder outside quotes, so every character survives', () => {
    const event = { detail: { object: { key: 'say "hi" \\ 📄' } } };
    const out = apply('{"object":<object>}', event, { object: '$.detail.object' });
    expect(JSON.parse(out)).toEqual({ object: { key: 'say "hi" \\ 📄' } });
  });

  test('strips the quotes of an object referenced inside a string and writes numbers as text', () => {
    expect(JSON.parse(apply('{"d":"detail is <d>","n":"<n>"}', { detail: { a: 'b' }, n: 5 }, { d: '$.detail', n: '$.n' }))).toEqual({
      d: 'detail is {a:b}',
      n: '5',
    });
  });

  test('renders a missing path as nothing', () => {
    expect(JSON.parse(apply('{"v":"<v>"}', ec2Event, { v: '$.detail.version-id' }))).toEqual({ v: '' });
    expect(() => JSON.parse(apply('{"v":<v>}', ec2Event, { v: '$.detail.version-id' }))).toThrow();
  });

  test('leaves angle brackets that do not form a placeholder alone', () => {
    expect(apply('"1 < 2 and 3 > 2: <instance>"')).toBe('"1 < 2 and 3 > 2: i-0123456789"');
  });
});

describe('input transformer validation', () => {
  const valid: InputTransformer = { inputPaths: paths, inputTemplate: '{"i":"<instance>"}' };

  test('accepts a transformer that follows the rules', () => {
    expect(() => validateInputTransformer(valid)).not.toThrow();
  });

  test('fails if there are more than 100 input paths', () => {
    const inputPaths = Object.fromEntries(Array.from({ length: MAX_INPUT_PATHS + 1 }, (_, i) => [`v${i}`, '$.id']));
    expect(() => validateInputTransformer({ inputPaths, inputTemplate: '{}' })).toThrow(/at most 100/);
  });

  test('fails if a placeholder is used as an object key, quoted or not', () => {
    expect(() => validateInputTransformer({ ...valid, inputTemplate: '{"<instance>":1}' })).toThrow(/object key/);
    expect(() => validateInputTransformer({ ...valid, inputTemplate: '{<instance> : 1}' })).toThrow(/object key/);
  });

  test('fails if a variable is reserved or a placeholder is undefined', () => {
    expect(() => validateInputTransformer({ inputPaths: { 'aws.mine': '$.id' }, inputTemplate: '{}' })).toThrow(/reserved/);
    expect(() => validateInputTransformer({ ...valid, inputTemplate: '{"i":"<nope>"}' })).toThrow(/<nope>/);
  });
});

describe('JSON template builder', () => {
  test('quotes string placeholders, leaves object placeholders bare and keeps keys literal', () => {
    const t = buildJsonInputTransformer({ v: literal(1), name: stringAt('$.detail.state'), whole: jsonAt('$.detail') });
    expect(t.inputPaths).toEqual({ name: '$.detail.state', whole: '$.detail' });
    expect(t.inputTemplate).toBe('{"v":1,"name":"<name>","whole":<whole>}');
    expect(JSON.parse(applyInputTransformer(t, ec2Event, context))).toEqual({ v: 1, name: 'RUNNING', whole: ec2Event.detail });
  });

  test('fails if a member name cannot be a variable name', () => {
    expect(() => buildJsonInputTransformer({ 'bad name': stringAt('$.id') })).toThrow(/letters, digits/);
  });
});
