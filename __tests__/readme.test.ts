import * as fs from 'fs';
import * as path from 'path';
import { SETTINGS } from '../src/config';
import { configTable, withConfigTable } from '../src/config-table';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  test('its configuration table is the one generated from src/config.ts (npm run docs:config)', () => {
    expect(withConfigTable(readme)).toBe(readme);
    for (const s of SETTINGS) expect(configTable()).toContain(`\`${s.variable}\``);
  });

  test('shows the set-up commands of a fresh clone', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
  });
});
