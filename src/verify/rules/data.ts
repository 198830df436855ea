import { isWildcardPrincipal, readPolicy } from '../policy';
import { blockList, isTrue } from '../stack';
import { isSet, literal, perResource, Rule } from './rule';

/** Parameter names that hold secrets and must be SecureString. */
const SECRET_NAME = /(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)/i;

export const DATA_RULES: readonly Rule[] = [
  perResource('CKV_AWS_28', 'DynamoDB tables have point-in-time recovery', ['aws_dynamodb_table'], (t) =>
    blockList(t.body.point_in_time_recovery).some((p) => isTrue(p.enabled)) ? undefined : ['point_in_time_recovery.enabled', 'point-in-time recovery is not enabled'],
  ),
  perResource('CKV_AWS_119', 'DynamoDB tables are encrypted with a customer managed KMS key', ['aws_dynamodb_table'], (t) => {
    const sse = blockList(t.body.server_side_encryption)[0];
    if (!sse || !isTrue(sse.enabled)) return ['server_side_encryption.enabled', 'table uses the AWS owned key (server_side_encryption is not enabled)'];
    return isSet(sse.kms_key_arn) ? undefined : ['server_side_encryption.kms_key_arn', 'no customer managed key (kms_key_arn is not set)'];
  }),
  perResource('CKV_AWS_271', 'DynamoDB table replicas are encrypted with a customer managed KMS key', ['aws_dynamodb_table'], (t) => {
    const i = blockList(t.body.replica).findIndex((r) => !isSet(r.kms_key_arn));
    return i < 0 ? undefined : [`replica[${i}].kms_key_arn`, 'replica has no customer managed key'];
  }),
  perResource('TAP_DDB_REPLICA', 'Every global-table replica has a key in its own region and point-in-time recovery', ['aws_dynamodb_table'], (t, stack) => {
    for (const [i, r] of blockList(t.body.replica).entries()) {
      if (!isTrue(r.point_in_time_recovery)) return [`replica[${i}].point_in_time_recovery`, 'replica has no point-in-time recovery'];
      const key = stack.target(r.kms_key_arn)?.block;
      const keyRegion = key ? stack.regionOf(key) : /^arn:[\w-]+:kms:([\w-]+):/.exec(literal(r.kms_key_arn) ?? '')?.[1];
      if (!keyRegion) return [`replica[${i}].kms_key_arn`, 'replica key is not a key of a known region'];
      if (keyRegion !== r.region_name) return [`replica[${i}].kms_key_arn`, `replica in ${r.region_name} uses a key in ${keyRegion}`];
    }
    return undefined;
  }),
  perResource('CKV_AWS_7', 'Symmetric KMS keys rotate', ['aws_kms_key'], (k) => {
    const spec = k.body.customer_master_key_spec ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT') return undefined;
    return isTrue(k.body.enable_key_rotation) ? undefined : ['enable_key_rotation', 'key rotation is not enabled'];
  }),
  perResource('CKV_AWS_33', 'KMS key policies grant nothing to a wildcard principal', ['aws_kms_key', 'aws_kms_replica_key', 'aws_kms_key_policy'], (k, stack) => {
    if (!isSet(k.body.policy)) return k.type === 'aws_kms_key_policy' ? ['policy', 'no policy'] : undefined;
    const policy = readPolicy(stack, k.body.policy);
    if (!policy) return ['policy', 'policy cannot be read offline (neither a policy document reference nor JSON)'];
    const bad = policy.statements.find((s) => s.effect === 'Allow' && isWildcardPrincipal(s));
    return bad ? ['policy', `statement ${bad.sid ?? '(no sid)'}${policy.document ? ` of ${policy.document}` : ''} allows principal "*"`] : undefined;
  }),
  perResource('CKV_AWS_337', 'SecureString parameters are encrypted with a customer managed KMS key', ['aws_ssm_parameter'], (p) => {
    if (p.body.type !== 'SecureString') return undefined;
    if (!isSet(p.body.key_id)) return ['key_id', 'SecureString uses the AWS managed key (key_id is not set)'];
    return p.body.key_id === 'alias/aws/ssm' ? ['key_id', 'SecureString uses the AWS managed key alias/aws/ssm'] : undefined;
  }),
  perResource('TAP_SSM_SECRET_TYPE', 'Parameters named like secrets are SecureString', ['aws_ssm_parameter'], (p) =>
    SECRET_NAME.test(String(p.body.name ?? '')) && p.body.type !== 'SecureString' ? ['type', `"${p.body.name}" looks secret but is ${p.body.type}`] : undefined,
  ),
  perResource('CKV_AWS_158', 'CloudWatch log groups are encrypted with a KMS key', ['aws_cloudwatch_log_group'], (g) =>
    isSet(g.body.kms_key_id) ? undefined : ['kms_key_id', 'log group is not encrypted with a KMS key'],
  ),
  perResource('CKV_AWS_338', 'CloudWatch log groups keep logs at least 1 year', ['aws_cloudwatch_log_group'], (g) => {
    const days = g.body.retention_in_days;
    // 0 or unset: never expire.
    if (days === undefined || Number(days) === 0) return undefined;
    return Number(days) >= 365 ? undefined : ['retention_in_days', `retention is ${days} days`];
  }),
];
