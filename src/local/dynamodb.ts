/**
 * DynamoDB for a local run: dynalite in-process with the synthesized tables, behind a proxy
 * that counts the handler's requests, injects ProvisionedThroughputExceededException for a
 * fraction of them (chaos), and holds the requests of frozen (killed) invocations unanswered.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { jsonError, LocalServer, startLocalServer } from './http';
import { Rng } from './rng';
import { LocalTable } from './synth-model';

// dynalite has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, number>) => http.Server;

export interface LocalDynamoDb {
  /** Endpoint of dynalite itself, for the run's own reads (not counted, never throttled). */
  readonly directEndpoint: string;
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynamoDb(tables: readonly LocalTable[], region: string): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const directEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint: directEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const t of tables) {
    await client.send(
      new CreateTableCommand({
        TableName: t.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: t.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [{ AttributeName: t.hashKey, KeyType: 'HASH' }, ...(t.rangeKey ? [{ AttributeName: t.rangeKey, KeyType: 'RANGE' as const }] : [])],
        GlobalSecondaryIndexes: t.globalSecondaryIndexes.length
          ? t.globalSecondaryIndexes.map((g) => ({
              IndexName: g.name,
              KeySchema: [{ AttributeName: g.hashKey, KeyType: 'HASH' as const }, ...(g.rangeKey ? [{ AttributeName: g.rangeKey, KeyType: 'RANGE' as const }] : [])],
              Projection: { ProjectionType: g.projectionType, NonKeyAttributes: g.nonKeyAttributes?.length ? [...g.nonKeyAttributes] : undefined },
            }))
          : undefined,
      }),
    );
  }
  return {
    directEndpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ProxyOptions {
  /** Fraction of requests answered with ProvisionedThroughputExceededException. */
  readonly throttleRate: number;
  readonly rng: Rng;
  /** True when the request body belongs to a frozen invocation (it names its lease owner). */
  readonly frozen: (body: string) => boolean;
  readonly count: (op: string) => void;
  /** A request throttled on its SDK's last attempt: the caller sees the error. `body` names what it was for. */
  readonly onFinalThrottle: (body: string) => void;
}

export interface ProxyStats {
  throttled: number;
  finalThrottles: number;
}

/** The endpoint the handler gets. Requests pass through unchanged to dynalite. */
export async function startDynamoDbProxy(target: string, options: ProxyOptions, stats: ProxyStats): Promise<LocalServer> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = await startLocalServer(async (req) => {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
    const body = req.body.toString('utf8');
    options.count(op);
    if (options.frozen(body)) return undefined;
    if (options.throttleRate > 0 && options.rng.chance(options.throttleRate)) {
      stats.throttled++;
      // amz-sdk-request: attempt=N; max=M (the SDK's retry header): the last attempt's error reaches the handler.
      const m = /attempt=(\d+);\s*max=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''));
      if (m && m[1] === m[2]) {
        stats.finalThrottles++;
        options.onFinalThrottle(body);
      }
      return jsonError(400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded (injected by the local run)');
    }
    return new Promise((resolve, reject) => {
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url.pathname, method: req.method, headers: req.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/x-amz-json-1.0') }, body: Buffer.concat(chunks) }));
        },
      );
      forward.on('error', reject);
      forward.end(req.body);
    });
  });
  return {
    endpoint: server.endpoint,
    close: async () => {
      await server.close();
      agent.destroy();
    },
  };
}
