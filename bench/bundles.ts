/** Section 2: every function's bundle, raw and zipped, and its cold initialisation in a fresh Node process. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unzipSync } from 'fflate';
import { bundleHandler, PROJECT_ROOT } from '../src/function-code';
import { median } from './support/stats';

export interface BundleMeasurement {
  readonly handler: string;
  /** index.js, bytes. */
  readonly bundleBytes: number;
  /** The deployment zip (index.js and its source map), bytes. */
  readonly zipBytes: number;
  /** Time to bundle and zip it (esbuild, in-process, first build of this process), ms: part of every synth. */
  readonly buildMs: number;
  readonly initRuns: number;
  /** Median time to require the bundle (module-level clients, logger, metrics), ms. */
  readonly initMedianMs: number;
  /** Median wall time of the whole fresh process (Node start-up included), ms. */
  readonly processMedianMs: number;
}

/** Handler folders: every folder under handlers/ with an index.ts (common/ has none). */
export const handlerNames = (): string[] =>
  fs
    .readdirSync(path.join(PROJECT_ROOT, 'handlers'))
    .filter((name) => fs.existsSync(path.join(PROJECT_ROOT, 'handlers', name, 'index.ts')))
    .sort();

export function measureBundle(handler: string, runs: number, env: NodeJS.ProcessEnv): BundleMeasurement {
  const t0 = process.hrtime.bigint();
  const bundle = bundleHandler(handler);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${handler}-`));
  try {
    for (const [name, bytes] of Object.entries(unzipSync(bundle.zip))) fs.writeFileSync(path.join(dir, name), bytes);
    const script = `const t = process.hrtime.bigint(); const m = require(${JSON.stringify(path.join(dir, 'index.js'))});
      process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, handler: typeof m.handler }));`;
    const init: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      const out = spawnSync(process.execPath, ['-e', script], { env: { PATH: env.PATH, AWS_REGION: 'us-east-1' }, encoding: 'utf8' });
      whole.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (out.status !== 0) throw new Error(`loading the ${handler} bundle failed: ${out.stderr}`);
      const parsed = JSON.parse(out.stdout) as { ms: number; handler: string };
      if (parsed.handler !== 'function') throw new Error(`the ${handler} bundle exports no handler function`);
      init.push(parsed.ms);
    }
    return { handler, bundleBytes: bundle.bundleBytes, zipBytes: bundle.zip.length, buildMs, initRuns: runs, initMedianMs: median(init), processMedianMs: median(whole) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
