/**
 * `npm run check [-- path/to/cdk.tf.json] [--calls handler-calls.json] [--no-terraform] [--json]`
 *
 * Without a path, synthesizes the app first (`npx tsx main.ts`) and checks
 * cdktf.out/stacks/TapStack/cdk.tf.json. The stack's folder (its `assets/`) is the file's folder.
 * Handler calls default to the processor's declared calls (handlers/common/aws-calls.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkStack, formatReport } from './index';
import { parseHandlerCalls } from './iam';
import { processorCalls } from './processor-calls';

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_STACK = path.join(ROOT, 'cdktf.out', 'stacks', 'TapStack', 'cdk.tf.json');

function fail(message: string): never {
  console.error(`check: ${message}`);
  process.exit(2);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    fail(`${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function main(argv: string[]): void {
  const args = [...argv];
  const flag = (name: string): boolean => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const value = args[i + 1];
    if (!value || value.startsWith('--')) fail(`${name} needs a value`);
    args.splice(i, 2);
    return value;
  };
  const asJson = flag('--json');
  const noTerraform = flag('--no-terraform');
  const callsFile = option('--calls');
  const unknown = args.filter((a) => a.startsWith('--'));
  if (unknown.length) fail(`unknown option ${unknown[0]}`);
  if (args.length > 1) fail(`expected at most one stack file, got ${args.length}`);

  let stackFile = args[0] ? path.resolve(args[0]) : DEFAULT_STACK;
  if (!args[0]) {
    const synth = spawnSync('npx', ['tsx', 'main.ts'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    if (synth.status !== 0) fail('synth failed (npx tsx main.ts); nothing was checked');
  } else if (fs.existsSync(stackFile) && fs.statSync(stackFile).isDirectory()) {
    stackFile = path.join(stackFile, 'cdk.tf.json');
  }
  const json = readJson(stackFile, 'stack');
  let handlerCalls;
  try {
    handlerCalls = callsFile ? parseHandlerCalls(readJson(callsFile, 'handler call list'), callsFile) : processorCalls(json as Record<string, any>);
  } catch (err) {
    fail((err as Error).message);
  }
  let report;
  try {
    report = checkStack(json as Record<string, unknown>, { assetsDir: path.dirname(stackFile), handlerCalls, terraform: !noTerraform });
  } catch (err) {
    fail(`${stackFile}: ${(err as Error).message}`);
  }
  console.log(asJson ? JSON.stringify(report, null, 2) : `${path.relative(process.cwd(), stackFile) || stackFile}\n${formatReport(report)}`);
  process.exit(report.ok ? 0 : 1);
}

main(process.argv.slice(2));
