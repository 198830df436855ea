import * as fs from 'fs';
import * as path from 'path';
import { ARCHITECTURE_SVG, architectureSvg, buildModel, defaultArchitectureSvg, toDot } from '../src/diagram';

type Json = Record<string, any>;

const ref = (address: string, attr: string) => `\${${address}.${attr}}`;
const account = ref('data.aws_caller_identity.me', 'account_id');
const bucketName = `app-ingest-1-${account}`;

/** A small stack in the shape cdktf synthesizes: every concern, satellites, summaries and a replica region. */
function fixture(): Json {
  const primary = { provider: 'aws.primary' };
  return {
    provider: { aws: [{ alias: 'primary', region: 'us-east-1' }, { alias: 'replica', region: 'us-west-2' }] },
    data: {
      aws_caller_identity: { me: primary },
      aws_iam_policy_document: {
        permissions: {
          ...primary,
          statement: [
            { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [ref('aws_dynamodb_table.tasks', 'arn')] },
            { actions: ['sns:Publish'], resources: [ref('aws_sns_topic.success', 'arn'), ref('aws_sns_topic.failure', 'arn')] },
            { actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [ref('aws_sqs_queue.tasks', 'arn')] },
            { actions: ['ssm:GetParametersByPath'], resources: [`arn:aws:ssm:us-east-1:${account}:parameter/app/processor/*`] },
            { actions: ['s3:GetObject'], resources: [`${ref('aws_s3_bucket.ingest', 'arn')}/*`] },
            { actions: ['kms:Decrypt'], resources: [ref('aws_kms_key.key', 'arn')] },
            { actions: ['logs:PutLogEvents'], resources: [`${ref('aws_cloudwatch_log_group.logs', 'arn')}:*`] },
            { effect: 'Deny', actions: ['dynamodb:DeleteTable'], resources: [ref('aws_dynamodb_table.locks', 'arn')] },
          ],
        },
      },
    },
    resource: {
      aws_kms_key: { key: { ...primary, multi_region: true } },
      aws_kms_alias: { alias: { ...primary, name: 'alias/app', target_key_id: ref('aws_kms_key.key', 'key_id') } },
      aws_kms_replica_key: { replica_key: { provider: 'aws.replica', primary_key_arn: ref('aws_kms_key.key', 'arn') } },
      aws_s3_bucket: { ingest: { ...primary, bucket: bucketName } },
      aws_s3_bucket_notification: { ingest_events: { ...primary, bucket: ref('aws_s3_bucket.ingest', 'id'), eventbridge: true } },
      aws_s3_bucket_server_side_encryption_configuration: {
        ingest_sse: { ...primary, bucket: ref('aws_s3_bucket.ingest', 'id'), rule: [{ apply_server_side_encryption_by_default: { kms_master_key_id: ref('aws_kms_key.key', 'arn') } }] },
      },
      aws_cloudwatch_event_rule: {
        created: { ...primary, name: 'app-object-created', event_pattern: JSON.stringify({ 'detail-type': ['Object Created'], detail: { bucket: { name: [bucketName] } } }) },
        // Names the bucket by ARN prefix only.
        trail: { ...primary, name: 'app-trail', event_pattern: JSON.stringify({ resources: [{ prefix: `arn:aws:s3:::${bucketName}/uploads/` }] }) },
      },
      aws_cloudwatch_event_target: {
        created_target: {
          ...primary,
          rule: ref('aws_cloudwatch_event_rule.created', 'name'),
          arn: ref('aws_sqs_queue.tasks', 'arn'),
          input_transformer: { input_template: '{}' },
          dead_letter_config: { arn: ref('aws_sqs_queue.events_dlq', 'arn') },
        },
      },
      aws_sqs_queue: {
        tasks: {
          ...primary,
          name: 'app-tasks',
          kms_master_key_id: ref('aws_kms_key.key', 'arn'),
          redrive_policy: JSON.stringify({ deadLetterTargetArn: ref('aws_sqs_queue.dlq', 'arn'), maxReceiveCount: 3 }),
        },
        dlq: { ...primary, name: 'app-tasks-dlq' },
        events_dlq: { ...primary, name: 'app-events-dlq' },
      },
      aws_sqs_queue_policy: { dlq_policy: { ...primary, queue_url: ref('aws_sqs_queue.dlq', 'url'), policy: '{}' } },
      aws_iam_role: { role: { ...primary, name: 'app-processor' } },
      aws_iam_role_policy: { role_policy: { ...primary, role: ref('aws_iam_role.role', 'id'), policy: ref('data.aws_iam_policy_document.permissions', 'json') } },
      aws_cloudwatch_log_group: { logs: { ...primary, name: '/aws/lambda/app-processor', kms_key_id: ref('aws_kms_key.key', 'arn') } },
      aws_lambda_function: {
        fn: {
          ...primary,
          function_name: 'app-processor',
          role: ref('aws_iam_role.role', 'arn'),
          runtime: 'nodejs22.x',
          logging_config: { log_group: ref('aws_cloudwatch_log_group.logs', 'name') },
          vpc_config: { subnet_ids: [ref('aws_subnet.a', 'id')] },
        },
      },
      aws_lambda_event_source_mapping: {
        mapping: { ...primary, event_source_arn: ref('aws_sqs_queue.tasks', 'arn'), function_name: ref('aws_lambda_function.fn', 'arn'), batch_size: 10 },
      },
      aws_lambda_function_event_invoke_config: {
        destinations: {
          ...primary,
          function_name: ref('aws_lambda_function.fn', 'function_name'),
          destination_config: { on_success: { destination: ref('aws_sns_topic.success', 'arn') }, on_failure: { destination: ref('aws_sns_topic.failure', 'arn') } },
        },
      },
      aws_ssm_parameter: {
        p1: { ...primary, name: '/app/processor/lease-seconds', value: '60' },
        p2: { ...primary, name: '/app/processor/task-table-name', value: ref('aws_dynamodb_table.tasks', 'name') },
        other: { ...primary, name: '/other/setting', value: 'x' },
      },
      aws_dynamodb_table: {
        tasks: { ...primary, name: 'app-tasks', hash_key: 'taskId', replica: [{ region_name: 'us-west-2', kms_key_arn: ref('aws_kms_replica_key.replica_key', 'arn') }] },
        locks: { ...primary, name: 'app-locks', hash_key: 'lockId' },
      },
      aws_dynamodb_contributor_insights: {
        ci: { ...primary, table_name: ref('aws_dynamodb_table.tasks', 'name') },
        ci_replica: { provider: 'aws.replica', table_name: ref('aws_dynamodb_table.tasks', 'name') },
      },
      aws_sns_topic: {
        success: { ...primary, name: 'app-success' },
        failure: { ...primary, name: 'app-failure' },
        alarms: { ...primary, name: 'app-alarms' },
      },
      aws_cloudwatch_metric_alarm: {
        dlq_depth: { ...primary, alarm_name: 'app-dlq-depth', alarm_actions: [ref('aws_sns_topic.alarms', 'arn')], dimensions: { QueueName: ref('aws_sqs_queue.dlq', 'name') } },
        errors: { ...primary, alarm_name: 'app-errors', alarm_actions: [ref('aws_sns_topic.alarms', 'arn')], ok_actions: [ref('aws_sns_topic.alarms', 'arn')] },
      },
      aws_cloudwatch_dashboard: {
        dashboard: { ...primary, dashboard_name: 'app', dashboard_body: JSON.stringify({ widgets: [{ properties: { query: `SOURCE '${ref('aws_cloudwatch_log_group.logs', 'name')}'` } }] }) },
      },
      aws_vpc: { vpc: { ...primary, cidr_block: '10.0.0.0/16', tags: { Name: 'app' } } },
      aws_subnet: { a: { ...primary, vpc_id: ref('aws_vpc.vpc', 'id') } },
      aws_security_group: { sg: { ...primary, vpc_id: ref('aws_vpc.vpc', 'id') } },
      aws_vpc_security_group_egress_rule: { out: { ...primary, security_group_id: ref('aws_security_group.sg', 'id') } },
      aws_vpc_endpoint: {
        sqs: { ...primary, service_name: 'com.amazonaws.us-east-1.sqs', vpc_id: ref('aws_vpc.vpc', 'id') },
        s3: { ...primary, service_name: 'com.amazonaws.us-east-1.s3', vpc_id: ref('aws_vpc.vpc', 'id') },
      },
    },
  };
}

/** The same JSON with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  return value;
}

describe('architecture model', () => {
  const model = buildModel(fixture());
  const node = (id: string) => {
    const found = model.nodes.find((n) => n.id === id);
    if (!found) throw new Error(`no node ${id}`);
    return found;
  };
  const edges = model.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}${e.label ? ` (${e.label})` : ''}`);

  test('groups the resources by concern and region', () => {
    const groups = model.nodes.map((n) => `${n.region}/${n.concern}: ${n.id}`);
    expect(groups).toEqual([
      'primary/ingest: aws_cloudwatch_event_rule.created',
      'primary/ingest: aws_cloudwatch_event_rule.trail',
      'primary/ingest: aws_s3_bucket.ingest',
      'primary/queueing: aws_sqs_queue.dlq',
      'primary/queueing: aws_sqs_queue.events_dlq',
      'primary/queueing: aws_sqs_queue.tasks',
      'primary/compute: aws_lambda_function.fn',
      'primary/compute: ssm-parameters@primary',
      'primary/data: aws_dynamodb_table.locks',
      'primary/data: aws_dynamodb_table.tasks',
      'primary/notification: aws_sns_topic.alarms',
      'primary/notification: aws_sns_topic.failure',
      'primary/notification: aws_sns_topic.success',
      'primary/observability: alarms@primary',
      'primary/observability: aws_cloudwatch_dashboard.dashboard',
      'primary/observability: contributor-insights@primary',
      'primary/network: aws_vpc.vpc',
      'primary/network: vpc-endpoints@primary',
      'primary/encryption: aws_kms_key.key',
      'replica/data: aws_dynamodb_table.tasks@us-west-2',
      'replica/observability: contributor-insights@replica',
      'replica/encryption: aws_kms_replica_key.replica_key',
    ]);
    expect(model.regions).toEqual([
      { alias: 'primary', region: 'us-east-1' },
      { alias: 'replica', region: 'us-west-2' },
    ]);
  });

  test('folds satellites into the node they belong to, not into what only watches them', () => {
    expect(node('aws_cloudwatch_dashboard.dashboard').resources).toEqual(['aws_cloudwatch_dashboard.dashboard']);
    expect(node('aws_lambda_function.fn').resources).toEqual([
      'aws_cloudwatch_log_group.logs',
      'aws_iam_role.role',
      'aws_iam_role_policy.role_policy',
      'aws_lambda_event_source_mapping.mapping',
      'aws_lambda_function.fn',
      'aws_lambda_function_event_invoke_config.destinations',
    ]);
    expect(node('aws_cloudwatch_event_rule.created').resources).toContain('aws_cloudwatch_event_target.created_target');
    expect(node('aws_s3_bucket.ingest').resources).toContain('aws_s3_bucket_notification.ingest_events');
    expect(node('aws_sqs_queue.dlq').resources).toContain('aws_sqs_queue_policy.dlq_policy');
    expect(node('aws_vpc.vpc').resources).toEqual([
      'aws_security_group.sg',
      'aws_subnet.a',
      'aws_vpc.vpc',
      'aws_vpc_security_group_egress_rule.out',
    ]);
    expect(node('aws_kms_key.key').resources).toEqual(['aws_kms_alias.alias', 'aws_kms_key.key']);
  });

  test('counts similar resources in one node per region', () => {
    expect(node('ssm-parameters@primary').title).toBe('3 SSM parameters');
    expect(node('vpc-endpoints@primary')).toMatchObject({ title: '2 VPC endpoints', details: ['s3 · sqs'] });
    expect(node('alarms@primary')).toMatchObject({ title: '2 CloudWatch alarms', details: ['dlq-depth · errors'] });
    expect(node('contributor-insights@replica').title).toBe('1 Contributor Insights rule');
  });

  test('names nodes without the prefix every name shares, and shows apply-time values as placeholders', () => {
    expect(model.namePrefix).toBe('app');
    expect(node('aws_sqs_queue.tasks').name).toBe('tasks');
    expect(node('aws_s3_bucket.ingest').name).toBe('ingest-1-<account_id>');
    expect(node('aws_kms_key.key').name).toBe('alias/app');
  });

  test('draws the data flow, failure paths, grants, alarms and replicas from the references', () => {
    expect(edges).toEqual([
      'alarms@primary -alert-> aws_sns_topic.alarms (alarm)',
      'aws_cloudwatch_event_rule.created -failure-> aws_sqs_queue.events_dlq (undeliverable)',
      'aws_cloudwatch_event_rule.created -flow-> aws_sqs_queue.tasks (transformed)',
      'aws_dynamodb_table.tasks -replication-> aws_dynamodb_table.tasks@us-west-2 (replica)',
      'aws_kms_key.key -replication-> aws_kms_replica_key.replica_key (replica)',
      'aws_lambda_function.fn -access-> aws_dynamodb_table.tasks (reads/writes)',
      'aws_lambda_function.fn -access-> aws_s3_bucket.ingest (reads)',
      'aws_lambda_function.fn -failure-> aws_sns_topic.failure (publishes, on failure)',
      'aws_lambda_function.fn -flow-> aws_sns_topic.success (publishes, on success)',
      'aws_lambda_function.fn -placement-> aws_vpc.vpc (runs in)',
      'aws_lambda_function.fn -access-> ssm-parameters@primary (reads)',
      'aws_s3_bucket.ingest -flow-> aws_cloudwatch_event_rule.created',
      'aws_s3_bucket.ingest -flow-> aws_cloudwatch_event_rule.trail',
      'aws_sqs_queue.tasks -flow-> aws_lambda_function.fn (batches of 10)',
      'aws_sqs_queue.tasks -failure-> aws_sqs_queue.dlq (after 3 receives)',
    ]);
  });

  test('says what each key encrypts instead of drawing an arrow to everything', () => {
    expect(node('aws_kms_key.key').details).toEqual(['encrypts 1 CloudWatch log group · 1 S3 bucket · 1 SQS queue']);
    expect(node('aws_kms_replica_key.replica_key').details).toEqual(['encrypts 1 DynamoDB replica']);
  });

  test('draws a resource type it does not know as a node of its own, so nothing disappears', () => {
    const json = fixture();
    json.resource.aws_pipes_pipe = { pipe: { provider: 'aws.primary', name: 'app-pipe', source: ref('aws_sqs_queue.tasks', 'arn') } };
    expect(buildModel(json).nodes.find((n) => n.id === 'aws_pipes_pipe.pipe')).toMatchObject({ concern: 'queueing', title: 'pipes pipe', name: 'pipe' });
  });

  test('counts satellites that belong to nothing drawn (security groups of an existing VPC) per type and region', () => {
    const json = fixture();
    delete json.resource.aws_vpc;
    delete json.resource.aws_subnet;
    json.resource.aws_security_group = {
      sg: { provider: 'aws.primary', vpc_id: 'vpc-0abc1234' },
      sg2: { provider: 'aws.primary', vpc_id: 'vpc-0abc1234' },
    };
    json.resource.aws_iam_policy = { unused: { provider: 'aws.primary', policy: '{}' }, unused2: { provider: 'aws.primary', policy: '{}' } };
    const model = buildModel(json);
    const groups = model.nodes.find((n) => n.id === 'aws_security_group@primary');
    expect(groups).toMatchObject({ concern: 'network', title: '2 security groups' });
    expect(groups?.resources).toEqual(['aws_security_group.sg', 'aws_security_group.sg2', 'aws_vpc_security_group_egress_rule.out']);
    expect(model.nodes.find((n) => n.id === 'aws_iam_policy@primary')?.title).toBe('2 IAM policies');
  });

  test('fails if the JSON is not a synthesized stack', () => {
    expect(() => buildModel({ terraform: {} })).toThrow(/no "resource" blocks/);
  });
});

describe('Graphviz source', () => {
  const dot = toDot(buildModel(fixture()));

  test('draws one box per region and one per concern inside it', () => {
    expect(dot).toContain('subgraph "cluster_primary" {');
    expect(dot).toContain('subgraph "cluster_primary_queueing" {');
    expect(dot).toContain('subgraph "cluster_replica_data" {');
  });

  test('lays out an arrow that would close a cycle as the reverse arrow, pointing back', () => {
    // The function reads the bucket its work comes from.
    expect(dot).toMatch(/"aws_s3_bucket\.ingest" -> "aws_lambda_function\.fn" \[[^\]]*label="reads", dir=back\]/);
    expect(dot).not.toContain('"aws_lambda_function.fn" -> "aws_s3_bucket.ingest"');
  });

  test('keeps the nodes of a box in one row, and the arrows inside a row from moving nodes', () => {
    expect(dot).toContain('{ rank=same; "aws_sqs_queue.dlq"; "aws_sqs_queue.events_dlq"; "aws_sqs_queue.tasks"; }');
    expect(dot).toMatch(/"aws_sqs_queue\.tasks" -> "aws_sqs_queue\.dlq" \[[^\]]*constraint=false\]/);
  });
});

describe('architecture picture', () => {
  test('is the same bytes for the same stack, whatever the order of its keys', async () => {
    const first = await architectureSvg(fixture());
    expect(await architectureSvg(fixture())).toBe(first);
    expect(await architectureSvg(reversedKeys(fixture()) as Json)).toBe(first);
    expect(toDot(buildModel(fixture()))).toContain('subgraph "cluster_replica"');
  });

  test(`committed ${ARCHITECTURE_SVG} is the one the current stack draws (regenerate: npm run diagram)`, async () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', ARCHITECTURE_SVG), 'utf8');
    const fresh = await defaultArchitectureSvg();
    // A diff of two SVGs says nothing; the fix does.
    expect(fresh === committed ? 'up to date' : `${ARCHITECTURE_SVG} is out of date: run npm run diagram and commit it`).toBe('up to date');
  });
});
