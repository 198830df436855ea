import { PROCESSOR_AWS_CALLS } from '../handlers/common/aws-calls';
import { statementsForCalls } from '../src/functions';
import { byPath, Json, refTo, regionOf, resourcesOf, statementsOf, synthStack } from './support/synth';

const json = synthStack();
const fn = byPath(json, 'aws_lambda_function', 'processor/fn/function');
const queue = byPath(json, 'aws_sqs_queue', 'queues/tasks');
const rolePolicy = byPath(json, 'aws_iam_role_policy', 'processor/fn/policy');
const statements = statementsOf(json, rolePolicy.policy);

describe('processor function', () => {
  test('runs on arm64 with a supported Node.js runtime and the bundled archive', () => {
    expect(fn.architectures).toEqual(['arm64']);
    expect(fn.runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn.handler).toBe('index.handler');
    expect(fn.filename).toMatch(/^assets\/processor_fn_code_Asset_[0-9A-F]{8}\/[0-9a-f]{64}\/processor-[0-9a-f]{16}\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  test('has reserved concurrency 50 and a timeout at most a sixth of the visibility timeout', () => {
    expect(fn.reserved_concurrent_executions).toBe(50);
    expect(fn.timeout).toBeLessThanOrEqual(queue.visibility_timeout_seconds / 6);
    expect(fn.memory_size).toBe(512);
  });

  test('encrypts its environment with the stack key, traces actively and enables source maps', () => {
    expect(fn.kms_key_arn).toBe(refTo(json, 'aws_kms_key', 'encryption/key', 'arn'));
    expect(fn.tracing_config).toEqual({ mode: 'Active' });
    expect(fn.environment.variables).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      TAP_CONFIG_PATH: '/distributed-task-system-production/processor/',
      POWERTOOLS_METRICS_NAMESPACE: 'TapStack/distributed-task-system-production',
    });
  });

  test('logs to an explicit log group with 365-day retention and the stack key', () => {
    const group = byPath(json, 'aws_cloudwatch_log_group', 'processor/fn/logs');
    expect(group.name).toBe(`/aws/lambda/${fn.function_name}`);
    expect(group.retention_in_days).toBe(365);
    expect(group.kms_key_id).toBe(refTo(json, 'aws_kms_key', 'encryption/key', 'arn'));
    expect(fn.logging_config.log_group).toBe(refTo(json, 'aws_cloudwatch_log_group', 'processor/fn/logs', 'name'));
    // `${aws_cloudwatch_log_group.NAME.x}` -> `aws_cloudwatch_log_group.NAME`
    const address = refTo(json, 'aws_cloudwatch_log_group', 'processor/fn/logs', 'x').slice(2, -3);
    expect(fn.depends_on).toEqual(expect.arrayContaining([address]));
  });

  test('sits in the private subnets of at least two AZs behind the functions security group', () => {
    const subnets = fn.vpc_config.subnet_ids as string[];
    expect(subnets.length).toBeGreaterThanOrEqual(2);
    const zones = subnets.map((ref) => {
      const name = /aws_subnet\.([\w-]+)\.id/.exec(ref)?.[1] as string;
      return resourcesOf(json, 'aws_subnet')[name].availability_zone;
    });
    expect(new Set(zones).size).toBe(subnets.length);
    expect(fn.vpc_config.security_group_ids).toEqual([refTo(json, 'aws_security_group', 'network/functions-sg', 'id')]);
  });
});

describe('event source mapping', () => {
  const mapping = byPath(json, 'aws_lambda_event_source_mapping', 'processor/queue-source');

  test('reads the task queue in batches of 10 with partial batch responses', () => {
    expect(mapping.event_source_arn).toBe(refTo(json, 'aws_sqs_queue', 'queues/tasks', 'arn'));
    expect(mapping.batch_size).toBe(10);
    expect(mapping.maximum_batching_window_in_seconds).toBeGreaterThan(0);
    expect(mapping.maximum_batching_window_in_seconds).toBeLessThanOrEqual(5);
    expect(mapping.function_response_types).toEqual(['ReportBatchItemFailures']);
  });

  test('caps its concurrency at the reserved concurrency', () => {
    expect(mapping.scaling_config.maximum_concurrency).toBeLessThanOrEqual(fn.reserved_concurrent_executions);
    const small = synthStack({ TAP_PROCESSOR_RESERVED_CONCURRENCY: '7' });
    expect(byPath(small, 'aws_lambda_event_source_mapping', 'processor/queue-source').scaling_config.maximum_concurrency).toBe(7);
  });
});

describe('destinations', () => {
  test('send asynchronous outcomes to the success and failure topics', () => {
    const invoke = byPath(json, 'aws_lambda_function_event_invoke_config', 'processor/async-destinations');
    expect(invoke.destination_config).toEqual({
      on_success: { destination: refTo(json, 'aws_sns_topic', 'topics/success', 'arn') },
      on_failure: { destination: refTo(json, 'aws_sns_topic', 'topics/failure', 'arn') },
    });
    expect(invoke.maximum_retry_attempts).toBeGreaterThanOrEqual(0);
    expect(invoke.maximum_event_age_in_seconds).toBeGreaterThanOrEqual(60);
  });

  test('the outcome topics allow exactly the processor role to publish', () => {
    for (const id of ['success', 'failure']) {
      const policy = byPath(json, 'aws_sns_topic_policy', `topics/${id}-policy`);
      const publish = statementsOf(json, policy.policy).find((s: Json) => s.sid === 'ProcessorPublishesOutcomes');
      expect(publish?.principals).toEqual([{ type: 'AWS', identifiers: [refTo(json, 'aws_iam_role', 'processor/fn/role', 'arn')] }]);
      expect(publish?.resources).toEqual([refTo(json, 'aws_sns_topic', `topics/${id}`, 'arn')]);
    }
  });
});

describe('processor role', () => {
  const byActions = (action: string): Json[] => statements.filter((s: Json) => s.actions.includes(action));

  test('grants every action the handler declares, on the resources it names', () => {
    const tasks = refTo(json, 'aws_dynamodb_table', 'tables/tasks', 'arn');
    const locks = refTo(json, 'aws_dynamodb_table', 'tables/locks', 'arn');
    expect(byActions('dynamodb:UpdateItem').flatMap((s) => s.resources).sort()).toEqual([locks, tasks].sort());
    expect(byActions('dynamodb:DeleteItem').flatMap((s) => s.resources)).toEqual([locks]);
    expect(byActions('sns:Publish').flatMap((s) => s.resources).sort()).toEqual(
      [refTo(json, 'aws_sns_topic', 'topics/success', 'arn'), refTo(json, 'aws_sns_topic', 'topics/failure', 'arn')].sort(),
    );
    expect(byActions('ssm:GetParametersByPath').flatMap((s) => s.resources)).toEqual([
      expect.stringMatching(/:ssm:us-east-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:parameter\/distributed-task-system-production\/processor$/),
    ]);
    for (const action of PROCESSOR_AWS_CALLS.flatMap((c) => c.iamActions)) expect(byActions(action).length).toBeGreaterThan(0);
  });

  test('lets the event source mapping poll the task queue only', () => {
    const poll = statements.find((s: Json) => s.sid === 'PollTaskQueue');
    expect(poll?.resources).toEqual([refTo(json, 'aws_sqs_queue', 'queues/tasks', 'arn')]);
  });

  test('uses a wildcard resource only where AWS has no resource-level permission', () => {
    const wildcard = statements.filter((s: Json) => s.resources.includes('*')).map((s: Json) => s.sid).sort();
    expect(wildcard).toEqual(['ManageVpcNetworkInterfaces', 'SendTraces']);
    expect(statements.every((s: Json) => s.actions.every((a: string) => a !== '*' && !a.endsWith(':*')))).toBe(true);
  });

  test('a declared call on a resource with no ARNs grants nothing rather than a wildcard', () => {
    const calls = [{ operation: 's3:HeadObject', iamActions: ['s3:GetObject'], resources: ['sourceObjects' as const] }];
    expect(statementsForCalls(calls, { sourceObjects: [] })).toEqual([]);
    expect(statementsForCalls(calls, { sourceObjects: ['arn:aws:s3:::b/*'] })).toEqual([
      { sid: 'HandlerSourceObjects', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] },
    ]);
  });

  test('every resource of the processor lives in the primary region', () => {
    for (const type of ['aws_lambda_function', 'aws_lambda_event_source_mapping', 'aws_iam_role', 'aws_cloudwatch_log_group']) {
      for (const block of Object.values(resourcesOf(json, type))) expect(regionOf(json, block)).toBe('us-east-1');
    }
  });
});
