import { createHash } from 'crypto';

/** Task statuses; the stack's status index and dashboard use these exact names. */
export const TASK_STATUSES = ['PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'REJECTED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses a task never leaves: a redelivery of such a task is a duplicate. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED', 'REJECTED'];

/** Shard of a task in the status index: stable per task id, so every transition lands on the same shard number. */
export function statusShardNumber(taskId: string, shards: number): number {
  return createHash('sha256').update(taskId).digest().readUInt32BE(0) % shards;
}

/** Value of the status index partition key, `<STATUS>#<n>`. */
export function statusShardKey(status: TaskStatus, taskId: string, shards: number): string {
  return `${status}#${statusShardNumber(taskId, shards)}`;
}
