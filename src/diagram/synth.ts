import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { loadConfig } from '../config';
import { TapStack } from '../tap-stack';
import { Json } from './terraform';

/**
 * Synthesizes TapStack with the default configuration through an App, as `npm run synth` does, into a
 * temporary folder, and returns its cdk.tf.json. TAP_* variables are ignored so the committed picture
 * does not depend on who generated it.
 */
export function synthesizeDefaultStack(): Json {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tapstack-diagram-'));
  try {
    const app = new App({ outdir });
    new TapStack(app, 'TapStack', loadConfig({}));
    app.synth();
    return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'TapStack', 'cdk.tf.json'), 'utf8'));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
