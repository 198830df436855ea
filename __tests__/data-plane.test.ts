import { PROCESSOR_PARAMETERS } from '../handlers/common/processor-parameters';
import { byPath, dataOf, dataRefTo, Json, refTo, regionOf, resourcesOf, statementsOf, synthStack } from './support/synth';

const json = synthStack();
const PARTITION = dataRefTo(json, 'aws_partition', 'account/partition', 'partition');
const DNS_SUFFIX = dataRefTo(json, 'aws_partition', 'account/partition', 'dns_suffix');
const ACCOUNT = dataRefTo(json, 'aws_caller_identity', 'account/identity', 'account_id');
const sid = (statements: Json[], id: string): Json => {
  const found = statements.find((s) => s.sid === id);
  if (!found) throw new Error(`no statement ${id} in ${statements.map((s) => s.sid).join(', ')}`);
  return found;
};
const condition = (statement: Json, variable: string): Json | undefined => statement.condition?.find((c: Json) => c.variable === variable);

describe('KMS', () => {
  const key = byPath(json, 'aws_kms_key', 'encryption/key');
  const keyPolicy = statementsOf(json, key.policy);

  test('the primary key rotates and is multi-Region', () => {
    expect(key.enable_key_rotation).toBe(true);
    expect(key.multi_region).toBe(true);
    expect(regionOf(json, key)).toBe('us-east-1');
  });

  test('the replica key replicates the primary key through the replica provider', () => {
    const replica = byPath(json, 'aws_kms_replica_key', 'encryption/replica-key');
    expect(regionOf(json, replica)).toBe('us-west-2');
    expect(replica.primary_key_arn).toBe(refTo(json, 'aws_kms_key', 'encryption/key', 'arn'));
    expect(statementsOf(json, replica.policy).map((s) => s.sid)).toEqual(['AccountAdministersKey', 'AccountUsesKeyThroughStackServices']);
  });

  test('both regions have the alias', () => {
    const aliases = Object.values(resourcesOf(json, 'aws_kms_alias'));
    expect(aliases.map((a) => [regionOf(json, a), a.name]).sort()).toEqual([
      ['us-east-1', 'alias/distributed-task-system-production'],
      ['us-west-2', 'alias/distributed-task-system-production'],
    ]);
  });

  test('the account root administers the key without cryptographic use', () => {
    const admin = sid(keyPolicy, 'AccountAdministersKey');
    expect(admin.principals).toEqual([{ type: 'AWS', identifiers: [`arn:${PARTITION}:iam::${ACCOUNT}:root`] }]);
    expect(admin.actions).not.toEqual(expect.arrayContaining(['kms:*']));
    expect(admin.actions.filter((a: string) => /Decrypt|Encrypt|GenerateDataKey/.test(a))).toEqual([]);
    expect(admin.actions).toEqual(expect.arrayContaining(['kms:Put*', 'kms:ScheduleKeyDeletion']));
  });

  test('account principals use the key only through DynamoDB, S3, SQS, SNS and Lambda in the region', () => {
    const via = sid(keyPolicy, 'AccountUsesKeyThroughStackServices');
    expect(condition(via, 'kms:ViaService')?.values.sort()).toEqual(
      ['dynamodb', 'lambda', 's3', 'sns', 'sqs'].map((s) => `${s}.us-east-1.${DNS_SUFFIX}`),
    );
    expect(condition(via, 'kms:CallerAccount')?.values).toHaveLength(1);
  });

  test.each([
    ['EventBridgeSendsToEncryptedQueues', 'events', ['kms:GenerateDataKey', 'kms:Decrypt'], 'rule/distributed-task-system-production-*'],
    ['CloudWatchAlarmsPublishToEncryptedTopic', 'cloudwatch', ['kms:GenerateDataKey*', 'kms:Decrypt'], 'alarm:distributed-task-system-production-*'],
  ])('%s: the service gets only its actions, pinned to this account and stack', (id, service, actions, arnSuffix) => {
    const statement = sid(keyPolicy, id);
    expect(statement.principals).toEqual([{ type: 'Service', identifiers: [`${service}.${DNS_SUFFIX}`] }]);
    expect(statement.actions).toEqual(actions);
    expect(condition(statement, 'aws:SourceAccount')?.values).toEqual([ACCOUNT]);
    expect(condition(statement, 'aws:SourceArn')?.values[0]).toMatch(new RegExp(`:${arnSuffix.replace(/\*/g, '\\*')}$`));
  });

  test('CloudWatch Logs may use the key only for the stack log groups (encryption context)', () => {
    const statement = sid(keyPolicy, 'CloudWatchLogsEncryptsStackLogGroups');
    expect(statement.principals[0].identifiers).toEqual([`logs.us-east-1.${DNS_SUFFIX}`]);
    const context = condition(statement, 'kms:EncryptionContext:aws:logs:arn');
    expect(context?.test).toBe('ArnLike');
    expect(context?.values.every((v: string) => v.includes(':log-group:/aws/') && v.endsWith('/distributed-task-system-production-*'))).toBe(true);
  });

  test('no key policy statement has a wildcard principal', () => {
    const keyPolicies = [key, byPath(json, 'aws_kms_replica_key', 'encryption/replica-key')].flatMap((k) => statementsOf(json, k.policy));
    for (const statement of keyPolicies) for (const p of statement.principals) expect(p.identifiers).not.toContain('*');
  });

  test('no policy of the stack allows a wildcard principal without a condition', () => {
    const allows = Object.values(dataOf(json, 'aws_iam_policy_document')).flatMap((d) => d.statement).filter((s) => s.effect !== 'Deny');
    const open = allows.filter((s) => s.principals?.some((p: Json) => p.identifiers.includes('*')) && !s.condition?.length);
    expect(open).toEqual([]);
  });
});

describe('SQS', () => {
  const tasks = byPath(json, 'aws_sqs_queue', 'queues/tasks');
  const dlq = byPath(json, 'aws_sqs_queue', 'queues/dlq');
  const keyArn = refTo(json, 'aws_kms_key', 'encryption/key', 'arn');

  test('the task queue: 300 s visibility, 14-day retention, stack key, longer data key reuse', () => {
    expect(tasks.visibility_timeout_seconds).toBe(300);
    expect(tasks.message_retention_seconds).toBe(1209600);
    expect(tasks.kms_master_key_id).toBe(keyArn);
    expect(tasks.kms_data_key_reuse_period_seconds).toBeGreaterThan(300);
  });

  test('the task queue redrives to the DLQ after 3 receives (plain JSON)', () => {
    expect(JSON.parse(tasks.redrive_policy)).toEqual({ deadLetterTargetArn: refTo(json, 'aws_sqs_queue', 'queues/dlq', 'arn'), maxReceiveCount: 3 });
  });

  test('the DLQ keeps messages 14 days with the same key and allows only the task queue to redrive into it', () => {
    expect(dlq.message_retention_seconds).toBe(1209600);
    expect(dlq.kms_master_key_id).toBe(keyArn);
    expect(dlq.redrive_allow_policy).toBeUndefined();
    const allow = byPath(json, 'aws_sqs_queue_redrive_allow_policy', 'queues/dlq-redrive-allow');
    expect(allow.queue_url).toBe(refTo(json, 'aws_sqs_queue', 'queues/dlq', 'url'));
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({ redrivePermission: 'byQueue', sourceQueueArns: [refTo(json, 'aws_sqs_queue', 'queues/tasks', 'arn')] });
  });

  test('the task queue accepts SendMessage from exactly the ingestion rules, over TLS', () => {
    const policy = byPath(json, 'aws_sqs_queue_policy', 'queues/tasks-policy');
    expect(policy.queue_url).toBe(refTo(json, 'aws_sqs_queue', 'queues/tasks', 'url'));
    const statements = statementsOf(json, policy.policy);
    expect(sid(statements, 'DenyInsecureTransport').effect).toBe('Deny');
    const send = sid(statements, 'EventBridgeRulesSendTasks');
    expect(send.principals).toEqual([{ type: 'Service', identifiers: [`events.${DNS_SUFFIX}`] }]);
    expect(send.actions).toEqual(['sqs:SendMessage']);
    const rules = Object.keys(resourcesOf(json, 'aws_cloudwatch_event_rule')).map((name) => `\${aws_cloudwatch_event_rule.${name}.arn}`);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    expect(condition(send, 'aws:SourceArn')?.test).toBe('ArnEquals');
    expect([...condition(send, 'aws:SourceArn')?.values].sort()).toEqual(rules.sort());
  });

  test('the key policy admits the rules by name: every rule name starts with the prefix', () => {
    for (const rule of Object.values(resourcesOf(json, 'aws_cloudwatch_event_rule'))) expect(rule.name).toMatch(/^distributed-task-system-production-/);
  });

  test('the DLQ policy denies requests without TLS', () => {
    const policy = byPath(json, 'aws_sqs_queue_policy', 'queues/dlq-policy');
    const deny = sid(statementsOf(json, policy.policy), 'DenyInsecureTransport');
    expect(deny).toMatchObject({ effect: 'Deny', actions: ['sqs:*'], resources: [refTo(json, 'aws_sqs_queue', 'queues/dlq', 'arn')] });
    expect(condition(deny, 'aws:SecureTransport')).toEqual({ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] });
  });
});

describe('DynamoDB', () => {
  const tasks = byPath(json, 'aws_dynamodb_table', 'tables/tasks');
  const locks = byPath(json, 'aws_dynamodb_table', 'tables/locks');

  test.each([['tasks', tasks], ['locks', locks]])('the %s table is an on-demand, encrypted, protected global table', (name, table) => {
    expect(table.billing_mode).toBe('PAY_PER_REQUEST');
    expect(table.point_in_time_recovery).toEqual({ enabled: true });
    expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: refTo(json, 'aws_kms_key', 'encryption/key', 'arn') });
    expect(table.deletion_protection_enabled).toBe(true);
    expect([table.stream_enabled, table.stream_view_type]).toEqual([true, 'NEW_AND_OLD_IMAGES']);
    expect(table.ttl).toEqual({ attribute_name: 'expiresAt', enabled: true });
    expect(table.replica).toEqual([
      {
        region_name: 'us-west-2',
        kms_key_arn: refTo(json, 'aws_kms_replica_key', 'encryption/replica-key', 'arn'),
        point_in_time_recovery: true,
        deletion_protection_enabled: true,
        propagate_tags: true,
      },
    ]);
    expect(table.name).toBe(`distributed-task-system-production-${name}`);
  });

  test('the task status index uses a sharded status key', () => {
    expect(tasks.hash_key).toBe('taskId');
    expect(tasks.global_secondary_index).toEqual([
      { name: 'status-index', hash_key: 'statusShard', range_key: 'updatedAt', projection_type: 'KEYS_ONLY' },
    ]);
    expect(tasks.attribute).toEqual(
      expect.arrayContaining([{ name: 'statusShard', type: 'S' }, { name: 'updatedAt', type: 'N' }, { name: 'taskId', type: 'S' }]),
    );
  });

  test('the lock table is keyed by lock id', () => {
    expect(locks.hash_key).toBe('lockId');
    expect(locks.attribute).toEqual([{ name: 'lockId', type: 'S' }]);
  });

  test('Contributor Insights covers both tables and the status index in both regions', () => {
    const insights = Object.values(resourcesOf(json, 'aws_dynamodb_contributor_insights')).map((c) => [regionOf(json, c), c.table_name, c.index_name ?? null]);
    const taskName = refTo(json, 'aws_dynamodb_table', 'tables/tasks', 'name');
    const lockName = refTo(json, 'aws_dynamodb_table', 'tables/locks', 'name');
    expect(insights.sort()).toEqual(
      [
        ['us-east-1', taskName, null], ['us-east-1', taskName, 'status-index'], ['us-east-1', lockName, null],
        ['us-west-2', taskName, null], ['us-west-2', taskName, 'status-index'], ['us-west-2', lockName, null],
      ].sort(),
    );
  });
});

describe('SNS', () => {
  test.each([['success', 'task-success'], ['failure', 'task-failure'], ['alarms', 'alarms']])('the %s topic is encrypted with the stack key', (id, suffix) => {
    const topic = byPath(json, 'aws_sns_topic', `topics/${id}`);
    expect(topic.name).toBe(`distributed-task-system-production-${suffix}`);
    expect(topic.kms_master_key_id).toBe(refTo(json, 'aws_kms_key', 'encryption/key', 'arn'));
  });

  test('only CloudWatch alarms of this account and stack may publish to the alarms topic, over TLS', () => {
    const policy = byPath(json, 'aws_sns_topic_policy', 'topics/alarms-policy');
    expect(policy.arn).toBe(refTo(json, 'aws_sns_topic', 'topics/alarms', 'arn'));
    const statements = statementsOf(json, policy.policy);
    const publish = sid(statements, 'CloudWatchAlarmsPublish');
    expect(publish.principals[0]).toEqual({ type: 'Service', identifiers: [`cloudwatch.${DNS_SUFFIX}`] });
    expect(publish.actions).toEqual(['sns:Publish']);
    expect(condition(publish, 'aws:SourceArn')?.values[0]).toMatch(/:alarm:distributed-task-system-production-\*$/);
    expect(sid(statements, 'DenyInsecureTransport').effect).toBe('Deny');
  });
});

describe('SSM Parameter Store', () => {
  const params = Object.values(resourcesOf(json, 'aws_ssm_parameter'));

  test('every parameter the processor reads exists under the processor path', () => {
    expect(params.map((p) => p.name).sort()).toEqual(
      Object.values(PROCESSOR_PARAMETERS).map((s) => `/distributed-task-system-production/processor/${s.name}`).sort(),
    );
    expect(params.every((p) => p.type === 'String' && regionOf(json, p) === 'us-east-1')).toBe(true);
  });

  test('parameter values point at the stack resources and config', () => {
    const value = (name: string): string => params.find((p) => p.name.endsWith(`/${name}`))?.value;
    expect(value('task-table-name')).toBe(refTo(json, 'aws_dynamodb_table', 'tables/tasks', 'name'));
    expect(value('lock-table-name')).toBe(refTo(json, 'aws_dynamodb_table', 'tables/locks', 'name'));
    expect(value('success-topic-arn')).toBe(refTo(json, 'aws_sns_topic', 'topics/success', 'arn'));
    expect(value('failure-topic-arn')).toBe(refTo(json, 'aws_sns_topic', 'topics/failure', 'arn'));
    expect(value('max-attempts')).toBe('3');
    expect(synthStack({ TAP_PROCESSOR_MAX_ATTEMPTS: '5' }).resource.aws_ssm_parameter).toBeDefined();
    const five = Object.values(resourcesOf(synthStack({ TAP_PROCESSOR_MAX_ATTEMPTS: '5' }), 'aws_ssm_parameter')).find((p) => p.name.endsWith('/max-attempts'));
    expect(five?.value).toBe('5');
  });
});
