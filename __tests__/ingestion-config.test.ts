import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformStack, Testing } from 'cdktf';
import { ConfigError, SETTINGS, loadConfig } from '../src/config';
import { AccountContext } from '../src/account';
import { Ingestion } from '../src/ingestion';
import { RegionalProviders } from '../src/providers';

describe('ingest key filter settings', () => {
  test('are declared in SETTINGS', () => {
    const names = SETTINGS.map((s) => s.variable);
    expect(names).toEqual(expect.arrayContaining(['TAP_INGEST_KEY_PREFIXES', 'TAP_INGEST_KEY_SUFFIXES']));
  });

  test('default to no filters', () => {
    expect(loadConfig({}).ingest.keyFilters).toEqual({});
  });

  test('combine prefix and suffix per bucket, by configured name or created bucket number', () => {
    expect(
      loadConfig({
        TAP_INGEST_KEY_PREFIXES: '1=uploads/,legacy-drop=incoming/',
        TAP_INGEST_KEY_SUFFIXES: 'legacy-drop=.csv',
        TAP_EXISTING_BUCKET_NAMES: 'legacy-drop',
      }).ingest.keyFilters,
    ).toEqual({ '1': { prefix: 'uploads/' }, 'legacy-drop': { prefix: 'incoming/', suffix: '.csv' } });
    expect(
      loadConfig({ TAP_INGEST_BUCKET_NAMES: 'tap-a,tap-b', TAP_INGEST_KEY_SUFFIXES: 'tap-b=.json' }).ingest.keyFilters,
    ).toEqual({ 'tap-b': { suffix: '.json' } });
  });

  test.each([
    [{ TAP_INGEST_KEY_PREFIXES: '3=uploads/' }, /TAP_INGEST_KEY_PREFIXES must be comma-separated <bucket>=<prefix>.*received "3=uploads\/"/],
    [{ TAP_INGEST_KEY_PREFIXES: 'nobody=uploads/' }, /TAP_INGEST_KEY_PREFIXES/],
    [{ TAP_INGEST_KEY_PREFIXES: '1=my uploads/' }, /TAP_INGEST_KEY_PREFIXES/],
    [{ TAP_INGEST_KEY_SUFFIXES: '1=*.csv' }, /TAP_INGEST_KEY_SUFFIXES/],
    [{ TAP_INGEST_KEY_SUFFIXES: '1=' }, /TAP_INGEST_KEY_SUFFIXES/],
    [{ TAP_INGEST_KEY_PREFIXES: '1=a/,1=b/' }, /TAP_INGEST_KEY_PREFIXES must name each bucket once; received "1" twice/],
    [{ TAP_INGEST_BUCKET_NAMES: 'tap-a', TAP_INGEST_KEY_PREFIXES: '1=a/' }, /TAP_INGEST_KEY_PREFIXES/],
  ])('fails if the filter is invalid: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('Ingestion public API', () => {
  test('exposes the rules, managed buckets and names, matched names and the EventBridge DLQ', () => {
    const config = loadConfig({ TAP_INGEST_BUCKET_NAMES: 'tap-a,tap-b,tap-c', TAP_EXISTING_BUCKET_NAMES: 'legacy-drop' });
    const stack = new TerraformStack(Testing.app(), 'api');
    const { primary } = new RegionalProviders(stack, 'providers', { primaryRegion: 'us-east-1', replicaRegion: 'us-west-2', tags: {} });
    const ingestion = new Ingestion(stack, 'ingestion', {
      provider: primary,
      account: new AccountContext(stack, 'account', { provider: primary }),
      key: new KmsKey(stack, 'key', { provider: primary }),
      taskQueue: new SqsQueue(stack, 'tasks', { provider: primary }),
      namePrefix: config.namePrefix,
      ingest: config.ingest,
    });
    expect(ingestion.rules).toHaveLength(2);
    expect(ingestion.buckets).toHaveLength(3);
    expect(ingestion.bucketNames).toHaveLength(3);
    expect(ingestion.matchedBucketNames.slice(3)).toEqual(['legacy-drop']);
    expect(ingestion.deadLetterQueue).toBeInstanceOf(SqsQueue);
  });
});
