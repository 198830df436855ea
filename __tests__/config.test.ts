import { configError } from './support/config';
import { loadConfig, SETTINGS } from '../src/config';


describe('configuration', () => {
  test('defaults give the production tags, regions and a derived name prefix', () => {
    const config = loadConfig({});
    expect(config.tags).toEqual({ Project: 'DistributedTaskSystem', Owner: 'SiddhantRaj', Environment: 'Production' });
    expect([config.primaryRegion, config.replicaRegion]).toEqual(['us-east-1', 'us-west-2']);
    expect(config.namePrefix).toBe('distributed-task-system-production');
    expect(config.backend).toEqual({ type: 'local', path: 'terraform.TapStack.tfstate' });
    expect(config.processor).toMatchObject({ reservedConcurrency: 50, memoryMb: 512, timeoutSeconds: 45 });
    expect(config.processor.tunables).toEqual({ leaseSeconds: 60, maxAttempts: 3, statusShards: 10, configCacheTtlSeconds: 300, taskRetentionDays: 30, lockWaitMaxMs: 5000 });
    expect(config.queue).toEqual({ visibilityTimeoutSeconds: 300, retentionSeconds: 1209600, maxReceiveCount: 3 });
  });

  test('settings override defaults', () => {
    const config = loadConfig({ TAP_ENVIRONMENT: 'Staging', TAP_OWNER: 'Ops Team', TAP_PRIMARY_REGION: 'eu-west-1', TAP_REPLICA_REGION: 'eu-central-1', TAP_INGEST_BUCKET_NAMES: 'a-bucket,b-bucket' });
    expect(config.namePrefix).toBe('distributed-task-system-staging');
    expect(config.tags.Owner).toBe('Ops Team');
    expect(config.ingest.bucketNames).toEqual(['a-bucket', 'b-bucket']);
    expect(config.ingest.bucketCount).toBe(2);
  });

  test('every variable read is declared once in SETTINGS', () => {
    const names = SETTINGS.map((s) => s.variable);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => /^TAP_[A-Z0-9_]+$/.test(n))).toBe(true);
  });

  test.each([
    [{ TAP_PRIMARY_REGION: 'us-east-9' }, 'TAP_PRIMARY_REGION must be an AWS region such as us-east-1; received "us-east-9"'],
    [{ TAP_REPLICA_REGION: 'us-east-1' }, 'TAP_REPLICA_REGION must be an AWS region different from TAP_PRIMARY_REGION; received "us-east-1" for both'],
    [{ TAP_INGEST_BUCKET_NAMES: 'good-bucket,Bad_Bucket' }, 'TAP_INGEST_BUCKET_NAMES must be comma-separated S3 bucket names; received "good-bucket,Bad_Bucket"'],
    [{ TAP_INGEST_BUCKET_COUNT: '0' }, 'TAP_INGEST_BUCKET_COUNT must be an integer from 1 to 10; received "0"'],
    [{ TAP_INGEST_BUCKET_COUNT: '2.5' }, 'TAP_INGEST_BUCKET_COUNT must be an integer from 1 to 10; received "2.5"'],
    [{ TAP_AZ_COUNT: '7' }, 'TAP_AZ_COUNT must be an integer from 2 to 6; received "7"'],
    [{ TAP_VPC_CIDR: '10.0.0.1/16' }, 'TAP_VPC_CIDR must be an IPv4 CIDR from /16 to /24 on a network boundary; received "10.0.0.1/16"'],
    [{ TAP_PROCESSOR_TIMEOUT_SECONDS: '300' }, 'TAP_PROCESSOR_TIMEOUT_SECONDS must be an integer from 1 to 50 (TAP_QUEUE_VISIBILITY_TIMEOUT_SECONDS / 6); received "300"'],
    [{ TAP_LOG_RETENTION_DAYS: '100' }, 'TAP_LOG_RETENTION_DAYS must be one of'],
    [{ TAP_BACKEND: 'gcs' }, 'TAP_BACKEND must be local, s3 or cloud; received "gcs"'],
    [{ TAP_BACKEND: 's3' }, 'TAP_STATE_BUCKET is required when TAP_BACKEND=s3; it is not set'],
    [{ TAP_BACKEND: 'cloud', TAP_TFC_ORGANIZATION: 'acme' }, 'TAP_TFC_WORKSPACE is required when TAP_BACKEND=cloud; it is not set'],
    [{ TAP_LOCAL_STATE_PATH: '/var/state.tfstate' }, 'TAP_LOCAL_STATE_PATH must be a relative path; received "/var/state.tfstate"'],
    [{ TAP_NAME_PREFIX: 'Bad Prefix' }, 'TAP_NAME_PREFIX must give a name prefix of'],
    [{ TAP_EXISTING_VPC_ID: 'vpc-0123456789abcdef0' }, 'TAP_EXISTING_SUBNET_IDS must be'],
    [{ TAP_EXISTING_BUCKET_NAMES: 'x-bucket,x-bucket' }, 'without duplicates'],
    [{ TAP_EXTRA_INTERFACE_ENDPOINTS: 'secretsmanager,Bad Service' }, 'TAP_EXTRA_INTERFACE_ENDPOINTS must be comma-separated service names such as secretsmanager or ecr.api; received "secretsmanager,Bad Service"'],
    [{ TAP_PROCESSOR_MAX_ATTEMPTS: '0' }, 'TAP_PROCESSOR_MAX_ATTEMPTS must be an integer from 1 to 100; received "0"'],
    [{ TAP_PROCESSOR_LEASE_SECONDS: '40' }, 'TAP_PROCESSOR_LEASE_SECONDS must be greater than TAP_PROCESSOR_TIMEOUT_SECONDS (45); received "40"'],
  ])('fails with a message naming the setting for %j', (env, message) => {
    expect(configError(env as Record<string, string>)).toContain(message);
  });
});
