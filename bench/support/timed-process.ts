import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { performance } from 'perf_hooks';

/** GNU time reports the peak resident set of the largest process in the tree it waited for. */
const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = fs.existsSync(GNU_TIME);

export interface TimedRun {
  readonly wallMs: number;
  /** Peak RSS of the largest process of the run, MiB (NaN without GNU time). */
  readonly peakRssMb: number;
}

/** Runs a command to completion; fails with its output when it exits non-zero. */
export function timedRun(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): TimedRun & { stdout: string } {
  const [file, argv] = HAS_GNU_TIME ? [GNU_TIME, ['-f', 'bench-peak-rss-kb=%M', command, ...args]] : [command, [...args]];
  const t0 = performance.now();
  const out = spawnSync(file, argv, { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (out.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${out.status ?? out.signal}:\n${(out.stderr ?? '').slice(-2000)}`);
  }
  const kb = /bench-peak-rss-kb=(\d+)/.exec(out.stderr ?? '')?.[1];
  return { wallMs, peakRssMb: kb === undefined ? NaN : Number(kb) / 1024, stdout: out.stdout };
}
