import { Json, parseJsonAttribute, TfResource, valuesAt } from './terraform';

/** The boxes of the picture: what part of the system a resource serves. */
export const CONCERNS = ['ingest', 'queueing', 'compute', 'data', 'notification', 'observability', 'network', 'encryption'] as const;
export type Concern = (typeof CONCERNS)[number];

/** A resource drawn as a node of its own. */
export interface NodeKind {
  readonly draw: 'node';
  readonly concern: Concern;
  /** What it is, for the first line of the node (`SQS queue`). */
  readonly title: string;
  /** Dotted path of the attribute holding the resource's name, shown on the second line. */
  readonly nameAttr?: string;
  /** Type of a folded resource whose `name` names this one better (a key's alias). */
  readonly nameFromSatellite?: string;
  /** Short facts worth seeing at a glance, from the resource and the ones folded into it. */
  readonly detail?: (block: Json, folded: readonly TfResource[]) => string | undefined;
}

/** Resources counted in one node per region (`10 SSM parameters`) instead of drawn one by one. */
export interface SummaryKind {
  readonly draw: 'summary';
  readonly concern: Concern;
  /** Resource types sharing a summary node use the same group. */
  readonly group: string;
  readonly singular: string;
  readonly plural: string;
  /** `shorten` cuts the shared name prefix out of a name. */
  readonly detail?: (blocks: Json[], shorten: (name: string) => string) => string | undefined;
}

/**
 * Resources folded into the node they belong to (policies, rule targets, bucket settings, subnets):
 * the owner is what `parentAttrs` references or, without them, the first resource that uses this one.
 * Those that belong to nothing drawn are counted in one node per type and region.
 */
export interface SatelliteKind {
  readonly draw: 'satellite';
  readonly concern: Concern;
  readonly title: string;
  readonly parentAttrs?: readonly string[];
}

export type Kind = NodeKind | SummaryKind | SatelliteKind;

const seconds = (value: unknown): string => {
  const s = Number(value);
  return s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${s} s`;
};

/** Facts of a node, `·`-separated; falsy entries are facts that do not apply. */
function facts(values: unknown[]): string | undefined {
  return values.filter((v) => typeof v === 'string' && v).join(' · ') || undefined;
}

const ALARMS: SummaryKind = {
  draw: 'summary',
  concern: 'observability',
  group: 'alarms',
  singular: 'CloudWatch alarm',
  plural: 'CloudWatch alarms',
  detail: (blocks, shorten) => facts(blocks.map((b) => b.alarm_name && shorten(String(b.alarm_name))).sort()),
};

const KINDS: Record<string, Kind> = {
  aws_s3_bucket: {
    draw: 'node',
    concern: 'ingest',
    title: 'S3 bucket',
    nameAttr: 'bucket',
    detail: (_, folded) =>
      facts([
        folded.some((f) => f.type === 'aws_s3_bucket_versioning' && f.block.versioning_configuration?.status === 'Enabled') && 'versioned',
        folded.some((f) => f.type === 'aws_s3_bucket_notification' && f.block.eventbridge === true) && 'events to EventBridge',
      ]),
  },
  aws_cloudwatch_event_rule: {
    draw: 'node',
    concern: 'ingest',
    title: 'EventBridge rule',
    nameAttr: 'name',
    detail: (b) => facts(valuesAt({ p: parseJsonAttribute(b.event_pattern) }, 'p.detail-type')),
  },
  aws_cloudwatch_event_target: { draw: 'satellite', concern: 'ingest', title: 'EventBridge target', parentAttrs: ['rule'] },
  aws_sqs_queue: {
    draw: 'node',
    concern: 'queueing',
    title: 'SQS queue',
    nameAttr: 'name',
    detail: (b) =>
      facts([b.visibility_timeout_seconds && `visibility ${seconds(b.visibility_timeout_seconds)}`, b.message_retention_seconds && `retention ${seconds(b.message_retention_seconds)}`]),
  },
  aws_sqs_queue_policy: { draw: 'satellite', concern: 'queueing', title: 'SQS queue policy', parentAttrs: ['queue_url'] },
  aws_sqs_queue_redrive_allow_policy: { draw: 'satellite', concern: 'queueing', title: 'SQS redrive allow policy', parentAttrs: ['queue_url'] },
  aws_sqs_queue_redrive_policy: { draw: 'satellite', concern: 'queueing', title: 'SQS redrive policy', parentAttrs: ['queue_url'] },
  aws_lambda_function: {
    draw: 'node',
    concern: 'compute',
    title: 'Lambda function',
    nameAttr: 'function_name',
    detail: (b) =>
      facts([
        b.runtime,
        ...(b.architectures ?? []),
        b.memory_size && `${b.memory_size} MB`,
        b.reserved_concurrent_executions !== undefined && `${b.reserved_concurrent_executions} reserved`,
      ]),
  },
  aws_lambda_event_source_mapping: { draw: 'satellite', concern: 'compute', title: 'Lambda event source mapping', parentAttrs: ['function_name'] },
  aws_lambda_function_event_invoke_config: { draw: 'satellite', concern: 'compute', title: 'Lambda event invoke config', parentAttrs: ['function_name'] },
  aws_lambda_permission: { draw: 'satellite', concern: 'compute', title: 'Lambda permission', parentAttrs: ['function_name'] },
  aws_iam_role: { draw: 'satellite', concern: 'compute', title: 'IAM role' },
  aws_iam_role_policy: { draw: 'satellite', concern: 'compute', title: 'IAM role policy', parentAttrs: ['role'] },
  aws_iam_role_policy_attachment: { draw: 'satellite', concern: 'compute', title: 'IAM policy attachment', parentAttrs: ['role'] },
  aws_iam_policy: { draw: 'satellite', concern: 'compute', title: 'IAM policy' },
  aws_ssm_parameter: {
    draw: 'summary',
    concern: 'compute',
    group: 'ssm-parameters',
    singular: 'SSM parameter',
    plural: 'SSM parameters',
    detail: (blocks) => commonPathPrefix(blocks.map((b) => String(b.name ?? ''))),
  },
  aws_dynamodb_table: {
    draw: 'node',
    concern: 'data',
    title: 'DynamoDB table',
    nameAttr: 'name',
    detail: (b) => facts([b.hash_key && `key ${b.hash_key}`, b.ttl?.enabled && b.ttl.attribute_name && `TTL ${b.ttl.attribute_name}`]),
  },
  aws_sns_topic: { draw: 'node', concern: 'notification', title: 'SNS topic', nameAttr: 'name' },
  aws_sns_topic_policy: { draw: 'satellite', concern: 'notification', title: 'SNS topic policy', parentAttrs: ['arn'] },
  aws_sns_topic_subscription: { draw: 'satellite', concern: 'notification', title: 'SNS subscription', parentAttrs: ['topic_arn'] },
  aws_cloudwatch_metric_alarm: ALARMS,
  aws_cloudwatch_composite_alarm: ALARMS,
  aws_cloudwatch_dashboard: { draw: 'node', concern: 'observability', title: 'CloudWatch dashboard', nameAttr: 'dashboard_name' },
  aws_cloudwatch_log_group: { draw: 'satellite', concern: 'observability', title: 'CloudWatch log group' },
  aws_cloudwatch_log_metric_filter: { draw: 'satellite', concern: 'observability', title: 'Log metric filter', parentAttrs: ['log_group_name'] },
  aws_dynamodb_contributor_insights: {
    draw: 'summary',
    concern: 'observability',
    group: 'contributor-insights',
    singular: 'Contributor Insights rule',
    plural: 'Contributor Insights rules',
  },
  aws_vpc: {
    draw: 'node',
    concern: 'network',
    title: 'VPC',
    nameAttr: 'tags.Name',
    detail: (b, folded) => {
      const count = (type: string, noun: string) => {
        const n = folded.filter((f) => f.type === type).length;
        return n > 0 && `${n} ${noun}${n === 1 ? '' : 's'}`;
      };
      return facts([b.cidr_block, count('aws_subnet', 'subnet'), count('aws_security_group', 'security group'), folded.some((f) => f.type === 'aws_flow_log') && 'flow logs']);
    },
  },
  aws_subnet: { draw: 'satellite', concern: 'network', title: 'Subnet', parentAttrs: ['vpc_id'] },
  aws_route_table: { draw: 'satellite', concern: 'network', title: 'Route table', parentAttrs: ['vpc_id'] },
  aws_route_table_association: { draw: 'satellite', concern: 'network', title: 'Route table association', parentAttrs: ['route_table_id'] },
  aws_security_group: { draw: 'satellite', concern: 'network', title: 'Security group', parentAttrs: ['vpc_id'] },
  aws_default_security_group: { draw: 'satellite', concern: 'network', title: 'Default security group', parentAttrs: ['vpc_id'] },
  aws_vpc_security_group_ingress_rule: { draw: 'satellite', concern: 'network', title: 'Security group rule', parentAttrs: ['security_group_id'] },
  aws_vpc_security_group_egress_rule: { draw: 'satellite', concern: 'network', title: 'Security group rule', parentAttrs: ['security_group_id'] },
  aws_flow_log: { draw: 'satellite', concern: 'network', title: 'VPC flow log', parentAttrs: ['vpc_id'] },
  aws_vpc_endpoint: {
    draw: 'summary',
    concern: 'network',
    group: 'vpc-endpoints',
    singular: 'VPC endpoint',
    plural: 'VPC endpoints',
    detail: (blocks) => facts([...new Set(blocks.map((b) => String(b.service_name ?? '').split('.').pop()))].sort()),
  },
  aws_kms_key: { draw: 'node', concern: 'encryption', title: 'KMS key', nameFromSatellite: 'aws_kms_alias' },
  aws_kms_replica_key: { draw: 'node', concern: 'encryption', title: 'KMS replica key', nameFromSatellite: 'aws_kms_alias' },
  aws_kms_alias: { draw: 'satellite', concern: 'encryption', title: 'KMS alias', parentAttrs: ['target_key_id'] },
};

/** Concern of a resource type nobody listed yet, by its service. */
const SERVICE_CONCERNS: [RegExp, Concern][] = [
  [/^aws_(s3|cloudtrail)(_|$)/, 'ingest'],
  [/^aws_cloudwatch_event_/, 'ingest'],
  [/^aws_(sqs|pipes)_/, 'queueing'],
  [/^aws_(lambda|iam|ssm|sfn)_/, 'compute'],
  [/^aws_dynamodb_/, 'data'],
  [/^aws_(sns|ses)_/, 'notification'],
  [/^aws_(cloudwatch|xray)_/, 'observability'],
  [/^aws_(vpc|subnet|route|security_group|network|nat|internet|eip|default)/, 'network'],
  [/^aws_kms_/, 'encryption'],
];

/** How a resource type is drawn. Types nobody listed are drawn as nodes, so a new resource never silently disappears. */
export function kindOf(type: string): Kind {
  const known = KINDS[type];
  if (known) return known;
  if (/^aws_s3_bucket_/.test(type)) return { draw: 'satellite', concern: 'ingest', title: 'S3 bucket setting', parentAttrs: ['bucket'] };
  const concern = SERVICE_CONCERNS.find(([re]) => re.test(type))?.[1] ?? 'compute';
  return { draw: 'node', concern, title: type.replace(/^aws_/, '').replace(/_/g, ' '), nameAttr: 'name' };
}

/** Longest `/`-ended prefix shared by parameter names (`/app/processor/`). */
function commonPathPrefix(names: string[]): string | undefined {
  if (!names.length) return undefined;
  let prefix = names[0];
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf('/');
  return cut > 0 ? `${prefix.slice(0, cut + 1)}*` : undefined;
}
