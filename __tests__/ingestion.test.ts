import { synthIngestion } from './support/ingestion-stack';
import { dataOf, Json, listOf, nameOf, resourcesOf, statementsOf } from './support/synth';

const NAMED = { TAP_INGEST_BUCKET_NAMES: 'tap-test-ingest-a,tap-test-ingest-b', TAP_EXISTING_BUCKET_NAMES: 'tap-existing-uploads' };

/** The resource of `type` whose `bucket` attribute references the given bucket resource. */
const forBucket = (json: Json, type: string, bucketName: string): Json[] =>
  listOf(json, type).filter((r) => nameOf(r.bucket) === bucketName);


describe('ingest buckets', () => {
  const json = synthIngestion();
  const buckets = resourcesOf(json, 'aws_s3_bucket');
  const bucketNames = Object.keys(buckets);

  test('creates two buckets by default, named <prefix>-ingest-<n>-<account id>', () => {
    const account = Object.keys(dataOf(json, 'aws_caller_identity'))[0];
    expect(Object.values(buckets).map((b) => b.bucket)).toEqual([
      `distributed-task-system-production-ingest-1-\${data.aws_caller_identity.${account}.account_id}`,
      `distributed-task-system-production-ingest-2-\${data.aws_caller_identity.${account}.account_id}`,
    ]);
  });

  test('creates the configured number of buckets, or exactly the configured names', () => {
    expect(listOf(synthIngestion({ TAP_INGEST_BUCKET_COUNT: '3' }), 'aws_s3_bucket')).toHaveLength(3);
    expect(listOf(synthIngestion(NAMED), 'aws_s3_bucket').map((b) => b.bucket)).toEqual(['tap-test-ingest-a', 'tap-test-ingest-b']);
  });

  test('puts every ingestion resource on the primary provider', () => {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, blocks] of Object.entries<Json>(json[kind])) {
        for (const block of Object.values<Json>(blocks)) expect([type, block.provider]).toEqual([type, 'aws.primary']);
      }
    }
  });

  test.each(bucketNames)('%s is versioned and encrypted with the customer-managed key and a bucket key', (name) => {
    expect(forBucket(json, 'aws_s3_bucket_versioning', name).map((v) => v.versioning_configuration)).toEqual([{ status: 'Enabled' }]);
    const [encryption] = forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', name);
    expect(encryption.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.key.arn}' }, bucket_key_enabled: true },
    ]);
  });

  test.each(bucketNames)('%s blocks public access and enforces bucket-owner ownership', (name) => {
    const [block] = forBucket(json, 'aws_s3_bucket_public_access_block', name);
    expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(forBucket(json, 'aws_s3_bucket_ownership_controls', name).map((o) => o.rule)).toEqual([{ object_ownership: 'BucketOwnerEnforced' }]);
  });

  test.each(bucketNames)('%s has a policy denying every request without TLS on the bucket and its objects', (name) => {
    const [policy] = forBucket(json, 'aws_s3_bucket_policy', name);
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
    expect(statementsOf(json, policy.policy)).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['s3:*'],
        resources: [`\${aws_s3_bucket.${name}.arn}`, `\${aws_s3_bucket.${name}.arn}/*`],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
  });

  test.each(bucketNames)('%s expires noncurrent versions and aborts incomplete multipart uploads', (name) => {
    const [lifecycle] = forBucket(json, 'aws_s3_bucket_lifecycle_configuration', name);
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      }),
    ]);
  });

  test.each(bucketNames)('%s has exactly one notification resource, sending to EventBridge', (name) => {
    expect(forBucket(json, 'aws_s3_bucket_notification', name).map(({ eventbridge, provider }) => ({ eventbridge, provider }))).toEqual([
      { eventbridge: true, provider: 'aws.primary' },
    ]);
  });

  test('creates nothing for existing buckets', () => {
    const withExisting = synthIngestion(NAMED);
    const mentions = JSON.stringify(withExisting.resource).split('tap-existing-uploads').length - 1;
    // Only the two event patterns name the existing bucket.
    expect(mentions).toBe(2);
  });
});

describe('rules and targets', () => {
  const json = synthIngestion(NAMED);
  const rules = resourcesOf(json, 'aws_cloudwatch_event_rule');
  const targets = listOf(json, 'aws_cloudwatch_event_target');
  const dlq = Object.keys(resourcesOf(json, 'aws_sqs_queue')).find((n) => n !== 'task-queue') as string;

  test('has one enabled rule per event format on the default bus', () => {
    expect(Object.values(rules).map((r) => [r.name, r.state, r.event_bus_name]).sort()).toEqual([
      ['distributed-task-system-production-cloudtrail-object-created', 'ENABLED', undefined],
      ['distributed-task-system-production-s3-object-created', 'ENABLED', undefined],
    ]);
  });

  test('writes every event pattern as plain JSON naming all ingest buckets', () => {
    for (const rule of Object.values(rules)) {
      expect(rule.event_pattern).not.toContain('jsonencode');
      const text = JSON.stringify(JSON.parse(rule.event_pattern));
      for (const bucket of ['tap-test-ingest-a', 'tap-test-ingest-b', 'tap-existing-uploads']) expect(text).toContain(`"${bucket}"`);
    }
  });

  test('puts generated bucket names, with the account id reference, inside the pattern strings', () => {
    const generated = synthIngestion();
    const bucketRefs = listOf(generated, 'aws_s3_bucket').map((b) => b.bucket);
    for (const rule of listOf(generated, 'aws_cloudwatch_event_rule')) {
      const { detail } = JSON.parse(rule.event_pattern);
      expect(rule.name.endsWith('cloudtrail-object-created') ? detail.requestParameters.bucketName : detail.bucket.name).toEqual(bucketRefs);
    }
  });

  test('targets the task queue from every rule with a transformer, a retry policy and the EventBridge DLQ', () => {
    expect(targets.map((t) => nameOf(t.rule)).sort()).toEqual(Object.keys(rules).sort());
    for (const target of targets) {
      expect(target.arn).toBe('${aws_sqs_queue.task-queue.arn}');
      expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 });
      expect(target.dead_letter_config).toEqual({ arn: `\${aws_sqs_queue.${dlq}.arn}` });
      expect(Object.keys(target.input_transformer.input_paths).length).toBeLessThanOrEqual(100);
      expect(target.input_transformer.input_template).not.toContain('jsonencode');
    }
  });

  test('takes retry settings from the props', () => {
    const custom = synthIngestion(NAMED, { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 10 });
    for (const target of listOf(custom, 'aws_cloudwatch_event_target')) {
      expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 10 });
    }
  });
});

describe('EventBridge dead-letter queue', () => {
  const json = synthIngestion();
  const [dlqName, dlq] = Object.entries(resourcesOf(json, 'aws_sqs_queue')).find(([n]) => n !== 'task-queue') as [string, Json];
  const ruleArns = Object.keys(resourcesOf(json, 'aws_cloudwatch_event_rule')).map((n) => `\${aws_cloudwatch_event_rule.${n}.arn}`);

  test('is encrypted with the customer-managed key and keeps messages 14 days', () => {
    expect(dlq).toMatchObject({
      name: 'distributed-task-system-production-ingest-events-dlq',
      kms_master_key_id: '${aws_kms_key.key.arn}',
      message_retention_seconds: 1209600,
    });
  });

  test('has a policy denying non-TLS access and letting only these rules send', () => {
    const [policy] = listOf(json, 'aws_sqs_queue_policy');
    expect(policy.queue_url).toBe(`\${aws_sqs_queue.${dlqName}.url}`);
    expect(statementsOf(json, policy.policy)).toEqual([
      expect.objectContaining({
        effect: 'Deny',
        actions: ['sqs:*'],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      }),
      {
        sid: 'AllowIngestRulesOnly',
        principals: [{ type: 'Service', identifiers: [expect.stringMatching(/^events\.\$\{data\.aws_partition\.[\w-]+\.dns_suffix\}$/)] }],
        actions: ['sqs:SendMessage'],
        resources: [`\${aws_sqs_queue.${dlqName}.arn}`],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: expect.arrayContaining(ruleArns) }],
      },
    ]);
    expect(statementsOf(json, policy.policy)[1].condition[0].values).toHaveLength(ruleArns.length);
  });
});
