import { RESOURCE_WILDCARD_ONLY, isReadOnly } from '../iam-actions';
import { Policy, readPolicy, Statement } from '../policy';
import { Block, blockList, StackModel } from '../stack';
import { fail, pass, Rule } from './rule';

/** Identity policies (what a principal may do), with the attribute that holds each. */
export function identityPolicies(stack: StackModel): { block: Block; attribute: string; value: unknown }[] {
  const out: { block: Block; attribute: string; value: unknown }[] = [];
  for (const type of ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy']) {
    for (const block of stack.ofType(type)) out.push({ block, attribute: 'policy', value: block.body.policy });
  }
  for (const role of stack.ofType('aws_iam_role')) {
    blockList(role.body.inline_policy).forEach((p, i) => out.push({ block: role, attribute: `inline_policy[${i}].policy`, value: p.policy }));
  }
  return out;
}

/** A rule over every allowing statement of every identity policy. */
function perStatement(id: string, description: string, bad: (s: Statement) => string | undefined): Rule {
  return {
    id,
    description,
    evaluate: (stack) =>
      identityPolicies(stack).map(({ block, attribute, value }) => {
        const policy: Policy | undefined = readPolicy(stack, value);
        if (!policy) return fail(block, attribute, 'policy cannot be read offline (neither a policy document reference nor JSON)');
        for (const s of policy.statements) {
          if (s.effect !== 'Allow') continue;
          const problem = bad(s);
          if (problem) return fail(block, attribute, `statement ${s.sid ?? '(no sid)'}${policy.document ? ` of ${policy.document}` : ''}: ${problem}`);
        }
        return pass(block);
      }),
  };
}

const wildcardResource = (s: Statement): boolean => s.resources.includes('*') || s.notResources.length > 0;
const wildcardOnly = (action: string): boolean => RESOURCE_WILDCARD_ONLY.some((a) => a.toLowerCase() === action.toLowerCase());

export const IAM_RULES: readonly Rule[] = [
  perStatement('CKV_AWS_62', 'No IAM policy grants full administrative access ("*" on "*")', (s) =>
    s.actions.some((a) => a === '*' || a === '*:*') && s.resources.includes('*') ? 'allows "*" on "*"' : undefined,
  ),
  perStatement('CKV_AWS_63', 'No IAM policy allows the "*" action', (s) =>
    s.actions.some((a) => a === '*' || a === '*:*') || s.notActions.length > 0 ? 'allows action "*" (or uses NotAction)' : undefined,
  ),
  perStatement('CKV_AWS_290', 'No IAM policy allows write actions on "*" without conditions', (s) => {
    if (!wildcardResource(s) || s.conditions.length > 0) return undefined;
    const write = s.actions.find((a) => !isReadOnly(a) && !wildcardOnly(a));
    return write ? `allows write action ${write} on "*" without a condition` : undefined;
  }),
  perStatement('CKV_AWS_355', 'No IAM policy allows "*" as the resource of actions that can be scoped to resources', (s) => {
    if (!wildcardResource(s)) return undefined;
    const scoped = s.actions.find((a) => !wildcardOnly(a) || a.includes('*'));
    return scoped ? `allows ${scoped} on "*"; it can be scoped to resources` : undefined;
  }),
];
