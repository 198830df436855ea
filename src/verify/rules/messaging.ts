import { actionMatches, readPolicy } from '../policy';
import { Block, blockList, isFalse, isTrue, parseJsonAttribute, StackModel } from '../stack';
import { fail, isSet, literal, pass, perResource, Rule } from './rule';

/** The queue a reference (an ARN or URL attribute) points to. */
function queueAt(stack: StackModel, value: unknown): Block | undefined {
  const hit = stack.target(typeof value === 'string' ? value : undefined);
  return hit?.block.type === 'aws_sqs_queue' ? hit.block : undefined;
}

/** Queues that receive what others failed to process: redrive targets and failure destinations. */
export function deadLetterQueues(stack: StackModel): Set<Block> {
  const found = new Set<Block>();
  const add = (v: unknown): void => {
    const q = queueAt(stack, v);
    if (q) found.add(q);
  };
  for (const type of ['aws_sqs_queue', 'aws_sqs_queue_redrive_policy']) {
    for (const b of stack.ofType(type)) {
      add((parseJsonAttribute(b.body.redrive_policy) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn);
    }
  }
  for (const q of stack.ofType('aws_sqs_queue')) {
    const allow = parseJsonAttribute(q.body.redrive_allow_policy) as { redrivePermission?: string } | undefined;
    if (allow && allow.redrivePermission !== 'denyAll') found.add(q);
  }
  for (const b of stack.ofType('aws_sqs_queue_redrive_allow_policy')) {
    const allow = parseJsonAttribute(b.body.redrive_allow_policy) as { redrivePermission?: string } | undefined;
    if (allow?.redrivePermission !== 'denyAll') add(b.body.queue_url);
  }
  for (const b of stack.blocks) {
    for (const dlc of blockList(b.body.dead_letter_config)) add(dlc.arn ?? dlc.target_arn);
    for (const dest of blockList(b.body.destination_config)) {
      for (const onFailure of blockList(dest.on_failure)) add(onFailure.destination_arn ?? onFailure.destination);
    }
  }
  return found;
}

/** Whether a metric alarm watches a queue (by its `QueueName` dimension, directly or in a metric query). */
function alarmWatchesQueue(stack: StackModel, alarm: Block, queue: Block): boolean {
  const metrics = [alarm.body, ...blockList(alarm.body.metric_query).flatMap((q) => blockList(q.metric))];
  return metrics.some(
    (m) => m.namespace === 'AWS/SQS' && (stack.refersTo(m.dimensions?.QueueName, queue, 'name') || (literal(m.dimensions?.QueueName) !== undefined && m.dimensions.QueueName === queue.body.name)),
  );
}

/** Why EventBridge cannot send rule `rule`'s events to `queue`, or `undefined` when its queue policy lets it. */
function eventsCannotSend(stack: StackModel, queue: Block, rule: Block | undefined): string | undefined {
  const policies = stack.referrers('aws_sqs_queue_policy', 'queue_url', queue);
  if (!policies.length) return `${queue.address} has no aws_sqs_queue_policy, so EventBridge cannot send to it`;
  const allows = policies.some((p) =>
    readPolicy(stack, p.body.policy)?.statements.some(
      (s) =>
        s.effect === 'Allow' &&
        s.principals.includes('Service:events.amazonaws.com') &&
        s.actions.some((a) => actionMatches(a, 'sqs:SendMessage')) &&
        (s.resources.includes('*') || s.resources.some((r) => stack.refersTo(r, queue, 'arn'))) &&
        // Scoped to the rule, so no other rule (or account) can write to the queue.
        s.conditions.some((c) => c.variable.toLowerCase() === 'aws:sourcearn' && (!rule || c.values.some((v) => stack.refersTo(v, rule, 'arn')))),
    ),
  );
  return allows ? undefined : `the policy of ${queue.address} does not allow events.amazonaws.com sqs:SendMessage with aws:SourceArn of ${rule?.address ?? 'the rule'}`;
}

export const MESSAGING_RULES: readonly Rule[] = [
  perResource('CKV_AWS_27', 'SQS queues are encrypted at rest', ['aws_sqs_queue'], (q) =>
    isSet(q.body.kms_master_key_id) || isTrue(q.body.sqs_managed_sse_enabled) ? undefined : ['kms_master_key_id', 'queue is not encrypted: set kms_master_key_id'],
  ),
  perResource('CKV2_AWS_73', 'SQS queues are encrypted with a customer managed KMS key', ['aws_sqs_queue'], (q) => {
    const key = q.body.kms_master_key_id;
    if (!isSet(key)) return ['kms_master_key_id', 'no customer managed key (kms_master_key_id is not set)'];
    return key === 'alias/aws/sqs' ? ['kms_master_key_id', 'uses the AWS managed key alias/aws/sqs'] : undefined;
  }),
  {
    id: 'TAP_SQS_REDRIVE',
    description: 'SQS queues have a redrive policy (a DLQ), unless they are a dead-letter queue themselves',
    evaluate: (stack) => {
      const dlqs = deadLetterQueues(stack);
      return stack.ofType('aws_sqs_queue').map((q) => {
        const separate = stack.referrers('aws_sqs_queue_redrive_policy', 'queue_url', q).length > 0;
        return dlqs.has(q) || isSet(q.body.redrive_policy) || separate ? pass(q) : fail(q, 'redrive_policy', 'queue has no redrive policy and is no dead-letter queue');
      });
    },
  },
  {
    id: 'TAP_DLQ_ALARM',
    description: 'Every dead-letter queue has a CloudWatch alarm on it',
    evaluate: (stack) =>
      [...deadLetterQueues(stack)].map((q) =>
        stack.ofType('aws_cloudwatch_metric_alarm').some((a) => alarmWatchesQueue(stack, a, q))
          ? pass(q)
          : fail(q, '', 'dead-letter queue has no aws_cloudwatch_metric_alarm with namespace AWS/SQS and dimensions.QueueName referring to it'),
      ),
  },
  perResource('CKV_AWS_26', 'SNS topics are encrypted with a KMS key', ['aws_sns_topic'], (t) =>
    isSet(t.body.kms_master_key_id) ? undefined : ['kms_master_key_id', 'topic is not encrypted: set kms_master_key_id'],
  ),
  perResource('TAP_EVENT_TARGET_DLQ', 'Every EventBridge target has a dead-letter queue and a retry policy', ['aws_cloudwatch_event_target'], (t) => {
    if (!blockList(t.body.dead_letter_config).some((d) => isSet(d.arn))) return ['dead_letter_config', 'target has no dead_letter_config.arn'];
    return blockList(t.body.retry_policy).length ? undefined : ['retry_policy', 'target has no retry_policy'];
  }),
  {
    id: 'TAP_EVENT_TARGET_QUEUE_POLICY',
    description: "Queues EventBridge targets (and their DLQs) allow events.amazonaws.com to send, scoped to the rule's ARN",
    evaluate: (stack) =>
      stack.ofType('aws_cloudwatch_event_target').flatMap((t) => {
        const rule = stack.target(t.body.rule)?.block;
        const queues: [string, Block | undefined][] = [
          ['arn', queueAt(stack, t.body.arn)],
          ...blockList(t.body.dead_letter_config).map((d): [string, Block | undefined] => ['dead_letter_config.arn', queueAt(stack, d.arn)]),
        ];
        return queues
          .filter((q): q is [string, Block] => q[1] !== undefined)
          .map(([attribute, queue]) => {
            const problem = eventsCannotSend(stack, queue, rule?.type === 'aws_cloudwatch_event_rule' ? rule : undefined);
            return problem ? fail(t, attribute, problem) : pass(t);
          });
      }),
  },
  {
    id: 'TAP_LAMBDA_TIMEOUT_VS_QUEUE',
    description: "A function's timeout is at most its source queue's visibility timeout / 6",
    evaluate: (stack) =>
      stack.ofType('aws_lambda_event_source_mapping').flatMap((esm) => {
        const queue = queueAt(stack, esm.body.event_source_arn);
        const fn = stack.target(esm.body.function_name)?.block;
        if (!queue || fn?.type !== 'aws_lambda_function') return [];
        // Provider defaults: 3 s function timeout, 30 s visibility timeout.
        const timeout = Number(fn.body.timeout ?? 3);
        const visibility = Number(queue.body.visibility_timeout_seconds ?? 30);
        if (Number.isNaN(timeout) || Number.isNaN(visibility)) {
          return [fail(esm, 'event_source_arn', `timeout of ${fn.address} or visibility of ${queue.address} is not a literal and cannot be checked offline`)];
        }
        return [
          timeout * 6 <= visibility
            ? pass(esm)
            : fail(esm, 'function_name', `${fn.address} timeout ${timeout} s exceeds ${queue.address} visibility ${visibility} s / 6 = ${Math.floor(visibility / 6)} s`),
        ];
      }),
  },
  perResource('CKV_AWS_319', 'CloudWatch alarm actions are enabled', ['aws_cloudwatch_metric_alarm'], (a) =>
    isFalse(a.body.actions_enabled) ? ['actions_enabled', 'alarm actions are disabled'] : undefined,
  ),
];
