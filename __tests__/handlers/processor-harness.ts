import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createProcessorTables, LocalDynamo, startDynalite } from '../../src/testing/dynalite';
import { uniqueId } from '../../src/testing/sqs-fixtures';

import type * as Processor from '../../handlers/processor/processor';
import type * as Clients from '../../handlers/common/clients';
import type * as Config from '../../handlers/common/config';
import type * as Executors from '../../handlers/processor/executors';
import type * as Observability from '../../handlers/common/observability';
import type { ExecutorRegistry, TaskExecutor } from '../../handlers/processor/executors';
import { PROCESSOR_PARAMETERS, ProcessorSettings } from '../../handlers/common/processor-parameters';

export { lambdaContext, QUEUE_ARN, sqsRecord, taskIdOf, uniqueId, wireMessage } from '../../src/testing/sqs-fixtures';

export const CONFIG_PATH = '/tap-test/processor/';
export const SUCCESS_TOPIC = 'arn:aws:sns:us-east-1:111122223333:task-success';
export const FAILURE_TOPIC = 'arn:aws:sns:us-east-1:111122223333:task-failure';
export const TASK_TABLE = 'tasks';
export const LOCK_TABLE = 'locks';

export const DEFAULT_SETTINGS: ProcessorSettings = {
  taskTableName: TASK_TABLE,
  lockTableName: LOCK_TABLE,
  successTopicArn: SUCCESS_TOPIC,
  failureTopicArn: FAILURE_TOPIC,
  leaseSeconds: 10,
  maxAttempts: 3,
  statusShards: 4,
  configCacheTtlSeconds: 60,
  taskRetentionDays: 7,
  lockWaitMaxMs: 5000,
};

/** SSM's answer for the settings; `undefined` values leave the parameter out. */
export function ssmParameters(overrides: Partial<Record<keyof ProcessorSettings, string | number | undefined>> = {}) {
  const values = { ...DEFAULT_SETTINGS, ...overrides };
  return Object.entries(PROCESSOR_PARAMETERS).flatMap(([field, spec]) => {
    const value = values[field as keyof ProcessorSettings];
    return value === undefined ? [] : [{ Name: `${CONFIG_PATH}${spec.name}`, Type: 'String' as const, Value: String(value) }];
  });
}

/** A settable wall clock shared by the workers of one test. */
export class TestClock {
  constructor(public now = Date.parse('2026-12-04T12:00:00Z')) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Wraps an executor to record executions and how many ran at once. */
export class ExecutionRecorder {
  readonly executed: string[] = [];
  running = 0;
  maxRunning = 0;
  wrap(inner: TaskExecutor): TaskExecutor {
    return async (context) => {
      this.executed.push(context.message.taskId);
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        return await inner(context);
      } finally {
        this.running--;
      }
    };
  }
}

const mockAws = () => ({ ssm: mockClient(SSMClient), sns: mockClient(SNSClient), s3: mockClient(S3Client), sqs: mockClient(SQSClient) });
type Mocks = ReturnType<typeof mockAws>;

export interface Harness {
  readonly dynamo: LocalDynamo;
  readonly ssm: Mocks['ssm'];
  readonly sns: Mocks['sns'];
  readonly s3: Mocks['s3'];
  readonly sqs: Mocks['sqs'];
  readonly clients: typeof Clients;
  readonly config: typeof Config;
  readonly executorsModule: typeof Executors;
  /** The handler's DynamoDB operations, by command name, in order. */
  readonly dynamoCalls: string[];
  /** JSON lines the handler wrote (logs and EMF metrics). */
  readonly output: Record<string, any>[];
  /** Task ids whose DynamoDB requests fail as throttled. */
  readonly throttledTaskIds: Set<string>;
  processor(options: { clock: TestClock; executors?: ExecutorRegistry }): ReturnType<typeof Processor.createProcessor>;
  task(taskId: string): Promise<Record<string, any> | undefined>;
  locks(): Promise<Record<string, any>[]>;
  published(): { topicArn: string; message: Record<string, any>; attributes: Record<string, string> }[];
  close(): Promise<void>;
}

/**
 * Starts dynalite and points the handler's module-level DynamoDB client at it through
 * AWS_ENDPOINT_URL_DYNAMODB (the handler modules are loaded after the variable is set).
 * SSM, SNS, S3 and SQS are mocked.
 */
export async function startHarness(): Promise<Harness> {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.TAP_CONFIG_PATH = CONFIG_PATH;
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'TapStack/Test';
  process.env.POWERTOOLS_SERVICE_NAME = 'processor';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  // Logs (WARN and ERROR on stderr) and EMF metrics are JSON lines: keep them for assertions instead of printing them.
  const output: Record<string, any>[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) output.push(JSON.parse(line));
    }
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  const dynamo = await startDynalite();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  await createProcessorTables(dynamo.client, TASK_TABLE, LOCK_TABLE);

  /* eslint-disable @typescript-eslint/no-require-imports */
  const clients = require('../../handlers/common/clients') as typeof Clients;
  const config = require('../../handlers/common/config') as typeof Config;
  const executorsModule = require('../../handlers/processor/executors') as typeof Executors;
  const processorModule = require('../../handlers/processor/processor') as typeof Processor;
  const observability = require('../../handlers/common/observability') as typeof Observability;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const dynamoCalls: string[] = [];
  const throttledTaskIds = new Set<string>();
  clients.dynamoDbClient.middlewareStack.add(
    (next, context) => async (args) => {
      dynamoCalls.push(context.commandName as string);
      const key = (args.input as { Key?: { taskId?: string | { S?: string } } }).Key?.taskId;
      const taskId = typeof key === 'string' ? key : key?.S;
      if (taskId && throttledTaskIds.has(taskId)) {
        const err = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
          name: 'ProvisionedThroughputExceededException',
          $metadata: { httpStatusCode: 400 },
        });
        throw err;
      }
      return next(args);
    },
    { step: 'initialize', name: 'testRecorder' },
  );

  const doc = DynamoDBDocumentClient.from(dynamo.client);
  const { ssm, sns, s3, sqs } = mockAws();

  return {
    dynamo,
    ssm,
    sns,
    s3,
    sqs,
    clients,
    config,
    executorsModule,
    dynamoCalls,
    output,
    throttledTaskIds,
    processor: ({ clock, executors }) =>
      processorModule.createProcessor({
        clock: clock.read,
        loadSettings: config.createSettingsLoader(config.ssmParameterSource, clock.read),
        executors: executors ?? executorsModule.defaultExecutors(clients.s3Client),
        db: clients.documentClient,
        sns: clients.snsClient,
        sqs: clients.sqsClient,
        logger: observability.logger,
        metrics: observability.metrics,
      }),
    task: async (taskId) => (await doc.send(new GetCommand({ TableName: TASK_TABLE, Key: { taskId }, ConsistentRead: true }))).Item,
    locks: async () => (await doc.send(new ScanCommand({ TableName: LOCK_TABLE }))).Items ?? [],
    published: () =>
      sns.commandCalls(PublishBatchCommand).flatMap((call) =>
        (call.args[0].input.PublishBatchRequestEntries ?? []).map((e) => ({
          topicArn: call.args[0].input.TopicArn as string,
          message: JSON.parse(e.Message as string),
          attributes: Object.fromEntries(Object.entries(e.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue as string])),
        })),
      ),
    close: async () => {
      for (const spy of spies) spy.mockRestore();
      ssm.restore();
      sns.restore();
      s3.restore();
      sqs.restore();
      await dynamo.close();
    },
  };
}

/** Resets the mocks to a healthy AWS: all parameters present, objects exist, publishes accepted. */
export function resetMocks(h: Harness, settings: Parameters<typeof ssmParameters>[0] = {}): void {
  h.ssm.reset();
  h.sns.reset();
  h.s3.reset();
  h.sqs.reset();
  h.dynamoCalls.length = 0;
  h.output.length = 0;
  h.throttledTaskIds.clear();
  h.ssm.on(GetParametersByPathCommand).resolves({ Parameters: ssmParameters(settings) });
  h.sns.on(PublishBatchCommand).callsFake((input) => ({
    Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: uniqueId('sns') })),
    Failed: [],
  }));
  h.s3.on(HeadObjectCommand).callsFake((input) => ({
    ContentLength: 42,
    ContentType: 'text/csv',
    ETag: '"abc"',
    VersionId: input.VersionId ?? 'v1',
    LastModified: new Date('2026-12-04T10:00:00Z'),
  }));
  h.sqs.on(ChangeMessageVisibilityCommand).resolves({});
}
