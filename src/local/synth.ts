/** Reuses `cdktf.out` when it is newer than every input of the synth, otherwise runs `tsx main.ts`. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const INPUTS = ['main.ts', 'cdktf.json', 'package-lock.json', 'src', 'handlers'];
// The local runner itself does not change what is synthesized.
const IGNORED = [path.join('src', 'local')];

function newestMtimeMs(root: string, rel: string): number {
  const full = path.join(root, rel);
  if (IGNORED.includes(rel) || !fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(full).map((name) => newestMtimeMs(root, path.join(rel, name))));
}

const stackDirOf = (outdir: string): string => path.join(outdir, 'stacks', 'TapStack');

/** Runs the app (`tsx main.ts`) writing to `outdir`; returns the stack directory. */
export function synthesize(root: string, outdir: string, env: NodeJS.ProcessEnv = process.env): string {
  const out = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['main.ts'], { cwd: root, env: { ...env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`synth failed (exit ${out.status}):\n${out.stderr || out.stdout}`);
  return stackDirOf(outdir);
}

/** Returns `cdktf.out`'s stack directory, synthesizing first when `force` or when an input is newer than the synthesized JSON. */
export function ensureSynth(root: string, force: boolean, log: (line: string) => void): string {
  const outdir = path.join(root, 'cdktf.out');
  const json = path.join(stackDirOf(outdir), 'cdk.tf.json');
  const synthesizedAt = fs.existsSync(json) ? fs.statSync(json).mtimeMs : 0;
  if (!force && synthesizedAt > Math.max(...INPUTS.map((i) => newestMtimeMs(root, i)))) {
    log(`reusing ${path.relative(root, json)} (newer than its sources; --synth forces a new one)`);
    return stackDirOf(outdir);
  }
  log('synthesizing (tsx main.ts) ...');
  return synthesize(root, outdir);
}
