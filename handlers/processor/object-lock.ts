import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './conditional-write';
import { LOCK_TABLE_SCHEMA } from '../common/processor-parameters';

/** A held lock: the holder's identity, as every conditional write on it checks. */
export interface HeldLock {
  readonly lockId: string;
  readonly owner: string;
  readonly fence: number;
}

export interface LockHolder {
  readonly owner: string;
  readonly taskId: string;
  readonly fence: number;
  /** Epoch seconds; also the table's TTL attribute. */
  readonly expiresAt: number;
}

/** Lock id of an S3 object: work on the same bucket + key is serialized. */
export const objectLockId = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

const toSeconds = (ms: number): number => Math.ceil(ms / 1000);

/**
 * A lease lock on DynamoDB conditional writes. Expiry is decided by the conditions, never by
 * TTL (TTL deletion may lag by days; it only removes leftovers).
 */
export class ObjectLock {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Takes the lock when it is free, expired, or held for the same task under an older
   * fencing token (that holder's claim was taken over, so it is stale by definition).
   */
  async tryAcquire(lockId: string, owner: string, taskId: string, fence: number, now: number, leaseMs: number): Promise<HeldLock | undefined> {
    const written = await conditionalWrite(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [LOCK_TABLE_SCHEMA.partitionKey]: lockId,
            lockOwner: owner,
            taskId,
            fence,
            acquiredAt: now,
            [LOCK_TABLE_SCHEMA.ttlAttribute]: toSeconds(now + leaseMs),
          },
          ConditionExpression:
            'attribute_not_exists(lockId) OR expiresAt <= :nowSeconds OR (taskId = :taskId AND fence < :fence)',
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000), ':taskId': taskId, ':fence': fence },
        }),
      ),
    );
    return written && { lockId, owner, fence };
  }

  async holder(lockId: string): Promise<LockHolder | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [LOCK_TABLE_SCHEMA.partitionKey]: lockId }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { lockOwner, taskId, fence, expiresAt } = out.Item;
    return { owner: lockOwner, taskId, fence, expiresAt };
  }

  /** Extends the lease; false when the lock is no longer ours. */
  async extend(lock: HeldLock, now: number, leaseMs: number): Promise<boolean> {
    const written = await conditionalWrite(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [LOCK_TABLE_SCHEMA.partitionKey]: lock.lockId },
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'lockOwner = :owner AND fence = :fence',
          ExpressionAttributeValues: { ':expiresAt': toSeconds(now + leaseMs), ':owner': lock.owner, ':fence': lock.fence },
        }),
      ),
    );
    return written !== undefined;
  }

  /** Deletes the lock only if it is still ours; false when someone else holds it now. */
  async release(lock: HeldLock): Promise<boolean> {
    const written = await conditionalWrite(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [LOCK_TABLE_SCHEMA.partitionKey]: lock.lockId },
          ConditionExpression: 'lockOwner = :owner AND fence = :fence',
          ExpressionAttributeValues: { ':owner': lock.owner, ':fence': lock.fence },
        }),
      ),
    );
    return written !== undefined;
  }
}
