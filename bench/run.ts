/**
 * `npm run bench` (full: the numbers of docs/BENCHMARKS.md) and `npm run bench -- --quick`
 * (seconds; what __tests__/bench.test.ts runs so the benchmark cannot rot).
 *
 * Options: --quick, --out <file.md> (default docs/BENCHMARKS.md in full mode, none in quick mode),
 * --json <file> (the whole report as JSON).
 */
import { execSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { loadConfig } from '../src/config';
import { PROJECT_ROOT } from '../src/function-code';
import { KMS_DATA_KEY_REUSE_SECONDS } from '../src/queues';
import { BundleMeasurement, handlerNames, measureBundle } from './bundles';
import { CostAssumptions, costModel, DEFAULT_ASSUMPTIONS } from './cost';
import type { ProcessorBenchResult } from './processor-bench';
import { BenchReport, Machine, ratios, renderMarkdown } from './report';
import { targets } from './targets';
import { startDynaliteServer } from './support/dynalite-server';
import { measureAppSynth, measureCdktfSynth, measureTsxStartup } from './synth';

interface Options {
  readonly quick: boolean;
  readonly out?: string;
  readonly json?: string;
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let out: string | undefined;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--out' || arg === '--json') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) throw new Error(`${arg} needs a file path`);
      if (arg === '--out') out = value;
      else json = value;
    } else throw new Error(`unknown option ${JSON.stringify(arg)}; use --quick, --out <file.md>, --json <file>`);
  }
  return { quick, out: out ?? (quick ? undefined : path.join(PROJECT_ROOT, 'docs', 'BENCHMARKS.md')), json };
}

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const uptime = (): string => {
  try {
    return execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
};

function measureTestSuite(env: NodeJS.ProcessEnv): { wallMs: number; summary: string } {
  const t0 = performance.now();
  const out = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'jest'), [], { cwd: PROJECT_ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const text = `${out.stdout}\n${out.stderr}`;
  const line = (label: string) => new RegExp(`^${label}:\\s+(.*)$`, 'm').exec(text)?.[1]?.trim();
  const summary = [`suites ${line('Test Suites') ?? '?'}`, `tests ${line('Tests') ?? '?'}`, `exit ${out.status ?? out.signal}`].join('; ');
  return { wallMs, summary };
}

async function processorSection(quick: boolean, childEnv: NodeJS.ProcessEnv): Promise<ProcessorBenchResult> {
  const config = loadConfig(childEnv);
  const server = await startDynaliteServer();
  try {
    // The handler's clients and logger read these when their modules load: set them, then load the designs.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      TAP_CONFIG_PATH: '/bench/project/',
      POWERTOOLS_SERVICE_NAME: 'processor',
      POWERTOOLS_METRICS_NAMESPACE: 'TapStack/Bench',
    });
    const { runProcessorBench } = await import('./processor-bench');
    return await runProcessorBench(
      server,
      {
        tasks: quick ? 40 : 1000,
        batchSize: 10,
        concurrency: 8,
        duplicateRatio: 0.1,
        hotObjects: 4,
        maxReceiveCount: config.queue.maxReceiveCount,
        redeliveryDelayMs: 200,
        invocationTimeoutMs: config.processor.timeoutSeconds * 1000,
        repetitions: quick ? 1 : 3,
        soloBatches: quick ? 3 : 20,
        fakeLatencyMs: 5,
        tunables: config.processor.tunables,
      },
      progress,
    );
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const childEnv = { ...process.env };
  const uptimeBefore = uptime();
  const config = loadConfig(childEnv);
  const synthRuns = options.quick ? { warmUps: 0, runs: 1 } : { warmUps: 1, runs: 5 };

  progress(`bench (${options.quick ? 'quick' : 'full'}): 1. synthesis`);
  const app = measureAppSynth(childEnv, synthRuns.warmUps, synthRuns.runs);
  const cdktf = options.quick ? null : measureCdktfSynth(childEnv, synthRuns.warmUps, synthRuns.runs);
  const tsxStartupMs = measureTsxStartup(childEnv, options.quick ? 1 : 5);

  progress('2. bundles');
  const bundles: BundleMeasurement[] = handlerNames().map((name) => measureBundle(name, options.quick ? 3 : 10, childEnv));

  progress('3. processor against dynalite');
  const processor = await processorSection(options.quick, childEnv);

  progress('4. cost model');
  const costAssumptions: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, memoryMb: config.processor.memoryMb, sqsDataKeyReuseSeconds: KMS_DATA_KEY_REUSE_SECONDS };
  const costs = processor.designs.flatMap((d) => {
    const happy = processor.scenarios.find((s) => s.design === d.id && s.scenario === 'happy');
    const solo = processor.solo.find((s) => s.design === d.id);
    if (!happy || !solo) return [];
    // Every design publishes only to its success topic on the happy path.
    const topicsPublished = Object.keys(happy.operations).some((op) => op.startsWith('sns:')) ? 1 : 0;
    return [costModel({ design: d.id, happy, invocationMs: solo.invocationMeanMs, indexWritesPerTask: solo.indexWritesPerTask, topicsPublished }, costAssumptions)];
  });

  let testSuite: BenchReport['testSuite'] = null;
  if (!options.quick) {
    progress('5. test suite (npx jest, one run)');
    testSuite = measureTestSuite(childEnv);
  }

  const machine: Machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    uptimeBefore,
    uptimeAfter: uptime(),
  };
  const partial = {
    mode: options.quick ? ('quick' as const) : ('full' as const),
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    synth: { app, cdktf, tsxStartupMs },
    bundles,
    processor,
    costAssumptions,
    costs,
    ratios: ratios(processor.scenarios),
    testSuite,
  };
  const report: BenchReport = { ...partial, targets: targets(partial) };
  const markdown = renderMarkdown(report);
  process.stdout.write(`${markdown}\n`);
  if (options.out) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, `${markdown}\n`);
    progress(`wrote ${path.relative(process.cwd(), options.out)}`);
  }
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: Error) => {
  // Synchronous: an asynchronous write to a pipe is lost when the process exits right after.
  fs.writeSync(2, `bench failed: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
