/**
 * Baseline: what a Lambda developer would reach for instead of a custom design: Powertools
 * idempotency (DynamoDB persistence layer) around the task, the Powertools batch utility for
 * partial batch responses, Powertools parameters for configuration (one GetParametersByPath,
 * cached) and one SNS Publish per task. It deduplicates deliveries but has no object lock:
 * work on the same object is not serialized.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseTaskMessage, TaskMessage } from '../../handlers/common/task-message';

/** Parameters read by path, relative to it. */
export const POWERTOOLS_PARAMETERS = ['success-topic-arn', 'failure-topic-arn'] as const;

export interface PowertoolsDeps {
  readonly dynamo: DynamoDBClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly configPath: string;
  readonly idempotencyTableName: string;
  /** Seconds the parameters are cached (Powertools `maxAge`). */
  readonly configMaxAgeSeconds: number;
}

/**
 * The table the DynamoDB persistence layer expects with its defaults: partition key `id`
 * (string), TTL on `expiration` (not emulated by dynalite), no sort key, no index.
 */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
}

/** One execution environment of the Powertools-style function. */
export function createPowertoolsHandler(deps: PowertoolsDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const parameters = new SSMProvider({ awsSdkV3Client: deps.ssm });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: deps.idempotencyTableName, awsSdkV3Client: deps.dynamo });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'taskId' });
  const logger = new Logger({ serviceName: 'processor' });
  const processor = new BatchProcessor(EventType.SQS);

  const runTask = makeIdempotent(
    async (message: TaskMessage, successTopicArn: string) => {
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: message.bucket, Key: message.key, VersionId: message.versionId }));
      const result = { size: head.ContentLength, contentType: head.ContentType, etag: head.ETag, versionId: head.VersionId };
      await deps.sns.send(new PublishCommand({ TopicArn: successTopicArn, Message: JSON.stringify({ taskId: message.taskId, status: 'SUCCEEDED', result }) }));
      logger.info('task finished', { taskId: message.taskId });
      return result;
    },
    { persistenceStore, config },
  );

  const recordHandler = async (record: SQSRecord): Promise<unknown> => {
    const parsed = parseTaskMessage(record.body);
    if (!parsed.ok) throw new Error(parsed.reason);
    const values = (await parameters.getMultiple(deps.configPath, { maxAge: deps.configMaxAgeSeconds })) ?? {};
    return runTask(parsed.message, String(values['success-topic-arn']));
  };

  return async (event, context) => {
    config.registerLambdaContext(context);
    return processPartialResponse(event, recordHandler, processor, { context });
  };
}
