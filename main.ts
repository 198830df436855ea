import { App } from 'cdktf';
import { ConfigError, loadConfig } from './src/config';
import { printSummary } from './src/summary';
import { TapStack } from './src/tap-stack';

try {
  // Validate before the App exists, so bad configuration writes nothing to cdktf.out.
  const config = loadConfig(process.env);
  const app = new App();
  new TapStack(app, 'TapStack', config);
  app.synth();
  printSummary(app.outdir, 'TapStack');
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`configuration error: ${err.message}`);
  process.exit(1);
}
