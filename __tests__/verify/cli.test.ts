import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkStack, failuresOf } from '../../src/verify';
import { goodStack, HANDLER_CALLS } from './fixtures/good-stack';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

// PATH keeps node only, so terraform is normally not found; where it is, init cannot download the provider.
/** A stack folder like cdktf.out/stacks/TapStack: cdk.tf.json, its asset, and a handler call list. */
function writeStack(dir: string, edit: (json: Record<string, any>) => void = () => undefined): string {
  const zip = Buffer.from('not really a zip, but bytes with a hash');
  fs.mkdirSync(path.join(dir, 'assets', 'processor'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'assets', 'processor', 'archive.zip'), zip);
  const json = goodStack();
  json.resource.aws_lambda_function.processor.source_code_hash = createHash('sha256').update(zip).digest('base64');
  edit(json);
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify(HANDLER_CALLS));
  return path.join(dir, 'cdk.tf.json');
}

const run = (...args: string[]) => spawnSync(TSX, ['src/verify/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: path.dirname(process.execPath) } });

describe('npm run check', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-check-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the table and exits 0 for a good stack, saying why terraform was skipped', () => {
    const file = writeStack(dir);
    const out = run(file, '--calls', path.join(dir, 'calls.json'));
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/resources checked +58 resources, 12 data sources \(aws 6\.25\.0 schema\)/);
    expect(out.stdout).toMatch(/rules +44 rules: 151 passed, 0 failed, 1 suppressed/);
    expect(out.stdout).toMatch(/IAM actions +19 used \/ 19 granted over 1 functions, 0 errors/);
    expect(out.stdout).toMatch(/assets +1 checked, 0 errors/);
    expect(out.stdout).toMatch(/terraform validate +skipped: (no terraform binary on PATH|terraform init failed: Error: )/);
  });

  it('exits 1 and names the resource and attribute of each failure', () => {
    const file = writeStack(dir, (json) => delete json.resource.aws_sqs_queue.task.kms_master_key_id);
    const out = run(file);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('[CKV_AWS_27] aws_sqs_queue.task kms_master_key_id: queue is not encrypted: set kms_master_key_id');
    expect(out.stdout).toMatch(/check failed\n$/);
  });

  it('exits 2 with a clear message for a file that is not JSON', () => {
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), '{ not json');
    const out = run(path.join(dir, 'cdk.tf.json'));
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^check: stack .*cdk\.tf\.json is not valid JSON: /);
  });
});

describe('asset checks', () => {
  it('fail when the zip is missing or its hash is not source_code_hash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-assets-'));
    try {
      const json = JSON.parse(fs.readFileSync(writeStack(dir), 'utf8'));
      expect(failuresOf(checkStack(json, { assetsDir: dir, handlerCalls: HANDLER_CALLS }), 'asset')).toEqual([]);
      fs.appendFileSync(path.join(dir, 'assets', 'processor', 'archive.zip'), 'changed');
      expect(failuresOf(checkStack(json, { assetsDir: dir }), 'asset').map((f) => `${f.address} ${f.attribute}`)).toEqual(['aws_lambda_function.processor source_code_hash']);
      fs.rmSync(path.join(dir, 'assets'), { recursive: true });
      expect(failuresOf(checkStack(json, { assetsDir: dir }), 'asset').map((f) => f.message)).toEqual([`assets/processor/archive.zip does not exist in ${dir}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
