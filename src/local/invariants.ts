/**
 * The invariants of a run, checked on its final state:
 * - every valid upload's task is SUCCEEDED with one completed run (not counting runs of killed
 *   workers that died before recording them), written by a worker that ran it, and one success notification
 *   (more only when a DynamoDB request of that task failed through all SDK retries, the documented
 *   at-least-once path), or FAILED with its message kept and a failure notification, or its
 *   message is in the task DLQ, or every event of the upload is in an ingest (EventBridge target) DLQ;
 * - a killed worker's task was taken over (a second run) and ended as above;
 * - every malformed message is REJECTED under its message id with its raw body, and notified;
 * - nothing else is in the task table, the task queue is empty;
 * - at every run's start the object's lock was live and held by no other running worker.
 */
import { parseTaskMessage } from '../../handlers/common/task-message';
import { objectLockId } from '../../handlers/processor/object-lock';
import { Upload } from './eventbridge';
import { TaskRuns } from './monitor';
import { Published } from './sns-server';

export interface RunOutcome {
  readonly uploads: readonly (Upload & { readonly taskId: string })[];
  readonly eventsDelivered: number;
  readonly malformed: readonly { readonly body: string; readonly messageId: string }[];
  readonly taskItems: readonly Record<string, unknown>[];
  readonly lockItems: readonly Record<string, unknown>[];
  readonly published: readonly Published[];
  readonly successTopicArn: string;
  readonly failureTopicArn: string;
  readonly queues: readonly { readonly name: string; readonly bodies: readonly string[]; readonly redriven: number }[];
  readonly taskQueueName: string;
  readonly taskDeadLetterQueue?: string;
  readonly ingestDeadLetterQueues: readonly string[];
  /** Runs per task, keyed by `ExecutionMonitor.taskKey`. */
  readonly runs: ReadonlyMap<string, TaskRuns>;
  readonly killedTasks: ReadonlySet<string>;
  /** Invocations frozen and killed: a run they completed counts only if they recorded its outcome before dying. */
  readonly frozenInvocations: ReadonlySet<string>;
  /** Bodies of DynamoDB requests that failed through all SDK attempts. */
  readonly finalThrottles: readonly string[];
  readonly monitorViolations: readonly string[];
  readonly unmatchedEvents: number;
  readonly droppedEvents: number;
}

const taskKey = (u: Upload): string => JSON.stringify([u.bucket, u.key, u.versionId]);

/** Notifications per task id and topic. */
function notificationCounts(outcome: RunOutcome): Map<string, { success: number; failure: number }> {
  const counts = new Map<string, { success: number; failure: number }>();
  for (const p of outcome.published) {
    const taskId = (JSON.parse(p.message) as { taskId: string }).taskId;
    const c = counts.get(taskId) ?? { success: 0, failure: 0 };
    if (p.topicArn === outcome.successTopicArn) c.success++;
    if (p.topicArn === outcome.failureTopicArn) c.failure++;
    counts.set(taskId, c);
  }
  return counts;
}

export interface InvariantCheck {
  readonly violations: string[];
}

export function checkInvariants(outcome: RunOutcome): InvariantCheck {
  const violations = [...outcome.monitorViolations];
  const items = new Map(outcome.taskItems.map((i) => [i.taskId as string, i]));
  const notes = notificationCounts(outcome);
  const dlqBodies = outcome.queues.find((q) => q.name === outcome.taskDeadLetterQueue)?.bodies ?? [];
  const dlqTaskIds = new Set(dlqBodies.flatMap((b) => {
    const parsed = parseTaskMessage(b);
    return parsed.ok ? [parsed.message.taskId] : [];
  }));
  // Uploads whose events reached an ingest DLQ, by S3 request id (both formats carry it).
  const ingestDlqRequests = new Map<string, number>();
  for (const q of outcome.queues.filter((q) => outcome.ingestDeadLetterQueues.includes(q.name))) {
    for (const b of q.bodies) {
      const detail = (JSON.parse(b) as { detail?: Record<string, unknown> }).detail ?? {};
      const requestId = String(detail['request-id'] ?? detail.requestID);
      ingestDlqRequests.set(requestId, (ingestDlqRequests.get(requestId) ?? 0) + 1);
    }
  }
  // A DynamoDB request that failed through all SDK retries names its task id or its object's lock id.
  const unabsorbed = (u: Upload & { taskId: string }): boolean => {
    const lock = JSON.stringify(objectLockId(u.bucket, u.key)).slice(1, -1);
    return outcome.finalThrottles.some((b) => b.includes(u.taskId) || b.includes(lock));
  };

  const seen = new Set<string>();
  for (const u of outcome.uploads) {
    if (seen.has(u.taskId)) violations.push(`two uploads with one task id ${u.taskId}`);
    seen.add(u.taskId);
    const item = items.get(u.taskId);
    const n = notes.get(u.taskId) ?? { success: 0, failure: 0 };
    const runs = outcome.runs.get(taskKey(u)) ?? { started: [], completed: [] };
    // The worker that wrote the outcome (its lease owner is `<request id>/<message id>`); a frozen worker's run counts only if it did.
    const recorder = String(item?.leaseOwner ?? '').split('/')[0];
    const recorded = runs.completed.filter((id) => !outcome.frozenInvocations.has(id) || id === recorder).length;
    const explained = unabsorbed(u);
    const name = `s3://${u.bucket}/${u.key} (${u.taskId.slice(0, 12)})`;
    if (item?.status === 'SUCCEEDED') {
      if (n.success !== 1 && !(explained && n.success > 1)) violations.push(`${name}: SUCCEEDED with ${n.success} success notifications`);
      if (n.failure !== 0) violations.push(`${name}: SUCCEEDED but ${n.failure} failure notifications`);
      if (recorded !== 1 && !(explained && recorded > 1)) violations.push(`${name}: SUCCEEDED after ${recorded} completed runs (killed workers' unrecorded runs not counted)`);
      if (!runs.completed.includes(recorder)) violations.push(`${name}: SUCCEEDED by ${recorder}, which completed no run of it`);
      if ((item.result as { versionId?: string } | undefined)?.versionId !== u.versionId) violations.push(`${name}: result is not of version ${u.versionId}`);
      if (outcome.killedTasks.has(taskKey(u)) && runs.started.length < 2) violations.push(`${name}: its worker was killed but no other worker took over`);
    } else if (item?.status === 'FAILED') {
      if (n.failure < 1) violations.push(`${name}: FAILED without a failure notification`);
      if ((item.message as { taskId?: string } | undefined)?.taskId !== u.taskId) violations.push(`${name}: FAILED without its message`);
    } else if (item === undefined && (ingestDlqRequests.get(u.requestId) ?? 0) > 0) {
      // Never queued: its events wait in the ingest DLQ for a redrive.
    } else if (!dlqTaskIds.has(u.taskId)) {
      violations.push(`${name}: ended ${String(item?.status ?? 'without a task item')} and its message is not in the DLQ`);
    }
  }

  const rejectedIds = new Set<string>();
  for (const m of outcome.malformed) {
    const taskId = `rejected:${m.messageId}`;
    rejectedIds.add(taskId);
    const item = items.get(taskId);
    if (item?.status !== 'REJECTED') {
      if (!dlqBodies.includes(m.body)) violations.push(`malformed message ${m.messageId}: ${String(item?.status ?? 'no item')} and not in the DLQ`);
      continue;
    }
    if (item.rawBody !== m.body) violations.push(`malformed message ${m.messageId}: rawBody differs from the body sent`);
    const n = notes.get(taskId) ?? { success: 0, failure: 0 };
    if (n.failure < 1 || n.success > 0) violations.push(`malformed message ${m.messageId}: ${n.failure} failure and ${n.success} success notifications`);
  }

  for (const item of outcome.taskItems) {
    const id = item.taskId as string;
    if (!seen.has(id) && !rejectedIds.has(id)) violations.push(`unexpected task item ${id} (${String(item.status)}${item.reason ? `: ${String(item.reason)}` : ''})`);
  }
  if (outcome.droppedEvents > 0) violations.push(`${outcome.droppedEvents} events dropped: refused by the target and by its dead-letter queue`);
  const left = outcome.queues.find((q) => q.name === outcome.taskQueueName)?.bodies.length ?? 0;
  if (left > 0) violations.push(`${left} messages left on the task queue`);
  return { violations };
}
