/** One problem found in a stack, pinned to the resource address and attribute it concerns. */
export interface Finding {
  /** Check family: `reference`, `schema`, `terraform`, `iam` or a rule ID. */
  readonly check: string;
  /** `aws_sqs_queue.task`, `data.aws_iam_policy_document.x`, `provider.aws.primary` or `stack`. */
  readonly address: string;
  /** Attribute path inside the block (`replica[0].kms_key_arn`); empty for the whole block. */
  readonly attribute: string;
  readonly message: string;
}

export const finding = (check: string, address: string, attribute: string, message: string): Finding => ({
  check,
  address,
  attribute,
  message,
});
