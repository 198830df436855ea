/**
 * Offline verification of a synthesized stack (`cdk.tf.json`): what `terraform validate`,
 * a policy scanner and a first deploy would catch, without a Terraform provider or an AWS account.
 *
 *   const report = checkStack(JSON.parse(text), { assetsDir, handlerCalls });
 *   if (!report.ok) console.error(formatReport(report));
 *
 * Checks: provider-schema conformance (schema.ts), reference integrity, cycles and regions
 * (references.ts), security and reliability rules with suppressions (rules/, suppressions.ts),
 * IAM against what the handlers call (iam.ts), asset files and hashes (assets.ts), and
 * optionally `terraform validate` (terraform.ts).
 */
import { checkAssets } from './assets';
import { Finding, finding } from './findings';
import { checkIam, HandlerCalls } from './iam';
import { checkReferences } from './references';
import { Report, RuleSummary, SuppressedResult } from './report';
import { RULES, Rule } from './rules';
import { checkSchema, loadSchema } from './schema';
import { ProviderSchema } from './schema-types';
import { StackJson, StackModel } from './stack';
import { Suppression, SUPPRESSIONS, suppressionFor } from './suppressions';
import { terraformValidate } from './terraform';

export interface CheckOptions {
  /** Folder of the stack (where `cdk.tf.json` and its `assets/` are): enables the asset checks. */
  readonly assetsDir?: string;
  /** AWS calls per function (see `HandlerCalls`); without it, unused grants are not judged. */
  readonly handlerCalls?: HandlerCalls;
  /** Defaults to {@link SUPPRESSIONS}. */
  readonly suppressions?: readonly Suppression[];
  /** Defaults to {@link RULES}. */
  readonly rules?: readonly Rule[];
  /** Defaults to the committed schema. */
  readonly schema?: ProviderSchema;
  /** Run `terraform init -backend=false && terraform validate` in `assetsDir` (slow; the CLI does). */
  readonly terraform?: boolean;
}

/** Checks a synthesized stack offline: schema, references, rules, IAM against behaviour, assets. */
export function checkStack(json: StackJson, options: CheckOptions = {}): Report {
  const started = performance.now();
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('the stack must be a JSON object (a parsed cdk.tf.json)');
  const schema = options.schema ?? loadSchema();
  const stack = new StackModel(json);
  const failures: Finding[] = [];

  failures.push(...checkSchema(stack, schema));
  const refs = checkReferences(stack, schema);
  failures.push(...refs.findings);

  const rules: RuleSummary[] = [];
  const suppressed: SuppressedResult[] = [];
  const suppressions = options.suppressions ?? SUPPRESSIONS;
  for (const rule of options.rules ?? RULES) {
    let passed = 0;
    let failed = 0;
    let muted = 0;
    for (const e of rule.evaluate(stack)) {
      if (!e.failure) {
        passed++;
        continue;
      }
      const s = suppressionFor(suppressions, rule.id, e.address);
      if (s) {
        muted++;
        suppressed.push({ rule: rule.id, address: e.address, attribute: e.attribute, reason: s.reason });
      } else {
        failed++;
        failures.push(finding(rule.id, e.address, e.attribute, e.failure));
      }
    }
    rules.push({ id: rule.id, description: rule.description, passed, failed, suppressed: muted });
  }

  const iam = checkIam(stack, options.handlerCalls);
  failures.push(...iam.findings);

  let assetsChecked = 0;
  if (options.assetsDir) {
    const assets = checkAssets(stack, options.assetsDir);
    assetsChecked = assets.checked;
    failures.push(...assets.findings);
  }
  const terraform = options.terraform && options.assetsDir ? terraformValidate(options.assetsDir) : undefined;
  if (terraform?.status === 'failed') failures.push(finding('terraform', 'stack', '', 'terraform validate failed'));

  return {
    ok: failures.length === 0,
    durationMs: Math.round(performance.now() - started),
    providerVersion: schema.providerVersion,
    resources: stack.resources.length,
    dataSources: stack.blocks.length - stack.resources.length,
    referencesResolved: refs.resolved,
    assetsChecked,
    rules,
    suppressed,
    unusedSuppressions: suppressions.filter((s) => !suppressed.some((x) => x.reason === s.reason && x.rule === s.rule)),
    iam: iam.functions,
    failures,
    terraform,
  };
}

export type { CallTarget, HandlerCall, HandlerCalls } from './iam';
export { parseHandlerCalls } from './iam';
export type { Finding } from './findings';
export type { Report } from './report';
export { formatReport, failuresOf } from './report';
export { RULES } from './rules';
export { SUPPRESSIONS } from './suppressions';
