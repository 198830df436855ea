/**
 * Watches executions: every HeadObject the executor sends is a run of a task on an object. At
 * its start the lock table must hold a live lock on that object, and no other run on the object
 * may be in progress; a run ends when S3 answers, or when its invocation is killed.
 */
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCK_TABLE_SCHEMA } from '../../handlers/common/processor-parameters';
import { objectLockId } from '../../handlers/processor/object-lock';
import { HeadObserver } from './s3-server';

interface OpenRun {
  readonly lockId: string;
  readonly taskKey: string;
  readonly requestId: string;
}

/** Request ids of the invocations that started and that completed (S3 answered) a run of a task. */
export interface TaskRuns {
  readonly started: string[];
  readonly completed: string[];
}

export class ExecutionMonitor implements HeadObserver {
  readonly violations: string[] = [];
  /** Runs per task, keyed `bucket/key/versionId` (what a HeadObject names). */
  readonly runs = new Map<string, TaskRuns>();
  private readonly open: OpenRun[] = [];
  private killTargets = new Set<string>();
  /** Tasks whose run was frozen (its worker killed). */
  readonly killedTasks = new Set<string>();

  constructor(
    private readonly db: DynamoDBClient,
    private readonly lockTable: string,
    private readonly now: () => number,
    /** Marks the invocation as stalled (frozen); returns false when no live invocation has that request id. */
    private readonly freeze: (requestId: string) => boolean,
    /** True for an invocation already frozen: its further runs are held before they start. */
    private readonly isFrozen: (requestId: string) => boolean,
  ) {}

  /** Tasks (see {@link taskKey}) whose first run freezes: its worker is killed at its invocation's timeout. */
  setKillTargets(targets: Iterable<string>): void {
    this.killTargets = new Set(targets);
  }

  static taskKey(bucket: string, key: string, versionId: string | undefined): string {
    return JSON.stringify([bucket, key, versionId ?? null]);
  }

  async started(bucket: string, key: string, versionId: string | undefined): Promise<boolean> {
    const lockId = objectLockId(bucket, key);
    const taskKey = ExecutionMonitor.taskKey(bucket, key, versionId);
    const out = await this.db.send(new GetItemCommand({ TableName: this.lockTable, Key: { [LOCK_TABLE_SCHEMA.partitionKey]: { S: lockId } }, ConsistentRead: true }));
    const owner = out.Item?.lockOwner?.S;
    const expiresAtMs = Number(out.Item?.[LOCK_TABLE_SCHEMA.ttlAttribute]?.N ?? 0) * 1000;
    const requestId = owner?.split('/')[0] ?? '';
    if (this.isFrozen(requestId)) return false;
    if (!owner || expiresAtMs <= this.now()) this.violations.push(`run on ${lockId} without a live lock (holder ${owner ?? 'none'})`);
    const others = this.open.filter((r) => r.lockId === lockId);
    if (others.length > 0) this.violations.push(`two workers on ${lockId} at once: ${others.map((r) => r.requestId).join(', ')} and ${requestId}`);
    const runs = this.runs.get(taskKey) ?? { started: [], completed: [] };
    runs.started.push(requestId);
    this.runs.set(taskKey, runs);
    const run: OpenRun = { lockId, taskKey, requestId };
    this.open.push(run);
    if (this.killTargets.delete(taskKey) && this.freeze(requestId)) {
      this.killedTasks.add(taskKey);
      return false;
    }
    return true;
  }

  finished(bucket: string, key: string, versionId: string | undefined, status: number): void {
    const taskKey = ExecutionMonitor.taskKey(bucket, key, versionId);
    const i = this.open.findIndex((r) => r.taskKey === taskKey && !this.isFrozen(r.requestId));
    if (i < 0) return;
    const [run] = this.open.splice(i, 1);
    if (status === 200) this.runs.get(taskKey)?.completed.push(run.requestId);
  }

  /** A killed invocation's runs end when it is killed. */
  killed(requestId: string): void {
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i].requestId === requestId) this.open.splice(i, 1);
  }
}
