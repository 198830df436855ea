/**
 * The processor's runtime configuration in SSM Parameter Store: the stack creates one
 * parameter per entry under `/<prefix>/processor/`, and the handler reads them by path.
 * One list serves both sides, so a parameter cannot exist on one side only.
 */

/** Environment variable holding the parameter path (ends with `/`). */
export const CONFIG_PATH_ENV = 'TAP_CONFIG_PATH';

/** Table and attribute names the stack declares and the handler writes. */
export const TASK_TABLE_SCHEMA = {
  partitionKey: 'taskId',
  statusIndexName: 'status-index',
  /** `<STATUS>#<shard>`: status is low-cardinality, so the index key is sharded. */
  statusIndexPartitionKey: 'statusShard',
  /** Epoch milliseconds of the last transition. */
  statusIndexSortKey: 'updatedAt',
  /** Epoch seconds after which DynamoDB TTL may delete the record. */
  ttlAttribute: 'expiresAt',
} as const;

export const LOCK_TABLE_SCHEMA = {
  partitionKey: 'lockId',
  /** Epoch seconds; TTL only cleans up, every lock condition compares the stored lease itself. */
  ttlAttribute: 'expiresAt',
} as const;

export interface ProcessorSettings {
  readonly taskTableName: string;
  readonly lockTableName: string;
  readonly successTopicArn: string;
  readonly failureTopicArn: string;
  /** Lease of a task claim and of an object lock. */
  readonly leaseSeconds: number;
  /** Attempts before a task ends FAILED. */
  readonly maxAttempts: number;
  /** Shards of the status index key. */
  readonly statusShards: number;
  /** How long a container keeps these settings before reading SSM again. */
  readonly configCacheTtlSeconds: number;
  /** Days a finished task record is kept before TTL removes it. */
  readonly taskRetentionDays: number;
  /** Longest time a record waits for a busy object lock before it is retried later. */
  readonly lockWaitMaxMs: number;
}

export interface ParameterSpec {
  /** Name relative to the path, e.g. `task-table-name`. */
  readonly name: string;
  readonly kind: 'string' | 'integer';
  readonly description: string;
  /** Inclusive bounds of an integer parameter. */
  readonly min?: number;
  readonly max?: number;
}

export const PROCESSOR_PARAMETERS: { readonly [K in keyof ProcessorSettings]: ParameterSpec } = {
  taskTableName: { name: 'task-table-name', kind: 'string', description: 'Task table name' },
  lockTableName: { name: 'lock-table-name', kind: 'string', description: 'Lock table name' },
  successTopicArn: { name: 'success-topic-arn', kind: 'string', description: 'Topic for task success notifications' },
  failureTopicArn: { name: 'failure-topic-arn', kind: 'string', description: 'Topic for task failure and rejection notifications' },
  leaseSeconds: { name: 'lease-seconds', kind: 'integer', min: 10, max: 900, description: 'Lease of a task claim and of an object lock' },
  maxAttempts: { name: 'max-attempts', kind: 'integer', min: 1, max: 100, description: 'Attempts before a task ends FAILED' },
  statusShards: { name: 'status-shards', kind: 'integer', min: 1, max: 100, description: 'Shards of the status index key' },
  configCacheTtlSeconds: { name: 'config-cache-ttl-seconds', kind: 'integer', min: 0, max: 3600, description: 'Seconds a container caches these parameters' },
  taskRetentionDays: { name: 'task-retention-days', kind: 'integer', min: 1, max: 3650, description: 'Days a finished task record is kept' },
  lockWaitMaxMs: { name: 'lock-wait-max-ms', kind: 'integer', min: 0, max: 30000, description: 'Longest wait for a busy object lock inside one invocation' },
};
