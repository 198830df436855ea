import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type TerraformValidation = { readonly status: 'passed' } | { readonly status: 'failed'; readonly output: string } | { readonly status: 'skipped'; readonly reason: string };

/** The `Error:` line of terraform's output with the start of its explanation, on one line. */
const errorSummary = (text: string): string => {
  const lines = text.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/[│╷╵]/g, '').trim());
  const at = lines.findIndex((l) => l.startsWith('Error:'));
  if (at < 0) return lines.filter(Boolean).slice(-1)[0] ?? 'no output';
  const end = lines.indexOf('', at + 2);
  const summary = `${lines[at]} (${lines.slice(at + 1, end < 0 ? undefined : end).filter(Boolean).join(' ')})`;
  return summary.length > 240 ? `${summary.slice(0, 237)}...` : summary;
};

/**
 * `terraform init -backend=false` and `terraform validate` in the stack folder, when a
 * terraform binary is on PATH and init can install the providers; otherwise says why not.
 */
export function terraformValidate(stackDir: string, timeoutMs = 120_000): TerraformValidation {
  // Provider downloads go to a temporary data dir, so checking a copy leaves no .terraform behind.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-check-tf-'));
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_DATA_DIR: dataDir };
  try {
    return validateIn(stackDir, env, timeoutMs);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function validateIn(stackDir: string, env: NodeJS.ProcessEnv, timeoutMs: number): TerraformValidation {
  const run = (args: string[]) => spawnSync('terraform', args, { cwd: stackDir, env, encoding: 'utf8', timeout: timeoutMs });
  const version = run(['version']);
  if (version.error) return { status: 'skipped', reason: 'no terraform binary on PATH' };
  const init = run(['init', '-backend=false', '-input=false', '-no-color']);
  if (init.status !== 0) return { status: 'skipped', reason: `terraform init failed: ${errorSummary(`${init.stderr}\n${init.stdout}`)}` };
  const validate = run(['validate', '-no-color']);
  return validate.status === 0 ? { status: 'passed' } : { status: 'failed', output: `${validate.stdout}\n${validate.stderr}`.trim() };
}
