import { performance } from 'perf_hooks';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '../common/config';
import { PROCESSOR_METRICS, ProcessorMetric } from '../common/metrics';
import { ProcessorSettings } from '../common/processor-parameters';
import { parseTaskMessage, TaskMessage } from '../common/task-message';
import { TERMINAL_STATUSES } from '../common/task-status';
import { ExecutorRegistry, PermanentTaskError } from './executors';
import { notificationFor, publishNotifications } from './notifications';
import { HeldLock, ObjectLock, objectLockId } from './object-lock';
import { Claim, Completion, TaskItem, TaskStore } from './task-store';

/** Records of one batch processed at once; the rest wait for a free slot. */
export const RECORD_CONCURRENCY = 10;
/** Added to the invocation's remaining time to form the claim lease: covers clock drift between hosts and the last write's latency. */
export const CLAIM_LEASE_MARGIN_MS = 10_000;
/** Time kept for running and completing the task after a lock wait. */
export const RUN_RESERVE_MS = 5_000;
/** Bodies larger than this cannot be stored on a REJECTED item (400 KB item limit); such a record stays on the queue for the DLQ. */
/**
 * A worker publishes a terminal outcome before writing it (saving the notification-marker write)
 * only while its claim lease has at least this long to run: no other worker can take the task over
 * before the lease ends, so the completion that follows cannot be refused. Closer to the end, it
 * writes first with the marker, and publishes after.
 */
export const PUBLISH_FIRST_MARGIN_MS = 5_000;
export const MAX_STORED_BODY_BYTES = 300 * 1024;
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1_000;
const MAX_VISIBILITY_SECONDS = 43_200;

export interface ProcessorDeps {
  readonly clock: Clock;
  readonly loadSettings: () => Promise<ProcessorSettings>;
  readonly executors: ExecutorRegistry;
  readonly db: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** What the records of one invocation share. */
interface Invocation {
  readonly settings: ProcessorSettings;
  readonly context: Context;
  readonly store: TaskStore;
  readonly locks: ObjectLock;
  /** The first record of each task id in this batch: later ones wait for it instead of conflicting with its claim. */
  readonly leaders: Map<string, Promise<RecordOutcome>>;
}

/** A terminal outcome whose notification is published before it is written (see {@link PUBLISH_FIRST_MARGIN_MS}). */
interface UnwrittenOutcome {
  readonly claim: Claim;
  readonly completion: Completion & { readonly status: 'SUCCEEDED' | 'FAILED' };
  /** The item as the completion will leave it, for the notification. */
  readonly item: TaskItem;
  readonly log: Logger;
}

interface RecordOutcome {
  /** Report the record in `batchItemFailures`. */
  readonly retry: boolean;
  /** A finished task whose notification this invocation publishes. */
  readonly notify?: TaskItem;
  /** A finished task to notify first and complete after. */
  readonly unwritten?: UnwrittenOutcome;
}

// Lock waits are measured in real time (performance.now), unlike leases, which use the injectable wall clock.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SQS queue URL of a queue ARN (`arn:<partition>:sqs:<region>:<account>:<name>`). */
export function queueUrlFromArn(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${suffix}/${account}/${name}`;
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Builds the SQS handler; `index.ts` wires the real clients, tests inject a clock and executors. */
export function createProcessor(deps: ProcessorDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { clock, db, logger, metrics } = deps;
  const count = (metric: ProcessorMetric, value = 1): void => {
    metrics.addMetric(PROCESSOR_METRICS[metric].name, PROCESSOR_METRICS[metric].unit, value);
  };

  async function delayRetry(record: SQSRecord, seconds: number, log: Logger): Promise<void> {
    const visibility = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(seconds)));
    try {
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrlFromArn(record.eventSourceARN),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: visibility,
        }),
      );
    } catch (err) {
      // The record still comes back, after the queue's own visibility timeout.
      log.warn('could not shorten the visibility of a deferred record', { error: err as Error });
    }
  }

  /**
   * A finished task seen again. Its notification is republished only if the worker that finished it
   * is surely gone, and only by the one duplicate that claims the republish (a conditional write).
   */
  async function duplicate(item: TaskItem, { store, context }: Invocation, record: SQSRecord, log: Logger): Promise<RecordOutcome> {
    count('tasksDuplicate');
    const now = clock();
    const orphaned = item.notification === 'PENDING' && (item.leaseExpiresAt ?? 0) < now;
    const owner = `${context.awsRequestId}/${record.messageId}`;
    const republish = orphaned && (await store.claimRepublish(item.taskId, owner, now, now + context.getRemainingTimeInMillis() + CLAIM_LEASE_MARGIN_MS));
    log.info('task already finished, acknowledged without running', { status: item.status, republish });
    return { retry: false, notify: republish ? item : undefined };
  }

  async function reject(record: SQSRecord, invocation: Invocation, reason: string, log: Logger, taskType?: string): Promise<RecordOutcome> {
    const { store, context } = invocation;
    if (Buffer.byteLength(record.body, 'utf8') > MAX_STORED_BODY_BYTES) {
      log.error('invalid message too large to record; left on the queue for the dead-letter queue', { reason });
      return { retry: true };
    }
    const now = clock();
    const result = await store.reject(record.messageId, record.body, reason, now, now + context.getRemainingTimeInMillis() + CLAIM_LEASE_MARGIN_MS, taskType);
    if (result.kind === 'finished') return duplicate(result.item, invocation, record, log);
    log.warn('message rejected', { reason });
    count('tasksRejected');
    return { retry: false, notify: result.item };
  }

  /** Takes the object lock, waiting with jittered exponential backoff inside the budget. */
  async function acquireLock({ locks, settings, context }: Invocation, message: TaskMessage, claim: Claim, log: Logger): Promise<HeldLock | undefined> {
    const lockId = objectLockId(message.bucket, message.key);
    const leaseMs = settings.leaseSeconds * 1000;
    const budgetMs = Math.min(settings.lockWaitMaxMs, context.getRemainingTimeInMillis() - RUN_RESERVE_MS);
    const started = performance.now();
    let lock = await locks.tryAcquire(lockId, claim.owner, message.taskId, claim.fence, clock(), leaseMs);
    let backoff = BACKOFF_BASE_MS;
    let waited = false;
    while (!lock) {
      const elapsed = performance.now() - started;
      if (elapsed >= budgetMs) break;
      waited = true;
      await sleep(Math.random() * Math.min(backoff, budgetMs - elapsed));
      backoff = Math.min(backoff * 2, BACKOFF_CAP_MS);
      lock = await locks.tryAcquire(lockId, claim.owner, message.taskId, claim.fence, clock(), leaseMs);
    }
    const waitedMs = performance.now() - started;
    if (waited || !lock) {
      count('lockWaits');
      count('lockWaitTime', Math.round(waitedMs));
      log.info('object lock was busy', { lockId, waitedMs: Math.round(waitedMs), acquired: Boolean(lock) });
    }
    return lock;
  }

  /** Runs the executor while a heartbeat keeps the lock; a lost lock aborts the executor's signal. */
  async function run({ locks, settings }: Invocation, lock: HeldLock, message: TaskMessage, log: Logger): Promise<Record<string, unknown>> {
    const executor = deps.executors[message.taskType];
    const leaseMs = settings.leaseSeconds * 1000;
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      locks.extend(lock, clock(), leaseMs).then(
        (held) => held || controller.abort(new Error(`object lock ${lock.lockId} was taken over`)),
        (err: Error) => log.warn('could not extend the object lock', { error: err }),
      );
    }, leaseMs / 3);
    try {
      const result = await executor({ message, signal: controller.signal, logger: log });
      if (controller.signal.aborted) throw controller.signal.reason;
      return result;
    } finally {
      clearInterval(heartbeat);
      // A failed release only delays the next holder until the lease ends: it must not undo the run.
      await locks.release(lock).then(
        (released) => released || log.warn('object lock was no longer ours at release', { lockId: lock.lockId }),
        (err: Error) => log.warn('could not release the object lock; it frees when its lease ends', { lockId: lock.lockId, error: err }),
      );
    }
  }

  async function processTask(record: SQSRecord, invocation: Invocation, message: TaskMessage, log: Logger): Promise<RecordOutcome> {
    const { settings, context, store, locks } = invocation;
    const now = clock();
    const owner = `${context.awsRequestId}/${record.messageId}`;
    const claimed = await store.claim(message, owner, now, now + context.getRemainingTimeInMillis() + CLAIM_LEASE_MARGIN_MS, record.messageId);
    if (claimed.kind === 'finished') return duplicate(claimed.item, invocation, record, log);
    if (claimed.kind === 'conflict') {
      count('claimConflicts');
      log.info('task is held by a live claim, retrying after its lease', { leaseExpiresAt: claimed.leaseExpiresAt });
      await delayRetry(record, (claimed.leaseExpiresAt - now) / 1000 + 1, log);
      return { retry: true };
    }
    const claim: Claim = { owner, fence: claimed.item.attempt };
    log.appendPersistentKeys({ attempt: claim.fence });
    const runsBefore = claimed.item.attempt - 1 - claimed.item.deferrals;

    let completion: Completion;
    if (runsBefore >= settings.maxAttempts) {
      completion = { status: 'FAILED', error: `attempts exhausted: ${runsBefore} runs ended without completing` };
    } else {
      const lock = await acquireLock(invocation, message, claim, log);
      if (!lock) {
        const holder = await locks.holder(objectLockId(message.bucket, message.key));
        await store.defer(message.taskId, claim, clock());
        await delayRetry(record, holder ? holder.expiresAt - clock() / 1000 : 1, log);
        return { retry: true };
      }
      try {
        completion = { status: 'SUCCEEDED', result: await run(invocation, lock, message, log) };
      } catch (err) {
        const error = `${(err as Error).name}: ${(err as Error).message}`;
        const exhausted = runsBefore + 1 >= settings.maxAttempts;
        completion = { status: err instanceof PermanentTaskError || exhausted ? 'FAILED' : 'PENDING', error };
        log.warn('task run failed', { error: err as Error, permanent: err instanceof PermanentTaskError, exhausted });
      }
    }

    const leaseExpiresAt = claimed.item.leaseExpiresAt ?? 0;
    if (completion.status !== 'PENDING' && clock() + PUBLISH_FIRST_MARGIN_MS < leaseExpiresAt) {
      const done = completion.status === 'SUCCEEDED' ? { result: completion.result } : { lastError: completion.error };
      const item: TaskItem = { ...claimed.item, status: completion.status, updatedAt: clock(), ...done };
      return { retry: false, unwritten: { claim, completion: completion as UnwrittenOutcome['completion'], item, log } };
    }
    const written = await store.complete(message.taskId, claim, completion, clock());
    if (!written.applied) {
      count('staleCompletions');
      // Acknowledge only a settled task: otherwise this message may be the one still carrying it.
      const settled = written.current !== undefined && TERMINAL_STATUSES.includes(written.current.status);
      log.warn('completion refused: the claim was taken over by a newer attempt', { outcome: completion.status, settled });
      return { retry: !settled };
    }
    const { item } = written;
    if (item.status === 'PENDING') return { retry: true };
    count(item.status === 'SUCCEEDED' ? 'tasksSucceeded' : 'tasksFailed');
    log.info('task finished', { status: item.status });
    return { retry: false, notify: item };
  }

  /**
   * Writes an outcome already published (or, when publishing failed, with the marker that makes a
   * redelivery publish it). False when the record must be retried.
   */
  async function completeAfterPublish(store: TaskStore, { claim, completion, item, log }: UnwrittenOutcome, published: boolean, record: SQSRecord): Promise<boolean> {
    try {
      const written = await store.complete(item.taskId, claim, completion, clock(), { notified: published });
      if (!written.applied) {
        count('staleCompletions');
        log.error('completion refused after its notification was published: the claim lease ended early (clock skew?)', { outcome: completion.status });
        return written.current !== undefined && TERMINAL_STATUSES.includes(written.current.status);
      }
    } catch (err) {
      // Published but not written: the task runs again once its lease ends, and notifies again.
      log.error('completion not written; the task will run again after its lease', { error: err as Error, messageId: record.messageId });
      return false;
    }
    count(completion.status === 'SUCCEEDED' ? 'tasksSucceeded' : 'tasksFailed');
    log.info('task finished', { status: completion.status });
    return true;
  }

  /** A record of a task another record of this batch is processing: acknowledged once that one settles it. */
  async function follow(leader: Promise<RecordOutcome>, log: Logger): Promise<RecordOutcome> {
    const { retry } = await leader;
    if (!retry) count('tasksDuplicate');
    log.info('same task as an earlier record of this batch', { acknowledged: !retry });
    return { retry };
  }

  async function processRecord(record: SQSRecord, invocation: Invocation): Promise<RecordOutcome> {
    const log = logger.createChild({ persistentKeys: { messageId: record.messageId } });
    try {
      const parsed = parseTaskMessage(record.body);
      if (!parsed.ok) {
        log.appendPersistentKeys({ taskId: `rejected:${record.messageId}` });
        return await reject(record, invocation, parsed.reason, log);
      }
      const { message } = parsed;
      log.appendPersistentKeys({ taskId: message.taskId, taskType: message.taskType });
      if (!Object.hasOwn(deps.executors, message.taskType)) {
        log.appendPersistentKeys({ taskId: `rejected:${record.messageId}` });
        return await reject(record, invocation, `no executor for task type ${JSON.stringify(message.taskType)}`, log, message.taskType);
      }
      // Both event formats of one upload (or an EventBridge duplicate) often share a batch.
      const leader = invocation.leaders.get(message.taskId);
      if (leader) return await follow(leader, log);
      const outcome = processTask(record, invocation, message, log);
      invocation.leaders.set(message.taskId, outcome.catch((): RecordOutcome => ({ retry: true })));
      return await outcome;
    } catch (err) {
      log.error('record failed, it will be retried', { error: err as Error });
      return { retry: true };
    }
  }

  return async (event, context) => {
    logger.addContext(context);
    try {
      const settings = await deps.loadSettings();
      const store = new TaskStore(db, settings.taskTableName, settings.statusShards, settings.taskRetentionDays);
      const invocation: Invocation = { settings, context, store, locks: new ObjectLock(db, settings.lockTableName), leaders: new Map() };
      const records = event.Records;
      const outcomes = await mapBounded(records, RECORD_CONCURRENCY, (r) => processRecord(r, invocation));
      const retry = new Set(records.filter((_, i) => outcomes[i].retry).map((r) => r.messageId));

      const finished = outcomes.flatMap((o, i) => {
        const item = o.notify ?? o.unwritten?.item;
        return item ? [{ item, record: records[i], unwritten: o.unwritten }] : [];
      });
      const failed = await publishNotifications(deps.sns, finished.map((f) => notificationFor(f.item, settings)));
      await mapBounded(finished, RECORD_CONCURRENCY, async ({ item, record, unwritten }) => {
        const error = failed.get(item.taskId);
        if (unwritten) {
          if (!(await completeAfterPublish(store, unwritten, error === undefined, record))) retry.add(record.messageId);
          if (error === undefined) return;
        } else if (error === undefined) {
          await store.markNotified(item.taskId).catch((err: Error) =>
            logger.warn('notification sent but its marker stayed; a later duplicate may repeat it', {
              taskId: item.taskId,
              messageId: record.messageId,
              error: err,
            }),
          );
          return;
        }
        // The marker stays PENDING: the redelivery of this record publishes it again.
        count('notificationFailures');
        logger.error('notification not published, record will be retried', { taskId: item.taskId, messageId: record.messageId, error });
        retry.add(record.messageId);
      });
      if (retry.size > 0) count('tasksRetried', retry.size);
      return { batchItemFailures: records.filter((r) => retry.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
