/** What a run uploads and which faults it injects, all drawn from the seeded generator. */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from './rng';

export interface ChaosSettings {
  /** Fraction of events EventBridge delivers twice (same event id). */
  readonly eventDuplicateRate: number;
  /** Fraction of received SQS messages that also come back as a second copy (at-least-once delivery). */
  readonly sqsDuplicateRate: number;
  /** Fraction of EventBridge deliveries refused with an error it does not retry (to the target's dead-letter queue). */
  readonly deliveryFailureRate: number;
  /** Fraction of the handler's DynamoDB requests answered with ProvisionedThroughputExceededException. */
  readonly throttleRate: number;
  /** Fraction of uploads that overwrite an earlier key (a new version: a second task on the same object). */
  readonly overwriteRate: number;
  /** Workers frozen in the middle of a task until their invocation times out. */
  readonly killedWorkers: number;
  /** Malformed messages sent straight to the task queue. */
  readonly malformedMessages: number;
}

export const NO_CHAOS: ChaosSettings = { eventDuplicateRate: 0, deliveryFailureRate: 0, sqsDuplicateRate: 0, throttleRate: 0, overwriteRate: 0, killedWorkers: 0, malformedMessages: 0 };

export function chaosSettings(uploads: number): ChaosSettings {
  return {
    eventDuplicateRate: 0.1,
    deliveryFailureRate: 0.02,
    sqsDuplicateRate: 0.05,
    throttleRate: 0.05,
    overwriteRate: 0.1,
    killedWorkers: Math.max(1, Math.round(uploads / 100)),
    malformedMessages: Math.max(3, Math.round(uploads / 20)),
  };
}

export interface PlannedUpload {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer;
  readonly contentType: string;
}

// Keys with characters that the two event formats encode differently, or that would break a naive template.
const SAMPLE_NAMES = ['report 2024+final.csv', 'données/été.txt', 'quote"and\\backslash.json', 'percent%2Bliteral.txt', 'plain.txt', 'deep/nested/path/image.png'];

/** Generated sample uploads, spread over the buckets; with `overwriteRate` some reuse an earlier key. */
export function sampleUploads(count: number, buckets: readonly string[], overwriteRate: number, rng: Rng): PlannedUpload[] {
  const uploads: PlannedUpload[] = [];
  for (let i = 0; i < count; i++) {
    const earlier = uploads.length > 0 && rng.chance(overwriteRate) ? rng.pick(uploads) : undefined;
    const bucket = earlier?.bucket ?? buckets[i % buckets.length];
    const key = earlier?.key ?? `samples/${String(i).padStart(4, '0')}-${rng.pick(SAMPLE_NAMES)}`;
    uploads.push({ bucket, key, content: Buffer.from(`sample upload ${i}\n${rng.string(rng.int(64))}\n`), contentType: 'text/plain' });
  }
  return uploads;
}

/** The user's files, under `uploads/<file name>`, spread over the buckets. */
export function fileUploads(files: readonly string[], buckets: readonly string[]): PlannedUpload[] {
  return files.map((file, i) => {
    const content = fs.readFileSync(file);
    return { bucket: buckets[i % buckets.length], key: `uploads/${path.basename(file)}`, content, contentType: 'application/octet-stream' };
  });
}

/** Bodies another producer could put on the queue: each must end REJECTED with its raw body. */
export function malformedBodies(count: number, bucket: string, rng: Rng): string[] {
  const kinds = [
    () => `not json {${rng.string(8)}`,
    () => JSON.stringify({ version: 1, taskType: 'object-created', note: `missing fields ${rng.string(6)}` }),
    () => JSON.stringify({ version: 1, taskType: 'resize-image', source: 'cloudtrail', keyEncoding: 'none', bucket, object: { key: `img/${rng.string(6)}.png` }, versionId: '', requestId: rng.string(16).toUpperCase(), eventTime: '2026-01-01T00:00:00Z', eventId: rng.uuid() }),
    () => JSON.stringify({ version: 2, taskType: 'object-created', bucket, object: { key: `v2/${rng.string(6)}` } }),
    () => `[${rng.int(1000)}, "array, not an object"]`,
    () => JSON.stringify({ version: 1, taskType: 'object-created', source: 's3-eventbridge', keyEncoding: 'url', bucket, object: { key: '' }, requestId: 'X', eventTime: 'yesterday', eventId: rng.uuid() }),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]());
}
