import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCK_TABLE_SCHEMA, TASK_TABLE_SCHEMA } from '../../handlers/common/processor-parameters';

// dynalite has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, number>) => {
  listen(port: number, cb: () => void): void;
  close(cb: () => void): void;
  address(): AddressInfo;
};

export interface LocalDynamo {
  readonly endpoint: string;
  /** A client of its own, for setup and assertions. */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts an in-memory dynalite on a free port, with table lifecycle transitions made instant. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(resolve));
    },
  };
}

/** Creates the task and lock tables with the keys and index the stack declares (src/tables.ts; TTL is not emulated). */
export async function createProcessorTables(client: DynamoDBClient, taskTableName: string, lockTableName: string): Promise<void> {
  const t = TASK_TABLE_SCHEMA;
  await client.send(
    new CreateTableCommand({
      TableName: taskTableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: t.partitionKey, AttributeType: 'S' },
        { AttributeName: t.statusIndexPartitionKey, AttributeType: 'S' },
        { AttributeName: t.statusIndexSortKey, AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: t.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: t.statusIndexName,
          KeySchema: [
            { AttributeName: t.statusIndexPartitionKey, KeyType: 'HASH' },
            { AttributeName: t.statusIndexSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: lockTableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LOCK_TABLE_SCHEMA.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LOCK_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
    }),
  );
}
