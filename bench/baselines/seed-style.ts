/**
 * Baseline: the seed design's per-task pattern, written the way that design does it:
 * configuration from one SSM GetParameter per parameter at cold start, then for every record
 * a lock PutItem, a task PutItem, the work, a task UpdateItem, a lock release UpdateItem and
 * one SNS Publish. Records of a batch run concurrently (as this project's processor and the
 * Powertools batch utility do), so the comparison is about the per-task requests, not about
 * concurrency.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseTaskMessage } from '../../handlers/common/task-message';

/** The parameters the seed reads, one request each, relative to its path. */
export const SEED_PARAMETERS = ['task-table-name', 'lock-table-name', 'success-topic-arn', 'failure-topic-arn', 'lock-lease-seconds'] as const;

/** The seed's task table: status index keyed by the status itself. */
export const SEED_TASK_SCHEMA = { partitionKey: 'taskId', statusIndexName: 'status-index', indexKeys: ['status', 'updatedAt'] } as const;
export const SEED_LOCK_SCHEMA = { partitionKey: 'lockId' } as const;

export interface SeedStyleDeps {
  readonly db: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  /** SSM path of the parameters, ending with `/`. */
  readonly configPath: string;
}

type SeedConfig = Record<(typeof SEED_PARAMETERS)[number], string>;

class LockBusyError extends Error {}

/** One execution environment of the seed-style function: its configuration is read once. */
export function createSeedStyleHandler(deps: SeedStyleDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const { db, sns, ssm, s3 } = deps;
  let config: Promise<SeedConfig> | undefined;
  const loadConfig = async (): Promise<SeedConfig> => {
    const values = await Promise.all(
      SEED_PARAMETERS.map(async (name) => (await ssm.send(new GetParameterCommand({ Name: `${deps.configPath}${name}` }))).Parameter?.Value ?? ''),
    );
    return Object.fromEntries(SEED_PARAMETERS.map((name, i) => [name, values[i]])) as SeedConfig;
  };

  async function processRecord(record: SQSRecord, cfg: SeedConfig): Promise<void> {
    const parsed = parseTaskMessage(record.body);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { message } = parsed;
    const now = Date.now();
    const lockId = `${message.bucket}/${message.key}`;
    try {
      await db.send(
        new PutCommand({
          TableName: cfg['lock-table-name'],
          Item: { lockId, owner: record.messageId, expiresAt: Math.floor(now / 1000) + Number(cfg['lock-lease-seconds']) },
          ConditionExpression: 'attribute_not_exists(lockId) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(now / 1000) },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') {
        throw new LockBusyError(`object ${lockId} is locked`);
      }
      throw err;
    }
    try {
      await db.send(
        new PutCommand({
          TableName: cfg['task-table-name'],
          Item: { taskId: message.taskId, status: 'PROCESSING', updatedAt: now, message },
        }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: message.bucket, Key: message.key, VersionId: message.versionId }));
      const result = { size: head.ContentLength, contentType: head.ContentType, etag: head.ETag, versionId: head.VersionId };
      await db.send(
        new UpdateCommand({
          TableName: cfg['task-table-name'],
          Key: { taskId: message.taskId },
          UpdateExpression: 'SET #status = :done, updatedAt = :now, #result = :result',
          ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
          ExpressionAttributeValues: { ':done': 'COMPLETED', ':now': Date.now(), ':result': result },
        }),
      );
    } finally {
      await db.send(
        new UpdateCommand({
          TableName: cfg['lock-table-name'],
          Key: { lockId },
          UpdateExpression: 'SET expiresAt = :released',
          ExpressionAttributeValues: { ':released': 0 },
        }),
      );
    }
    await sns.send(
      new PublishCommand({ TopicArn: cfg['success-topic-arn'], Message: JSON.stringify({ taskId: message.taskId, status: 'COMPLETED' }) }),
    );
    console.log(JSON.stringify({ level: 'INFO', message: 'task completed', taskId: message.taskId, messageId: record.messageId }));
  }

  return async (event) => {
    config ??= loadConfig();
    const cfg = await config;
    const outcomes = await Promise.allSettled(event.Records.map((record) => processRecord(record, cfg)));
    const batchItemFailures = outcomes.flatMap((outcome, i) => {
      if (outcome.status === 'fulfilled') return [];
      console.error(JSON.stringify({ level: 'ERROR', message: 'task failed', error: String(outcome.reason), messageId: event.Records[i].messageId }));
      return [{ itemIdentifier: event.Records[i].messageId }];
    });
    return { batchItemFailures };
  };
}
