import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { PROCESSOR_AWS_CALLS, ProcessorResource } from '../handlers/common/aws-calls';
import { METRICS_NAMESPACE_ENV, PROCESSOR_METRICS, SERVICE_DIMENSION, SERVICE_NAME_ENV } from '../handlers/common/metrics';
import { TASK_TABLE_SCHEMA } from '../handlers/common/processor-parameters';
import { ALARM_THRESHOLD_DEFAULTS, AlarmThresholds } from './config';
import { Annotation, dashboardBody, GraphWidget, Line, Metric, MetricLine } from './dashboard';
import { TaskTables } from './tables';

export interface MonitoringProps {
  /** Provider of the primary region: alarms, dashboard, and the alarms topic live there. */
  readonly primary: AwsProvider;
  readonly primaryRegion: string;
  /** Region of the global-table replicas, charted on the dashboard. */
  readonly replicaRegion: string;
  /** Every alarm name starts with `<prefix>-`: the alarms topic accepts only those. */
  readonly namePrefix: string;
  readonly taskQueue: SqsQueue;
  /** Every dead-letter queue of the stack; each gets an alarm and dashboard lines. */
  readonly deadLetterQueues: readonly SqsQueue[];
  /** The processor; its environment names the `service` dimension of its metrics. */
  readonly processor: LambdaFunction;
  /** Namespace of the processor's embedded metrics. */
  readonly metricsNamespace: string;
  readonly tables: TaskTables;
  /** Receives every alarm's ALARM and OK notifications. */
  readonly alarmTopic: SnsTopic;
  /** @default ALARM_THRESHOLD_DEFAULTS (see config.ts) */
  readonly thresholds?: Partial<AlarmThresholds>;
}

/** Period of every alarm but the DLQ ones: count thresholds are per 5 minutes. */
const ALARM_PERIOD_SECONDS = 300;
/** SQS publishes queue metrics every minute. */
const QUEUE_PERIOD_SECONDS = 60;
/** Replication latency must stay high for three 5-minute periods before it alarms. */
const REPLICATION_LATENCY_PERIODS = 3;

/** The table each processor resource names, for the operations the handler sends to it. */
const TABLE_RESOURCES = [
  ['tasks', 'taskTable'],
  ['locks', 'lockTable'],
] as const satisfies readonly (readonly [string, ProcessorResource])[];

/** DynamoDB operations the processor sends to a table: ThrottledRequests is published per operation. */
export function dynamodbOperations(resource: ProcessorResource): string[] {
  return PROCESSOR_AWS_CALLS.filter((c) => c.operation.startsWith('dynamodb:') && c.resources.includes(resource))
    .map((c) => c.operation.slice('dynamodb:'.length))
    .sort();
}

/** A table with the short key used in IDs and the operations the processor sends to it. */
interface MonitoredTable {
  readonly key: string;
  readonly table: DynamodbTable;
  readonly operations: readonly string[];
}

interface AlarmSpec {
  /** Alarm name after `<prefix>-`. */
  readonly name: string;
  readonly description: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** A single metric, or a metric math expression over several. */
  readonly metric: Metric | { readonly expression: string; readonly label: string; readonly metrics: Record<string, Metric> };
}

/**
 * CloudWatch alarms on every dead-letter queue and on the failure signals of the flow, all
 * notifying the alarms topic, and one dashboard of queues, the processor and the tables in
 * both regions. All alarms treat missing data as not breaching: an idle queue or function
 * publishes no data points.
 */
export class Monitoring extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  /** Console address of the dashboard (commercial partition, like every region config accepts). */
  readonly dashboardUrl: string;

  private readonly props: MonitoringProps;
  private readonly thresholds: AlarmThresholds;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.thresholds = { ...ALARM_THRESHOLD_DEFAULTS, ...props.thresholds };
    if (props.deadLetterQueues.length === 0) throw new Error('monitoring needs at least one dead-letter queue to alarm on');
    const service = this.processorMetricsService();
    const { primaryRegion, replicaRegion } = props;
    const t = this.thresholds;
    const tables = TABLE_RESOURCES.map(([key, resource]): MonitoredTable => ({
      key,
      table: props.tables[resource],
      operations: dynamodbOperations(resource),
    }));

    for (const queue of props.deadLetterQueues) {
      const queueName = this.ownName(queue.nameInput, 'dead-letter queue');
      this.alarm(`dlq-${queueName}`, {
        name: `${queueName}-visible-messages`,
        description: `Failed messages are accumulating on ${queue.nameInput}: inspect them, fix the cause, then redrive.`,
        metric: queueMetric(queue, 'ApproximateNumberOfMessagesVisible'),
        threshold: t.deadLetterMessages,
        periodSeconds: QUEUE_PERIOD_SECONDS,
      });
    }
    this.alarm('oldest-task-age', {
      name: 'oldest-task-age',
      description: 'The oldest task message is waiting too long: the processor is stalled or cannot keep up.',
      metric: queueMetric(props.taskQueue, 'ApproximateAgeOfOldestMessage'),
      threshold: t.oldestMessageAgeSeconds,
      periodSeconds: ALARM_PERIOD_SECONDS,
    });
    const fn = props.processor;
    this.alarm('processor-errors', {
      name: 'processor-errors',
      description: 'Processor invocations fail (crash, timeout, configuration); per-task failures are reported separately.',
      metric: lambdaMetric(fn, 'Errors', 'Sum'),
      threshold: t.processorErrors,
      periodSeconds: ALARM_PERIOD_SECONDS,
    });
    this.alarm('processor-throttles', {
      name: 'processor-throttles',
      description: 'Processor invocations are throttled; throttled SQS receives count toward the DLQ limit.',
      metric: lambdaMetric(fn, 'Throttles', 'Sum'),
      threshold: t.processorThrottles,
      periodSeconds: ALARM_PERIOD_SECONDS,
    });
    this.alarm('processor-destination-failures', {
      name: 'processor-destination-delivery-failures',
      description: 'Lambda could not deliver asynchronous invocation results to the outcome topics.',
      metric: lambdaMetric(fn, 'DestinationDeliveryFailures', 'Sum'),
      threshold: t.destinationDeliveryFailures,
      periodSeconds: ALARM_PERIOD_SECONDS,
    });
    for (const { key, table, operations } of tables) {
      this.alarm(`${key}-throttled-requests`, {
        name: `${this.ownName(table.nameInput, 'table')}-throttled-requests`,
        description: `DynamoDB throttles processor requests (${operations.join(', ')}) on ${table.nameInput}.`,
        metric: {
          expression: `SUM([${operations.map(operationId).join(', ')}])`,
          label: 'Throttled requests',
          metrics: Object.fromEntries(operations.map((op) => [operationId(op), throttledRequests(table, op, 'Sum')])),
        },
        threshold: t.tableThrottledRequests,
        periodSeconds: ALARM_PERIOD_SECONDS,
      });
      this.alarm(`${key}-replication-latency`, {
        name: `${this.ownName(table.nameInput, 'table')}-replication-latency`,
        description: `Writes to ${table.nameInput} reach ${replicaRegion} late: the replica would lose recent tasks in a failover.`,
        metric: replicationLatency(table, replicaRegion),
        threshold: t.replicationLatencyMs,
        periodSeconds: ALARM_PERIOD_SECONDS,
        evaluationPeriods: REPLICATION_LATENCY_PERIODS,
      });
    }
    this.alarm('dynamodb-user-errors', {
      name: 'dynamodb-user-errors',
      description: `DynamoDB rejects requests with HTTP 400 (validation, access, missing table) in ${primaryRegion}, for the whole account.`,
      metric: { namespace: 'AWS/DynamoDB', metricName: 'UserErrors', dimensions: {}, stat: 'Sum' },
      threshold: t.dynamodbUserErrors,
      periodSeconds: ALARM_PERIOD_SECONDS,
    });

    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      provider: props.primary,
      dashboardName: `${props.namePrefix}-overview`,
      dashboardBody: dashboardBody([
        [{ kind: 'alarms', title: 'Alarms', alarmArns: this.alarms.map((a) => a.arn) }],
        this.queueWidgets(),
        this.processorWidgets(),
        this.tableWidgets(primaryRegion, replicaRegion, tables),
        this.tableWidgets(replicaRegion, primaryRegion, tables),
        this.handlerWidgets(service),
      ]),
    });
    this.dashboardUrl = `https://${primaryRegion}.console.aws.amazon.com/cloudwatch/home?region=${primaryRegion}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }

  /** The resource name after `<prefix>-`; alarm names and IDs derive from it so they stay stable and unique. */
  private ownName(name: string | undefined, what: string): string {
    const prefix = `${this.props.namePrefix}-`;
    if (!name?.startsWith(prefix)) throw new Error(`the ${what} to monitor must be named "${prefix}..."; its name is ${JSON.stringify(name)}`);
    return name.slice(prefix.length);
  }

  /** Powertools publishes every metric with `service` = POWERTOOLS_SERVICE_NAME, in POWERTOOLS_METRICS_NAMESPACE. */
  private processorMetricsService(): string {
    const variables = this.props.processor.environmentInput?.variables ?? {};
    const namespace = variables[METRICS_NAMESPACE_ENV];
    if (namespace !== this.props.metricsNamespace) {
      throw new Error(`the processor publishes metrics to ${JSON.stringify(namespace)} (${METRICS_NAMESPACE_ENV}), not to ${JSON.stringify(this.props.metricsNamespace)}`);
    }
    const service = variables[SERVICE_NAME_ENV];
    if (!service) throw new Error(`the processor has no ${SERVICE_NAME_ENV}: its metrics' ${SERVICE_DIMENSION} dimension is unknown`);
    return service;
  }

  private alarm(id: string, spec: AlarmSpec): void {
    const { props } = this;
    const evaluationPeriods = spec.evaluationPeriods ?? 1;
    const common = {
      provider: props.primary,
      alarmName: `${props.namePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      comparisonOperator: 'GreaterThanThreshold',
      threshold: spec.threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: 'notBreaching',
      actionsEnabled: true,
      alarmActions: [props.alarmTopic.arn],
      okActions: [props.alarmTopic.arn],
    };
    const { metric } = spec;
    const alarm =
      'expression' in metric
        ? new CloudwatchMetricAlarm(this, `alarm-${id}`, {
            ...common,
            metricQuery: [
              { id: 'total', expression: metric.expression, label: metric.label, returnData: true },
              ...Object.entries(metric.metrics).map(([metricId, m]) => ({
                id: metricId,
                returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, stat: m.stat, period: spec.periodSeconds },
              })),
            ],
          })
        : new CloudwatchMetricAlarm(this, `alarm-${id}`, {
            ...common,
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: Object.keys(metric.dimensions).length ? { ...metric.dimensions } : undefined,
            statistic: metric.stat,
            period: spec.periodSeconds,
          });
    this.alarms.push(alarm);
  }

  private queueWidgets(): GraphWidget[] {
    const { taskQueue, deadLetterQueues, primaryRegion } = this.props;
    const queues = [taskQueue, ...deadLetterQueues];
    const graph = (title: string, metricName: string, annotations: Annotation[] = []): GraphWidget => ({
      kind: 'graph',
      title,
      region: primaryRegion,
      periodSeconds: QUEUE_PERIOD_SECONDS,
      lines: queues.map((q) => ({ ...queueMetric(q, metricName), label: q.nameInput ?? metricName })),
      annotations,
    });
    return [
      graph('Queues: visible messages', 'ApproximateNumberOfMessagesVisible', [{ label: 'DLQ alarm', value: this.thresholds.deadLetterMessages }]),
      graph('Queues: messages in flight', 'ApproximateNumberOfMessagesNotVisible'),
      graph('Queues: age of oldest message (s)', 'ApproximateAgeOfOldestMessage', [{ label: 'Task queue alarm', value: this.thresholds.oldestMessageAgeSeconds }]),
    ];
  }

  private processorWidgets(): GraphWidget[] {
    const { processor: fn, primaryRegion } = this.props;
    const line = (metricName: string, stat: string, label: string): MetricLine => ({ ...lambdaMetric(fn, metricName, stat), label });
    const annotation = (label: string, value: number | undefined): Annotation[] => (value === undefined ? [] : [{ label, value }]);
    return [
      {
        kind: 'graph',
        title: 'Processor: invocations, errors, throttles',
        region: primaryRegion,
        periodSeconds: 60,
        lines: [
          line('Invocations', 'Sum', 'Invocations'),
          line('Errors', 'Sum', 'Errors'),
          line('Throttles', 'Sum', 'Throttles'),
          line('DestinationDeliveryFailures', 'Sum', 'Destination delivery failures'),
        ],
      },
      {
        kind: 'graph',
        title: 'Processor: duration (ms)',
        region: primaryRegion,
        periodSeconds: 60,
        lines: [line('Duration', 'p50', 'p50'), line('Duration', 'p99', 'p99')],
        annotations: annotation('Timeout', fn.timeoutInput === undefined ? undefined : fn.timeoutInput * 1000),
      },
      {
        kind: 'graph',
        title: 'Processor: concurrent executions',
        region: primaryRegion,
        periodSeconds: 60,
        lines: [line('ConcurrentExecutions', 'Maximum', 'Concurrent executions')],
        annotations: annotation('Reserved concurrency', fn.reservedConcurrentExecutionsInput),
      },
    ];
  }

  /** Capacity, throttles and outgoing replication of both tables, as seen in `region`. */
  private tableWidgets(region: string, otherRegion: string, tables: readonly MonitoredTable[]): GraphWidget[] {
    const capacity = (metricName: string): MetricLine[] => [
      ...tables.map(({ table }) => ({ ...tableMetric(table, metricName, 'Sum'), label: table.nameInput ?? metricName })),
      { ...tableMetric(this.props.tables.taskTable, metricName, 'Sum', TASK_TABLE_SCHEMA.statusIndexName), label: TASK_TABLE_SCHEMA.statusIndexName },
    ];
    // The processor sends requests in the primary region only; the replica receives replicated writes.
    const throttles: Line[] =
      region === this.props.primaryRegion
        ? [
            ...tables.flatMap(({ key, table, operations }) =>
              operations.map((op): MetricLine => ({ ...throttledRequests(table, op, 'Sum'), label: `${key} ${op}`, id: `${key}_${operationId(op)}`, visible: false })),
            ),
            ...tables.map(({ key, operations }) => ({
              expression: `SUM([${operations.map((op) => `${key}_${operationId(op)}`).join(', ')}])`,
              label: `${key} throttled requests`,
              id: `${key}_throttled`,
            })),
            { namespace: 'AWS/DynamoDB', metricName: 'UserErrors', dimensions: {}, stat: 'Sum', label: 'User errors (account)' },
          ]
        : tables.flatMap(({ key, table }) => [
            { ...tableMetric(table, 'ReadThrottleEvents', 'Sum'), label: `${key} read throttle events` },
            { ...tableMetric(table, 'WriteThrottleEvents', 'Sum'), label: `${key} write throttle events` },
          ]);
    const graph = (title: string, lines: Line[], annotations: Annotation[] = []): GraphWidget => ({
      kind: 'graph',
      title: `${title} (${region})`,
      region,
      periodSeconds: 60,
      lines,
      annotations,
    });
    return [
      graph('DynamoDB: consumed read capacity', capacity('ConsumedReadCapacityUnits')),
      graph('DynamoDB: consumed write capacity', capacity('ConsumedWriteCapacityUnits')),
      graph('DynamoDB: throttles', throttles),
      graph(
        `DynamoDB: replication latency to ${otherRegion} (ms)`,
        tables.map(({ table }) => ({ ...replicationLatency(table, otherRegion), label: table.nameInput ?? 'ReplicationLatency' })),
        region === this.props.primaryRegion ? [{ label: 'Alarm', value: this.thresholds.replicationLatencyMs }] : [],
      ),
    ];
  }

  /** The processor's own embedded metrics: task outcomes and contention. */
  private handlerWidgets(service: string): GraphWidget[] {
    const { metricsNamespace, primaryRegion } = this.props;
    const line = (key: keyof typeof PROCESSOR_METRICS, stat = 'Sum'): MetricLine => ({
      namespace: metricsNamespace,
      metricName: PROCESSOR_METRICS[key].name,
      dimensions: { [SERVICE_DIMENSION]: service },
      stat,
      label: stat === 'Sum' ? PROCESSOR_METRICS[key].name : `${PROCESSOR_METRICS[key].name} ${stat}`,
    });
    const graph = (title: string, lines: MetricLine[]): GraphWidget => ({ kind: 'graph', title, region: primaryRegion, periodSeconds: 60, lines });
    return [
      graph('Tasks: outcomes', [line('tasksSucceeded'), line('tasksFailed'), line('tasksRejected'), line('tasksDuplicate'), line('tasksRetried')]),
      graph('Tasks: contention', [line('lockWaits'), line('claimConflicts'), line('staleCompletions'), line('notificationFailures')]),
      graph('Tasks: lock wait time (ms)', [line('lockWaitTime', 'p50'), line('lockWaitTime', 'p99')]),
    ];
  }
}

/** Metric math IDs must start with a lowercase letter. */
const operationId = (operation: string): string => operation.toLowerCase();

function queueMetric(queue: SqsQueue, metricName: string): Metric {
  return { namespace: 'AWS/SQS', metricName, dimensions: { QueueName: queue.name }, stat: 'Maximum' };
}

function lambdaMetric(fn: LambdaFunction, metricName: string, stat: string): Metric {
  return { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: fn.functionName }, stat };
}

/** A table metric, or with `indexName` the same metric of one global secondary index. */
function tableMetric(table: DynamodbTable, metricName: string, stat: string, indexName?: string): Metric {
  const dimensions: Record<string, string> = indexName ? { TableName: table.name, GlobalSecondaryIndexName: indexName } : { TableName: table.name };
  return { namespace: 'AWS/DynamoDB', metricName, dimensions, stat };
}

function throttledRequests(table: DynamodbTable, operation: string, stat: string): Metric {
  return { namespace: 'AWS/DynamoDB', metricName: 'ThrottledRequests', dimensions: { TableName: table.name, Operation: operation }, stat };
}

/** Published in the region the write came from, per receiving region. */
function replicationLatency(table: DynamodbTable, receivingRegion: string): Metric {
  return { namespace: 'AWS/DynamoDB', metricName: 'ReplicationLatency', dimensions: { TableName: table.name, ReceivingRegion: receivingRegion }, stat: 'Average' };
}
