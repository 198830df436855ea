import * as fs from 'fs';
import * as path from 'path';
import { ARCHITECTURE_SVG, defaultArchitectureSvg } from '../src/diagram';
import { PROJECT_ROOT } from '../src/function-code';

// Synthesizes the stack and redraws docs/architecture.svg from its cdk.tf.json.
async function main(): Promise<void> {
  const svg = await defaultArchitectureSvg();
  const file = path.join(PROJECT_ROOT, ARCHITECTURE_SVG);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, svg);
  console.log(`${ARCHITECTURE_SVG} written (${svg.length} bytes)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
