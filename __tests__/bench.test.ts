import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BenchReport } from '../bench/report';

/*
 * Runs `npm run bench -- --quick` once and checks the report's structure and the invariants of
 * its counts. Wall-time numbers are only checked for being measured, never against a limit.
 */
const ROOT = path.join(__dirname, '..');
let report: BenchReport;
let markdown: string;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  const json = path.join(dir, 'report.json');
  const md = path.join(dir, 'BENCHMARKS.md');
  const out = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', '--quick', '--json', json, '--out', md], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 170_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`bench --quick failed (${out.status ?? out.signal}):\n${out.stderr}`);
  report = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchReport;
  markdown = fs.readFileSync(md, 'utf8');
  expect(out.stdout).toContain(markdown.trim());
  fs.rmSync(dir, { recursive: true, force: true });
}, 180_000);

const measured = (n: number): void => {
  expect(Number.isFinite(n)).toBe(true);
  expect(n).toBeGreaterThan(0);
};
const scenario = (design: string, name: string) => {
  const found = report.processor.scenarios.find((s) => s.design === design && s.scenario === name);
  if (!found) throw new Error(`no ${design}/${name} result`);
  return found;
};

describe('npm run bench -- --quick', () => {
  test('names the machine, the Node version, the date and the mode', () => {
    expect(report.mode).toBe('quick');
    expect(report.machine.node).toBe(process.version);
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.uptimeBefore).toMatch(/load average/);
    expect(Date.parse(report.date)).not.toBeNaN();
    expect(markdown).toContain(process.version);
    for (const heading of ['## Targets', '## 1. Synthesis', '## 2. Function bundles', '## 3. Processor against dynalite', '## 4. Cost per million', '## 5. Test suite']) {
      expect(markdown).toContain(heading);
    }
  });

  test('measures the app synthesis, and leaves cdktf synth and the test suite to full mode', () => {
    expect(report.synth.app.runs).toHaveLength(1);
    measured(report.synth.app.medianWallMs);
    expect(report.synth.cdktf).toBeNull();
    expect(report.testSuite).toBeNull();
  });

  test('measures every handler bundle: sizes and cold initialisation', () => {
    const handlers = fs.readdirSync(path.join(ROOT, 'handlers')).filter((h) => fs.existsSync(path.join(ROOT, 'handlers', h, 'index.ts')));
    expect(report.bundles.map((b) => b.handler).sort()).toEqual(handlers.sort());
    for (const b of report.bundles) {
      measured(b.zipBytes);
      measured(b.initMedianMs);
      expect(b.bundleBytes).toBeGreaterThan(b.zipBytes);
      expect(b.processMedianMs).toBeGreaterThan(b.initMedianMs);
    }
  });

  test('runs all three designs on all three scenarios, every task succeeding or dead-lettered', () => {
    expect(report.processor.scenarios).toHaveLength(9);
    for (const s of report.processor.scenarios) {
      measured(s.throughputTasksPerSecond);
      expect(s.taskLatencyP50Ms).toBeLessThanOrEqual(s.taskLatencyP99Ms);
      expect(s.run.succeededTasks).toBeGreaterThan(0);
      expect(s.run.succeededTasks).toBeLessThanOrEqual(s.run.tasks);
      expect(s.run.messages).toBeGreaterThanOrEqual(s.run.tasks);
      // A task that did not succeed lost all its messages to the dead-letter queue.
      expect(s.run.deadLetteredMessages).toBeGreaterThanOrEqual(s.run.tasks - s.run.succeededTasks);
    }
    expect(scenario('project', 'duplicates').run.messages).toBeGreaterThan(scenario('project', 'duplicates').run.tasks);
  });

  test('per-task request counts add up to the operations recorded', () => {
    for (const s of report.processor.scenarios) {
      const total = (prefix: string) => Object.entries(s.operations).reduce((n, [op, count]) => (op.startsWith(prefix) ? n + count : n), 0);
      const perTask = s.requestsPerTask;
      expect((perTask.dynamodbReads + perTask.dynamodbWrites) * s.run.succeededTasks).toBeCloseTo(total('dynamodb:'), 6);
      expect(perTask.sns * s.run.succeededTasks).toBeCloseTo(total('sns:'), 6);
      expect(perTask.s3 * s.run.succeededTasks).toBeCloseTo(total('s3:'), 6);
    }
  });

  test("shows each design's guarantees: this project runs every task once and one at a time per object", () => {
    for (const name of ['happy', 'duplicates', 'contention']) {
      expect(scenario('project', name).executionsPerTask).toBe(1);
      expect(scenario('project', name).maxObjectOverlap).toBe(1);
      expect(scenario('project', name).requestsPerTask.ssm).toBe(0);
    }
    expect(scenario('project', 'happy').requestsPerTask.sns).toBeLessThan(1);
    expect(scenario('seed', 'happy').requestsPerTask.sns).toBe(1);
    // The seed's task PutItem is unconditional: a duplicate delivery runs the task again.
    expect(scenario('seed', 'duplicates').executionsPerTask).toBeGreaterThan(1);
    expect(scenario('seed', 'happy').coldStartSsmRequests).toBe(5);
    expect(scenario('project', 'happy').coldStartSsmRequests).toBe(1);
  });

  test('prices every design, with totals that are the sums of their lines', () => {
    expect(report.costs.map((c) => c.design)).toEqual(['project', 'seed', 'powertools']);
    for (const c of report.costs) {
      const primary = c.lines.filter((l) => !l.item.endsWith('replica')).reduce((n, l) => n + l.usdPerMillionTasks, 0);
      expect(c.primaryUsdPerMillionTasks).toBeCloseTo(primary, 9);
      measured(c.primaryUsdPerMillionTasks);
      for (const l of c.lines) expect(l.usdPerMillionTasks).toBeGreaterThanOrEqual(0);
    }
    // The reuse period of the stack's queue cuts SQS's KMS requests against the 300 s default.
    expect(report.costs[0].sqsKmsRequestsPerMonth).toBeLessThan(report.costs[0].sqsKmsRequestsPerMonthAt300s);
  });

  test('reports ratios to both baselines and every target, met or not', () => {
    expect(report.ratios).toHaveLength(6);
    for (const r of report.ratios) measured(r.throughput);
    const names = report.targets.map((t) => t.name).join('\n');
    for (const word of ['app entry', 'cdktf synth', 'zipped', 'cold initialisation', 'DynamoDB requests', 'SSM requests', 'SNS requests', 'seed-style']) {
      expect(names).toContain(word);
    }
    expect(report.targets.find((t) => t.name.includes('cdktf'))?.met).toBeNull();
  });
});
