import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../../src/local/synth';

/** A fresh synth of the default configuration (no TAP_* from the caller) in a temp dir: no race on cdktf.out between test files. */
export function synthesizeDefaultStack(): string {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('TAP_')) delete env[name];
  return synthesize(path.resolve(__dirname, '..', '..'), path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tap-local-synth-')), 'out'), env);
}
