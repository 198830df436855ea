import { pureReference } from './expressions';
import { Block, Body, blockList, parseJsonAttribute, StackModel } from './stack';

/** A policy statement in one normal form, whether it came from a policy document data source or a JSON string. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** Principals as `<type>:<identifier>`, e.g. `AWS:*`, `Service:lambda.amazonaws.com`; `*` alone for `"Principal": "*"`. */
  readonly principals: readonly string[];
  readonly conditions: readonly { readonly test: string; readonly variable: string; readonly values: readonly string[] }[];
}

/** Where a policy's statements came from, for messages. */
export interface Policy {
  readonly statements: readonly Statement[];
  /** The data source address when the policy is a `data.aws_iam_policy_document`. */
  readonly document?: string;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * Principals are often built from `data.aws_partition` (e.g. `events.${data.aws_partition.p.dns_suffix}`);
 * the checks reason about the commercial partition, so those references read as its values.
 */
const PARTITION_VALUES: Record<string, string> = { dns_suffix: 'amazonaws.com', partition: 'aws' };
export const inCommercialPartition = (id: string): string =>
  id.replace(/\$\{data\.aws_partition\.[\w-]+\.(dns_suffix|partition)\}/g, (_, attr: string) => PARTITION_VALUES[attr]);

/**
 * Reads the policy an attribute holds: `${data.aws_iam_policy_document.X.json}` (the
 * document's statement blocks, plus its `source_policy_documents`) or a JSON string.
 * `undefined` when the value is something else (an expression that cannot be read offline).
 */
export function readPolicy(stack: StackModel, value: unknown, seen = new Set<string>()): Policy | undefined {
  const ref = typeof value === 'string' ? pureReference(value) : undefined;
  if (ref) {
    const hit = stack.target(ref);
    if (hit?.block.type !== 'aws_iam_policy_document' || hit.block.kind !== 'data' || seen.has(hit.block.address)) return undefined;
    seen.add(hit.block.address);
    return { statements: documentStatements(stack, hit.block, seen), document: hit.block.address };
  }
  const parsed = parseJsonAttribute(value) as Body | undefined;
  if (!parsed || typeof parsed !== 'object' || !('Statement' in parsed)) return undefined;
  return { statements: blockList(parsed.Statement).map(jsonStatement) };
}

function documentStatements(stack: StackModel, doc: Block, seen: Set<string>): Statement[] {
  const inherited = list(doc.body.source_policy_documents).flatMap((src) => readPolicy(stack, src, seen)?.statements ?? []);
  const own = blockList(doc.body.statement).map(
    (s): Statement => ({
      sid: s.sid,
      effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
      actions: list(s.actions),
      notActions: list(s.not_actions),
      resources: list(s.resources),
      notResources: list(s.not_resources),
      principals: [...blockList(s.principals), ...blockList(s.not_principals)].flatMap((p) => list(p.identifiers).map((id) => `${p.type}:${inCommercialPartition(id)}`)),
      conditions: blockList(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values) })),
    }),
  );
  return [...inherited, ...own];
}

function jsonStatement(s: Body): Statement {
  const principal = s.Principal ?? s.NotPrincipal;
  const principals =
    principal === undefined ? [] : typeof principal === 'string' ? [principal] : Object.entries<unknown>(principal).flatMap(([type, ids]) => list(ids).map((id) => `${type}:${inCommercialPartition(id)}`));
  const conditions = Object.entries<Record<string, unknown>>(s.Condition ?? {}).flatMap(([test, vars]) =>
    Object.entries(vars).map(([variable, values]) => ({ test, variable, values: list(values) })),
  );
  return {
    sid: s.Sid,
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    notResources: list(s.NotResource),
    principals,
    conditions,
  };
}

/** Whether an IAM action pattern (`s3:Get*`, `*`) covers an action (`s3:GetObject`); case-insensitive like IAM. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** Whether a statement allows any principal. */
export const isWildcardPrincipal = (s: Statement): boolean => s.principals.some((p) => p === '*' || p === 'AWS:*');
