/**
 * Cost per million successful tasks in us-east-1, from list prices and the benchmark's
 * measurements. Prices are constants with their source: the machine has no internet access,
 * so each was checked against a published copy found with the search tool on the date below
 * (`confirmedBy`), not against the AWS page itself.
 */
import type { ScenarioResult } from './workload';

export interface Price {
  readonly usd: number;
  readonly unit: string;
  /** The authoritative page. */
  readonly source: string;
  /** Where the figure was read during this work (a third-party copy unless it is the AWS page). */
  readonly confirmedBy: string;
  readonly checked: string;
}

const CHECKED = '2026-12-04';

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64, first 7.5 billion GB-s per month',
    source: 'https://aws.amazon.com/lambda/pricing/',
    confirmedBy: 'https://cloudchipr.com/blog/aws-lambda-pricing (us-east-1 tiers)',
    checked: CHECKED,
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    confirmedBy: 'https://git.mcrn.ar/mariano/lambda_local_runner (docs/lambdas-md/lambda-13-cost.md)',
    checked: CHECKED,
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    unit: 'standard queue request (per 64 KB chunk), first 100 billion per month',
    source: 'https://aws.amazon.com/sqs/pricing/',
    confirmedBy: 'https://cloudburn.io/blog/amazon-sqs-pricing',
    checked: CHECKED,
  },
  kmsRequest: {
    usd: 0.03 / 10_000,
    unit: 'request',
    source: 'https://aws.amazon.com/kms/pricing/',
    confirmedBy: 'https://gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40',
    checked: CHECKED,
  },
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit, on-demand (since the 2024-11-01 price cut)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedBy: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    checked: CHECKED,
  },
  dynamoReplicatedWriteRequestUnit: {
    usd: 0.625 / 1e6,
    unit: 'replicated write request unit (rWRU): every write to a global table replica, in each region',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/global-tables-billing.html',
    confirmedBy: 'the AWS page: "Replicated write units (rWCUs and rWRUs) are priced the same as single-Region write units"',
    checked: CHECKED,
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6,
    unit: 'read request unit, on-demand (strongly consistent read of up to 4 KB)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    confirmedBy: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    checked: CHECKED,
  },
  snsRequest: {
    usd: 0.5 / 1e6,
    unit: 'standard topic publish request (per 64 KB chunk; a PublishBatch is billed on its total payload); deliveries to subscribers are not included',
    source: 'https://aws.amazon.com/sns/pricing/',
    confirmedBy:
      'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/; batching: https://docs.aws.amazon.com/sns/latest/dg/sns-batch-api-actions.html ("reduce the costs ... by a factor of up to 10")',
    checked: CHECKED,
  },
  logsIngestionGb: {
    usd: 0.5,
    unit: 'GB ingested, CloudWatch Logs standard class',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    confirmedBy: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization',
    checked: CHECKED,
  },
} as const satisfies Record<string, Price>;

/** What the model assumes beyond the measurements. */
export interface CostAssumptions {
  readonly memoryMb: number;
  /** SQS data key reuse period of the task queue (src/queues.ts). */
  readonly sqsDataKeyReuseSeconds: number;
  /** SNS reuses a data key for up to 5 minutes (fixed by SNS). */
  readonly snsDataKeyReuseSeconds: number;
  /** Tasks per month: KMS requests are per period, not per task, so their share per task depends on volume. */
  readonly tasksPerMonth: number;
  /** Bytes of Lambda's own START/END/REPORT lines per invocation (text format; an estimate, not measured). */
  readonly platformLogBytesPerInvocation: number;
}

export const DEFAULT_ASSUMPTIONS: Omit<CostAssumptions, 'memoryMb' | 'sqsDataKeyReuseSeconds'> = {
  snsDataKeyReuseSeconds: 300,
  tasksPerMonth: 1e6,
  platformLogBytesPerInvocation: 300,
};

const MONTH_SECONDS = 30 * 86_400;

export interface CostLine {
  readonly item: string;
  /** Quantity per successful task, in `unit`. */
  readonly perTask: number;
  readonly unit: string;
  readonly usdPerMillionTasks: number;
}

export interface CostModel {
  readonly design: string;
  readonly lines: CostLine[];
  /** Primary-region total (us-east-1). */
  readonly primaryUsdPerMillionTasks: number;
  /** Replica-region DynamoDB writes (us-west-2, same prices). */
  readonly replicaUsdPerMillionTasks: number;
  /** KMS requests per month for the task queue with the default 300 s reuse period, for comparison. */
  readonly sqsKmsRequestsPerMonthAt300s: number;
  readonly sqsKmsRequestsPerMonth: number;
}

export interface CostInputs {
  readonly design: string;
  /** The happy-path run of the design. */
  readonly happy: ScenarioResult;
  /** Mean invocation duration of one environment alone, ms. */
  readonly invocationMs: number;
  /** Status-index writes per task (accounting pass); each KEYS_ONLY entry is under 1 KB = 1 WRU. */
  readonly indexWritesPerTask: number;
  /** SNS topics the design publishes to on the happy path. */
  readonly topicsPublished: number;
}

/**
 * SQS with SSE-KMS: R = B / D × (2P + C) requests per queue per billing period (AWS SQS key
 * management guide); SNS: R = B / D × 2P per topic. One producing principal (EventBridge)
 * and one consumer (the processor's role) on the queue, one publisher on each topic.
 */
export function kmsRequestsPerMonth(reuseSeconds: number, producers: number, consumers: number): number {
  return (MONTH_SECONDS / reuseSeconds) * (2 * producers + consumers);
}

export function costModel(inputs: CostInputs, assumptions: CostAssumptions): CostModel {
  const { happy } = inputs;
  const million = 1e6;
  const line = (item: string, perTask: number, unit: string, price: Price): CostLine => ({ item, perTask, unit, usdPerMillionTasks: perTask * price.usd * million });
  const billedMs = Math.ceil(inputs.invocationMs);
  const gbSeconds = happy.invocationsPerTask * (billedMs / 1000) * (assumptions.memoryMb / 1024);
  // EventBridge's SendMessage per delivered message, one ReceiveMessage and one DeleteMessageBatch per invocation, and the handler's own calls.
  const messagesPerTask = happy.run.messages / happy.run.succeededTasks;
  const sqsPerTask = messagesPerTask + 2 * happy.invocationsPerTask + happy.requestsPerTask.sqs;
  const sqsKms = kmsRequestsPerMonth(assumptions.sqsDataKeyReuseSeconds, 1, 1);
  const snsKms = inputs.topicsPublished * kmsRequestsPerMonth(assumptions.snsDataKeyReuseSeconds, 1, 0);
  const kmsPerTask = (sqsKms + snsKms) / assumptions.tasksPerMonth;
  // Every write to a global table replica is an rWRU; a refused conditional write is charged but not replicated.
  const primaryWrites = happy.writeUnitsPerTask + happy.failedConditionalWritesPerTask;
  const logGb = (happy.logBytesPerTask + happy.invocationsPerTask * assumptions.platformLogBytesPerInvocation) / 1e9;
  const primary: CostLine[] = [
    line('Lambda compute', gbSeconds, 'GB-s', PRICES.lambdaArmGbSecond),
    line('Lambda requests', happy.invocationsPerTask, 'invocations', PRICES.lambdaRequest),
    line('SQS requests', sqsPerTask, 'requests', PRICES.sqsRequest),
    line('KMS requests (SQS + SNS data keys)', kmsPerTask, 'requests', PRICES.kmsRequest),
    line('DynamoDB writes, primary', primaryWrites, 'rWRU', PRICES.dynamoReplicatedWriteRequestUnit),
    line('DynamoDB index writes, primary', inputs.indexWritesPerTask, 'WRU', PRICES.dynamoWriteRequestUnit),
    line('DynamoDB reads', happy.readUnitsPerTask, 'RRU', PRICES.dynamoReadRequestUnit),
    line('SNS publishes', happy.snsBilledRequestsPerTask, 'requests', PRICES.snsRequest),
    line('CloudWatch Logs ingestion', logGb, 'GB', PRICES.logsIngestionGb),
  ];
  const replica: CostLine[] = [
    line('DynamoDB replicated writes, replica', happy.writeUnitsPerTask, 'rWRU', PRICES.dynamoReplicatedWriteRequestUnit),
    line('DynamoDB index writes, replica', inputs.indexWritesPerTask, 'WRU', PRICES.dynamoWriteRequestUnit),
  ];
  const sum = (lines: CostLine[]): number => lines.reduce((n, l) => n + l.usdPerMillionTasks, 0);
  return {
    design: inputs.design,
    lines: [...primary, ...replica],
    primaryUsdPerMillionTasks: sum(primary),
    replicaUsdPerMillionTasks: sum(replica),
    sqsKmsRequestsPerMonth: sqsKms,
    sqsKmsRequestsPerMonthAt300s: kmsRequestsPerMonth(300, 1, 1),
  };
}
