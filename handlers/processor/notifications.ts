import { PublishBatchCommand, PublishBatchRequestEntry, SNSClient } from '@aws-sdk/client-sns';
import type { TaskItem } from './task-store';

/** PublishBatch limits: 10 entries and 256 KiB for all messages and attributes of one call. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;
/** Raw bodies beyond this are cut in the notification; the task item keeps the whole body. */
export const MAX_NOTIFIED_BODY_BYTES = 64 * 1024;

export interface Notification {
  readonly taskId: string;
  readonly topicArn: string;
  readonly entry: Omit<PublishBatchRequestEntry, 'Id'>;
}

export interface Topics {
  readonly successTopicArn: string;
  readonly failureTopicArn: string;
}

function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  // Decoding a cut multi-byte sequence yields U+FFFD; drop it rather than send a broken character.
  return { text: bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, ''), truncated: true };
}

/** The notification of a finished task: SUCCEEDED to the success topic, FAILED and REJECTED to the failure topic. */
export function notificationFor(item: TaskItem, topics: Topics): Notification {
  const body = item.rawBody === undefined ? undefined : truncateUtf8(item.rawBody, MAX_NOTIFIED_BODY_BYTES);
  const message = {
    taskId: item.taskId,
    status: item.status,
    taskType: item.taskType,
    bucket: item.sourceBucket,
    key: item.objectKey,
    versionId: item.message?.versionId,
    attempt: item.attempt,
    updatedAt: new Date(item.updatedAt).toISOString(),
    result: item.result,
    error: item.lastError,
    reason: item.reason,
    rawBody: body?.text,
    rawBodyTruncated: body?.truncated || undefined,
  };
  // Subscription filter policies match on these attributes.
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
    status: { DataType: 'String', StringValue: item.status },
  };
  if (item.taskType) attributes.taskType = { DataType: 'String', StringValue: item.taskType };
  if (item.sourceBucket) attributes.bucket = { DataType: 'String', StringValue: item.sourceBucket };
  return {
    taskId: item.taskId,
    topicArn: item.status === 'SUCCEEDED' ? topics.successTopicArn : topics.failureTopicArn,
    entry: { Message: JSON.stringify(message), MessageAttributes: attributes },
  };
}

function entryBytes(entry: Notification['entry']): number {
  let bytes = Buffer.byteLength(entry.Message ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/** Splits one topic's notifications into PublishBatch calls within the entry and size limits. */
export function chunkNotifications(notifications: readonly Notification[]): Notification[][] {
  const chunks: Notification[][] = [];
  let current: Notification[] = [];
  let bytes = 0;
  for (const n of notifications) {
    const size = entryBytes(n.entry);
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(n);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Publishes all notifications; returns the task ids whose notification was not accepted, with the reason. */
export async function publishNotifications(sns: SNSClient, notifications: readonly Notification[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  const byTopic = new Map<string, Notification[]>();
  for (const n of notifications) byTopic.set(n.topicArn, [...(byTopic.get(n.topicArn) ?? []), n]);
  const calls = [...byTopic].flatMap(([topicArn, list]) => chunkNotifications(list).map((chunk) => ({ topicArn, chunk })));
  await Promise.all(
    calls.map(async ({ topicArn, chunk }) => {
      try {
        const out = await sns.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: chunk.map((n, i) => ({ ...n.entry, Id: String(i) })),
          }),
        );
        for (const f of out.Failed ?? []) {
          if (f.Id !== undefined) failed.set(chunk[Number(f.Id)].taskId, `${f.Code}: ${f.Message ?? ''}`);
        }
      } catch (err) {
        for (const n of chunk) failed.set(n.taskId, `${(err as Error).name}: ${(err as Error).message}`);
      }
    }),
  );
  return failed;
}
