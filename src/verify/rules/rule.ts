import { Block, StackModel } from '../stack';

/** The outcome of one rule on one resource. */
export interface Evaluation {
  readonly address: string;
  /** Attribute the failure concerns; empty when the whole block (or a missing satellite resource) is the problem. */
  readonly attribute: string;
  /** `undefined` when the resource passes, else why it fails. */
  readonly failure?: string;
}

export interface Rule {
  /** `CKV_AWS_*` / `CKV2_AWS_*` where checkov has the check, `TAP_*` for this project's own. */
  readonly id: string;
  readonly description: string;
  readonly evaluate: (stack: StackModel) => Evaluation[];
}

export const pass = (block: Block): Evaluation => ({ address: block.address, attribute: '' });
export const fail = (block: Block, attribute: string, failure: string): Evaluation => ({ address: block.address, attribute, failure });

/** A rule over every resource of some types: `check` returns a failure `[attribute, message]` or nothing. */
export function perResource(
  id: string,
  description: string,
  types: readonly string[],
  check: (block: Block, stack: StackModel) => readonly [string, string] | undefined,
): Rule {
  return {
    id,
    description,
    evaluate: (stack) =>
      types.flatMap((type) =>
        stack.ofType(type).map((block) => {
          const problem = check(block, stack);
          return problem ? fail(block, problem[0], problem[1]) : pass(block);
        }),
      ),
  };
}

/** Literal string value, or `undefined` for expressions and non-strings. */
export const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('${') ? v : undefined);

/** Set and not empty (`""` and `[]` count as unset). */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
