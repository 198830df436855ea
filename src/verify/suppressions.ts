/** A rule the stack deliberately does not meet, for the resources `address` matches (`*` wildcards). */
export interface Suppression {
  readonly rule: string;
  readonly address: string;
  readonly reason: string;
}

/** The one list of suppressions; the report prints each with its reason and what it covered. */
export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: 'CKV_AWS_272',
    address: 'aws_lambda_function.*',
    reason:
      'Code is bundled and zipped reproducibly in this repository and pinned by source_code_hash; the project has no AWS Signer profile to sign it with.',
  },
];

export function suppressionFor(list: readonly Suppression[], rule: string, address: string): Suppression | undefined {
  return list.find((s) => s.rule === rule && new RegExp(`^${s.address.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(address));
}
