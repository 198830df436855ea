import { PROCESSOR_AWS_CALLS, ProcessorResource } from '../../handlers/common/aws-calls';
import { CONFIG_PATH_ENV } from '../../handlers/common/processor-parameters';
import { CallTarget, HandlerCalls } from './iam';

type Json = Record<string, any>;

/** `${aws_sqs_queue.x.arn}` -> `aws_sqs_queue.x`. */
const addressOf = (ref: unknown): string | undefined => /^\$\{([a-z0-9_]+\.[\w-]+)\.[\w.]+\}$/.exec(String(ref))?.[1];

/**
 * The processor's declared AWS calls (`handlers/common/aws-calls.ts`, which the handler tests
 * compare with the calls it really sends) as checker input, resolved against a synthesized stack.
 */
export function processorCalls(json: Json): HandlerCalls {
  const mappings = Object.values<Json>(json.resource?.aws_lambda_event_source_mapping ?? {});
  const queues = mappings.map((m) => addressOf(m.event_source_arn)).filter((a): a is string => a !== undefined);
  const targets: Record<ProcessorResource, CallTarget[]> = {
    taskTable: [{ parameterValue: 'task-table-name' }],
    lockTable: [{ parameterValue: 'lock-table-name' }],
    successTopic: [{ parameterValue: 'success-topic-arn' }],
    failureTopic: [{ parameterValue: 'failure-topic-arn' }],
    configParameters: [{ envPath: CONFIG_PATH_ENV }],
    sourceObjects: Object.keys(json.resource?.aws_s3_bucket ?? {}).map((name) => ({ address: `aws_s3_bucket.${name}`, suffix: '/*' })),
    taskQueue: queues.map((address) => ({ address })),
  };
  return {
    processor: PROCESSOR_AWS_CALLS.flatMap((call) =>
      call.iamActions.flatMap((action) => call.resources.flatMap((resource) => targets[resource].map((target) => ({ action, resource: target })))),
    ),
  };
}
