import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { AwsCall, PROCESSOR_AWS_CALLS, ProcessorResource } from '../handlers/common/aws-calls';
import { CONFIG_PATH_ENV } from '../handlers/common/processor-parameters';
import { AccountContext } from './account';
import { Network } from './network';
import { ProcessorParameters } from './parameters';
import { Statement } from './policy';
import { TaskQueues } from './queues';
import { TaskTables } from './tables';
import { TapFunction } from './tap-function';
import { Topics } from './topics';

export interface ProcessorProps {
  readonly provider: AwsProvider;
  readonly account: AccountContext;
  readonly key: KmsKey;
  readonly region: string;
  readonly namePrefix: string;
  readonly network: Network;
  readonly queues: TaskQueues;
  readonly tables: TaskTables;
  readonly topics: Topics;
  readonly parameters: ProcessorParameters;
  /** Buckets whose objects the processor reads (HeadObject). */
  readonly buckets: readonly S3Bucket[];
  /** Buckets the stack does not manage whose uploads are processed too. */
  readonly existingBucketNames: readonly string[];
  /** @default 50 */
  readonly reservedConcurrency?: number;
  /** @default 512 */
  readonly memorySizeMb?: number;
  /**
   * At most a sixth of the task queue's visibility timeout (an AWS rule for SQS event sources).
   * @default 45
   */
  readonly timeoutSeconds?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 2 */
  readonly maxBatchingWindowSeconds?: number;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/**
 * The task processor: a {@link TapFunction} fed by the task queue, with destinations for
 * asynchronous invocations. An SQS event source invokes synchronously, so destinations
 * never fire on that path; the handler publishes each task's outcome itself.
 */
export class Processor extends Construct {
  readonly fn: TapFunction;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  /** CloudWatch namespace of the handler's embedded metrics. */
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const { provider, account, queues, tables, topics } = props;
    const reservedConcurrency = props.reservedConcurrency ?? 50;
    const timeoutSeconds = props.timeoutSeconds ?? 45;
    const visibility = queues.visibilityTimeoutSeconds;
    if (timeoutSeconds * 6 > visibility) {
      throw new Error(`processor timeout ${timeoutSeconds} s exceeds the task queue visibility timeout (${visibility} s) / 6`);
    }
    this.metricsNamespace = `TapStack/${props.namePrefix}`;
    const parameterPath = props.parameters.path.replace(/\/$/, '');

    const resources: Record<ProcessorResource, string[]> = {
      taskTable: [tables.taskTable.arn],
      lockTable: [tables.lockTable.arn],
      successTopic: [topics.success.arn],
      failureTopic: [topics.failure.arn],
      // GetParametersByPath is authorized on the path itself, not on the parameters it returns.
      configParameters: [account.arn('ssm', props.region, `parameter${parameterPath}`)],
      sourceObjects: [
        ...props.buckets.map((b) => `${b.arn}/*`),
        ...props.existingBucketNames.map((name) => `arn:${account.partition}:s3:::${name}/*`),
      ],
      taskQueue: [queues.taskQueue.arn],
    };
    const statements: Statement[] = [
      ...statementsForCalls(PROCESSOR_AWS_CALLS, resources),
      {
        // The event source mapping polls with the function's role.
        sid: 'PollTaskQueue',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [queues.taskQueue.arn],
      },
      {
        // SQS decrypts received messages and SNS encrypts published ones with the stack key, as this role.
        sid: 'UseStackKeyThroughQueueAndTopics',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.arn],
      },
    ];

    this.fn = new TapFunction(this, 'fn', {
      provider,
      account,
      key: props.key,
      functionName: `${props.namePrefix}-processor`,
      handlerName: 'processor',
      memorySizeMb: props.memorySizeMb ?? 512,
      timeoutSeconds,
      reservedConcurrency,
      network: props.network,
      statements,
      logRetentionDays: props.logRetentionDays,
      environment: {
        [CONFIG_PATH_ENV]: props.parameters.path,
        POWERTOOLS_SERVICE_NAME: 'processor',
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
      },
    });

    this.eventSourceMapping = new LambdaEventSourceMapping(this, 'queue-source', {
      provider,
      eventSourceArn: queues.taskQueue.arn,
      functionName: this.fn.function.arn,
      batchSize: props.batchSize ?? 10,
      maximumBatchingWindowInSeconds: props.maxBatchingWindowSeconds ?? 2,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // The mapping ignores reserved concurrency: without this cap its extra pollers are
      // throttled, and throttled receives count toward maxReceiveCount.
      scalingConfig: { maximumConcurrency: reservedConcurrency },
    });

    // Destinations fire for asynchronous invocations only (a producer invoking the function directly).
    new LambdaFunctionEventInvokeConfig(this, 'async-destinations', {
      provider,
      functionName: this.fn.function.functionName,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 3600,
      destinationConfig: {
        onSuccess: { destination: topics.success.arn },
        onFailure: { destination: topics.failure.arn },
      },
    });
  }
}

/**
 * One statement per resource group, granting exactly the IAM actions of the calls the
 * handler declares on it: the role cannot drift from the code.
 */
export function statementsForCalls<R extends ProcessorResource>(calls: readonly AwsCall[], resources: Record<R, string[]>): Statement[] {
  const byResource = new Map<R, Set<string>>();
  for (const call of calls) {
    for (const resource of call.resources.filter((r): r is R => r in resources)) {
      const actions = byResource.get(resource) ?? new Set<string>();
      call.iamActions.forEach((a) => actions.add(a));
      byResource.set(resource, actions);
    }
  }
  return [...byResource.entries()]
    .filter(([resource]) => resources[resource].length > 0)
    .map(([resource, actions]) => ({
      sid: `Handler${resource.charAt(0).toUpperCase()}${resource.slice(1)}`,
      actions: [...actions].sort(),
      resources: resources[resource],
    }));
}
