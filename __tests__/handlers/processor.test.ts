import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  CONFIG_PATH,
  ExecutionRecorder,
  FAILURE_TOPIC,
  Harness,
  lambdaContext,
  resetMocks,
  sqsRecord,
  startHarness,
  SUCCESS_TOPIC,
  TestClock,
  uniqueId,
  taskIdOf,
  wireMessage,
} from './processor-harness';
import type { TaskExecutor } from '../../handlers/processor/executors';
import { ObjectLock, objectLockId } from '../../handlers/processor/object-lock';
import { PROCESSOR_AWS_CALLS } from '../../handlers/common/aws-calls';
import { PROCESSOR_METRICS } from '../../handlers/common/metrics';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => resetMocks(h));

/** Sums the EMF metric values written to stdout, by metric name. */
function emf(lines: readonly Record<string, any>[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of lines) {
    for (const metric of entry._aws?.CloudWatchMetrics?.[0]?.Metrics ?? []) {
      const value = entry[metric.Name];
      totals[metric.Name] = (totals[metric.Name] ?? 0) + (Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : value);
    }
  }
  return totals;
}

const event = (...records: ReturnType<typeof sqsRecord>[]) => ({ Records: records });
const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) => response.batchItemFailures.map((f) => f.itemIdentifier);

/** The real HeadObject executor (against the S3 mock), recorded. */
function recordedHeadObject(recorder: ExecutionRecorder) {
  return { 'object-created': recorder.wrap(h.executorsModule.headObjectExecutor(h.clients.s3Client)) };
}

describe('processor', () => {
  test('50 concurrent deliveries of one task execute it once and notify once', async () => {
    const clock = new TestClock();
    const recorder = new ExecutionRecorder();
    const body = wireMessage();
    const deliveries = Array.from({ length: 50 }, () => sqsRecord(body));
    const responses = await Promise.all(
      deliveries.map((r) => h.processor({ clock, executors: recordedHeadObject(recorder) })(event(r), lambdaContext())),
    );

    expect(recorder.executed).toEqual([taskIdOf(body)]);
    // The other 49 met the live claim (retried once its lease is over) or the finished task (acknowledged).
    const retried = responses.flatMap(failedIds);
    const metrics = emf(h.output);
    expect(retried.length).toBe(metrics.ClaimConflicts ?? 0);
    expect(retried.length + (metrics.TasksDuplicate ?? 0)).toBe(49);
    expect(metrics.TasksSucceeded).toBe(1);
    const visibilities = h.sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout);
    expect(visibilities).toHaveLength(retried.length);
    // Lease = 60 s remaining + 10 s margin, plus a second.
    for (const v of visibilities) expect(v).toBe(71);
    const task = await h.task(taskIdOf(body));
    expect(task).toMatchObject({ status: 'SUCCEEDED', attempt: 1, statusShard: expect.stringMatching(/^SUCCEEDED#[0-3]$/) });
    expect(task?.notification).toBeUndefined();

    // The retried deliveries come back after the claim's lease: all acknowledged, nothing runs again.
    clock.advance(120_000);
    const again = deliveries.filter((d) => retried.includes(d.messageId));
    for (let i = 0; i < again.length; i += 10) {
      const redelivered = await h.processor({ clock, executors: recordedHeadObject(recorder) })(event(...again.slice(i, i + 10)), lambdaContext());
      expect(redelivered.batchItemFailures).toEqual([]);
    }
    expect(recorder.executed).toHaveLength(1);
    const notes = h.published();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      topicArn: SUCCESS_TOPIC,
      message: { taskId: taskIdOf(body), status: 'SUCCEEDED', result: { size: 42, contentType: 'text/csv', etag: '"abc"' } },
      attributes: { status: 'SUCCEEDED', taskType: 'object-created', bucket: 'uploads-bucket' },
    });
  });

  test('a redelivery after success is acknowledged without running', async () => {
    const clock = new TestClock();
    const recorder = new ExecutionRecorder();
    const record = sqsRecord(wireMessage());
    const processor = h.processor({ clock, executors: recordedHeadObject(recorder) });
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([]);
    clock.advance(300_000);
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([]);
    expect(recorder.executed).toHaveLength(1);
    expect(h.published()).toHaveLength(1);
  });

  /** Worker A hangs past its leases, worker B takes the task over with `fresh`, then A finishes. */
  async function takeover(fresh: TaskExecutor) {
    const clock = new TestClock();
    let releaseStale!: () => void;
    let staleStarted!: () => void;
    const started = new Promise<void>((resolve) => (staleStarted = resolve));
    const stale: TaskExecutor = async () => {
      staleStarted();
      await new Promise<void>((resolve) => (releaseStale = resolve));
      return { from: 'stale worker' };
    };
    const body = wireMessage();
    const staleRecord = sqsRecord(body);
    const staleRun = h.processor({ clock, executors: { 'object-created': stale } })(event(staleRecord), lambdaContext(60_000));
    await started;
    // The claim lease (remaining time + margin) and the lock lease are both over.
    clock.advance(60_000 + 10_000 + 1_000);
    const second = await h.processor({ clock, executors: { 'object-created': fresh } })(event(sqsRecord(body)), lambdaContext(60_000));
    const afterSecond = await h.task(taskIdOf(body));
    releaseStale();
    const staleResponse = await staleRun;
    return { body, staleRecord, second, afterSecond, staleResponse, final: await h.task(taskIdOf(body)) };
  }

  test('a crashed worker is taken over after its lease and its late completion is refused', async () => {
    const run = await takeover(async () => ({ from: 'second worker' }));
    expect(run.second.batchItemFailures).toEqual([]);
    expect(run.afterSecond).toMatchObject({ status: 'SUCCEEDED', attempt: 2, result: { from: 'second worker' } });
    // The task is settled, so the stale worker's message is acknowledged; its outcome is not written.
    expect(run.staleResponse.batchItemFailures).toEqual([]);
    expect(run.final).toEqual(run.afterSecond);
    expect(h.published().map((n) => n.message.result)).toEqual([{ from: 'second worker' }]);
    expect(emf(h.output)).toMatchObject({ StaleCompletions: 1, TasksSucceeded: 1 });
    // The stale worker's release did not delete anything it no longer owned; the second worker released its own.
    expect((await h.locks()).filter((l) => l.taskId === taskIdOf(run.body))).toEqual([]);
  });

  test('a refused completion keeps its message when the task is not settled yet', async () => {
    const run = await takeover(async () => {
      throw new Error('transient');
    });
    expect(run.afterSecond).toMatchObject({ status: 'PENDING', attempt: 2, lastError: 'Error: transient' });
    expect(failedIds(run.staleResponse)).toEqual([run.staleRecord.messageId]);
    expect(run.final).toEqual(run.afterSecond);
    expect(h.published()).toEqual([]);
  });

  test('two tasks on the same object never execute at once', async () => {
    const clock = new TestClock();
    const recorder = new ExecutionRecorder();
    const slow = recorder.wrap(async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return {};
    });
    const key = uniqueId('shared/object');
    const a = wireMessage({ key });
    const b = wireMessage({ key });
    const c = wireMessage({ key });
    const processor = h.processor({ clock, executors: { 'object-created': slow } });
    // Same batch and a concurrent invocation.
    const [batch, other] = await Promise.all([
      processor(event(sqsRecord(a), sqsRecord(b)), lambdaContext()),
      h.processor({ clock, executors: { 'object-created': slow } })(event(sqsRecord(c)), lambdaContext()),
    ]);
    expect([...batch.batchItemFailures, ...other.batchItemFailures]).toEqual([]);
    expect(recorder.executed.sort()).toEqual([taskIdOf(a), taskIdOf(b), taskIdOf(c)].sort());
    expect(recorder.maxRunning).toBe(1);
    for (const m of [a, b, c]) expect((await h.task(taskIdOf(m)))?.status).toBe('SUCCEEDED');
  });

  test('a lock still busy after the wait defers the claim and shortens the visibility', async () => {
    resetMocks(h, { lockWaitMaxMs: 0 });
    const clock = new TestClock();
    const body = wireMessage();
    const holderExpiresAt = Math.floor(clock.now / 1000) + 8;
    await h.clients.documentClient.send(
      new PutCommand({
        TableName: 'locks',
        Item: { lockId: `s3://${body.bucket}/${(body.object as { key: string }).key}`, lockOwner: 'other', taskId: 'other-task', fence: 1, expiresAt: holderExpiresAt },
      }),
    );
    const record = sqsRecord(body);
    const recorder = new ExecutionRecorder();
    const processor = h.processor({ clock, executors: recordedHeadObject(recorder) });
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([record.messageId]);
    expect(recorder.executed).toEqual([]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'PENDING', attempt: 1, deferrals: 1 });
    const visibility = h.sqs.commandCalls(ChangeMessageVisibilityCommand)[0].args[0].input;
    expect(visibility).toMatchObject({ ReceiptHandle: record.receiptHandle, VisibilityTimeout: 8 });
    expect(visibility.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/111122223333/task-queue');

    // Once the holder's lease has expired the task runs; the deferred claim did not use up an attempt.
    clock.advance(9_000);
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'SUCCEEDED', attempt: 2, deferrals: 1 });
  });

  test('a worker whose object lock is taken over mid-run is aborted and leaves the new holder alone', async () => {
    const clock = new TestClock();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const waitsForAbort: TaskExecutor = ({ signal }) =>
      new Promise((resolve) => {
        started();
        signal.addEventListener('abort', () => resolve({ stopped: true }));
      });
    const body = wireMessage();
    const run = h.processor({ clock, executors: { 'object-created': waitsForAbort } })(event(sqsRecord(body)), lambdaContext());
    await running;
    const lockId = `s3://${body.bucket}/${(body.object as { key: string }).key}`;
    const intruder = { lockId, lockOwner: 'intruder', taskId: 'other-task', fence: 1, expiresAt: Math.floor(clock.now / 1000) + 60 };
    await h.clients.documentClient.send(new PutCommand({ TableName: 'locks', Item: intruder }));

    // The heartbeat (every lease-seconds / 3 = 3.3 s) finds the lock gone and aborts the run.
    const response = await run;
    expect(failedIds(response)).toHaveLength(1);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'PENDING', lastError: `Error: object lock ${lockId} was taken over` });
    expect((await h.locks()).find((l) => l.lockId === lockId)).toEqual(intruder);
    expect(h.published()).toEqual([]);
  });

  test('the lock goes to a newer attempt of the same task, and the older attempt can neither extend nor release it', async () => {
    const locks = new ObjectLock(h.clients.documentClient, 'locks');
    const lockId = objectLockId('uploads-bucket', uniqueId('fenced'));
    const now = Date.parse('2026-12-04T12:00:00Z');
    const first = await locks.tryAcquire(lockId, 'worker-a', 'task-1', 1, now, 60_000);
    expect(first).toBeDefined();
    // Another task waits for the live lease; the same task's next attempt takes over.
    expect(await locks.tryAcquire(lockId, 'worker-c', 'task-2', 9, now + 1_000, 60_000)).toBeUndefined();
    expect(await locks.tryAcquire(lockId, 'worker-b', 'task-1', 1, now + 1_000, 60_000)).toBeUndefined();
    const second = await locks.tryAcquire(lockId, 'worker-b', 'task-1', 2, now + 1_000, 60_000);
    expect(second).toBeDefined();
    expect(await locks.extend(first!, now + 2_000, 60_000)).toBe(false);
    expect(await locks.release(first!)).toBe(false);
    expect(await locks.holder(lockId)).toEqual({ owner: 'worker-b', taskId: 'task-1', fence: 2, expiresAt: Math.ceil((now + 61_000) / 1000) });
    expect(await locks.release(second!)).toBe(true);
    expect(await locks.holder(lockId)).toBeUndefined();
  });

  test('DynamoDB throttling on one record fails only that record', async () => {
    const clock = new TestClock();
    const ok1 = sqsRecord(wireMessage());
    const throttledBody = wireMessage();
    const throttled = sqsRecord(throttledBody);
    const ok2 = sqsRecord(wireMessage());
    h.throttledTaskIds.add(taskIdOf(throttledBody));
    const response = await h.processor({ clock })(event(ok1, throttled, ok2), lambdaContext());
    expect(failedIds(response)).toEqual([throttled.messageId]);
    expect(emf(h.output)).toMatchObject({ TasksRetried: 1, TasksSucceeded: 2 });
    h.throttledTaskIds.clear();
    expect(await h.task(taskIdOf(throttledBody))).toBeUndefined();
    for (const r of [ok1, ok2]) expect((await h.task(taskIdOf(r.body)))?.status).toBe('SUCCEEDED');
    expect(h.published().map((n) => n.message.taskId).sort()).toEqual([taskIdOf(ok1.body), taskIdOf(ok2.body)].sort());
  });

  test.each([
    ['invalid JSON', '{"version": 1, "taskId": ', /body is not valid JSON/],
    ['a missing field', JSON.stringify({ ...wireMessage(), bucket: undefined }), /missing field "bucket"/],
    ['a wrong type', JSON.stringify(wireMessage({ bucket: 12345 })), /field "bucket" must be a string, got number/],
    ['an oversized key', JSON.stringify(wireMessage({ key: 'k'.repeat(1025) })), /field "object.key" is 1025 bytes/],
    ['an unknown task type', JSON.stringify(wireMessage({ taskType: 'transcode' })), /no executor for task type "transcode"/],
  ])('rejects %s, keeping the raw body, and notifies', async (_case, body, reason) => {
    const clock = new TestClock();
    const record = sqsRecord(body);
    const recorder = new ExecutionRecorder();
    const response = await h.processor({ clock, executors: recordedHeadObject(recorder) })(event(record), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(recorder.executed).toEqual([]);
    const item = await h.task(`rejected:${record.messageId}`);
    expect(item).toMatchObject({ status: 'REJECTED', rawBody: body, statusShard: expect.stringMatching(/^REJECTED#/) });
    expect(item?.reason).toMatch(reason);
    expect(item?.expiresAt).toBe(Math.floor(clock.now / 1000) + 7 * 86_400);
    const notes = h.published();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ topicArn: FAILURE_TOPIC, message: { status: 'REJECTED', rawBody: body }, attributes: { status: 'REJECTED' } });
    expect(notes[0].message.reason).toMatch(reason);

    // Redelivery of the same message: recorded once, notified once.
    clock.advance(300_000);
    expect((await h.processor({ clock })(event(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(h.published()).toHaveLength(1);
  });

  test('fails the invocation naming a missing SSM parameter', async () => {
    resetMocks(h, { maxAttempts: undefined });
    const processor = h.processor({ clock: new TestClock() });
    await expect(processor(event(sqsRecord(wireMessage())), lambdaContext())).rejects.toThrow(
      `SSM parameter ${CONFIG_PATH}max-attempts (Attempts before a task ends FAILED) is missing or empty`,
    );
  });

  test('fails the invocation naming a malformed SSM parameter', async () => {
    resetMocks(h, { leaseSeconds: '30s' });
    const processor = h.processor({ clock: new TestClock() });
    await expect(processor(event(sqsRecord(wireMessage())), lambdaContext())).rejects.toThrow(
      `SSM parameter ${CONFIG_PATH}lease-seconds (Lease of a task claim and of an object lock) must be an integer in [10, 900], got "30s"`,
    );
  });

  test('reads SSM once per cache TTL', async () => {
    const clock = new TestClock();
    const processor = h.processor({ clock });
    await processor(event(sqsRecord(wireMessage())), lambdaContext());
    clock.advance(59_000);
    await processor(event(sqsRecord(wireMessage())), lambdaContext());
    expect(h.ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(1);
    clock.advance(1_000);
    await processor(event(sqsRecord(wireMessage())), lambdaContext());
    expect(h.ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
    expect(h.ssm.commandCalls(GetParametersByPathCommand)[0].args[0].input).toMatchObject({ Path: CONFIG_PATH.replace(/\/$/, ''), Recursive: false });
  });

  test('ends FAILED and notifies when attempts are exhausted', async () => {
    resetMocks(h, { maxAttempts: 2 });
    const clock = new TestClock();
    const flaky: TaskExecutor = async () => {
      throw new Error('upstream timeout');
    };
    const processor = h.processor({ clock, executors: { 'object-created': flaky } });
    const body = wireMessage();
    const record = sqsRecord(body);
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([record.messageId]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'PENDING', attempt: 1, lastError: 'Error: upstream timeout' });
    expect(h.published()).toEqual([]);

    clock.advance(300_000);
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'FAILED', attempt: 2, statusShard: expect.stringMatching(/^FAILED#/) });
    const notes = h.published();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ topicArn: FAILURE_TOPIC, message: { status: 'FAILED', error: 'Error: upstream timeout', attempt: 2 }, attributes: { status: 'FAILED' } });
  });

  test('a missing object fails the task permanently on the first attempt', async () => {
    h.s3.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
    const body = wireMessage({ versionId: 'v7' });
    const response = await h.processor({ clock: new TestClock() })(event(sqsRecord(body)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(h.s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: 'uploads-bucket', Key: (body.object as { key: string }).key, VersionId: 'v7' });
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'FAILED', attempt: 1, lastError: expect.stringMatching(/^PermanentTaskError: object .* version v7 does not exist$/) });
    expect(h.published()[0]).toMatchObject({ topicArn: FAILURE_TOPIC, attributes: { status: 'FAILED' } });
  });

  test('a refused notification retries the record, whose redelivery publishes it', async () => {
    const clock = new TestClock();
    h.sns.reset();
    h.sns.rejects(Object.assign(new Error('throttled'), { name: 'Throttling' }));
    const body = wireMessage();
    const record = sqsRecord(body);
    const processor = h.processor({ clock });
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([record.messageId]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'SUCCEEDED', notification: 'PENDING' });

    resetMocks(h);
    clock.advance(300_000);
    expect(failedIds(await processor(event(record), lambdaContext()))).toEqual([]);
    expect(h.published().map((n) => n.message.taskId)).toEqual([taskIdOf(body)]);
    expect((await h.task(taskIdOf(body)))?.notification).toBeUndefined();
    expect(h.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  test('publishes before writing the outcome, but a worker near the end of its lease writes first', async () => {
    const clock = new TestClock();
    const early = wireMessage();
    const late = wireMessage();
    const slowHeadObject = h.executorsModule.headObjectExecutor(h.clients.s3Client);
    const processor = h.processor({
      clock,
      executors: {
        'object-created': async (ctx) => {
          // Lease = 60 s remaining + 10 s margin: the late task finishes 4 s before its lease ends.
          if (ctx.message.taskId === taskIdOf(late)) clock.advance(66_000);
          return slowHeadObject(ctx);
        },
      },
    });
    const updates = async (body: Record<string, unknown>): Promise<number> => {
      const before = h.dynamoCalls.length;
      await processor(event(sqsRecord(body)), lambdaContext());
      return h.dynamoCalls.slice(before).filter((c) => c === 'UpdateItemCommand').length;
    };

    // Claim and completion only: the outcome was published first, so it needs no marker.
    expect(await updates(early)).toBe(2);
    expect(await h.task(taskIdOf(early))).toMatchObject({ status: 'SUCCEEDED' });
    expect((await h.task(taskIdOf(early)))?.notification).toBeUndefined();

    // Claim, completion with the marker, and the marker's removal after the publish.
    expect(await updates(late)).toBe(3);
    expect(await h.task(taskIdOf(late))).toMatchObject({ status: 'SUCCEEDED' });
    expect((await h.task(taskIdOf(late)))?.notification).toBeUndefined();
    expect(h.published().map((n) => n.message.taskId)).toEqual([taskIdOf(early), taskIdOf(late)]);
  });

  test('two records of one task in a batch run it once, and both are acknowledged without a claim conflict', async () => {
    const clock = new TestClock();
    const recorder = new ExecutionRecorder();
    const body = wireMessage();
    // Both event formats of one upload: the same task id from two different messages.
    const first = sqsRecord(body);
    const second = sqsRecord({ ...body, source: 'cloudtrail', eventId: uniqueId('event') });
    const response = await h.processor({ clock, executors: recordedHeadObject(recorder) })(event(first, second), lambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(recorder.executed).toEqual([taskIdOf(body)]);
    expect(h.sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
    expect(h.published().map((n) => n.message.taskId)).toEqual([taskIdOf(body)]);
    const metrics = emf(h.output);
    expect([metrics.TasksSucceeded, metrics.TasksDuplicate, metrics.ClaimConflicts ?? 0]).toEqual([1, 1, 0]);
  });

  test('an orphaned notification is republished by exactly one of several duplicates', async () => {
    const clock = new TestClock();
    const body = wireMessage();
    const processor = h.processor({ clock });
    // The finishing worker wrote the outcome with the marker, then died before publishing.
    await h.clients.documentClient.send(
      new PutCommand({
        TableName: 'tasks',
        Item: {
          taskId: taskIdOf(body), status: 'SUCCEEDED', statusShard: 'SUCCEEDED#0', updatedAt: clock.now, createdAt: clock.now,
          attempt: 1, deferrals: 0, leaseOwner: 'dead-worker', leaseExpiresAt: clock.now - 1, lastMessageId: 'm0',
          notification: 'PENDING', result: { size: 42 },
        },
      }),
    );
    const responses = await Promise.all(Array.from({ length: 5 }, () => processor(event(sqsRecord(body)), lambdaContext())));
    expect(responses.flatMap(failedIds)).toEqual([]);
    expect(h.published().map((n) => n.message.taskId)).toEqual([taskIdOf(body)]);
    expect((await h.task(taskIdOf(body)))?.notification).toBeUndefined();
  });

  test('counts the AWS calls of a successful task, all of them declared for IAM', async () => {
    const clock = new TestClock();
    const processor = h.processor({ clock });
    await processor(event(sqsRecord(wireMessage())), lambdaContext()); // warms the settings cache
    resetMocks(h);
    const records = Array.from({ length: 10 }, () => sqsRecord(wireMessage()));
    const response = await processor(event(...records), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);

    const perTask = (n: number) => n / records.length;
    const byOperation: Record<string, number> = {};
    for (const name of h.dynamoCalls) {
      const op = `dynamodb:${name.replace(/Command$/, '')}`;
      byOperation[op] = (byOperation[op] ?? 0) + 1;
    }
    const mocked = { ssm: h.ssm, sns: h.sns, s3: h.s3, sqs: h.sqs };
    for (const [service, mock] of Object.entries(mocked)) {
      for (const call of mock.calls()) {
        const op = `${service}:${call.args[0].constructor.name.replace(/Command$/, '')}`;
        byOperation[op] = (byOperation[op] ?? 0) + 1;
      }
    }
    // Per task: claim and completion (UpdateItem; the outcome is published before the completion is
    // written, so no notification marker), lock take (PutItem) and release (DeleteItem), one HeadObject;
    // one PublishBatch per 10 tasks; no SSM read while the cache is warm.
    expect(Object.fromEntries(Object.entries(byOperation).map(([op, n]) => [op, perTask(n)]))).toEqual({
      'dynamodb:UpdateItem': 2,
      'dynamodb:PutItem': 1,
      'dynamodb:DeleteItem': 1,
      's3:HeadObject': 1,
      'sns:PublishBatch': 0.1,
    });
    const declared = PROCESSOR_AWS_CALLS.map((c) => c.operation);
    for (const op of Object.keys(byOperation)) expect(declared).toContain(op);
  });

  test('every log line names the task and the SQS message, and metrics use the exported names', async () => {
    const clock = new TestClock();
    const shared = wireMessage();
    await h.processor({ clock })(event(sqsRecord(shared), sqsRecord(shared), sqsRecord('not json')), lambdaContext());
    const logs = h.output.filter((l) => l._aws === undefined);
    expect(logs.map((l) => l.level).sort()).toEqual(['INFO', 'INFO', 'WARN']);
    for (const log of logs) {
      expect(log).toMatchObject({ messageId: expect.any(String), taskId: expect.any(String), service: 'processor' });
    }
    const names = Object.values(PROCESSOR_METRICS).map((m) => m.name);
    for (const name of Object.keys(emf(h.output))) expect(names).toContain(name);
    expect(emf(h.output)).toMatchObject({ TasksSucceeded: 1, TasksRejected: 1 });
  });

  test('the exported handler reads SSM by path and reaches DynamoDB through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../handlers/processor') as typeof import('../../handlers/processor');
    const body = wireMessage();
    const response = await handler({ Records: [sqsRecord(body)] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(await h.task(taskIdOf(body))).toMatchObject({ status: 'SUCCEEDED' });
  });
});
