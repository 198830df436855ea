/**
 * The three designs the benchmark runs on the same workload: this project's processor (wired
 * exactly as `handlers/processor/index.ts` wires it) and the two baselines in `baselines/`.
 * Import this module only after AWS_ENDPOINT_URL_DYNAMODB and the function's environment are
 * set: the handler's clients and logger read them when their modules load.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as handlerClients from '../handlers/common/clients';
import { createSettingsLoader, ssmParameterSource } from '../handlers/common/config';
import { logger, metrics } from '../handlers/common/observability';
import { CONFIG_PATH_ENV, PROCESSOR_PARAMETERS, ProcessorSettings, TASK_TABLE_SCHEMA } from '../handlers/common/processor-parameters';
import type { ProcessorTunables } from '../src/config';
import { defaultExecutors } from '../handlers/processor/executors';
import { createProcessor } from '../handlers/processor/processor';
import { createProcessorTables } from '../src/testing/dynalite';
import { createIdempotencyTable, createPowertoolsHandler, POWERTOOLS_PARAMETERS } from './baselines/powertools';
import { createSeedStyleHandler, SEED_LOCK_SCHEMA, SEED_PARAMETERS, SEED_TASK_SCHEMA } from './baselines/seed-style';
import type { IndexedTable } from './support/aws-ledger';

export type DesignId = 'project' | 'seed' | 'powertools';
export type LambdaHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface Design {
  readonly id: DesignId;
  readonly title: string;
  /** Whether work on the same object is serialized (only a design with an object lock does). */
  readonly serializesObjectWork: boolean;
  /** SSM parameters the design reads, by full name. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly indexedTables: readonly IndexedTable[];
  createTables(client: DynamoDBClient): Promise<void>;
  /** A new execution environment: its own configuration cache and module state. */
  newContainer(): LambdaHandler;
}

/** Adds the benchmark's request ledger to a client (see support/aws-ledger.ts). */
export type Instrument = <C extends { config: { serviceId?: string }; middlewareStack: any }>(client: C) => C;

const TOPIC_PREFIX = 'arn:aws:sns:us-east-1:111122223333';

export interface DesignOptions {
  readonly instrument: Instrument;
  /** The processor's integer settings (the stack's defaults from src/config.ts). */
  readonly tunables: ProcessorTunables;
}

/** This project's processor. */
export function projectDesign({ instrument, tunables }: DesignOptions): Design {
  const path = process.env[CONFIG_PATH_ENV];
  if (!path) throw new Error(`${CONFIG_PATH_ENV} must be set before the project design is created`);
  const settings: ProcessorSettings = {
    ...tunables,
    taskTableName: 'project-tasks',
    lockTableName: 'project-locks',
    successTopicArn: `${TOPIC_PREFIX}:project-success`,
    failureTopicArn: `${TOPIC_PREFIX}:project-failure`,
  };
  for (const client of [handlerClients.dynamoDbClient, handlerClients.s3Client, handlerClients.snsClient, handlerClients.ssmClient, handlerClients.sqsClient]) {
    instrument(client);
  }
  return {
    id: 'project',
    title: 'this project',
    serializesObjectWork: true,
    parameters: Object.fromEntries(Object.entries(PROCESSOR_PARAMETERS).map(([field, spec]) => [`${path}${spec.name}`, String(settings[field as keyof ProcessorSettings])])),
    indexedTables: [{ tableName: settings.taskTableName, partitionKey: TASK_TABLE_SCHEMA.partitionKey, indexKeys: [TASK_TABLE_SCHEMA.statusIndexPartitionKey, TASK_TABLE_SCHEMA.statusIndexSortKey] }],
    createTables: (client) => createProcessorTables(client, settings.taskTableName, settings.lockTableName),
    newContainer: () =>
      createProcessor({
        clock: Date.now,
        loadSettings: createSettingsLoader(ssmParameterSource, Date.now),
        executors: defaultExecutors(handlerClients.s3Client),
        db: handlerClients.documentClient,
        sns: handlerClients.snsClient,
        sqs: handlerClients.sqsClient,
        logger,
        metrics,
      }),
  };
}

/** Clients of a baseline, created the way a function creates them (region and endpoint from the environment). */
function baselineClients(instrument: Instrument) {
  const dynamo = instrument(new DynamoDBClient({}));
  return {
    dynamo,
    db: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    sns: instrument(new SNSClient({})),
    ssm: instrument(new SSMClient({})),
    s3: instrument(new S3Client({})),
  };
}

export function seedDesign({ instrument, tunables }: DesignOptions): Design {
  const configPath = '/bench/seed/';
  const clients = baselineClients(instrument);
  const values: Record<(typeof SEED_PARAMETERS)[number], string> = {
    'task-table-name': 'seed-tasks',
    'lock-table-name': 'seed-locks',
    'success-topic-arn': `${TOPIC_PREFIX}:seed-success`,
    'failure-topic-arn': `${TOPIC_PREFIX}:seed-failure`,
    'lock-lease-seconds': String(tunables.leaseSeconds),
  };
  return {
    id: 'seed',
    title: 'seed-style baseline',
    serializesObjectWork: true,
    parameters: Object.fromEntries(Object.entries(values).map(([name, value]) => [`${configPath}${name}`, value])),
    indexedTables: [{ tableName: values['task-table-name'], partitionKey: SEED_TASK_SCHEMA.partitionKey, indexKeys: SEED_TASK_SCHEMA.indexKeys }],
    createTables: async (client) => {
      const [hash, range] = SEED_TASK_SCHEMA.indexKeys;
      await client.send(
        new CreateTableCommand({
          TableName: values['task-table-name'],
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: SEED_TASK_SCHEMA.partitionKey, AttributeType: 'S' },
            { AttributeName: hash, AttributeType: 'S' },
            { AttributeName: range, AttributeType: 'N' },
          ],
          KeySchema: [{ AttributeName: SEED_TASK_SCHEMA.partitionKey, KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: SEED_TASK_SCHEMA.statusIndexName,
              KeySchema: [
                { AttributeName: hash, KeyType: 'HASH' },
                { AttributeName: range, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
        }),
      );
      await client.send(
        new CreateTableCommand({
          TableName: values['lock-table-name'],
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: SEED_LOCK_SCHEMA.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: SEED_LOCK_SCHEMA.partitionKey, KeyType: 'HASH' }],
        }),
      );
    },
    newContainer: () => createSeedStyleHandler({ db: clients.db, sns: clients.sns, ssm: clients.ssm, s3: clients.s3, configPath }),
  };
}

export function powertoolsDesign({ instrument, tunables }: DesignOptions): Design {
  const configPath = '/bench/powertools/';
  const idempotencyTableName = 'powertools-idempotency';
  const clients = baselineClients(instrument);
  const values: Record<(typeof POWERTOOLS_PARAMETERS)[number], string> = {
    'success-topic-arn': `${TOPIC_PREFIX}:powertools-success`,
    'failure-topic-arn': `${TOPIC_PREFIX}:powertools-failure`,
  };
  return {
    id: 'powertools',
    title: 'Powertools idempotency + batch',
    serializesObjectWork: false,
    parameters: Object.fromEntries(Object.entries(values).map(([name, value]) => [`${configPath}${name}`, value])),
    indexedTables: [],
    createTables: (client) => createIdempotencyTable(client, idempotencyTableName),
    newContainer: () =>
      createPowertoolsHandler({
        dynamo: clients.dynamo,
        sns: clients.sns,
        ssm: clients.ssm,
        s3: clients.s3,
        configPath,
        idempotencyTableName,
        configMaxAgeSeconds: tunables.configCacheTtlSeconds,
      }),
  };
}
