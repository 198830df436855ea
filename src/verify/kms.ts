import { actionMatches, Policy, readPolicy } from './policy';
import { Block, StackModel } from './stack';

/** The KMS key block a key attribute (`kms_master_key_id`, `kms_key_arn`, `key_id`) refers to, through aliases. */
export function keyOf(stack: StackModel, value: unknown): Block | undefined {
  const hit = stack.target(typeof value === 'string' ? value : undefined)?.block;
  if (hit?.type === 'aws_kms_alias') return keyOf(stack, hit.body.target_key_id);
  return hit && ['aws_kms_key', 'aws_kms_replica_key'].includes(hit.type) ? hit : undefined;
}

/** The key's policy: its own `policy` argument or an `aws_kms_key_policy` for it. */
export function keyPolicy(stack: StackModel, key: Block): Policy | undefined {
  const separate = stack.referrers('aws_kms_key_policy', 'key_id', key)[0];
  return readPolicy(stack, separate?.body.policy ?? key.body.policy);
}

/** Actions of `actions` the key policy does not allow the service principal. */
export function missingServiceGrants(stack: StackModel, key: Block, service: string, actions: readonly string[]): string[] {
  const statements = keyPolicy(stack, key)?.statements ?? [];
  const allowed = statements.filter((s) => s.effect === 'Allow' && s.principals.includes(`Service:${service}`));
  return actions.filter((a) => !allowed.some((s) => s.actions.some((pattern) => actionMatches(pattern, a))));
}
