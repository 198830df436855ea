/** Section 1: synthesis of the full TapStack, through the app entry and through `cdktf synth`. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../src/function-code';
import { median } from './support/stats';
import { TimedRun, timedRun } from './support/timed-process';

export interface SynthMeasurement {
  readonly command: string;
  readonly warmUps: number;
  readonly runs: readonly TimedRun[];
  readonly medianWallMs: number;
  readonly medianPeakRssMb: number;
}

const bin = (name: string): string => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);

function measure(label: string, run: (outdir: string) => TimedRun, warmUps: number, runs: number): SynthMeasurement {
  const results: TimedRun[] = [];
  for (let i = 0; i < warmUps + runs; i++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
    try {
      const result = run(outdir);
      if (!fs.existsSync(path.join(outdir, 'stacks', 'TapStack', 'cdk.tf.json'))) throw new Error(`${label} wrote no stacks/TapStack/cdk.tf.json`);
      if (i >= warmUps) results.push({ wallMs: result.wallMs, peakRssMb: result.peakRssMb });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return {
    command: label,
    warmUps,
    runs: results,
    medianWallMs: median(results.map((r) => r.wallMs)),
    medianPeakRssMb: median(results.map((r) => r.peakRssMb)),
  };
}

/** The app entry (`tsx main.ts`, what `npm run synth` runs) with its output in a temporary folder. */
export function measureAppSynth(env: NodeJS.ProcessEnv, warmUps: number, runs: number): SynthMeasurement {
  return measure('tsx main.ts', (outdir) => timedRun(bin('tsx'), ['main.ts'], { cwd: PROJECT_ROOT, env: { ...env, CDKTF_OUTDIR: outdir } }), warmUps, runs);
}

/** The cdktf CLI, which runs the app from cdktf.json (`npx tsx main.ts`). */
export function measureCdktfSynth(env: NodeJS.ProcessEnv, warmUps: number, runs: number): SynthMeasurement {
  return measure(
    'cdktf synth',
    (outdir) => timedRun(bin('cdktf'), ['synth', '--output', outdir], { cwd: PROJECT_ROOT, env: { ...env, CHECKPOINT_DISABLE: '1' } }),
    warmUps,
    runs,
  );
}

/** Start-up of tsx alone (a script that does nothing), the fixed part of every app synth: median wall, ms. */
export function measureTsxStartup(env: NodeJS.ProcessEnv, runs: number): number {
  return median(Array.from({ length: runs }, () => timedRun(bin('tsx'), ['-e', '0'], { cwd: PROJECT_ROOT, env }).wallMs));
}
