import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { denyInsecureTransport, policyDocument, Statement } from './policy';

/**
 * How long SQS reuses a data key before asking KMS for a new one. The default (300 s)
 * costs a KMS request per queue and principal every five minutes; one hour cuts those
 * requests twelvefold, and a data key still never outlives an hour.
 */
export const KMS_DATA_KEY_REUSE_SECONDS = 3600;

export interface TaskQueuesProps {
  readonly provider: AwsProvider;
  readonly account: AccountContext;
  readonly key: KmsKey;
  readonly namePrefix: string;
  /**
   * Visibility timeout of the task queue; at least six times the processor timeout.
   * @default 300
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Retention of the task queue and its DLQ.
   * @default 1209600 (14 days)
   */
  readonly retentionSeconds?: number;
  /**
   * Receives before a message moves to the DLQ.
   * @default 3
   */
  readonly maxReceiveCount?: number;
}

/** An encrypted SQS queue with the stack's defaults. */
export function encryptedQueue(
  scope: Construct,
  id: string,
  props: { provider: AwsProvider; key: KmsKey; name: string; retentionSeconds: number; visibilityTimeoutSeconds?: number },
): SqsQueue {
  return new SqsQueue(scope, id, {
    provider: props.provider,
    name: props.name,
    messageRetentionSeconds: props.retentionSeconds,
    visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
    kmsMasterKeyId: props.key.arn,
    kmsDataKeyReusePeriodSeconds: KMS_DATA_KEY_REUSE_SECONDS,
  });
}

/** Attaches a queue policy: TLS only, plus the given statements. */
export function attachQueuePolicy(scope: Construct, id: string, provider: AwsProvider, queue: SqsQueue, statements: Statement[]): SqsQueuePolicy {
  const document = policyDocument(scope, `${id}-document`, provider, [denyInsecureTransport(['sqs:*'], [queue.arn]), ...statements]);
  return new SqsQueuePolicy(scope, id, { provider, queueUrl: queue.url, policy: document.json });
}

/** The task queue, its dead-letter queue and their policies. */
export class TaskQueues extends Construct {
  readonly taskQueue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly visibilityTimeoutSeconds: number;
  private readonly props: TaskQueuesProps;

  constructor(scope: Construct, id: string, props: TaskQueuesProps) {
    super(scope, id);
    this.props = props;
    const retentionSeconds = props.retentionSeconds ?? 1209600;
    this.visibilityTimeoutSeconds = props.visibilityTimeoutSeconds ?? 300;

    this.deadLetterQueue = encryptedQueue(this, 'dlq', {
      provider: props.provider,
      key: props.key,
      name: `${props.namePrefix}-tasks-dlq`,
      retentionSeconds,
    });
    this.taskQueue = encryptedQueue(this, 'tasks', {
      provider: props.provider,
      key: props.key,
      name: `${props.namePrefix}-tasks`,
      retentionSeconds,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
    });
    this.taskQueue.redrivePolicy = JSON.stringify({
      deadLetterTargetArn: this.deadLetterQueue.arn,
      maxReceiveCount: props.maxReceiveCount ?? 3,
    });
    // A separate resource: inline on the DLQ it would reference the task queue, which references the DLQ.
    new SqsQueueRedriveAllowPolicy(this, 'dlq-redrive-allow', {
      provider: props.provider,
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.taskQueue.arn] }),
    });
    attachQueuePolicy(this, 'dlq-policy', props.provider, this.deadLetterQueue, []);
  }

  /** Writes the task queue's policy: TLS only, and SendMessage from exactly these EventBridge rules. */
  allowSendFromRules(rules: CloudwatchEventRule[]): void {
    if (rules.length === 0) throw new Error('the task queue needs at least one EventBridge rule allowed to send to it');
    attachQueuePolicy(this, 'tasks-policy', this.props.provider, this.taskQueue, [
      {
        sid: 'EventBridgeRulesSendTasks',
        principals: [{ type: 'Service', identifiers: [this.props.account.servicePrincipal('events')] }],
        actions: ['sqs:SendMessage'],
        resources: [this.taskQueue.arn],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: rules.map((r) => r.arn) }],
      },
    ]);
  }
}
