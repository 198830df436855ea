import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformStack, Testing } from 'cdktf';
import { AccountContext } from '../../src/account';
import { TapConfig, loadConfig } from '../../src/config';
import { Ingestion, IngestionProps } from '../../src/ingestion';
import { RegionalProviders } from '../../src/providers';
import { Json } from './synth';

/** The minimal stack the ingestion tests synthesize: providers, a key, a task queue and the construct. */
export function synthIngestion(
  env: Record<string, string> = {},
  overrides: Partial<Omit<IngestionProps, 'provider' | 'account' | 'key' | 'taskQueue'>> = {},
): Json {
  const config: TapConfig = loadConfig(env);
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const providers = new RegionalProviders(stack, 'providers', {
    primaryRegion: config.primaryRegion,
    replicaRegion: config.replicaRegion,
    tags: config.tags,
  });
  const key = new KmsKey(stack, 'key', { provider: providers.primary, enableKeyRotation: true });
  const taskQueue = new SqsQueue(stack, 'task-queue', { provider: providers.primary, name: 'tasks' });
  new Ingestion(stack, 'ingestion', {
    provider: providers.primary,
    account: new AccountContext(stack, 'account', { provider: providers.primary }),
    key,
    taskQueue,
    namePrefix: config.namePrefix,
    ingest: config.ingest,
    deadLetterRetentionSeconds: config.queue.retentionSeconds,
    ...overrides,
  });
  return JSON.parse(Testing.synth(stack));
}
