import * as fs from 'fs';
import * as path from 'path';
import { withConfigTable } from '../src/config-table';

// Rewrites the configuration table of README.md from src/config.ts.
const readme = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readme, withConfigTable(fs.readFileSync(readme, 'utf8')));
console.log('README.md configuration table updated');
