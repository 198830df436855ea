/**
 * TapStack configuration: one typed object, read from environment variables and
 * validated before any construct is created, so a bad value stops synth with a
 * message that names the variable and the value received, and nothing is written.
 *
 * Every setting is declared once in {@link SETTINGS}; the README's configuration
 * table is checked against that list by a test.
 */

import { PROCESSOR_PARAMETERS, ProcessorSettings } from '../handlers/common/processor-parameters';

/** Raised for any invalid setting; main.ts prints its message on one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where Terraform keeps state. */
export type BackendConfig =
  | { readonly type: 'local'; readonly path: string }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      /** DynamoDB-free locking with a `.tflock` object (Terraform >= 1.10). */
      readonly useLockfile: true;
    }
  | {
      readonly type: 'cloud';
      readonly organization: string;
      readonly workspace: string;
      readonly hostname: string;
    };

/** Which object keys of one bucket produce tasks; both parts must match when both are set. */
export interface KeyFilter {
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface TapConfig {
  readonly project: string;
  readonly owner: string;
  readonly environment: string;
  /** Prefix of every resource name, so two environments can share one account. */
  readonly namePrefix: string;
  readonly primaryRegion: string;
  readonly replicaRegion: string;
  /** Applied through both providers' `default_tags`. */
  readonly tags: Readonly<Record<string, string>>;
  readonly ingest: {
    /** Names of the buckets the stack creates, in order. Empty means generated names. */
    readonly bucketNames: readonly string[];
    /** How many buckets the stack creates when no names are given. */
    readonly bucketCount: number;
    /** Buckets whose events are matched but which the stack does not manage. */
    readonly existingBucketNames: readonly string[];
    /**
     * Key filters applied in the event patterns, by bucket: a bucket name from either list,
     * or the 1-based number of a created bucket ("1") when names are generated.
     */
    readonly keyFilters: Readonly<Record<string, KeyFilter>>;
  };
  readonly network: {
    readonly vpcCidr: string;
    readonly azCount: number;
    /** Use this VPC instead of creating one (requires subnet IDs). */
    readonly existingVpcId?: string;
    readonly existingSubnetIds: readonly string[];
    /** Interface endpoints to add for other workloads in the VPC, by service name (e.g. `secretsmanager`). */
    readonly extraInterfaceEndpoints: readonly string[];
  };
  readonly queue: {
    readonly visibilityTimeoutSeconds: number;
    readonly retentionSeconds: number;
    readonly maxReceiveCount: number;
  };
  readonly processor: {
    readonly reservedConcurrency: number;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    /** Runtime tunables the stack writes to SSM Parameter Store. */
    readonly tunables: ProcessorTunables;
  };
  readonly logRetentionDays: number;
  readonly alarms: AlarmThresholds;
  readonly backend: BackendConfig;
}

/** Regions in the `aws` partition that offer every service this stack uses. */
export const AWS_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2',
  'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-7', 'ap-south-1', 'ap-south-2', 'ap-east-1',
  'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1',
];

/** Values CloudWatch Logs accepts for `retention_in_days`. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** The integer SSM parameters, set from TAP_PROCESSOR_* settings. */
export type ProcessorTunables = Omit<ProcessorSettings, 'taskTableName' | 'lockTableName' | 'successTopicArn' | 'failureTopicArn'>;

export const PROCESSOR_TUNABLE_DEFAULTS: ProcessorTunables = {
  leaseSeconds: 60,
  maxAttempts: 3,
  statusShards: 10,
  configCacheTtlSeconds: 300,
  taskRetentionDays: 30,
  lockWaitMaxMs: 5000,
};

/** `leaseSeconds` -> `TAP_PROCESSOR_LEASE_SECONDS`. */
export const tunableVariable = (name: keyof ProcessorTunables): string =>
  `TAP_PROCESSOR_${PROCESSOR_PARAMETERS[name].name.toUpperCase().replace(/-/g, '_')}`;

const TUNABLES = Object.keys(PROCESSOR_TUNABLE_DEFAULTS) as (keyof ProcessorTunables)[];

/** Alarm thresholds: each alarm fires when its metric is greater than the threshold. */
export interface AlarmThresholds {
  /** Visible messages on any dead-letter queue (maximum over 1 minute). */
  readonly deadLetterMessages: number;
  /** Age of the oldest message on the task queue, in seconds (maximum over 5 minutes). */
  readonly oldestMessageAgeSeconds: number;
  /** Processor invocations ending in a function error, per 5 minutes. */
  readonly processorErrors: number;
  /** Throttled processor invocations, per 5 minutes. */
  readonly processorThrottles: number;
  /** Failed deliveries to the processor's asynchronous destinations, per 5 minutes. */
  readonly destinationDeliveryFailures: number;
  /** Throttled requests on one table (all operations the processor sends), per 5 minutes. */
  readonly tableThrottledRequests: number;
  /** DynamoDB HTTP 400 errors of the whole account in the primary region, per 5 minutes. */
  readonly dynamodbUserErrors: number;
  /** Average replication latency to the replica region, in milliseconds, for 15 minutes. */
  readonly replicationLatencyMs: number;
}

interface ThresholdSpec {
  readonly variable: string;
  readonly defaultValue: number;
  readonly max: number;
  readonly description: string;
}

/** Every threshold's setting; all are integers from 0 to `max`. */
export const ALARM_THRESHOLD_SETTINGS: { readonly [K in keyof AlarmThresholds]: ThresholdSpec } = {
  deadLetterMessages: { variable: 'TAP_ALARM_DLQ_MESSAGES', defaultValue: 10, max: 100000, description: 'Alarm when a dead-letter queue holds more visible messages than this' },
  // Three receives at the 300 s visibility timeout take 900 s: a message retried as designed stays below.
  oldestMessageAgeSeconds: { variable: 'TAP_ALARM_OLDEST_MESSAGE_AGE_SECONDS', defaultValue: 1800, max: 1209600, description: 'Alarm when the oldest task message is older than this (work stalling); below TAP_QUEUE_RETENTION_SECONDS' },
  processorErrors: { variable: 'TAP_ALARM_PROCESSOR_ERRORS', defaultValue: 5, max: 100000, description: 'Alarm when more processor invocations than this fail in 5 minutes' },
  processorThrottles: { variable: 'TAP_ALARM_PROCESSOR_THROTTLES', defaultValue: 0, max: 100000, description: 'Alarm when more processor invocations than this are throttled in 5 minutes' },
  destinationDeliveryFailures: { variable: 'TAP_ALARM_DESTINATION_DELIVERY_FAILURES', defaultValue: 0, max: 100000, description: 'Alarm when more deliveries than this to the processor destinations fail in 5 minutes' },
  tableThrottledRequests: { variable: 'TAP_ALARM_TABLE_THROTTLED_REQUESTS', defaultValue: 10, max: 100000, description: 'Alarm when a table throttles more processor requests than this in 5 minutes' },
  dynamodbUserErrors: { variable: 'TAP_ALARM_DYNAMODB_USER_ERRORS', defaultValue: 10, max: 100000, description: 'Alarm when DynamoDB returns more HTTP 400 errors than this in 5 minutes (whole account, primary region)' },
  // Replication between regions of one geography typically takes 0.5-2.5 s.
  replicationLatencyMs: { variable: 'TAP_ALARM_REPLICATION_LATENCY_MS', defaultValue: 30000, max: 3600000, description: 'Alarm when the average replication latency to the replica region exceeds this for 15 minutes' },
};

const THRESHOLDS = Object.keys(ALARM_THRESHOLD_SETTINGS) as (keyof AlarmThresholds)[];

export const ALARM_THRESHOLD_DEFAULTS = Object.fromEntries(
  THRESHOLDS.map((name) => [name, ALARM_THRESHOLD_SETTINGS[name].defaultValue]),
) as unknown as AlarmThresholds;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Filter values are limited to characters S3 leaves unchanged when it URL-encodes keys in
 * its EventBridge events, so one value matches both event formats, and to no "*", so a
 * prefix and suffix can be combined into one EventBridge wildcard without escaping.
 */
const KEY_FILTER_VALUE = /^[A-Za-z0-9/._-]{1,512}$/;
const KEY_FILTER_FORM = '1-512 letters, digits, "/", ".", "_" or "-"';

/** One environment variable: its documentation and how it is read. */
export interface Setting {
  readonly variable: string;
  /** Default as written in the README; `undefined` when the setting is optional. */
  readonly defaultValue?: string;
  readonly description: string;
  /** The expected form, quoted in error messages and the README. */
  readonly valid: string;
}

const setting = (variable: string, defaultValue: string | undefined, description: string, valid: string): Setting => ({
  variable,
  defaultValue,
  description,
  valid,
});

/** Every setting, in README order. */
export const SETTINGS: readonly Setting[] = [
  setting('TAP_PROJECT', 'DistributedTaskSystem', 'Project tag and first part of the name prefix', 'letters and digits, 2-32 characters'),
  setting('TAP_OWNER', 'SiddhantRaj', 'Owner tag', '1-128 characters'),
  setting('TAP_ENVIRONMENT', 'Production', 'Environment tag and second part of the name prefix', 'letters and digits, 2-16 characters'),
  setting('TAP_NAME_PREFIX', '<project>-<environment> in kebab case', 'Prefix of every resource name', 'lowercase letters, digits and hyphens, 3-36 characters, starting with a letter'),
  setting('TAP_PRIMARY_REGION', 'us-east-1', 'Region where tasks are processed', 'an AWS region such as us-east-1'),
  setting('TAP_REPLICA_REGION', 'us-west-2', 'Region of the global-table replicas and the replica key', 'an AWS region different from TAP_PRIMARY_REGION'),
  setting('TAP_INGEST_BUCKET_COUNT', '2', 'Number of ingest buckets the stack creates (ignored when TAP_INGEST_BUCKET_NAMES is set)', 'an integer from 1 to 10'),
  setting('TAP_INGEST_BUCKET_NAMES', undefined, 'Names of the ingest buckets to create; default <prefix>-ingest-<n>-<account id>', 'comma-separated S3 bucket names'),
  setting('TAP_EXISTING_BUCKET_NAMES', undefined, 'Existing buckets whose uploads are also processed (not managed; they must send events to EventBridge)', 'comma-separated S3 bucket names'),
  setting('TAP_INGEST_KEY_PREFIXES', undefined, 'Only keys starting with this prefix produce tasks, per bucket', `comma-separated <bucket>=<prefix>, <bucket> being a configured bucket name or the number of a created bucket, <prefix> ${KEY_FILTER_FORM}`),
  setting('TAP_INGEST_KEY_SUFFIXES', undefined, 'Only keys ending with this suffix produce tasks, per bucket', `comma-separated <bucket>=<suffix>, <bucket> as in TAP_INGEST_KEY_PREFIXES, <suffix> ${KEY_FILTER_FORM}`),
  setting('TAP_VPC_CIDR', '10.40.0.0/16', 'CIDR of the VPC the stack creates', 'an IPv4 CIDR from /16 to /24'),
  setting('TAP_AZ_COUNT', '3', 'Availability Zones (one private subnet each)', 'an integer from 2 to 6'),
  setting('TAP_EXISTING_VPC_ID', undefined, 'Use this VPC instead of creating one', 'vpc-<hex>; requires TAP_EXISTING_SUBNET_IDS'),
  setting('TAP_EXISTING_SUBNET_IDS', undefined, 'Private subnets of TAP_EXISTING_VPC_ID for the functions and endpoints', 'comma-separated subnet-<hex>, in at least 2 AZs'),
  setting('TAP_EXTRA_INTERFACE_ENDPOINTS', undefined, 'Interface endpoints to add for other workloads (each costs per AZ-hour); the ones the processor needs are always created', 'comma-separated service names such as secretsmanager or ecr.api'),
  setting('TAP_QUEUE_VISIBILITY_TIMEOUT_SECONDS', '300', 'Task queue visibility timeout', 'an integer from 30 to 43200'),
  setting('TAP_QUEUE_RETENTION_SECONDS', '1209600', 'Retention of the task queue and the DLQs (14 days)', 'an integer from 60 to 1209600'),
  setting('TAP_QUEUE_MAX_RECEIVE_COUNT', '3', 'Receives before a task message moves to the DLQ', 'an integer from 1 to 1000'),
  setting('TAP_PROCESSOR_RESERVED_CONCURRENCY', '50', 'Reserved concurrency of the processor function (also the event source mapping\'s maximum concurrency)', 'an integer from 2 to 1000'),
  setting('TAP_PROCESSOR_MEMORY_MB', '512', 'Processor memory size', 'an integer from 128 to 10240'),
  setting('TAP_PROCESSOR_TIMEOUT_SECONDS', '45', 'Processor timeout', 'an integer from 1 to TAP_QUEUE_VISIBILITY_TIMEOUT_SECONDS / 6'),
  ...TUNABLES.map((name) => {
    const spec = PROCESSOR_PARAMETERS[name];
    return setting(tunableVariable(name), String(PROCESSOR_TUNABLE_DEFAULTS[name]), `${spec.description} (SSM parameter ${spec.name})`, `an integer from ${spec.min} to ${spec.max}`);
  }),
  ...THRESHOLDS.map((name) => {
    const spec = ALARM_THRESHOLD_SETTINGS[name];
    return setting(spec.variable, String(spec.defaultValue), spec.description, `an integer from 0 to ${spec.max}`);
  }),
  setting('TAP_LOG_RETENTION_DAYS', '365', 'Retention of every log group', `one of ${LOG_RETENTION_DAYS.join(', ')}`),
  setting('TAP_BACKEND', 'local', 'Terraform backend', 'local, s3 or cloud'),
  setting('TAP_LOCAL_STATE_PATH', 'terraform.TapStack.tfstate', 'State file of the local backend, relative to the stack folder', 'a relative path'),
  setting('TAP_STATE_BUCKET', undefined, 'S3 backend bucket', 'an S3 bucket name; required when TAP_BACKEND=s3'),
  setting('TAP_STATE_KEY', 'tapstack/<prefix>.tfstate', 'S3 backend object key', 'an S3 key'),
  setting('TAP_STATE_REGION', '<TAP_PRIMARY_REGION>', 'S3 backend bucket region', 'an AWS region'),
  setting('TAP_TFC_ORGANIZATION', undefined, 'Terraform Cloud / HCP Terraform organization', 'an organization name; required when TAP_BACKEND=cloud'),
  setting('TAP_TFC_WORKSPACE', undefined, 'Terraform Cloud / HCP Terraform workspace', 'a workspace name; required when TAP_BACKEND=cloud'),
  setting('TAP_TFC_HOSTNAME', 'app.terraform.io', 'Terraform Cloud / Enterprise host', 'a host name'),
];

const SETTING_BY_NAME = new Map(SETTINGS.map((s) => [s.variable, s]));

/** Reads settings from one environment, failing with the variable, the expected form and the value. */
class Reader {
  constructor(private readonly env: Env) {}

  private fail(variable: string, raw: string, valid?: string): never {
    const form = valid ?? SETTING_BY_NAME.get(variable)?.valid ?? 'a valid value';
    throw new ConfigError(`${variable} must be ${form}; received ${JSON.stringify(raw)}`);
  }

  /** The raw value, trimmed; `undefined` when unset or blank. */
  raw(variable: string): string | undefined {
    if (!SETTING_BY_NAME.has(variable)) throw new Error(`setting ${variable} is not declared in SETTINGS`);
    const value = this.env[variable]?.trim();
    return value ? value : undefined;
  }

  str(variable: string, fallback: string, pattern: RegExp): string {
    const value = this.raw(variable) ?? fallback;
    if (!pattern.test(value)) this.fail(variable, value);
    return value;
  }

  optional(variable: string, pattern: RegExp): string | undefined {
    const value = this.raw(variable);
    if (value !== undefined && !pattern.test(value)) this.fail(variable, value);
    return value;
  }

  required(variable: string, pattern: RegExp, reason: string): string {
    const value = this.raw(variable);
    if (value === undefined) {
      throw new ConfigError(`${variable} is required ${reason}; it is not set`);
    }
    if (!pattern.test(value)) this.fail(variable, value);
    return value;
  }

  int(variable: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(variable);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) this.fail(variable, raw);
    return value;
  }

  oneOf<T extends string | number>(variable: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.raw(variable);
    if (raw === undefined) return fallback;
    const found = allowed.find((a) => String(a) === raw);
    if (found === undefined) this.fail(variable, raw);
    return found;
  }

  list(variable: string, check: (item: string) => boolean): string[] {
    const raw = this.raw(variable);
    if (raw === undefined) return [];
    const items = raw.split(',').map((s) => s.trim());
    if (items.some((item) => !check(item))) this.fail(variable, raw);
    if (new Set(items).size !== items.length) this.fail(variable, raw, `${SETTING_BY_NAME.get(variable)?.valid} without duplicates`);
    return items;
  }

  region(variable: string, fallback: string): string {
    return this.oneOf(variable, fallback, AWS_REGIONS);
  }
}

const PREFIX = /^[a-z][a-z0-9-]{1,34}[a-z0-9]$/;
const TFC_NAME = /^[A-Za-z0-9_-]{1,90}$/;
const HOST = /^[a-z0-9.-]+(:\d+)?$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

/** S3 bucket naming rules (general purpose buckets). */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)
  );
}

/** An IPv4 CIDR whose address is the network address, prefix /16 to /24 (VPC limits). */
export function isValidVpcCidr(cidr: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 16 || bits > 24) return false;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return address % 2 ** (32 - bits) === 0;
}

const kebab = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/** Reads and validates the whole configuration; throws {@link ConfigError} on the first bad setting. */
export function loadConfig(env: Env = process.env): TapConfig {
  const r = new Reader(env);
  const project = r.str('TAP_PROJECT', 'DistributedTaskSystem', /^[A-Za-z][A-Za-z0-9]{1,31}$/);
  const owner = r.str('TAP_OWNER', 'SiddhantRaj', /^[\p{L}\p{N} _.:/=+@-]{1,128}$/u);
  const environment = r.str('TAP_ENVIRONMENT', 'Production', /^[A-Za-z][A-Za-z0-9]{1,15}$/);
  const derivedPrefix = `${kebab(project)}-${kebab(environment)}`;
  const namePrefix = r.raw('TAP_NAME_PREFIX') ?? derivedPrefix;
  if (!PREFIX.test(namePrefix) || namePrefix.includes('--')) {
    const variable = r.raw('TAP_NAME_PREFIX') === undefined ? 'TAP_PROJECT and TAP_ENVIRONMENT' : 'TAP_NAME_PREFIX';
    throw new ConfigError(
      `${variable} must give a name prefix of ${SETTING_BY_NAME.get('TAP_NAME_PREFIX')?.valid}; received ${JSON.stringify(namePrefix)}`,
    );
  }

  const primaryRegion = r.region('TAP_PRIMARY_REGION', 'us-east-1');
  const replicaRegion = r.region('TAP_REPLICA_REGION', 'us-west-2');
  if (primaryRegion === replicaRegion) {
    throw new ConfigError(
      `TAP_REPLICA_REGION must be an AWS region different from TAP_PRIMARY_REGION; received ${JSON.stringify(replicaRegion)} for both`,
    );
  }

  const bucketNames = r.list('TAP_INGEST_BUCKET_NAMES', isValidBucketName);
  const existingBucketNames = r.list('TAP_EXISTING_BUCKET_NAMES', isValidBucketName);
  const overlap = bucketNames.find((b) => existingBucketNames.includes(b));
  if (overlap) {
    throw new ConfigError(
      `TAP_EXISTING_BUCKET_NAMES must not repeat a bucket of TAP_INGEST_BUCKET_NAMES; received ${JSON.stringify(overlap)} in both`,
    );
  }
  const bucketCount = bucketNames.length || r.int('TAP_INGEST_BUCKET_COUNT', 2, 1, 10);
  const keyFilters = readKeyFilters(r, bucketNames.length ? [...bucketNames, ...existingBucketNames] : [
    ...Array.from({ length: bucketCount }, (_, i) => String(i + 1)),
    ...existingBucketNames,
  ]);

  const existingVpcId = r.optional('TAP_EXISTING_VPC_ID', VPC_ID);
  const existingSubnetIds = r.list('TAP_EXISTING_SUBNET_IDS', (s) => SUBNET_ID.test(s));
  if (existingVpcId && existingSubnetIds.length < 2) {
    throw new ConfigError(
      `TAP_EXISTING_SUBNET_IDS must be ${SETTING_BY_NAME.get('TAP_EXISTING_SUBNET_IDS')?.valid} when TAP_EXISTING_VPC_ID is set; received ${JSON.stringify(existingSubnetIds.join(','))}`,
    );
  }
  if (!existingVpcId && existingSubnetIds.length > 0) {
    throw new ConfigError(`TAP_EXISTING_SUBNET_IDS requires TAP_EXISTING_VPC_ID; TAP_EXISTING_VPC_ID is not set`);
  }
  const vpcCidr = r.raw('TAP_VPC_CIDR') ?? '10.40.0.0/16';
  if (!isValidVpcCidr(vpcCidr)) throw new ConfigError(`TAP_VPC_CIDR must be an IPv4 CIDR from /16 to /24 on a network boundary; received ${JSON.stringify(vpcCidr)}`);

  const visibilityTimeoutSeconds = r.int('TAP_QUEUE_VISIBILITY_TIMEOUT_SECONDS', 300, 30, 43200);
  const timeoutSeconds = r.int('TAP_PROCESSOR_TIMEOUT_SECONDS', 45, 1, 900);
  // AWS requires an SQS event source's visibility timeout to be at least six times the function timeout.
  if (timeoutSeconds * 6 > visibilityTimeoutSeconds) {
    throw new ConfigError(
      `TAP_PROCESSOR_TIMEOUT_SECONDS must be an integer from 1 to ${Math.floor(visibilityTimeoutSeconds / 6)} (TAP_QUEUE_VISIBILITY_TIMEOUT_SECONDS / 6); received "${timeoutSeconds}"`,
    );
  }

  const tunables = Object.fromEntries(
    TUNABLES.map((name) => {
      const spec = PROCESSOR_PARAMETERS[name];
      return [name, r.int(tunableVariable(name), PROCESSOR_TUNABLE_DEFAULTS[name], spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER)];
    }),
  ) as unknown as ProcessorTunables;
  // A lease shorter than an invocation would let a second worker take over a task still running.
  if (tunables.leaseSeconds <= timeoutSeconds) {
    throw new ConfigError(
      `TAP_PROCESSOR_LEASE_SECONDS must be greater than TAP_PROCESSOR_TIMEOUT_SECONDS (${timeoutSeconds}); received "${tunables.leaseSeconds}"`,
    );
  }

  const retentionSeconds = r.int('TAP_QUEUE_RETENTION_SECONDS', 1209600, 60, 1209600);
  const alarms = Object.fromEntries(
    THRESHOLDS.map((name) => {
      const spec = ALARM_THRESHOLD_SETTINGS[name];
      return [name, r.int(spec.variable, spec.defaultValue, 0, spec.max)];
    }),
  ) as unknown as AlarmThresholds;
  // SQS deletes a message at the end of its retention: an older message can never exist.
  if (alarms.oldestMessageAgeSeconds >= retentionSeconds) {
    throw new ConfigError(
      `TAP_ALARM_OLDEST_MESSAGE_AGE_SECONDS must be less than TAP_QUEUE_RETENTION_SECONDS (${retentionSeconds}); received "${alarms.oldestMessageAgeSeconds}"`,
    );
  }

  return {
    project,
    owner,
    environment,
    namePrefix,
    primaryRegion,
    replicaRegion,
    tags: { Project: project, Owner: owner, Environment: environment },
    ingest: { bucketNames, bucketCount, existingBucketNames, keyFilters },
    network: {
      vpcCidr,
      azCount: r.int('TAP_AZ_COUNT', 3, 2, 6),
      existingVpcId,
      existingSubnetIds,
      extraInterfaceEndpoints: r.list('TAP_EXTRA_INTERFACE_ENDPOINTS', (s) => /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(s)),
    },
    queue: {
      visibilityTimeoutSeconds,
      retentionSeconds,
      maxReceiveCount: r.int('TAP_QUEUE_MAX_RECEIVE_COUNT', 3, 1, 1000),
    },
    processor: {
      reservedConcurrency: r.int('TAP_PROCESSOR_RESERVED_CONCURRENCY', 50, 2, 1000),
      memoryMb: r.int('TAP_PROCESSOR_MEMORY_MB', 512, 128, 10240),
      timeoutSeconds,
      tunables,
    },
    logRetentionDays: r.oneOf('TAP_LOG_RETENTION_DAYS', 365, LOG_RETENTION_DAYS),
    alarms,
    backend: readBackend(r, namePrefix, primaryRegion),
  };
}

/** Reads the per-bucket prefix and suffix settings; `buckets` are the valid bucket references. */
function readKeyFilters(r: Reader, buckets: readonly string[]): Record<string, KeyFilter> {
  const filters: Record<string, { prefix?: string; suffix?: string }> = {};
  const read = (variable: string, part: 'prefix' | 'suffix'): void => {
    const entries = r.list(variable, (item) => {
      const eq = item.indexOf('=');
      return eq > 0 && buckets.includes(item.slice(0, eq)) && KEY_FILTER_VALUE.test(item.slice(eq + 1));
    });
    for (const item of entries) {
      const eq = item.indexOf('=');
      const bucket = item.slice(0, eq);
      if (filters[bucket]?.[part] !== undefined) {
        throw new ConfigError(`${variable} must name each bucket once; received ${JSON.stringify(bucket)} twice`);
      }
      filters[bucket] = { ...filters[bucket], [part]: item.slice(eq + 1) };
    }
  };
  read('TAP_INGEST_KEY_PREFIXES', 'prefix');
  read('TAP_INGEST_KEY_SUFFIXES', 'suffix');
  return filters;
}

function readBackend(r: Reader, namePrefix: string, primaryRegion: string): BackendConfig {
  const type = r.oneOf('TAP_BACKEND', 'local', ['local', 's3', 'cloud'] as const);
  switch (type) {
    case 'local': {
      const path = r.str('TAP_LOCAL_STATE_PATH', 'terraform.TapStack.tfstate', /^(?![/\\])(?![A-Za-z]:)[^\0]+$/);
      return { type, path };
    }
    case 's3':
      return {
        type,
        bucket: r.required('TAP_STATE_BUCKET', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'when TAP_BACKEND=s3'),
        key: r.str('TAP_STATE_KEY', `tapstack/${namePrefix}.tfstate`, /^[^/\s][^\s]{0,1023}$/),
        region: r.region('TAP_STATE_REGION', primaryRegion),
        useLockfile: true,
      };
    case 'cloud':
      return {
        type,
        organization: r.required('TAP_TFC_ORGANIZATION', TFC_NAME, 'when TAP_BACKEND=cloud'),
        workspace: r.required('TAP_TFC_WORKSPACE', TFC_NAME, 'when TAP_BACKEND=cloud'),
        hostname: r.str('TAP_TFC_HOSTNAME', 'app.terraform.io', HOST),
      };
  }
}
