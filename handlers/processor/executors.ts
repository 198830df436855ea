import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { OBJECT_CREATED_TASK, TaskMessage } from '../common/task-message';

/** What an executor gets: the validated task, a signal aborted when the object lock is lost, and a task-scoped logger. */
export interface TaskContext {
  readonly message: TaskMessage;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Runs one task and returns the result stored on the task item (keep it small: items are at most 400 KB). */
export type TaskExecutor = (context: TaskContext) => Promise<Record<string, unknown>>;

/** A failure that no retry can fix: the task ends FAILED at once. Any other error is retried. */
export class PermanentTaskError extends Error {
  override readonly name = 'PermanentTaskError';
}

/** Default executor for created objects: reads the object's metadata (the version that was uploaded, when known). */
export function headObjectExecutor(s3: S3Client): TaskExecutor {
  return async ({ message, signal }) => {
    try {
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: message.bucket, Key: message.key, VersionId: message.versionId }),
        { abortSignal: signal },
      );
      return {
        size: head.ContentLength,
        contentType: head.ContentType,
        etag: head.ETag,
        versionId: head.VersionId,
        lastModified: head.LastModified?.toISOString(),
      };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || (err as Error).name === 'NotFound') {
        throw new PermanentTaskError(`object s3://${message.bucket}/${message.key}${message.versionId ? ` version ${message.versionId}` : ''} does not exist`);
      }
      throw err;
    }
  };
}

/** Executors by task type; a message whose type has none is rejected. */
export type ExecutorRegistry = Readonly<Record<string, TaskExecutor>>;

export const defaultExecutors = (s3: S3Client): ExecutorRegistry => ({
  [OBJECT_CREATED_TASK]: headObjectExecutor(s3),
});
