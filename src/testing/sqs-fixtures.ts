/**
 * SQS events and Lambda contexts as the processor receives them, shared by the handler tests
 * (`__tests__/handlers/processor-harness.ts`) and the benchmark (`bench/`).
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { parseTaskMessage } from '../../handlers/common/task-message';

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:task-queue';

let seq = 0;
export const uniqueId = (prefix: string): string => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** A wire message as the input transformers write it; `key` sets `object.key`. */
export function wireMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { key = uniqueId('dir/file') + '.csv', ...rest } = overrides;
  return {
    version: 1,
    taskType: 'object-created',
    source: 's3-eventbridge',
    bucket: 'uploads-bucket',
    object: { key },
    keyEncoding: 'none',
    size: '42',
    versionId: '',
    etag: 'abc',
    sequencer: '',
    requestId: uniqueId('request'),
    eventTime: '2026-12-04T10:00:00Z',
    eventId: uniqueId('event'),
    ...rest,
  };
}

/** The task id the processor derives from a wire message (or an SQS body). */
export function taskIdOf(body: Record<string, unknown> | string): string {
  const parsed = parseTaskMessage(typeof body === 'string' ? body : JSON.stringify(body));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.message.taskId;
}

export function sqsRecord(body: string | Record<string, unknown>, messageId = uniqueId('msg'), receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:processor',
    memoryLimitInMB: '512',
    awsRequestId: uniqueId('req'),
    logGroupName: '/aws/lambda/processor',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
