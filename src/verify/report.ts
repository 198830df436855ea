import { Finding } from './findings';
import { FunctionIam } from './iam';
import { Suppression } from './suppressions';
import { TerraformValidation } from './terraform';

export interface RuleSummary {
  readonly id: string;
  readonly description: string;
  readonly passed: number;
  readonly failed: number;
  readonly suppressed: number;
}

export interface SuppressedResult {
  readonly rule: string;
  readonly address: string;
  readonly attribute: string;
  readonly reason: string;
}

export interface Report {
  /** No failure of any kind. */
  readonly ok: boolean;
  readonly durationMs: number;
  readonly providerVersion: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly referencesResolved: number;
  readonly assetsChecked: number;
  readonly rules: readonly RuleSummary[];
  readonly suppressed: readonly SuppressedResult[];
  /** Suppressions that matched no failure in this stack (kept, but worth a look). */
  readonly unusedSuppressions: readonly Suppression[];
  readonly iam: readonly FunctionIam[];
  /** Every failure, grouped by `check`: `schema`, `reference`, `asset`, `iam`, `terraform` or a rule ID. */
  readonly failures: readonly Finding[];
  readonly terraform?: TerraformValidation;
}

const RULE = /^(CKV2?_AWS_|TAP_)/;

/** Failures of one kind of check (`schema`, `reference`, ...) or of the rules (`rules`). */
export function failuresOf(report: Report, check: string): Finding[] {
  return report.failures.filter((f) => (check === 'rules' ? RULE.test(f.check) : f.check === check));
}

/** The short table `npm run check` prints, then one line per failure and per suppression. */
export function formatReport(report: Report): string {
  const sum = (k: 'passed' | 'failed' | 'suppressed'): number => report.rules.reduce((n, r) => n + r[k], 0);
  const used = report.iam.reduce((n, f) => n + f.used, 0);
  const granted = report.iam.reduce((n, f) => n + f.granted, 0);
  const tf = report.terraform;
  const rows: [string, string][] = [
    ['resources checked', `${report.resources} resources, ${report.dataSources} data sources (aws ${report.providerVersion} schema)`],
    ['references resolved', `${report.referencesResolved}, ${failuresOf(report, 'reference').length} errors`],
    ['schema errors', String(failuresOf(report, 'schema').length)],
    ['rules', `${report.rules.length} rules: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('suppressed')} suppressed`],
    ['IAM actions', `${used} used / ${granted} granted over ${report.iam.length} functions, ${failuresOf(report, 'iam').length} errors`],
    ['assets', `${report.assetsChecked} checked, ${failuresOf(report, 'asset').length} errors`],
    ['terraform validate', !tf ? 'not run' : tf.status === 'skipped' ? `skipped: ${tf.reason}` : tf.status],
    ['time', `${report.durationMs} ms`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const f of report.iam.filter((x) => !x.callsKnown)) {
    lines.push(`note: no handler call list for ${f.function}: unused grants on its role were not judged`);
  }
  if (report.suppressed.length) {
    lines.push('', 'Suppressed:');
    for (const s of report.suppressed) lines.push(`  ${s.rule}  ${s.address}${s.attribute ? ` ${s.attribute}` : ''}: ${s.reason}`);
  }
  for (const s of report.unusedSuppressions) lines.push(`note: suppression of ${s.rule} for ${s.address} matched nothing in this stack`);
  if (report.failures.length) {
    lines.push('', `FAILED (${report.failures.length}):`);
    for (const f of report.failures) lines.push(`  [${f.check}] ${f.address}${f.attribute ? ` ${f.attribute}` : ''}: ${f.message}`);
  }
  if (tf?.status === 'failed') lines.push('', tf.output);
  lines.push('', report.ok ? 'OK' : 'check failed');
  return lines.join('\n');
}
