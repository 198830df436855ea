import { deriveTaskId, parseTaskMessage, validateTaskMessage } from '../handlers/common/task-message';

// The wire changes made for ingestion: key inside `object`, task id derived by the validator.
const wire = {
  version: 1,
  taskType: 'object-created',
  source: 's3-eventbridge',
  keyEncoding: 'url',
  bucket: 'tap-test-ingest-a',
  object: { key: 'a+b%2Bc.txt', size: 5 },
  size: '5',
  versionId: '',
  etag: '',
  sequencer: '',
  requestId: 'N4N7GDK58NMKJ12R',
  eventTime: '2021-11-12T00:00:00Z',
  eventId: '17793124-05d4-b198-2fde-7ededc63b103',
};

test('decodes a URL-encoded key once and turns empty optional fields into absent ones', () => {
  const result = validateTaskMessage(wire);
  expect(result).toMatchObject({ ok: true, message: { key: 'a b+c.txt', size: 5, requestId: 'N4N7GDK58NMKJ12R' } });
  if (result.ok) expect(result.message.versionId).toBeUndefined();
});

test('keeps a key with keyEncoding none exactly as written', () => {
  const result = validateTaskMessage({ ...wire, keyEncoding: 'none', object: { key: 'a+b%2Bc.txt' } });
  expect(result).toMatchObject({ ok: true, message: { key: 'a+b%2Bc.txt' } });
});

test('identifies an upload by version id, and by request id when the version is absent or "null"', () => {
  expect(deriveTaskId('b', 'k', 'v1', 'r1')).toBe(deriveTaskId('b', 'k', 'v1', 'r2'));
  expect(deriveTaskId('b', 'k', 'v1', 'r1')).not.toBe(deriveTaskId('b', 'k', 'v2', 'r1'));
  expect(deriveTaskId('b', 'k', 'null', 'r1')).toBe(deriveTaskId('b', 'k', undefined, 'r1'));
  expect(deriveTaskId('b', 'k', 'null', 'r1')).not.toBe(deriveTaskId('b', 'k', 'null', 'r2'));
  expect(deriveTaskId('b', 'k', 'v1', undefined)).toMatch(/^[0-9a-f]{64}$/);
});

test.each([
  ['object is missing', { ...wire, object: undefined }, 'missing field "object"'],
  ['object is a string', { ...wire, object: 'a.txt' }, 'field "object" must be a JSON object'],
  ['object has no key', { ...wire, object: { size: 5 } }, 'field "object.key" must be a non-empty string'],
  ['the key is not URL encoding', { ...wire, object: { key: '100%' } }, 'field "object.key" is not valid URL encoding: "100%"'],
  ['neither version nor request id is present', { ...wire, requestId: '' }, 'cannot derive a task id: the message has neither "versionId" nor "requestId"'],
])('fails if %s', (_label, body, reason) => {
  expect(validateTaskMessage(body)).toEqual({ ok: false, reason });
});

test('fails with a reason, not an exception, when a quoted placeholder produced invalid JSON', () => {
  const result = parseTaskMessage('{"key":"say "hi""}');
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toMatch(/^body is not valid JSON/);
});
