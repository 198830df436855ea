/**
 * The canonical task message: what every EventBridge input transformer writes to the
 * task queue and what the processor accepts. `src/ingestion.ts` builds its templates
 * against this type; the processor validates every SQS body with {@link parseTaskMessage}.
 *
 * Input transformers cannot compute or escape, so the wire form is lenient where
 * EventBridge forces it (see docs/ingestion.md):
 * - optional fields may arrive as "" (a path missing from the event renders empty);
 * - `size` may arrive as a numeric string (string placeholders are quoted);
 * - the object key arrives inside `object`, a JSON object copied from the event by an
 *   unquoted placeholder, because EventBridge does not escape quoted string placeholders
 *   and a key may contain `"` or `\`; it is URL-encoded when `keyEncoding` is "url" and
 *   decoded here, once;
 * - the task id is derived here ({@link deriveTaskId}), since a template cannot hash.
 */
import { createHash } from 'crypto';

export const TASK_MESSAGE_VERSION = 1;

/** Event formats the ingestion rules normalize. */
export const TASK_SOURCES = ['s3-eventbridge', 'cloudtrail'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];

/** Task type of "an object was created" uploads; executors are registered per type. */
export const OBJECT_CREATED_TASK = 'object-created';

/** S3 object keys are at most 1024 bytes of UTF-8. */
export const MAX_OBJECT_KEY_BYTES = 1024;

/** A validated task, with the object key decoded. */
export interface TaskMessage {
  readonly version: typeof TASK_MESSAGE_VERSION;
  /** Stable for the same upload event, so a redelivery is recognised as a duplicate. */
  readonly taskId: string;
  readonly taskType: string;
  readonly source: TaskSource;
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly versionId?: string;
  readonly etag?: string;
  readonly sequencer?: string;
  /** ISO 8601 time of the upload event. */
  readonly eventTime: string;
  /** EventBridge event id (differs between the two formats of one upload). */
  readonly eventId: string;
  /** S3 request id of the request that created the object. */
  readonly requestId?: string;
}

/** The message as an input transformer writes it. */
export interface WireTaskMessage
  extends Omit<TaskMessage, 'taskId' | 'key' | 'size' | 'version' | 'versionId' | 'etag' | 'sequencer' | 'requestId'> {
  readonly version: typeof TASK_MESSAGE_VERSION | `${typeof TASK_MESSAGE_VERSION}`;
  readonly keyEncoding: 'url' | 'none';
  /** The event's own object description; only its `key` member is read. */
  readonly object: { readonly key: string };
  readonly size?: number | string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly sequencer?: string;
  readonly requestId?: string;
}

export type ParseResult = { readonly ok: true; readonly message: TaskMessage } | { readonly ok: false; readonly reason: string };

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

class Invalid extends Error {}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') {
    throw new Invalid(value === undefined ? `missing field "${field}"` : `field "${field}" must be a string, got ${typeof value}`);
  }
  if (value === '') throw new Invalid(`field "${field}" must not be empty`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Invalid(`field "${field}" must be a string, got ${typeof value}`);
  return value;
}

function optionalSize(body: Record<string, unknown>): number | undefined {
  const value = body.size;
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new Invalid(`field "size" must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Decodes a key the way S3 encodes keys in event notifications (form encoding: `+` is a space). */
export function decodeObjectKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new Invalid(`field "object.key" is not valid URL encoding: ${JSON.stringify(encoded)}`);
  }
}

/**
 * The task id: SHA-256 of bucket, decoded key and the upload's identity. On a versioned
 * bucket the identity is the version id, which both event formats carry, so the same upload
 * seen through S3 events and CloudTrail gets the same id. Without a version id (unversioned
 * or suspended buckets report none or "null", and "null" is reused by every overwrite) it is
 * the S3 request id of the upload, which a redelivered event repeats.
 */
export function deriveTaskId(bucket: string, key: string, versionId: string | undefined, requestId: string | undefined): string {
  const identity = versionId && versionId !== 'null' ? `version:${versionId}` : requestId ? `request:${requestId}` : undefined;
  if (!identity) throw new Invalid('cannot derive a task id: the message has neither "versionId" nor "requestId"');
  return createHash('sha256').update(JSON.stringify([bucket, key, identity])).digest('hex');
}

function objectKey(body: Record<string, unknown>): string {
  const object = body.object;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new Invalid(object === undefined ? 'missing field "object"' : 'field "object" must be a JSON object');
  }
  const key = (object as Record<string, unknown>).key;
  if (typeof key !== 'string' || key === '') throw new Invalid('field "object.key" must be a non-empty string');
  return key;
}

/** Validates a message against the schema; the reason names the first bad field. */
export function validateTaskMessage(value: unknown): ParseResult {
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid('message must be a JSON object');
    const body = value as Record<string, unknown>;
    if (body.version !== TASK_MESSAGE_VERSION && body.version !== String(TASK_MESSAGE_VERSION)) {
      throw new Invalid(`unsupported message version ${JSON.stringify(body.version)}, expected ${TASK_MESSAGE_VERSION}`);
    }
    const source = requiredString(body, 'source');
    if (!(TASK_SOURCES as readonly string[]).includes(source)) {
      throw new Invalid(`field "source" must be one of ${TASK_SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
    }
    const keyEncoding = body.keyEncoding ?? 'none';
    if (keyEncoding !== 'url' && keyEncoding !== 'none') {
      throw new Invalid(`field "keyEncoding" must be "url" or "none", got ${JSON.stringify(keyEncoding)}`);
    }
    const rawKey = objectKey(body);
    const key = keyEncoding === 'url' ? decodeObjectKey(rawKey) : rawKey;
    if (utf8Bytes(key) > MAX_OBJECT_KEY_BYTES) {
      throw new Invalid(`field "object.key" is ${utf8Bytes(key)} bytes, more than the ${MAX_OBJECT_KEY_BYTES} S3 allows`);
    }
    const bucket = requiredString(body, 'bucket');
    if (!BUCKET.test(bucket)) throw new Invalid(`field "bucket" is not an S3 bucket name: ${JSON.stringify(bucket)}`);
    const eventTime = requiredString(body, 'eventTime');
    if (!ISO_TIME.test(eventTime) || Number.isNaN(Date.parse(eventTime))) {
      throw new Invalid(`field "eventTime" must be an ISO 8601 time, got ${JSON.stringify(eventTime)}`);
    }
    const versionId = optionalString(body, 'versionId');
    const requestId = optionalString(body, 'requestId');
    const message: TaskMessage = {
      version: TASK_MESSAGE_VERSION,
      taskId: deriveTaskId(bucket, key, versionId, requestId),
      taskType: requiredString(body, 'taskType'),
      source: source as TaskSource,
      bucket,
      key,
      size: optionalSize(body),
      versionId,
      etag: optionalString(body, 'etag'),
      sequencer: optionalString(body, 'sequencer'),
      eventTime,
      eventId: requiredString(body, 'eventId'),
      requestId,
    };
    return { ok: true, message };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Parses an SQS body; invalid JSON and schema errors come back as a reason, never thrown. */
export function parseTaskMessage(body: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `body is not valid JSON: ${(err as Error).message}` };
  }
  return validateTaskMessage(value);
}
