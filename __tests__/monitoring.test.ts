import { configError } from './support/config';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { PROCESSOR_METRICS } from '../handlers/common/metrics';
import { AccountContext } from '../src/account';
import { SETTINGS } from '../src/config';
import { Encryption } from '../src/encryption';
import { dashboardBody, GraphWidget } from '../src/dashboard';
import { Monitoring, MonitoringProps } from '../src/monitoring';
import { RegionalProviders } from '../src/providers';
import { TaskQueues } from '../src/queues';
import { TaskTables } from '../src/tables';
import { Topics } from '../src/topics';
import { byPath, Json, onlyResource, refTo, regionOf, resolveRef, resourcesOf, statementsOf, synthStack } from './support/synth';

const PREFIX = 'distributed-task-system-production';
const json = synthStack();
const TOPIC = refTo(json, 'aws_sns_topic', 'topics/alarms', 'arn');
const TASK_QUEUE = refTo(json, 'aws_sqs_queue', 'queues/tasks', 'name');
const TASK_DLQ = refTo(json, 'aws_sqs_queue', 'queues/dlq', 'name');
const INGEST_DLQ = refTo(json, 'aws_sqs_queue', 'ingestion/dead-letter-queue', 'name');
const FUNCTION = refTo(json, 'aws_lambda_function', 'processor/fn/function', 'function_name');
const TABLES = {
  tasks: refTo(json, 'aws_dynamodb_table', 'tables/tasks', 'name'),
  locks: refTo(json, 'aws_dynamodb_table', 'tables/locks', 'name'),
};
const alarms = Object.values(resourcesOf(json, 'aws_cloudwatch_metric_alarm'));
const alarmNamed = (name: string): Json => {
  const alarm = alarms.find((a) => a.alarm_name === `${PREFIX}-${name}`);
  if (!alarm) throw new Error(`no alarm ${PREFIX}-${name} in ${alarms.map((a) => a.alarm_name).join(', ')}`);
  return alarm;
};
const dashboard = onlyResource(json, 'aws_cloudwatch_dashboard');
const body = JSON.parse(dashboard.dashboard_body) as Json;

// ---------------------------------------------------------------------------------------------
// Dashboard checker: every metric must name a resource the stack declares, in the widget's region.

const SQS_METRICS = ['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateAgeOfOldestMessage'];
const LAMBDA_METRICS = ['Invocations', 'Errors', 'Throttles', 'DestinationDeliveryFailures', 'Duration', 'ConcurrentExecutions'];
const TABLE_OR_INDEX = [['TableName'], ['GlobalSecondaryIndexName', 'TableName']];
/** Dimension sets (sorted names) each DynamoDB metric is published with. */
const DYNAMODB_DIMENSIONS: Record<string, string[][]> = {
  ConsumedReadCapacityUnits: TABLE_OR_INDEX,
  ConsumedWriteCapacityUnits: TABLE_OR_INDEX,
  ReadThrottleEvents: TABLE_OR_INDEX,
  WriteThrottleEvents: TABLE_OR_INDEX,
  ThrottledRequests: [['Operation', 'TableName']],
  ReplicationLatency: [['ReceivingRegion', 'TableName']],
  UserErrors: [[]],
};
const DYNAMODB_OPERATIONS = [
  'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem',
  'TransactGetItems', 'TransactWriteItems', 'ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction',
];

/** The block a `${type.name.attr}` value refers to, if it is exactly such a reference to a declared resource. */
function declared(stack: Json, value: unknown, type: string, attr: string): Json | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const ref = resolveRef(stack, value);
    return ref.kind === 'resource' && ref.type === type && ref.attr === attr ? ref.block : undefined;
  } catch {
    return undefined;
  }
}

function metricProblems(stack: Json, region: string, namespace: string, metricName: string, dims: Record<string, string>): string[] {
  const keys = Object.keys(dims).sort().join(',');
  const inRegion = (block: Json, what: string): string[] => (regionOf(stack, block) === region ? [] : [`${what} is not in ${region}`]);
  switch (namespace) {
    case 'AWS/SQS': {
      if (!SQS_METRICS.includes(metricName) || keys !== 'QueueName') return [`unexpected metric or dimensions ${keys}`];
      const queue = declared(stack, dims.QueueName, 'aws_sqs_queue', 'name');
      return queue ? inRegion(queue, dims.QueueName) : [`QueueName ${dims.QueueName} is not a declared queue`];
    }
    case 'AWS/Lambda': {
      if (!LAMBDA_METRICS.includes(metricName) || keys !== 'FunctionName') return [`unexpected metric or dimensions ${keys}`];
      const fn = declared(stack, dims.FunctionName, 'aws_lambda_function', 'function_name');
      return fn ? inRegion(fn, dims.FunctionName) : [`FunctionName ${dims.FunctionName} is not a declared function`];
    }
    case 'AWS/DynamoDB': {
      const allowed = DYNAMODB_DIMENSIONS[metricName];
      if (!allowed?.some((set) => set.join(',') === keys)) return [`unexpected metric or dimensions ${keys}`];
      if (!dims.TableName) return [];
      const table = declared(stack, dims.TableName, 'aws_dynamodb_table', 'name');
      if (!table) return [`TableName ${dims.TableName} is not a declared table`];
      const tableRegions = [regionOf(stack, table), ...(table.replica ?? []).map((r: Json) => r.region_name)];
      const problems: string[] = [];
      if (!tableRegions.includes(region)) problems.push(`table ${dims.TableName} has no replica in ${region}`);
      if ('GlobalSecondaryIndexName' in dims && !(table.global_secondary_index ?? []).some((i: Json) => i.name === dims.GlobalSecondaryIndexName)) {
        problems.push(`table ${dims.TableName} has no index ${dims.GlobalSecondaryIndexName}`);
      }
      if ('Operation' in dims && !DYNAMODB_OPERATIONS.includes(dims.Operation)) problems.push(`unknown operation ${dims.Operation}`);
      if ('ReceivingRegion' in dims && (dims.ReceivingRegion === region || !tableRegions.includes(dims.ReceivingRegion))) {
        problems.push(`table ${dims.TableName} does not replicate from ${region} to ${dims.ReceivingRegion}`);
      }
      return problems;
    }
    default: {
      // A custom namespace must be some function's Powertools namespace, with its service dimension.
      const fn = Object.values(resourcesOf(stack, 'aws_lambda_function')).find(
        (f) => f.environment?.variables?.POWERTOOLS_METRICS_NAMESPACE === namespace && regionOf(stack, f) === region,
      );
      if (!fn) return [`no function in ${region} publishes to namespace ${namespace}`];
      const service = fn.environment.variables.POWERTOOLS_SERVICE_NAME;
      const problems = keys === 'service' && dims.service === service ? [] : [`dimensions must be exactly service=${service}`];
      if (!Object.values(PROCESSOR_METRICS).some((m) => m.name === metricName)) problems.push(`the handler publishes no metric ${metricName}`);
      return problems;
    }
  }
}

/** Everything wrong with a dashboard body, one line per problem; empty when every widget is sound. */
function dashboardProblems(stack: Json, dashboardBody: Json): string[] {
  const regions = (stack.provider.aws as Json[]).map((p) => p.region);
  const problems: string[] = [];
  (dashboardBody.widgets as Json[]).forEach((widget, index) => {
    const p = widget.properties;
    const where = `widget ${index} "${p.title}"`;
    if (widget.type === 'alarm') {
      for (const arn of p.alarms) {
        if (!declared(stack, arn, 'aws_cloudwatch_metric_alarm', 'arn')) problems.push(`${where}: ${arn} is not a declared alarm`);
      }
      return;
    }
    if (widget.type !== 'metric') {
      problems.push(`${where}: unexpected widget type ${widget.type}`);
      return;
    }
    if (!regions.includes(p.region)) {
      problems.push(`${where}: region ${p.region} has no provider`);
      return;
    }
    const entries = p.metrics as unknown[][];
    const ids = new Set(entries.map((e) => (e[e.length - 1] as Json)?.id).filter(Boolean));
    for (const entry of entries) {
      const last = entry[entry.length - 1];
      const options = typeof last === 'object' ? (last as Json) : {};
      if (options.expression !== undefined) {
        const missing = (options.expression.match(/\b[a-z]\w*/g) ?? []).filter((id: string) => !ids.has(id));
        if (missing.length) problems.push(`${where}: expression ${options.id} refers to unknown ids ${missing.join(', ')}`);
        continue;
      }
      const [namespace, metricName, ...rest] = (typeof last === 'object' ? entry.slice(0, -1) : entry) as string[];
      if (rest.length % 2 !== 0) problems.push(`${where}: ${namespace} ${metricName}: dimensions are not name/value pairs`);
      if (options.region && options.region !== p.region) problems.push(`${where}: ${metricName} overrides the widget region`);
      const dims = Object.fromEntries(rest.flatMap((_, i) => (i % 2 === 0 ? [[rest[i], rest[i + 1]]] : [])));
      problems.push(...metricProblems(stack, p.region, namespace, metricName, dims).map((m) => `${where}: ${namespace} ${metricName}: ${m}`));
    }
  });
  return problems;
}

/** Every metric line of the dashboard as `region namespace metric dim=value... stat`. */
function dashboardLines(dashboardBody: Json): string[] {
  return (dashboardBody.widgets as Json[])
    .filter((w) => w.type === 'metric')
    .flatMap((w) =>
      (w.properties.metrics as unknown[][])
        .filter((e) => (e[0] as Json).expression === undefined)
        .map((e) => {
          const [namespace, metricName, ...rest] = e.slice(0, -1) as string[];
          const dims = rest.flatMap((_, i) => (i % 2 === 0 ? [`${rest[i]}=${rest[i + 1]}`] : []));
          return [w.properties.region, namespace, metricName, ...dims, (e[e.length - 1] as Json).stat].join(' ');
        }),
    );
}

/** The first metric entry of the dashboard matching a predicate, with its widget. */
function findEntry(dashboardBody: Json, match: (entry: unknown[]) => boolean): { widget: Json; entry: unknown[] } {
  for (const widget of dashboardBody.widgets as Json[]) {
    const entry = (widget.properties.metrics ?? []).find(match);
    if (entry) return { widget, entry };
  }
  throw new Error('no such dashboard entry');
}

// ---------------------------------------------------------------------------------------------

describe('alarms', () => {
  test('the stack declares exactly these alarms', () => {
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(
      [
        'tasks-dlq-visible-messages', 'ingest-events-dlq-visible-messages', 'oldest-task-age', 'processor-errors', 'processor-throttles',
        'processor-destination-delivery-failures', 'tasks-throttled-requests', 'locks-throttled-requests',
        'dynamodb-user-errors', 'tasks-replication-latency', 'locks-replication-latency',
      ].map((n) => `${PREFIX}-${n}`).sort(),
    );
  });

  test('every alarm notifies the alarms topic on ALARM and OK, treats missing data as not breaching, and fires above its threshold', () => {
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        actions_enabled: true,
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
        treat_missing_data: 'notBreaching',
        comparison_operator: 'GreaterThanThreshold',
      });
      expect(alarm.datapoints_to_alarm).toBe(alarm.evaluation_periods);
      expect(regionOf(json, alarm)).toBe('us-east-1');
    }
  });

  test('every alarm name matches the source ARN the alarms topic accepts', () => {
    const topicPolicy = byPath(json, 'aws_sns_topic_policy', 'topics/alarms-policy');
    const publish = statementsOf(json, topicPolicy.policy).find((s) => s.sid === 'CloudWatchAlarmsPublish');
    const sourceArn: string = publish?.condition.find((c: Json) => c.variable === 'aws:SourceArn').values[0];
    const namePattern = /:alarm:(.*)\*$/.exec(sourceArn)?.[1];
    expect(namePattern).toBe(`${PREFIX}-`);
    for (const alarm of alarms) expect(alarm.alarm_name.startsWith(namePattern!)).toBe(true);
  });

  test.each([
    ['tasks-dlq-visible-messages', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: TASK_DLQ }, 'Maximum', 10, 60, 1],
    ['ingest-events-dlq-visible-messages', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: INGEST_DLQ }, 'Maximum', 10, 60, 1],
    ['oldest-task-age', 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: TASK_QUEUE }, 'Maximum', 1800, 300, 1],
    ['processor-errors', 'AWS/Lambda', 'Errors', { FunctionName: FUNCTION }, 'Sum', 5, 300, 1],
    ['processor-throttles', 'AWS/Lambda', 'Throttles', { FunctionName: FUNCTION }, 'Sum', 0, 300, 1],
    ['processor-destination-delivery-failures', 'AWS/Lambda', 'DestinationDeliveryFailures', { FunctionName: FUNCTION }, 'Sum', 0, 300, 1],
    ['dynamodb-user-errors', 'AWS/DynamoDB', 'UserErrors', undefined, 'Sum', 10, 300, 1],
    ['tasks-replication-latency', 'AWS/DynamoDB', 'ReplicationLatency', { TableName: TABLES.tasks, ReceivingRegion: 'us-west-2' }, 'Average', 30000, 300, 3],
    ['locks-replication-latency', 'AWS/DynamoDB', 'ReplicationLatency', { TableName: TABLES.locks, ReceivingRegion: 'us-west-2' }, 'Average', 30000, 300, 3],
  ])('%s: %s %s %j, %s > %d over %d s x %d', (name, namespace, metricName, dimensions, statistic, threshold, period, evaluationPeriods) => {
    const alarm = alarmNamed(name);
    expect(alarm.namespace).toBe(namespace);
    expect(alarm.metric_name).toBe(metricName);
    expect(alarm.dimensions).toEqual(dimensions);
    expect(alarm.statistic).toBe(statistic);
    expect(alarm.threshold).toBe(threshold);
    expect(alarm.period).toBe(period);
    expect(alarm.evaluation_periods).toBe(evaluationPeriods);
    expect(alarm.metric_query).toBeUndefined();
  });

  test.each([
    ['tasks', ['GetItem', 'PutItem', 'UpdateItem']],
    ['locks', ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem']],
  ] as const)('%s-throttled-requests sums ThrottledRequests of every operation the processor sends (%j), > 10 per 300 s', (table, operations) => {
    const alarm = alarmNamed(`${table}-throttled-requests`);
    for (const single of ['namespace', 'metric_name', 'period', 'statistic', 'dimensions']) expect(alarm[single]).toBeUndefined();
    expect(alarm.threshold).toBe(10);
    expect(alarm.evaluation_periods).toBe(1);
    const [total, ...metrics] = alarm.metric_query as Json[];
    expect(total).toMatchObject({ id: 'total', return_data: true, expression: `SUM([${metrics.map((m) => m.id).join(', ')}])` });
    expect(metrics.map((m) => m.return_data)).toEqual(operations.map(() => false));
    expect(metrics.map((m) => m.metric)).toEqual(
      operations.map((operation) => ({
        namespace: 'AWS/DynamoDB',
        metric_name: 'ThrottledRequests',
        dimensions: { TableName: TABLES[table], Operation: operation },
        stat: 'Sum',
        period: 300,
      })),
    );
  });

  test('thresholds come from TAP_ALARM_* settings, and the dashboard annotations follow', () => {
    const custom = synthStack({ TAP_ALARM_DLQ_MESSAGES: '3', TAP_ALARM_REPLICATION_LATENCY_MS: '5000', TAP_ALARM_TABLE_THROTTLED_REQUESTS: '0' });
    const named = (name: string): Json => Object.values(resourcesOf(custom, 'aws_cloudwatch_metric_alarm')).find((a) => a.alarm_name === `${PREFIX}-${name}`)!;
    expect(named('tasks-dlq-visible-messages').threshold).toBe(3);
    expect(named('locks-replication-latency').threshold).toBe(5000);
    expect(named('tasks-throttled-requests').threshold).toBe(0);
    expect(named('processor-errors').threshold).toBe(5);
    const customBody = JSON.parse(onlyResource(custom, 'aws_cloudwatch_dashboard').dashboard_body);
    const annotations = (customBody.widgets as Json[]).flatMap((w) => w.properties.annotations?.horizontal ?? []);
    expect(annotations).toEqual(expect.arrayContaining([{ label: 'DLQ alarm', value: 3 }, { label: 'Alarm', value: 5000 }]));
  });
});

describe('alarm settings', () => {

  test('every threshold is a documented setting with its default', () => {
    const documented = Object.fromEntries(SETTINGS.filter((s) => s.variable.startsWith('TAP_ALARM_')).map((s) => [s.variable, s.defaultValue]));
    expect(documented).toEqual({
      TAP_ALARM_DLQ_MESSAGES: '10',
      TAP_ALARM_OLDEST_MESSAGE_AGE_SECONDS: '1800',
      TAP_ALARM_PROCESSOR_ERRORS: '5',
      TAP_ALARM_PROCESSOR_THROTTLES: '0',
      TAP_ALARM_DESTINATION_DELIVERY_FAILURES: '0',
      TAP_ALARM_TABLE_THROTTLED_REQUESTS: '10',
      TAP_ALARM_DYNAMODB_USER_ERRORS: '10',
      TAP_ALARM_REPLICATION_LATENCY_MS: '30000',
    });
  });

  test.each([
    [{ TAP_ALARM_DLQ_MESSAGES: '-1' }, 'TAP_ALARM_DLQ_MESSAGES must be an integer from 0 to 100000; received "-1"'],
    [{ TAP_ALARM_REPLICATION_LATENCY_MS: '1.5' }, 'TAP_ALARM_REPLICATION_LATENCY_MS must be an integer from 0 to 3600000; received "1.5"'],
    [
      { TAP_QUEUE_RETENTION_SECONDS: '3600', TAP_ALARM_OLDEST_MESSAGE_AGE_SECONDS: '3600' },
      'TAP_ALARM_OLDEST_MESSAGE_AGE_SECONDS must be less than TAP_QUEUE_RETENTION_SECONDS (3600); received "3600"',
    ],
  ])('fails with a message naming the setting for %j', (env, message) => {
    expect(configError(env)).toBe(message);
  });
});

describe('dashboard', () => {
  test('is one dashboard in the primary region whose body is plain JSON', () => {
    expect(dashboard.dashboard_name).toBe(`${PREFIX}-overview`);
    expect(regionOf(json, dashboard)).toBe('us-east-1');
    expect(dashboard.dashboard_body).not.toMatch(/jsonencode/);
    expect(body.widgets.length).toBeGreaterThan(0);
  });

  test('every metric refers to a declared resource with the right namespace, dimensions and region', () => {
    expect(dashboardProblems(json, body)).toEqual([]);
  });

  const mutate = (change: (copy: Json) => void): Json => {
    const copy = structuredClone(body);
    change(copy);
    return copy;
  };
  const isMetric = (namespace: string, metricName?: string) => (e: unknown[]) => e[0] === namespace && (!metricName || e[1] === metricName);

  test.each<[string, (copy: Json) => void, string]>([
    ['a queue that is not declared', (c) => (findEntry(c, isMetric('AWS/SQS')).entry[3] = '${aws_sqs_queue.no_such_queue.name}'), 'is not a declared queue'],
    ['a queue named literally instead of by reference', (c) => (findEntry(c, isMetric('AWS/SQS')).entry[3] = `${PREFIX}-tasks`), 'is not a declared queue'],
    ['a function that is not declared', (c) => (findEntry(c, isMetric('AWS/Lambda')).entry[3] = '${aws_lambda_function.ghost.function_name}'), 'is not a declared function'],
    ['a function charted in the replica region', (c) => (findEntry(c, isMetric('AWS/Lambda')).widget.properties.region = 'us-west-2'), 'is not in us-west-2'],
    ['a table that is not declared', (c) => (findEntry(c, isMetric('AWS/DynamoDB', 'ConsumedReadCapacityUnits')).entry[3] = '${aws_dynamodb_table.ghost.name}'), 'is not a declared table'],
    ['an index the table does not have', (c) => (findEntry(c, (e) => e.includes('GlobalSecondaryIndexName')).entry[5] = 'no-such-index'), 'has no index no-such-index'],
    ['an index on the lock table', (c) => (findEntry(c, (e) => e.includes('GlobalSecondaryIndexName')).entry[3] = TABLES.locks), 'has no index status-index'],
    ['ThrottledRequests without its Operation dimension', (c) => findEntry(c, isMetric('AWS/DynamoDB', 'ThrottledRequests')).entry.splice(4, 2), 'unexpected metric or dimensions TableName'],
    ['replication to the widget region itself', (c) => (findEntry(c, isMetric('AWS/DynamoDB', 'ReplicationLatency')).entry[5] = 'us-east-1'), 'does not replicate from us-east-1 to us-east-1'],
    ['a region without a provider', (c) => (findEntry(c, isMetric('AWS/DynamoDB')).widget.properties.region = 'eu-west-1'), 'region eu-west-1 has no provider'],
    ['a handler metric under another service', (c) => (findEntry(c, (e) => e.includes('service')).entry[3] = 'other'), 'dimensions must be exactly service=processor'],
    ['a handler metric the handler does not publish', (c) => (findEntry(c, (e) => e.includes('service')).entry[1] = 'TasksVanished'), 'publishes no metric TasksVanished'],
    ['a namespace no function publishes to', (c) => (findEntry(c, (e) => e.includes('service')).entry[0] = 'TapStack/other'), 'no function in us-east-1 publishes to namespace TapStack/other'],
    ['an alarm that is not declared', (c) => (c.widgets[0].properties.alarms[0] = '${aws_cloudwatch_metric_alarm.ghost.arn}'), 'is not a declared alarm'],
  ])('the checker rejects %s', (_, change, problem) => {
    const problems = dashboardProblems(json, mutate(change));
    expect(problems.length).toBeGreaterThan(0);
    for (const found of problems) expect(found).toContain(problem);
  });

  test('every metric widget names its region; DynamoDB widgets say which in their title', () => {
    for (const widget of (body.widgets as Json[]).filter((w) => w.type === 'metric')) {
      expect(['us-east-1', 'us-west-2']).toContain(widget.properties.region);
      if (widget.properties.title.startsWith('DynamoDB')) expect(widget.properties.title).toContain(`(${widget.properties.region})`);
    }
  });

  test('widgets tile the 24-unit grid without overlapping', () => {
    const cells = new Set<string>();
    for (const { x, y, width, height } of body.widgets as Json[]) {
      expect(x + width).toBeLessThanOrEqual(24);
      for (let i = x; i < x + width; i++) for (let j = y; j < y + height; j++) {
        expect(cells.has(`${i},${j}`)).toBe(false);
        cells.add(`${i},${j}`);
      }
    }
  });

  test('shows every alarm, those in ALARM first', () => {
    const alarmWidget = (body.widgets as Json[]).find((w) => w.type === 'alarm');
    expect(alarmWidget!.properties.sortBy).toBe('stateUpdatedTimestamp');
    const arns = Object.keys(resourcesOf(json, 'aws_cloudwatch_metric_alarm')).map((name) => `\${aws_cloudwatch_metric_alarm.${name}.arn}`);
    expect([...alarmWidget!.properties.alarms].sort()).toEqual(arns.sort());
  });

  const lines = dashboardLines(body);

  test('queue depth: visible, in flight and oldest message age for the task queue and its DLQ', () => {
    for (const metric of SQS_METRICS) {
      for (const queue of [TASK_QUEUE, TASK_DLQ]) expect(lines).toContain(`us-east-1 AWS/SQS ${metric} QueueName=${queue} Maximum`);
    }
  });

  test('processor: invocations, errors, throttles, duration p50/p99, concurrency against the reserved limit', () => {
    for (const [metric, stat] of [['Invocations', 'Sum'], ['Errors', 'Sum'], ['Throttles', 'Sum'], ['DestinationDeliveryFailures', 'Sum'], ['Duration', 'p50'], ['Duration', 'p99'], ['ConcurrentExecutions', 'Maximum']]) {
      expect(lines).toContain(`us-east-1 AWS/Lambda ${metric} FunctionName=${FUNCTION} ${stat}`);
    }
    const concurrency = findEntry(body, isMetric('AWS/Lambda', 'ConcurrentExecutions')).widget;
    const fn = byPath(json, 'aws_lambda_function', 'processor/fn/function');
    expect(concurrency.properties.annotations.horizontal).toEqual([{ label: 'Reserved concurrency', value: fn.reserved_concurrent_executions }]);
  });

  test.each(['us-east-1', 'us-west-2'])('DynamoDB in %s: consumed capacity per table and for the status index, throttles, replication latency', (region) => {
    const other = region === 'us-east-1' ? 'us-west-2' : 'us-east-1';
    for (const metric of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits']) {
      for (const table of Object.values(TABLES)) expect(lines).toContain(`${region} AWS/DynamoDB ${metric} TableName=${table} Sum`);
      expect(lines).toContain(`${region} AWS/DynamoDB ${metric} TableName=${TABLES.tasks} GlobalSecondaryIndexName=status-index Sum`);
    }
    for (const table of Object.values(TABLES)) {
      expect(lines).toContain(`${region} AWS/DynamoDB ReplicationLatency TableName=${table} ReceivingRegion=${other} Average`);
    }
    expect(lines.filter((l) => l.startsWith(`${region} AWS/DynamoDB`) && /Throttle/.test(l)).length).toBeGreaterThan(0);
  });

  test('primary-region throttles chart the same operations as the alarms, summed per table, and account user errors', () => {
    for (const table of ['tasks', 'locks'] as const) {
      const alarmOps = (alarmNamed(`${table}-throttled-requests`).metric_query as Json[]).slice(1).map((q) => q.metric.dimensions.Operation);
      for (const op of alarmOps) expect(lines).toContain(`us-east-1 AWS/DynamoDB ThrottledRequests TableName=${TABLES[table]} Operation=${op} Sum`);
      const sum = findEntry(body, (e) => (e[0] as Json).id === `${table}_throttled`).entry[0] as Json;
      expect(sum.expression).toBe(`SUM([${alarmOps.map((op: string) => `${table}_${op.toLowerCase()}`).join(', ')}])`);
    }
    expect(lines).toContain('us-east-1 AWS/DynamoDB UserErrors Sum');
  });

  test("the handler's embedded metrics, every one of them, with its service dimension", () => {
    for (const { name } of Object.values(PROCESSOR_METRICS)) {
      expect(lines.some((l) => l.startsWith(`us-east-1 TapStack/${PREFIX} ${name} service=processor `))).toBe(true);
    }
  });
});

describe('dashboard body builder', () => {
  const graph = (lines: GraphWidget['lines']): GraphWidget => ({ kind: 'graph', title: 'g', region: 'us-east-1', periodSeconds: 60, lines });
  const errors = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, stat: 'Sum', label: 'Errors', id: 'errors' };

  test('writes metric lines as [namespace, name, dimension, value, options] and expressions as [{ expression }]', () => {
    const widget = JSON.parse(dashboardBody([[graph([errors, { expression: 'errors * 2', label: 'Double', id: 'double' }])]])).widgets[0];
    expect(widget).toMatchObject({ type: 'metric', x: 0, y: 0, width: 24, height: 6 });
    expect(widget.properties.metrics).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', 'f', { stat: 'Sum', label: 'Errors', id: 'errors' }],
      [{ expression: 'errors * 2', label: 'Double', id: 'double' }],
    ]);
  });

  test('fails if an expression refers to a line the widget does not define', () => {
    expect(() => dashboardBody([[graph([errors, { expression: 'SUM([errors, throttles])', label: 'All', id: 'all' }])]])).toThrow(
      'widget "g": expression all refers to unknown ids throttles',
    );
  });

  test('fails if a row cannot share the 24-unit grid equally', () => {
    expect(() => dashboardBody([Array.from({ length: 5 }, () => graph([errors]))])).toThrow('got 5');
  });
});

describe('outputs', () => {
  test('dashboard URL, queue URLs, table names and topic ARNs', () => {
    const value = (id: string): string => json.output[id].value;
    expect(value('dashboard-url')).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/${refTo(json, 'aws_cloudwatch_dashboard', 'monitoring/dashboard', 'dashboard_name')}`,
    );
    expect(value('task-queue-url')).toBe(refTo(json, 'aws_sqs_queue', 'queues/tasks', 'url'));
    expect(value('task-dlq-url')).toBe(refTo(json, 'aws_sqs_queue', 'queues/dlq', 'url'));
    expect(value('task-table-name')).toBe(TABLES.tasks);
    expect(value('lock-table-name')).toBe(TABLES.locks);
    for (const topic of ['success', 'failure', 'alarms']) expect(value(`${topic}-topic-arn`)).toBe(refTo(json, 'aws_sns_topic', `topics/${topic}`, 'arn'));
  });
});

describe('Monitoring construct', () => {
  /** The data plane plus a bare processor function and a second DLQ, as the ingestion construct adds. */
  function build(change: (props: MonitoringProps) => Partial<MonitoringProps> = () => ({})): Json {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const [primaryRegion, replicaRegion, namePrefix] = ['us-east-1', 'us-west-2', 'tap-test'];
    const { primary, replica } = new RegionalProviders(stack, 'providers', { primaryRegion, replicaRegion, tags: {} });
    const account = new AccountContext(stack, 'account', { provider: primary });
    const { key, replicaKey } = new Encryption(stack, 'encryption', { primary, replica, primaryRegion, replicaRegion, account, namePrefix });
    const queues = new TaskQueues(stack, 'queues', { provider: primary, account, key, namePrefix });
    const tables = new TaskTables(stack, 'tables', { primary, replica, replicaRegion, key, replicaKey, namePrefix });
    const topics = new Topics(stack, 'topics', { provider: primary, account, key, namePrefix, region: primaryRegion });
    const eventsDlq = new SqsQueue(new Construct(stack, 'ingestion'), 'dlq', { provider: primary, name: `${namePrefix}-events-dlq` });
    const processor = new LambdaFunction(stack, 'fn', {
      provider: primary,
      functionName: `${namePrefix}-processor`,
      role: 'arn:aws:iam::123456789012:role/test',
      environment: { variables: { POWERTOOLS_METRICS_NAMESPACE: 'Test/ns', POWERTOOLS_SERVICE_NAME: 'processor' } },
    });
    const props: MonitoringProps = {
      primary, primaryRegion, replicaRegion, namePrefix, tables, processor,
      taskQueue: queues.taskQueue,
      deadLetterQueues: [queues.deadLetterQueue, eventsDlq],
      metricsNamespace: 'Test/ns',
      alarmTopic: topics.alarms,
    };
    new Monitoring(stack, 'monitoring', { ...props, ...change(props) });
    return JSON.parse(Testing.synth(stack));
  }

  test('every dead-letter queue gets its own alarm and dashboard lines', () => {
    const built = build();
    const dlqAlarms = Object.values(resourcesOf(built, 'aws_cloudwatch_metric_alarm')).filter((a) => a.metric_name === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms.map((a) => [a.alarm_name, a.dimensions.QueueName, a.threshold, a.period, a.alarm_actions]).sort()).toEqual([
      ['tap-test-events-dlq-visible-messages', refTo(built, 'aws_sqs_queue', 'ingestion/dlq', 'name'), 10, 60, [refTo(built, 'aws_sns_topic', 'topics/alarms', 'arn')]],
      ['tap-test-tasks-dlq-visible-messages', refTo(built, 'aws_sqs_queue', 'queues/dlq', 'name'), 10, 60, [refTo(built, 'aws_sns_topic', 'topics/alarms', 'arn')]],
    ]);
    const builtBody = JSON.parse(onlyResource(built, 'aws_cloudwatch_dashboard').dashboard_body);
    expect(dashboardProblems(built, builtBody)).toEqual([]);
    const builtLines = dashboardLines(builtBody);
    for (const metric of SQS_METRICS) {
      expect(builtLines).toContain(`us-east-1 AWS/SQS ${metric} QueueName=${refTo(built, 'aws_sqs_queue', 'ingestion/dlq', 'name')} Maximum`);
    }
  });

  test('fails if a queue to alarm on is not named with the prefix (the topic would refuse its alarm)', () => {
    expect(() =>
      build(({ deadLetterQueues }) => ({
        deadLetterQueues: [...deadLetterQueues, new SqsQueue(deadLetterQueues[0].node.scope!, 'stray', { name: 'stray-dlq' })],
      })),
    ).toThrow('the dead-letter queue to monitor must be named "tap-test-..."; its name is "stray-dlq"');
  });

  test('fails if there is no dead-letter queue', () => {
    expect(() => build(() => ({ deadLetterQueues: [] }))).toThrow('monitoring needs at least one dead-letter queue to alarm on');
  });

  test('fails if the metrics namespace is not the one the processor publishes to', () => {
    expect(() => build(() => ({ metricsNamespace: 'Other/ns' }))).toThrow('the processor publishes metrics to "Test/ns" (POWERTOOLS_METRICS_NAMESPACE), not to "Other/ns"');
  });
});
