import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { configureBackend } from './backend';
import { TapConfig } from './config';
import { PROCESSOR_AWS_CALLS } from '../handlers/common/aws-calls';
import { Encryption } from './encryption';
import { Processor } from './functions';
import { Ingestion } from './ingestion';
import { Monitoring } from './monitoring';
import { interfaceServicesFor, Network } from './network';
import { ProcessorParameters } from './parameters';
import { RegionalProviders } from './providers';
import { TaskQueues } from './queues';
import { TaskTables } from './tables';
import { Topics } from './topics';

/** Terraform release pinned in .terraform-version; the constraint accepts its patch updates. */
export const TERRAFORM_VERSION_CONSTRAINT = '~> 1.11.4';

/** The distributed task system: composes one construct per concern. */
export class TapStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: TapConfig) {
    super(scope, id);
    configureBackend(this, config.backend);
    this.addOverride('terraform.required_version', TERRAFORM_VERSION_CONSTRAINT);
    const { namePrefix, primaryRegion, replicaRegion } = config;

    const { primary, replica } = new RegionalProviders(this, 'providers', { primaryRegion, replicaRegion, tags: config.tags });
    const account = new AccountContext(this, 'account', { provider: primary });
    const { key, replicaKey } = new Encryption(this, 'encryption', { primary, replica, primaryRegion, replicaRegion, account, namePrefix });
    const queues = new TaskQueues(this, 'queues', { provider: primary, account, key, namePrefix, ...config.queue });
    const tables = new TaskTables(this, 'tables', { primary, replica, replicaRegion, key, replicaKey, namePrefix });
    const topics = new Topics(this, 'topics', { provider: primary, account, key, namePrefix, region: primaryRegion });
    const parameters = new ProcessorParameters(this, 'parameters', {
      provider: primary,
      path: `/${namePrefix}/processor/`,
      values: {
        taskTableName: tables.taskTable.name,
        lockTableName: tables.lockTable.name,
        successTopicArn: topics.success.arn,
        failureTopicArn: topics.failure.arn,
        ...config.processor.tunables,
      },
    });
    const ingestion = new Ingestion(this, 'ingestion', {
      provider: primary,
      account,
      key,
      taskQueue: queues.taskQueue,
      namePrefix,
      ingest: config.ingest,
      deadLetterRetentionSeconds: config.queue.retentionSeconds,
    });
    queues.allowSendFromRules(ingestion.rules);
    const network = new Network(this, 'network', {
      provider: primary,
      account,
      key,
      region: primaryRegion,
      namePrefix,
      vpcCidr: config.network.vpcCidr,
      azCount: config.network.azCount,
      existing: config.network.existingVpcId ? { vpcId: config.network.existingVpcId, subnetIds: config.network.existingSubnetIds } : undefined,
      interfaceServices: [...new Set([...interfaceServicesFor(PROCESSOR_AWS_CALLS.map((c) => c.operation)), ...config.network.extraInterfaceEndpoints])],
      logRetentionDays: config.logRetentionDays,
    });
    const processor = new Processor(this, 'processor', {
      provider: primary,
      account,
      key,
      region: primaryRegion,
      namePrefix,
      network,
      queues,
      tables,
      topics,
      parameters,
      buckets: ingestion.buckets,
      existingBucketNames: config.ingest.existingBucketNames,
      reservedConcurrency: config.processor.reservedConcurrency,
      memorySizeMb: config.processor.memoryMb,
      timeoutSeconds: config.processor.timeoutSeconds,
      logRetentionDays: config.logRetentionDays,
    });
    topics.allowOutcomePublisher(processor.fn.role);

    const monitoring = new Monitoring(this, 'monitoring', {
      primary,
      primaryRegion,
      replicaRegion,
      namePrefix,
      taskQueue: queues.taskQueue,
      deadLetterQueues: [queues.deadLetterQueue, ingestion.deadLetterQueue],
      processor: processor.fn.function,
      metricsNamespace: processor.metricsNamespace,
      tables,
      alarmTopic: topics.alarms,
      thresholds: config.alarms,
    });
    const outputs: Record<string, [value: string | string[], description: string]> = {
      'dashboard-url': [monitoring.dashboardUrl, 'CloudWatch dashboard of queues, processor and tables'],
      'task-queue-url': [queues.taskQueue.url, 'Task queue'],
      'task-dlq-url': [queues.deadLetterQueue.url, 'Dead-letter queue of the task queue'],
      'ingest-dlq-url': [ingestion.deadLetterQueue.url, 'Events EventBridge could not deliver to the task queue'],
      'ingest-bucket-names': [ingestion.bucketNames, 'Buckets whose uploads become tasks (managed by this stack)'],
      'task-table-name': [tables.taskTable.name, 'Task table (global table)'],
      'lock-table-name': [tables.lockTable.name, 'Lock table (global table)'],
      'success-topic-arn': [topics.success.arn, 'Task success notifications'],
      'failure-topic-arn': [topics.failure.arn, 'Task failure and rejection notifications'],
      'alarms-topic-arn': [topics.alarms.arn, 'CloudWatch alarm notifications'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) new TerraformOutput(this, id, { value, description });
  }
}
