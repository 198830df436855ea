/**
 * `npm run local [-- --chaos --seed N --uploads N --concurrency N --synth --log FILE file...]`:
 * the synthesized stack on local stand-ins (see docs/local-run.md). Exit code 1 when an
 * invariant fails, 2 on bad arguments or a run that could not complete.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runLocal } from '../src/local/run';
import { formatSummary } from '../src/local/summary';
import { ensureSynth } from '../src/local/synth';

const USAGE = 'usage: npm run local -- [--chaos] [--seed N] [--uploads N] [--concurrency N] [--synth] [--log FILE] [file ...]';

interface Args {
  chaos: boolean;
  seed: number;
  uploads: number;
  concurrency?: number;
  synth: boolean;
  log: string;
  files: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { chaos: false, seed: 1, uploads: 20, synth: false, log: path.join('.build', 'local-run.log'), files: [] };
  const integer = (flag: string, value: string | undefined, min: number): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new Error(`${flag} needs an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--chaos') args.chaos = true;
    else if (a === '--synth') args.synth = true;
    else if (a === '--seed') args.seed = integer(a, argv[++i], 0);
    else if (a === '--uploads') args.uploads = integer(a, argv[++i], 1);
    else if (a === '--concurrency') args.concurrency = integer(a, argv[++i], 1);
    else if (a === '--log') args.log = argv[++i] ?? '';
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else {
      if (!fs.existsSync(a) || !fs.statSync(a).isFile()) throw new Error(`${a} is not a file`);
      args.files.push(a);
    }
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const root = path.resolve(__dirname, '..');
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const stackDir = ensureSynth(root, args.synth, out);
  fs.mkdirSync(path.dirname(path.resolve(args.log)), { recursive: true });
  const what = args.files.length ? `${args.files.length} file(s)` : `${args.uploads} sample uploads`;
  out(`local run: ${what}, seed ${args.seed}${args.chaos ? ', CHAOS' : ''}; handler logs in ${args.log}`);
  out('time is simulated: waits for visibility timeouts and lease expiry are skipped (see the summary)');
  let lastProgress = 0;
  const report = await runLocal({
    stackDir,
    seed: args.seed,
    chaos: args.chaos,
    uploads: args.uploads,
    files: args.files,
    concurrency: args.concurrency,
    logFile: args.log,
    onProgress: (p) => {
      if (Date.now() - lastProgress < 500) return;
      lastProgress = Date.now();
      out(`  [sim ${p.simulatedSeconds.toFixed(0).padStart(5)} s] queue ${p.queued} (${p.visible} visible), invocations ${p.invocations}, killed ${p.killed}, notifications ${p.notifications}`);
    },
  });
  out('');
  out(formatSummary(report));
  return report.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`local run failed: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
