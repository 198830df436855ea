import { Block, blockList, StackModel } from '../stack';
import { fail, pass, Rule } from './rule';
import { readPolicy } from '../policy';

/** Satellite resources of a bucket (`aws_s3_bucket_versioning`, ...) refer to it by `bucket`. */
const satellites = (stack: StackModel, type: string, bucket: Block): Block[] => stack.referrers(type, 'bucket', bucket);

/** A rule over every bucket, judged by its satellite resources of one type. */
function perBucket(id: string, description: string, type: string, ok: (satellite: Block, stack: StackModel) => boolean, missing: string): Rule {
  return {
    id,
    description,
    evaluate: (stack) =>
      stack.ofType('aws_s3_bucket').map((bucket) => {
        const found = satellites(stack, type, bucket);
        if (found.length === 0) return fail(bucket, '', `no ${type} refers to this bucket`);
        const bad = found.find((s) => !ok(s, stack));
        return bad ? fail(bucket, '', `${bad.address}: ${missing}`) : pass(bucket);
      }),
  };
}

const publicAccessFlag = (id: string, flag: string): Rule =>
  perBucket(id, `S3 public access block sets ${flag}`, 'aws_s3_bucket_public_access_block', (pab) => pab.body[flag] === true || pab.body[flag] === 'true', `${flag} is not true`);

export const S3_RULES: readonly Rule[] = [
  publicAccessFlag('CKV_AWS_53', 'block_public_acls'),
  publicAccessFlag('CKV_AWS_54', 'block_public_policy'),
  publicAccessFlag('CKV_AWS_55', 'ignore_public_acls'),
  publicAccessFlag('CKV_AWS_56', 'restrict_public_buckets'),
  perBucket('CKV_AWS_21', 'S3 buckets have versioning enabled', 'aws_s3_bucket_versioning', (v) => blockList(v.body.versioning_configuration).some((c) => c.status === 'Enabled'), 'versioning_configuration.status is not Enabled'),
  perBucket(
    'CKV_AWS_145',
    'S3 buckets are encrypted with KMS by default',
    'aws_s3_bucket_server_side_encryption_configuration',
    (c) =>
      blockList(c.body.rule).some((r) =>
        blockList(r.apply_server_side_encryption_by_default).some((d) => String(d.sse_algorithm).startsWith('aws:kms') && d.kms_master_key_id !== undefined),
      ),
    'no rule with sse_algorithm aws:kms and a kms_master_key_id',
  ),
  perBucket(
    'CKV_AWS_379',
    'S3 bucket policies deny requests without TLS',
    'aws_s3_bucket_policy',
    (p, stack) =>
      readPolicy(stack, p.body.policy)?.statements.some(
        (s) =>
          s.effect === 'Deny' &&
          s.actions.some((a) => a === 's3:*' || a === '*') &&
          s.conditions.some((c) => c.test === 'Bool' && c.variable === 'aws:SecureTransport' && c.values.includes('false')),
      ) ?? false,
    'policy has no Deny of s3:* on aws:SecureTransport = false',
  ),
  perBucket('CKV2_AWS_65', 'S3 buckets disable ACLs (object ownership BucketOwnerEnforced)', 'aws_s3_bucket_ownership_controls', (o) => blockList(o.body.rule).some((r) => r.object_ownership === 'BucketOwnerEnforced'), 'object_ownership is not BucketOwnerEnforced'),
  perBucket(
    'CKV_AWS_300',
    'S3 lifecycle configurations abort incomplete multipart uploads',
    'aws_s3_bucket_lifecycle_configuration',
    (l) => blockList(l.body.rule).some((r) => r.status === 'Enabled' && blockList(r.abort_incomplete_multipart_upload).some((a) => a.days_after_initiation !== undefined)),
    'no enabled rule with abort_incomplete_multipart_upload.days_after_initiation',
  ),
];
