import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TaskMessage } from '../common/task-message';
import { conditionalWrite } from './conditional-write';
import { TASK_TABLE_SCHEMA } from '../common/processor-parameters';
import { statusShardKey, TaskStatus, TERMINAL_STATUSES } from '../common/task-status';

/**
 * The task item. `attempt` counts claims and is the fencing token: every claim increments it,
 * and every later write of that worker requires it unchanged. `deferrals` counts claims given
 * back without running (busy object lock), so executions = attempt - deferrals.
 */
export interface TaskItem {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusShard: string;
  readonly updatedAt: number;
  readonly createdAt: number;
  readonly attempt: number;
  readonly deferrals: number;
  readonly leaseOwner?: string;
  /** Epoch ms until which the last claimant may still be running (and owes the notification). */
  readonly leaseExpiresAt?: number;
  readonly taskType?: string;
  readonly sourceBucket?: string;
  readonly objectKey?: string;
  readonly message?: TaskMessage;
  readonly lastMessageId: string;
  readonly result?: Record<string, unknown>;
  readonly lastError?: string;
  /** REJECTED only: why, and the body as received. */
  readonly reason?: string;
  readonly rawBody?: string;
  /** `PENDING` from a terminal transition until its notification is published. */
  readonly notification?: 'PENDING';
  /** TTL (epoch seconds), set on terminal transitions only. */
  readonly expiresAt?: number;
}

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly item: TaskItem }
  | { readonly kind: 'finished'; readonly item: TaskItem }
  | { readonly kind: 'conflict'; readonly leaseExpiresAt: number };

export interface Claim {
  readonly owner: string;
  readonly fence: number;
}

/** A fenced write: applied (with the new item), or refused with the item as it is now. */
export type FencedWrite = { readonly applied: true; readonly item: TaskItem } | { readonly applied: false; readonly current?: TaskItem };

export type Completion =
  | { readonly status: 'SUCCEEDED'; readonly result: Record<string, unknown> }
  | { readonly status: 'PENDING' | 'FAILED'; readonly error: string };

const NAMES = { '#status': 'status', '#owner': 'leaseOwner' };
// A condition can race a concurrent transition; after this many re-reads the record is retried instead.
const MAX_CLAIM_ROUNDS = 3;

export class TaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly statusShards: number,
    private readonly retentionDays: number,
  ) {}

  private shard(status: TaskStatus, taskId: string): string {
    return statusShardKey(status, taskId, this.statusShards);
  }

  private ttl(now: number): number {
    return Math.floor(now / 1000) + this.retentionDays * 86_400;
  }

  async read(taskId: string): Promise<TaskItem | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [TASK_TABLE_SCHEMA.partitionKey]: taskId }, ConsistentRead: true }),
    );
    return out.Item as TaskItem | undefined;
  }

  /** Claims a new task, one waiting for retry, or one whose claimant's lease has expired. */
  async claim(message: TaskMessage, owner: string, now: number, leaseExpiresAt: number, messageId: string): Promise<ClaimResult> {
    for (let round = 1; ; round++) {
      const out = await conditionalWrite(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [TASK_TABLE_SCHEMA.partitionKey]: message.taskId },
            UpdateExpression:
              'SET #status = :processing, statusShard = :shard, updatedAt = :now, createdAt = if_not_exists(createdAt, :now), ' +
              '#owner = :owner, leaseExpiresAt = :lease, attempt = if_not_exists(attempt, :zero) + :one, ' +
              'deferrals = if_not_exists(deferrals, :zero), taskType = :taskType, sourceBucket = :bucket, objectKey = :key, ' +
              'message = :message, lastMessageId = :messageId',
            ConditionExpression:
              'attribute_not_exists(taskId) OR #status = :pending OR (#status = :processing AND leaseExpiresAt < :now)',
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: {
              ':processing': 'PROCESSING',
              ':pending': 'PENDING',
              ':shard': this.shard('PROCESSING', message.taskId),
              ':now': now,
              ':owner': owner,
              ':lease': leaseExpiresAt,
              ':zero': 0,
              ':one': 1,
              ':taskType': message.taskType,
              ':bucket': message.bucket,
              ':key': message.key,
              ':message': message,
              ':messageId': messageId,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      if (out) return { kind: 'claimed', item: out.Attributes as TaskItem };
      // dynalite lacks ReturnValuesOnConditionCheckFailure: read the item to learn why.
      const item = await this.read(message.taskId);
      if (item && TERMINAL_STATUSES.includes(item.status)) return { kind: 'finished', item };
      if (item?.status === 'PROCESSING' && (item.leaseExpiresAt ?? 0) >= now) {
        return { kind: 'conflict', leaseExpiresAt: item.leaseExpiresAt ?? now };
      }
      if (round >= MAX_CLAIM_ROUNDS) throw new Error(`task ${message.taskId} kept changing while being claimed`);
    }
  }

  /** Writes the outcome if this worker still holds the claim; refused when it was taken over (the newer owner's outcome stands). */
  async complete(taskId: string, claim: Claim, completion: Completion, now: number, options: { readonly notified?: boolean } = {}): Promise<FencedWrite> {
    const terminal = completion.status !== 'PENDING';
    const sets = ['#status = :status', 'statusShard = :shard', 'updatedAt = :now'];
    const values: Record<string, unknown> = {
      ':status': completion.status,
      ':shard': this.shard(completion.status, taskId),
      ':now': now,
      ':processing': 'PROCESSING',
      ':owner': claim.owner,
      ':fence': claim.fence,
    };
    if (completion.status === 'SUCCEEDED') {
      sets.push('#result = :result');
      values[':result'] = completion.result;
    } else {
      sets.push('lastError = :error');
      values[':error'] = completion.error;
    }
    if (terminal) {
      sets.push('expiresAt = :ttl');
      values[':ttl'] = this.ttl(now);
      // Until its notification is published; an outcome notified before this write needs no marker.
      if (!options.notified) {
        sets.push('notification = :notify');
        values[':notify'] = 'PENDING';
      }
    }
    return this.fencedUpdate(taskId, claim, `SET ${sets.join(', ')}`, values, completion.status === 'SUCCEEDED');
  }

  /** Gives a claim back without running (object lock busy): the attempt is not counted against the task. */
  async defer(taskId: string, claim: Claim, now: number): Promise<FencedWrite> {
    return this.fencedUpdate(
      taskId,
      claim,
      'SET #status = :status, statusShard = :shard, updatedAt = :now, leaseExpiresAt = :now ADD deferrals :one',
      {
        ':status': 'PENDING',
        ':shard': this.shard('PENDING', taskId),
        ':now': now,
        ':one': 1,
        ':processing': 'PROCESSING',
        ':owner': claim.owner,
        ':fence': claim.fence,
      },
      false,
    );
  }

  private async fencedUpdate(
    taskId: string,
    claim: Claim,
    updateExpression: string,
    values: Record<string, unknown>,
    withResult: boolean,
  ): Promise<FencedWrite> {
    const out = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TASK_TABLE_SCHEMA.partitionKey]: taskId },
          UpdateExpression: updateExpression,
          ConditionExpression: '#status = :processing AND #owner = :owner AND attempt = :fence',
          ExpressionAttributeNames: withResult ? { ...NAMES, '#result': 'result' } : NAMES,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    if (out) return { applied: true, item: out.Attributes as TaskItem };
    // A retried request whose first try had already been applied fails its own condition: recognise our write.
    const current = await this.read(taskId);
    const ours = current && current.leaseOwner === claim.owner && current.attempt === claim.fence && current.status === values[':status'];
    return ours ? { applied: true, item: current } : { applied: false, current };
  }

  /** Records a message that cannot be processed, keyed by its SQS message id (a redelivery finds it). */
  async reject(messageId: string, rawBody: string, reason: string, now: number, leaseExpiresAt: number, taskType?: string): Promise<{ readonly kind: 'recorded' | 'finished'; readonly item: TaskItem }> {
    const taskId = `rejected:${messageId}`;
    const item: TaskItem = {
      taskId,
      status: 'REJECTED',
      statusShard: this.shard('REJECTED', taskId),
      updatedAt: now,
      createdAt: now,
      attempt: 0,
      deferrals: 0,
      leaseExpiresAt,
      taskType,
      lastMessageId: messageId,
      reason,
      rawBody,
      notification: 'PENDING',
      expiresAt: this.ttl(now),
    };
    const recorded = await conditionalWrite(() =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(taskId)' })),
    );
    if (recorded) return { kind: 'recorded', item };
    const existing = await this.read(taskId);
    if (!existing) throw new Error(`rejected record ${taskId} exists and vanished`);
    return { kind: 'finished', item: existing };
  }

  /**
   * Claims the republish of an orphaned notification (marker set, finishing worker's lease over):
   * of several duplicates seeing the marker at once, exactly one wins.
   */
  async claimRepublish(taskId: string, owner: string, now: number, leaseExpiresAt: number): Promise<boolean> {
    const written = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TASK_TABLE_SCHEMA.partitionKey]: taskId },
          UpdateExpression: 'SET #owner = :owner, leaseExpiresAt = :lease',
          ConditionExpression: 'notification = :pending AND leaseExpiresAt < :now',
          ExpressionAttributeNames: { '#owner': 'leaseOwner' },
          ExpressionAttributeValues: { ':owner': owner, ':lease': leaseExpiresAt, ':pending': 'PENDING', ':now': now },
        }),
      ),
    );
    return written !== undefined;
  }

  /** Clears the notification marker once the notification is published; never recreates a deleted item. */
  async markNotified(taskId: string): Promise<void> {
    await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TASK_TABLE_SCHEMA.partitionKey]: taskId },
          UpdateExpression: 'REMOVE notification',
          ConditionExpression: 'attribute_exists(taskId)',
        }),
      ),
    );
  }
}
