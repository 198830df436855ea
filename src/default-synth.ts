import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { loadConfig } from './config';
import { TapStack } from './tap-stack';

export interface DefaultSynth {
  /** `stacks/TapStack` of the output: `cdk.tf.json` and its `assets/`. */
  readonly stackDir: string;
  readonly json: Record<string, any>;
  /** Deletes the output folder. */
  remove(): void;
}

/**
 * Synthesizes TapStack with the default configuration through an App, as `npm run synth` does,
 * into a fresh temporary folder. TAP_* variables are ignored, so the result does not depend on
 * who runs it, and parallel callers never race on cdktf.out.
 */
export function synthDefaultStack(): DefaultSynth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapstack-'));
  const app = new App({ outdir });
  new TapStack(app, 'TapStack', loadConfig({}));
  app.synth();
  const stackDir = path.join(outdir, 'stacks', 'TapStack');
  return {
    stackDir,
    json: JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')),
    remove: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}
