import { chunkNotifications, MAX_BATCH_BYTES, MAX_NOTIFIED_BODY_BYTES, Notification, notificationFor } from '../../handlers/processor/notifications';
import type { TaskItem } from '../../handlers/processor/task-store';

const topics = { successTopicArn: 'arn:aws:sns:us-east-1:111122223333:ok', failureTopicArn: 'arn:aws:sns:us-east-1:111122223333:ko' };

function item(overrides: Partial<TaskItem> = {}): TaskItem {
  return {
    taskId: 't1',
    status: 'SUCCEEDED',
    statusShard: 'SUCCEEDED#0',
    updatedAt: Date.parse('2026-12-04T12:00:00Z'),
    createdAt: Date.parse('2026-12-04T12:00:00Z'),
    attempt: 1,
    deferrals: 0,
    lastMessageId: 'm1',
    ...overrides,
  };
}

const sized = (bytes: number): Notification => ({ taskId: 'x', topicArn: 'arn', entry: { Message: 'a'.repeat(bytes), MessageAttributes: {} } });

describe('notifications', () => {
  test('splits a topic batch at 10 entries', () => {
    expect(chunkNotifications(Array.from({ length: 25 }, () => sized(10))).map((c) => c.length)).toEqual([10, 10, 5]);
  });

  test('splits a topic batch before 256 KiB of messages', () => {
    const chunks = chunkNotifications(Array.from({ length: 5 }, () => sized(100 * 1024)));
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const chunk of chunks) expect(chunk.reduce((n, c) => n + (c.entry.Message as string).length, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  test('routes by status and sets the filter attributes', () => {
    const ok = notificationFor(item({ taskType: 'object-created', sourceBucket: 'b' }), topics);
    expect(ok.topicArn).toBe(topics.successTopicArn);
    expect(ok.entry.MessageAttributes).toEqual({
      status: { DataType: 'String', StringValue: 'SUCCEEDED' },
      taskType: { DataType: 'String', StringValue: 'object-created' },
      bucket: { DataType: 'String', StringValue: 'b' },
    });
    expect(notificationFor(item({ status: 'FAILED' }), topics).topicArn).toBe(topics.failureTopicArn);
    expect(notificationFor(item({ status: 'REJECTED' }), topics).entry.MessageAttributes).toEqual({ status: { DataType: 'String', StringValue: 'REJECTED' } });
  });

  test('cuts a long raw body on a character boundary and says so', () => {
    const rawBody = 'x'.repeat(MAX_NOTIFIED_BODY_BYTES - 1) + 'é'.repeat(10);
    const message = JSON.parse(notificationFor(item({ status: 'REJECTED', rawBody }), topics).entry.Message as string);
    expect(message.rawBodyTruncated).toBe(true);
    expect(message.rawBody).toBe('x'.repeat(MAX_NOTIFIED_BODY_BYTES - 1));
    const short = JSON.parse(notificationFor(item({ status: 'REJECTED', rawBody: '{' }), topics).entry.Message as string);
    expect(short).toMatchObject({ rawBody: '{' });
    expect(short.rawBodyTruncated).toBeUndefined();
  });
});
