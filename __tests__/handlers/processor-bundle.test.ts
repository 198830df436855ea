import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unzipSync } from 'fflate';
import { bundleHandler } from '../../src/function-code';

const MAX_ZIP_BYTES = 1024 * 1024;

test('the processor bundle stays under 1 MiB zipped and initializes in a fresh node process', () => {
  const bundle = bundleHandler('processor');
  expect(bundle.zip.length).toBeLessThan(MAX_ZIP_BYTES);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'processor-bundle-'));
  for (const [name, bytes] of Object.entries(unzipSync(bundle.zip))) fs.writeFileSync(path.join(dir, name), bytes);
  // Cold init as Lambda sees it: a new process requiring the bundle (module-level clients, logger, metrics).
  const script = `const t = process.hrtime.bigint(); const m = require(${JSON.stringify(path.join(dir, 'index.js'))});
    process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, handler: typeof m.handler }));`;
  const runs = Array.from({ length: 3 }, () => {
    const out = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' }, encoding: 'utf8' });
    expect(out.status).toBe(0);
    return JSON.parse(out.stdout) as { ms: number; handler: string };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  for (const run of runs) expect(run.handler).toBe('function');
  const initMs = runs.map((r) => r.ms).sort((a, b) => a - b)[1];
  console.log(`processor bundle: index.js ${bundle.bundleBytes} bytes, zip ${bundle.zip.length} bytes, median require ${initMs.toFixed(1)} ms`);
});
