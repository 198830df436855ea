import { checkStack, failuresOf, HandlerCalls, parseHandlerCalls } from '../../src/verify';
import { goodStack, HANDLER_CALLS } from './fixtures/good-stack';

type Json = Record<string, any>;
const iamFailures = (json: Json, calls: HandlerCalls | undefined = HANDLER_CALLS): string[] =>
  failuresOf(checkStack(json, { handlerCalls: calls }), 'iam').map((f) => `${f.address} ${f.attribute}: ${f.message}`);
const processorDoc = (json: Json): Json[] => json.data.aws_iam_policy_document.processor.statement;
const withCalls = (...extra: HandlerCalls[string]): HandlerCalls => ({ processor: [...HANDLER_CALLS.processor, ...extra] });

describe('IAM against handler behaviour', () => {
  it('counts the actions used and granted', () => {
    const [fn] = checkStack(goodStack(), { handlerCalls: HANDLER_CALLS }).iam;
    // 8 handler calls (7 distinct actions) + 3 queue polling + 2 logs + 3 VPC + 2 tracing + 2 KMS.
    expect(fn).toEqual({ function: 'aws_lambda_function.processor', role: 'aws_iam_role.processor', used: 19, granted: 19, callsKnown: true });
  });

  it('fails on a call granted on another resource', () => {
    const json = goodStack();
    processorDoc(json).find((s) => s.sid === 'Tasks')!.resources = ['${aws_dynamodb_table.locks.arn}'];
    expect(iamFailures(json)).toEqual([
      'aws_lambda_function.processor role: handler call dynamodb:GetItem needs dynamodb:GetItem on aws_dynamodb_table.tasks.arn, which aws_iam_role.processor does not allow',
      'aws_lambda_function.processor role: handler call dynamodb:UpdateItem needs dynamodb:UpdateItem on aws_dynamodb_table.tasks.arn, which aws_iam_role.processor does not allow',
      "aws_iam_role_policy.processor policy: grants dynamodb:GetItem on ${aws_dynamodb_table.locks.arn}, which neither aws_lambda_function.processor's handler calls nor Lambda needs",
      "aws_iam_role_policy.processor policy: grants dynamodb:UpdateItem on ${aws_dynamodb_table.locks.arn}, which neither aws_lambda_function.processor's handler calls nor Lambda needs",
    ]);
  });

  it('fails on a grant nobody uses', () => {
    const json = goodStack();
    processorDoc(json).push({ sid: 'Extra', effect: 'Allow', actions: ['dynamodb:Scan'], resources: ['${aws_dynamodb_table.tasks.arn}'] });
    expect(iamFailures(json)).toEqual([
      "aws_iam_role_policy.processor policy: grants dynamodb:Scan on ${aws_dynamodb_table.tasks.arn}, which neither aws_lambda_function.processor's handler calls nor Lambda needs",
    ]);
  });

  it('accepts the VPC network-interface grants only while the function is in a VPC', () => {
    const json = goodStack();
    delete json.resource.aws_lambda_function.processor.vpc_config;
    expect(iamFailures(json)).toHaveLength(3);
    expect(iamFailures(json)[0]).toMatch(/grants ec2:CreateNetworkInterface on \*, which neither/);
  });

  it('requires the KMS actions that publishing to an encrypted topic needs', () => {
    const json = goodStack();
    processorDoc(json).find((s) => s.sid === 'UseKey')!.actions = ['kms:Decrypt'];
    expect(iamFailures(json)).toEqual(
      ['success', 'failure'].map(
        (topic) =>
          `aws_lambda_function.processor role: handler call sns:Publish (aws_sns_topic.${topic} is encrypted with aws_kms_key.primary) needs kms:GenerateDataKey on aws_kms_key.primary.arn, which aws_iam_role.processor does not allow`,
      ),
    );
  });

  it('lets a wildcard action pattern cover calls, with the pattern counted once', () => {
    const json = goodStack();
    const statements = processorDoc(json);
    statements.splice(statements.findIndex((s) => s.sid === 'Tracing'), 1, { sid: 'Tracing', effect: 'Allow', actions: ['xray:Put*'], resources: ['*'] });
    const report = checkStack(json, { handlerCalls: HANDLER_CALLS });
    expect(failuresOf(report, 'iam')).toEqual([]);
    expect(report.iam[0].granted).toBe(18);
  });

  it('judges grants of a shared role against the calls of every function using it', () => {
    const json = goodStack();
    const second = { ...json.resource.aws_lambda_function.processor, function_name: 'tap-prod-reporter' };
    delete second.depends_on;
    json.resource.aws_lambda_function.reporter = second;
    processorDoc(json).push({ sid: 'Reports', effect: 'Allow', actions: ['dynamodb:Scan'], resources: ['${aws_dynamodb_table.tasks.arn}'] });
    const reporter = [{ action: 'dynamodb:Scan', resource: { address: 'aws_dynamodb_table.tasks' } }];
    expect(iamFailures(json, { ...HANDLER_CALLS, reporter })).toEqual([]);
    expect(iamFailures(json, { ...HANDLER_CALLS, reporter: [] })).toEqual([
      "aws_iam_role_policy.processor policy: grants dynamodb:Scan on ${aws_dynamodb_table.tasks.arn}, which neither aws_lambda_function.processor, aws_lambda_function.reporter's handler calls nor Lambda needs",
    ]);
  });

  it('checks what Lambda needs even without a call list, and says unused grants were not judged', () => {
    const json = goodStack();
    processorDoc(json).splice(processorDoc(json).findIndex((s) => s.sid === 'PollTaskQueue'), 1);
    const report = checkStack(json);
    expect(failuresOf(report, 'iam').map((f) => f.message)).toEqual([
      'event source mapping aws_lambda_event_source_mapping.processor needs sqs:ReceiveMessage on aws_sqs_queue.task.arn, which aws_iam_role.processor does not allow',
      'event source mapping aws_lambda_event_source_mapping.processor needs sqs:DeleteMessage on aws_sqs_queue.task.arn, which aws_iam_role.processor does not allow',
      'event source mapping aws_lambda_event_source_mapping.processor needs sqs:GetQueueAttributes on aws_sqs_queue.task.arn, which aws_iam_role.processor does not allow',
    ]);
    expect(report.iam[0].callsKnown).toBe(false);
  });

  it('resolves calls by address, SSM parameter and environment variable', () => {
    const json = goodStack();
    json.resource.aws_lambda_function.processor.environment.variables.DLQ_URL = '${aws_sqs_queue.task_dlq.url}';
    const calls = withCalls(
      { action: 'sqs:SendMessage', resource: { envValue: 'DLQ_URL' } },
      { action: 'ssm:GetParameter', resource: { parameter: 'lease-seconds' } },
    );
    // The queue's key is already granted (kms:GenerateDataKey, kms:Decrypt), so only the two calls fail.
    expect(iamFailures(json, calls)).toEqual([
      'aws_lambda_function.processor role: handler call sqs:SendMessage needs sqs:SendMessage on aws_sqs_queue.task_dlq.arn, which aws_iam_role.processor does not allow',
      'aws_lambda_function.processor role: handler call ssm:GetParameter needs ssm:GetParameter on aws_ssm_parameter.lease_seconds.arn, which aws_iam_role.processor does not allow',
    ]);
    // Granting them by ARN and by parameter path clears both.
    processorDoc(json).push(
      { effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.task_dlq.arn}'] },
      { effect: 'Allow', actions: ['ssm:GetParameter'], resources: ['arn:${data.aws_partition.current.partition}:ssm:us-east-1:${data.aws_caller_identity.current.account_id}:parameter/tap-prod/processor/lease-seconds'] },
    );
    expect(iamFailures(json, calls)).toEqual([]);
  });

  it('accepts calls as plain service:Action strings, covered by a grant on any resource', () => {
    const calls: HandlerCalls = { processor: [...HANDLER_CALLS.processor, 'sqs:SendMessage'] };
    expect(iamFailures(goodStack(), calls)).toEqual([
      'aws_lambda_function.processor role: handler call sqs:SendMessage needs sqs:SendMessage, which aws_iam_role.processor does not allow',
    ]);
    const json = goodStack();
    processorDoc(json).push({ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.task_dlq.arn}'] });
    expect(iamFailures(json, calls)).toEqual([]);
    expect(() => parseHandlerCalls({ processor: ['sqs:SendMessage', 'not an action'] })).not.toThrow();
    expect(iamFailures(goodStack(), { processor: [...HANDLER_CALLS.processor, 'not an action'] })).toEqual([
      'aws_lambda_function.processor handler-calls: "not an action" is not an IAM action (service:Action)',
    ]);
  });

  it('fails on calls for a function the stack does not have, and on targets it cannot resolve', () => {
    const calls: HandlerCalls = { ...withCalls({ action: 'dynamodb:GetItem', resource: { parameterValue: 'no-such-parameter' } }), notifier: [{ action: 'sns:Publish' }] };
    expect(iamFailures(goodStack(), calls)).toEqual([
      'aws_lambda_function.processor handler-calls: dynamodb:GetItem: no aws_ssm_parameter named */no-such-parameter',
      'stack : handler calls are listed for "notifier", but no aws_lambda_function matches it',
    ]);
  });

  it('flags managed policy attachments it cannot read offline', () => {
    const json = goodStack();
    json.resource.aws_iam_role_policy_attachment = {
      basic: { provider: 'aws.primary', role: '${aws_iam_role.processor.name}', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
    };
    expect(iamFailures(json)).toEqual([
      'aws_iam_role_policy_attachment.basic policy_arn: managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole cannot be read offline; grant with a policy document instead',
    ]);
  });

  it('validates a call list read from JSON, naming the bad entry', () => {
    expect(parseHandlerCalls({ processor: [{ action: 'sns:Publish' }] })).toEqual({ processor: [{ action: 'sns:Publish' }] });
    expect(() => parseHandlerCalls([])).toThrow('handler calls must be an object of function -> list of calls');
    expect(() => parseHandlerCalls({ processor: [{ action: 'sns:Publish', resource: { topic: 'x' } }] }, 'calls.json')).toThrow(
      'calls.json: processor[0]: "resource" must have exactly one of address, parameter, parameterValue, envValue, envPath (a string), got {"topic":"x"}',
    );
  });
});
