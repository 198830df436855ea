import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sleep } from './stats';

/**
 * Counts every AWS request a design sends, at the SDK middleware level, identically for all
 * designs. DynamoDB goes to dynalite; S3, SNS, SSM and SQS, which have no emulator here, are
 * answered by fakes inside the same middleware after a fixed latency.
 */

/** A table with a global secondary index, so the accounting pass can count index writes. */
export interface IndexedTable {
  readonly tableName: string;
  readonly partitionKey: string;
  /** Key attributes of the index (KEYS_ONLY projection: only a key change writes the index). */
  readonly indexKeys: readonly string[];
}

export interface FakeAws {
  /** SSM parameters by full name. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Latency of every faked request. */
  readonly latencyMs: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const SNS_CHUNK_BYTES = 64 * 1024;

/** Requests and consumed capacity of one measured run. */
export class RequestLedger {
  /** Requests by `<service>:<Operation>`. */
  readonly operations = new Map<string, number>();
  /** Write request units of applied writes, as dynalite reports them (1 KB units, the larger of the old and new item). */
  writeUnits = 0;
  /** Read request units (4 KB units, halved for eventually consistent reads). */
  readUnits = 0;
  /** Conditional writes refused: DynamoDB still charges a write unit for each (at least 1; these items are under 1 KB). */
  failedConditionalWrites = 0;
  /** Billed SNS requests: one per 64 KB of payload of each Publish / PublishBatch call. */
  snsBilledRequests = 0;
  /** Index writes seen by the accounting pass. */
  indexWrites = 0;
  /** Largest number of executions (HeadObject) in flight on one object at once. */
  maxObjectOverlap = 0;
  private readonly objectsInFlight = new Map<string, number>();

  count(operation: string): void {
    this.operations.set(operation, (this.operations.get(operation) ?? 0) + 1);
  }

  /** Requests to one service (`dynamodb`, `s3`, ...). */
  service(name: string): number {
    let n = 0;
    for (const [op, count] of this.operations) if (op.startsWith(`${name}:`)) n += count;
    return n;
  }

  dynamoReads(): number {
    let n = 0;
    for (const [op, count] of this.operations) if (op.startsWith('dynamodb:') && READS.has(op.slice(9))) n += count;
    return n;
  }

  dynamoWrites(): number {
    let n = 0;
    for (const [op, count] of this.operations) if (op.startsWith('dynamodb:') && WRITES.has(op.slice(9))) n += count;
    return n;
  }

  enterObject(key: string): void {
    const n = (this.objectsInFlight.get(key) ?? 0) + 1;
    this.objectsInFlight.set(key, n);
    this.maxObjectOverlap = Math.max(this.maxObjectOverlap, n);
  }

  leaveObject(key: string): void {
    this.objectsInFlight.set(key, (this.objectsInFlight.get(key) ?? 1) - 1);
  }

  reset(): void {
    this.operations.clear();
    this.objectsInFlight.clear();
    this.writeUnits = this.readUnits = this.failedConditionalWrites = this.snsBilledRequests = this.indexWrites = this.maxObjectOverlap = 0;
  }
}

// Every SDK v3 client has a middleware stack; its generic types differ per service.
interface Instrumentable {
  readonly config: { serviceId?: string };
  readonly middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string; priority?: 'high' }): void };
}

type Args = { input: Record<string, any> };
type Next = (args: Args) => Promise<{ output: Record<string, any>; response: unknown }>;

const operationName = (commandName: string): string =>
  // lib-dynamodb commands (PutCommand) are the DynamoDB operations (PutItem) on the wire.
  ({ PutCommand: 'PutItem', GetCommand: 'GetItem', UpdateCommand: 'UpdateItem', DeleteCommand: 'DeleteItem', QueryCommand: 'Query', ScanCommand: 'Scan' })[
    commandName
  ] ?? commandName.replace(/Command$/, '');

const stringKey = (value: unknown): string | undefined => (typeof value === 'string' ? value : (value as { S?: string } | undefined)?.S);

function fakeResponse(service: string, op: string, input: Record<string, any>, fake: FakeAws, ledger: RequestLedger): Record<string, unknown> {
  const key = `${service}:${op}`;
  switch (key) {
    case 'sns:Publish':
      ledger.snsBilledRequests += Math.max(1, Math.ceil(Buffer.byteLength(input.Message ?? '') / SNS_CHUNK_BYTES));
      return { MessageId: `fake-${Math.random().toString(36).slice(2)}` };
    case 'sns:PublishBatch': {
      const entries = (input.PublishBatchRequestEntries ?? []) as { Id: string; Message?: string }[];
      const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.Message ?? ''), 0);
      ledger.snsBilledRequests += Math.max(1, Math.ceil(bytes / SNS_CHUNK_BYTES));
      return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `fake-${e.Id}` })), Failed: [] };
    }
    case 'ssm:GetParameter': {
      const value = fake.parameters[input.Name];
      if (value === undefined) throw Object.assign(new Error(`parameter ${input.Name} not found`), { name: 'ParameterNotFound' });
      return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
    }
    case 'ssm:GetParametersByPath': {
      // Like SSM: the parameters one level below the path, with or without its trailing slash.
      const prefix = String(input.Path).replace(/\/?$/, '/');
      return {
        Parameters: Object.entries(fake.parameters)
          .filter(([name]) => name.startsWith(prefix) && !name.slice(prefix.length).includes('/'))
          .map(([Name, Value]) => ({ Name, Type: 'String', Value })),
      };
    }
    case 's3:HeadObject':
      return { ContentLength: 42, ContentType: 'text/csv', ETag: '"abc"', VersionId: input.VersionId ?? 'v1', LastModified: new Date('2026-12-04T10:00:00Z') };
    case 'sqs:ChangeMessageVisibility':
      return {};
    default:
      throw new Error(`the benchmark has no fake for ${key}`);
  }
}

export interface InstrumentOptions {
  readonly ledger: RequestLedger;
  readonly fake: FakeAws;
  /** Set during the accounting pass: index writes are counted by reading the item before and after each write. */
  readonly accounting: { enabled: boolean; readonly tables: readonly IndexedTable[]; readonly reader: DynamoDBClient };
}

/** Adds the counting (and, for services without an emulator, answering) middleware to a client. */
export function instrument<C extends Instrumentable>(client: C, options: InstrumentOptions): C {
  const service = (client.config.serviceId ?? '').toLowerCase().replace(/\s/g, '');
  const { ledger, fake, accounting } = options;
  client.middlewareStack.add(
    (next: Next, context: { commandName: string }) => async (args: Args) => {
      const op = operationName(context.commandName);
      ledger.count(`${service}:${op}`);
      if (service !== 'dynamodb') {
        if (op === 'HeadObject') ledger.enterObject(`${args.input.Bucket}/${args.input.Key}`);
        try {
          await sleep(fake.latencyMs);
          return { output: { $metadata: { httpStatusCode: 200 }, ...fakeResponse(service, op, args.input, fake, ledger) }, response: {} };
        } finally {
          if (op === 'HeadObject') ledger.leaveObject(`${args.input.Bucket}/${args.input.Key}`);
        }
      }
      args.input.ReturnConsumedCapacity = 'TOTAL';
      const indexed = accounting.enabled && WRITES.has(op) ? accounting.tables.find((t) => t.tableName === args.input.TableName) : undefined;
      const itemKey = indexed ? stringKey((args.input.Key ?? args.input.Item)?.[indexed.partitionKey]) : undefined;
      const readIndexKeys = async (): Promise<string | undefined> => {
        if (!indexed || itemKey === undefined) return undefined;
        const out = await accounting.reader.send(
          new GetItemCommand({ TableName: indexed.tableName, Key: { [indexed.partitionKey]: { S: itemKey } }, ConsistentRead: true }),
        );
        const item = out.Item;
        if (!item || indexed.indexKeys.some((k) => item[k] === undefined)) return undefined;
        return JSON.stringify(indexed.indexKeys.map((k) => item[k]));
      };
      const before = await readIndexKeys();
      try {
        const result = await next(args);
        const units = result.output.ConsumedCapacity?.CapacityUnits ?? 0;
        if (READS.has(op)) ledger.readUnits += units;
        else ledger.writeUnits += units;
        if (indexed) {
          const after = await readIndexKeys();
          if (before !== after) ledger.indexWrites += (before === undefined ? 0 : 1) + (after === undefined ? 0 : 1);
        }
        return result;
      } catch (err) {
        if ((err as Error).name === 'ConditionalCheckFailedException') ledger.failedConditionalWrites++;
        throw err;
      }
    },
    { step: 'initialize', name: 'benchLedger', priority: 'high' },
  );
  return client;
}
