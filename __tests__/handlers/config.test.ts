import { ConfigError, createSettingsLoader, parseProcessorSettings } from '../../handlers/common/config';
import { CONFIG_PATH_ENV, PROCESSOR_PARAMETERS } from '../../handlers/common/processor-parameters';

const PATH = '/tap/processor/';
const valid: Record<string, string> = {
  'task-table-name': 'tasks',
  'lock-table-name': 'locks',
  'success-topic-arn': 'arn:aws:sns:us-east-1:1:ok',
  'failure-topic-arn': 'arn:aws:sns:us-east-1:1:ko',
  'lease-seconds': '60',
  'max-attempts': '3',
  'status-shards': '8',
  'config-cache-ttl-seconds': '300',
  'task-retention-days': '30',
  'lock-wait-max-ms': '2000',
};

describe('processor settings', () => {
  test('parses every parameter of the shared list', () => {
    expect(Object.keys(valid).sort()).toEqual(Object.values(PROCESSOR_PARAMETERS).map((p) => p.name).sort());
    expect(parseProcessorSettings(valid, PATH)).toEqual({
      taskTableName: 'tasks',
      lockTableName: 'locks',
      successTopicArn: 'arn:aws:sns:us-east-1:1:ok',
      failureTopicArn: 'arn:aws:sns:us-east-1:1:ko',
      leaseSeconds: 60,
      maxAttempts: 3,
      statusShards: 8,
      configCacheTtlSeconds: 300,
      taskRetentionDays: 30,
      lockWaitMaxMs: 2000,
    });
  });

  test.each([
    ['task-table-name', undefined, /\/tap\/processor\/task-table-name .* is missing or empty/],
    ['failure-topic-arn', '  ', /\/tap\/processor\/failure-topic-arn .* is missing or empty/],
    ['status-shards', '0', /\/tap\/processor\/status-shards .* must be an integer in \[1, 100\], got "0"/],
    ['lease-seconds', '1e2', /\/tap\/processor\/lease-seconds .* got "1e2"/],
    ['lock-wait-max-ms', '30001', /\/tap\/processor\/lock-wait-max-ms .* got "30001"/],
  ])('fails if %s is %p', (name, value, message) => {
    const values: Record<string, string | undefined> = { ...valid, [name]: value };
    expect(() => parseProcessorSettings(values, PATH)).toThrow(ConfigError);
    expect(() => parseProcessorSettings(values, PATH)).toThrow(message);
  });

  test(`fails if ${CONFIG_PATH_ENV} is not set`, async () => {
    const saved = process.env[CONFIG_PATH_ENV];
    delete process.env[CONFIG_PATH_ENV];
    try {
      await expect(createSettingsLoader(async () => valid, () => 0)()).rejects.toThrow(`environment variable ${CONFIG_PATH_ENV}`);
    } finally {
      if (saved !== undefined) process.env[CONFIG_PATH_ENV] = saved;
    }
  });
});
