/**
 * The two event formats in which "an object was created" reaches the default event bus,
 * each with the event pattern that selects the ingest buckets' uploads and the input
 * transformer that turns one event into the canonical task message
 * (`handlers/common/task-message.ts`). Pure data, shared by the `Ingestion` construct and
 * by anything that replays uploads locally.
 */
import { KeyFilter } from '../config';
import { OBJECT_CREATED_TASK, TASK_MESSAGE_VERSION, TaskSource, WireTaskMessage } from '../../handlers/common/task-message';
import { EventPattern } from './pattern';
import { InputTransformer, buildJsonInputTransformer, jsonAt, literal, stringAt, TemplateMember } from './transformer';

/** A bucket whose uploads produce tasks, with its optional key filter. */
export interface MatchedBucket {
  /** Bucket name; may be a Terraform reference inside the string. */
  readonly name: string;
  readonly filter?: KeyFilter;
}

export interface ObjectCreatedFormat {
  readonly source: TaskSource;
  /** Short name used in rule names and construct IDs. */
  readonly id: string;
  readonly description: string;
  /** Whether the format URL-encodes object keys (decoded by the message validator). */
  readonly keyEncoding: 'url' | 'none';
  readonly transformer: InputTransformer;
  /** The pattern matching uploads into exactly these buckets. */
  eventPattern(buckets: readonly MatchedBucket[]): EventPattern;
}

/** CloudTrail event names that create an object. */
export const CLOUDTRAIL_OBJECT_CREATED_EVENTS = ['PutObject', 'CompleteMultipartUpload', 'CopyObject'] as const;

/**
 * The matcher for the object key. Without a filter it still requires the key to exist, so the
 * unquoted `object` placeholder of the transformer can never be missing (which would leave
 * invalid JSON). A prefix and a suffix together need a wildcard.
 */
function keyMatcher(filter: KeyFilter | undefined): Record<string, unknown> {
  if (filter?.prefix !== undefined && filter.suffix !== undefined) return { wildcard: `${filter.prefix}*${filter.suffix}` };
  if (filter?.prefix !== undefined) return { prefix: filter.prefix };
  if (filter?.suffix !== undefined) return { suffix: filter.suffix };
  return { exists: true };
}

/**
 * Groups buckets by filter, so buckets sharing a filter (or having none) share one clause;
 * several clauses become an `$or`. `clause` renders one group in the format's field names.
 */
function bucketClauses(
  buckets: readonly MatchedBucket[],
  clause: (names: string[], filter?: KeyFilter) => Record<string, unknown>,
): Record<string, unknown> {
  if (buckets.length === 0) throw new Error('an ingestion event pattern needs at least one bucket');
  const groups = new Map<string, { names: string[]; filter?: KeyFilter }>();
  for (const bucket of buckets) {
    const filter = bucket.filter?.prefix !== undefined || bucket.filter?.suffix !== undefined ? bucket.filter : undefined;
    const signature = JSON.stringify([filter?.prefix ?? null, filter?.suffix ?? null]);
    const group = groups.get(signature) ?? { names: [], filter };
    group.names.push(bucket.name);
    groups.set(signature, group);
  }
  const clauses = [...groups.values()].map((g) => clause(g.names, g.filter));
  return clauses.length === 1 ? clauses[0] : { $or: clauses };
}

type OptionalWireField = { [K in keyof WireTaskMessage]-?: undefined extends WireTaskMessage[K] ? K : never }[keyof WireTaskMessage];

/** A template member for every required field of the wire message, and only for its fields. */
type WireTemplate = Readonly<Record<Exclude<keyof WireTaskMessage, OptionalWireField>, TemplateMember>> &
  Readonly<Partial<Record<OptionalWireField, TemplateMember>>>;

const wireTransformer = (members: WireTemplate): InputTransformer => buildJsonInputTransformer(members);

const common = {
  version: literal(TASK_MESSAGE_VERSION),
  taskType: literal(OBJECT_CREATED_TASK),
} as const;

/**
 * S3's own EventBridge events ("Object Created", enabled per bucket by a notification with
 * `eventbridge = true`). The key is URL-encoded (form encoding, a space becomes "+"), as in
 * S3's other event notifications; it reaches the message inside `object` (the event's
 * `detail.object`, copied as JSON) so no character can break the message.
 */
export const S3_EVENTBRIDGE_FORMAT: ObjectCreatedFormat = {
  source: 's3-eventbridge',
  id: 's3-object-created',
  description: 'S3 "Object Created" events of the ingest buckets',
  keyEncoding: 'url',
  transformer: wireTransformer({
    ...common,
    source: literal('s3-eventbridge'),
    keyEncoding: literal('url'),
    bucket: stringAt('$.detail.bucket.name'),
    object: jsonAt('$.detail.object'),
    size: stringAt('$.detail.object.size'),
    versionId: stringAt('$.detail.object.version-id'),
    etag: stringAt('$.detail.object.etag'),
    sequencer: stringAt('$.detail.object.sequencer'),
    requestId: stringAt('$.detail.request-id'),
    eventTime: stringAt('$.time'),
    eventId: stringAt('$.id'),
  }),
  eventPattern: (buckets) => ({
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: bucketClauses(buckets, (names, filter) => ({
      bucket: { name: names },
      object: { key: [keyMatcher(filter)] },
    })),
  }),
};

/**
 * CloudTrail data events for S3 ("AWS API Call via CloudTrail"), delivered to the default
 * bus when a trail logs write data events for the buckets. The key is the raw request
 * parameter (not encoded); it reaches the message inside `object` (the event's
 * `detail.requestParameters`, copied as JSON). Failed calls carry `errorCode` and are not
 * matched. Size is not carried: `bytesTransferredIn` is the request body, which for
 * CompleteMultipartUpload and CopyObject is not the object.
 */
export const CLOUDTRAIL_FORMAT: ObjectCreatedFormat = {
  source: 'cloudtrail',
  id: 'cloudtrail-object-created',
  description: 'CloudTrail PutObject, CompleteMultipartUpload and CopyObject calls on the ingest buckets',
  keyEncoding: 'none',
  transformer: wireTransformer({
    ...common,
    source: literal('cloudtrail'),
    keyEncoding: literal('none'),
    bucket: stringAt('$.detail.requestParameters.bucketName'),
    object: jsonAt('$.detail.requestParameters'),
    versionId: stringAt('$.detail.responseElements.x-amz-version-id'),
    requestId: stringAt('$.detail.requestID'),
    eventTime: stringAt('$.detail.eventTime'),
    eventId: stringAt('$.id'),
  }),
  eventPattern: (buckets) => ({
    source: ['aws.s3'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['s3.amazonaws.com'],
      eventName: [...CLOUDTRAIL_OBJECT_CREATED_EVENTS],
      errorCode: [{ exists: false }],
      ...bucketClauses(buckets, (names, filter) => ({
        requestParameters: { bucketName: names, key: [keyMatcher(filter)] },
      })),
    },
  }),
};

/** Every format, one rule each. */
export const OBJECT_CREATED_FORMATS: readonly ObjectCreatedFormat[] = [S3_EVENTBRIDGE_FORMAT, CLOUDTRAIL_FORMAT];
