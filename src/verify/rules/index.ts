import { COMPUTE_RULES } from './compute';
import { DATA_RULES } from './data';
import { IAM_RULES } from './iam';
import { KMS_RULES } from './kms';
import { MESSAGING_RULES } from './messaging';
import { NETWORK_RULES } from './network';
import { PROVIDER_RULES } from './provider';
import { Rule } from './rule';
import { S3_RULES } from './s3';

/** Every rule, in report order. */
export const RULES: readonly Rule[] = [
  ...PROVIDER_RULES,
  ...MESSAGING_RULES,
  ...DATA_RULES,
  ...KMS_RULES,
  ...COMPUTE_RULES,
  ...S3_RULES,
  ...IAM_RULES,
  ...NETWORK_RULES,
];

export type { Evaluation, Rule } from './rule';
