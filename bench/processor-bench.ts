/**
 * Section 3 of the benchmark: each design against dynalite on the same workloads, then one
 * environment alone (invocation duration for the cost model) and an accounting pass (index
 * writes). Load this module after the environment is prepared (see run.ts).
 */
import { performance } from 'perf_hooks';
import type { ProcessorTunables } from '../src/config';
import { lambdaContext, sqsRecord, wireMessage } from '../src/testing/sqs-fixtures';
import { Design, LambdaHandler, powertoolsDesign, projectDesign, seedDesign } from './designs';
import { instrument, RequestLedger } from './support/aws-ledger';
import type { DynaliteServer } from './support/dynalite-server';
import { captureOutput } from './support/output-capture';
import { mean, percentile } from './support/stats';
import { runQueue, ScenarioId, ScenarioResult, scenarioMessages, summarize, WorkloadOptions } from './workload';

export interface SoloMeasurement {
  readonly design: Design['id'];
  /** Batches of `batchSize` run one after another on one warm environment. */
  readonly batches: number;
  readonly invocationMeanMs: number;
  readonly invocationP50Ms: number;
  /** Index writes per task (accounting pass: items read before and after every write). */
  readonly indexWritesPerTask: number;
}

export interface ProcessorBenchResult {
  readonly workload: WorkloadOptions & { readonly repetitions: number };
  readonly fakeLatencyMs: number;
  readonly scenarios: ScenarioResult[];
  readonly solo: SoloMeasurement[];
  readonly designs: { readonly id: Design['id']; readonly title: string; readonly serializesObjectWork: boolean }[];
}

const freshBatch = (size: number) => ({ Records: Array.from({ length: size }, () => sqsRecord(JSON.stringify(wireMessage()))) });

export async function runProcessorBench(
  server: DynaliteServer,
  options: WorkloadOptions & {
    readonly repetitions: number;
    readonly soloBatches: number;
    readonly fakeLatencyMs: number;
    /** The processor's integer settings, as the stack would write them to SSM. */
    readonly tunables: ProcessorTunables;
  },
  progress: (line: string) => void,
): Promise<ProcessorBenchResult> {
  const ledger = new RequestLedger();
  const accounting = { enabled: false, tables: [] as Design['indexedTables'][number][], reader: server.client };
  const parameters: Record<string, string> = {};
  const fake = { parameters, latencyMs: options.fakeLatencyMs };
  const wrap = <C>(client: C): C => instrument(client as never, { ledger, fake, accounting }) as C;
  const designOptions = { instrument: wrap, tunables: options.tunables };
  const designs: Design[] = [projectDesign(designOptions), seedDesign(designOptions), powertoolsDesign(designOptions)];
  for (const design of designs) {
    Object.assign(parameters, design.parameters);
    accounting.tables.push(...design.indexedTables);
    await design.createTables(server.client);
  }

  const scenarios: ScenarioResult[] = [];
  const solo: SoloMeasurement[] = [];
  const invoke = (container: LambdaHandler) => container(freshBatch(options.batchSize), lambdaContext(options.invocationTimeoutMs));

  // Warm-up of the process, the emulator and every design's code paths before anything is measured.
  const warmUp = captureOutput();
  for (const design of designs) {
    const containers = Array.from({ length: options.concurrency }, () => design.newContainer());
    for (let round = 0; round < 3; round++) await Promise.all(containers.map(invoke));
  }
  warmUp.stop();

  // Scenario by scenario, every design in turn, so that drift in machine load spreads over all of them.
  const repetitions = new Map<string, ScenarioResult[]>();
  for (let rep = 1; rep <= options.repetitions; rep++) {
    for (const scenario of ['happy', 'duplicates', 'contention'] as ScenarioId[]) {
      for (const design of designs) {
        const containers = Array.from({ length: options.concurrency }, () => design.newContainer());
        // First invocation of every environment: cold configuration reads, not measured.
        ledger.reset();
        let capture = captureOutput();
        await Promise.all(containers.map(invoke));
        capture.stop();
        const coldStartSsmRequests = ledger.service('ssm') / containers.length;
        ledger.reset();
        const messages = scenarioMessages(scenario, options);
        const cpu0 = { process: process.cpuUsage(), emulator: server.cpuMs() };
        capture = captureOutput();
        const run = await runQueue(containers, messages, options);
        const log = capture.stop();
        const used = process.cpuUsage(cpu0.process);
        const cpu = { processMs: (used.user + used.system) / 1000, emulatorMs: server.cpuMs() - cpu0.emulator };
        const result = summarize(design.id, scenario, run, ledger, log, cpu, coldStartSsmRequests);
        const key = `${scenario}/${design.id}`;
        repetitions.set(key, [...(repetitions.get(key) ?? []), result]);
        progress(
          `  run ${rep}/${options.repetitions} ${scenario.padEnd(10)} ${design.id.padEnd(10)} ${result.throughputTasksPerSecond.toFixed(1)} tasks/s, ` +
            `${run.succeededTasks}/${run.tasks} tasks, ${run.deadLetteredMessages} to DLQ, ${(run.wallMs / 1000).toFixed(1)} s`,
        );
      }
    }
  }
  for (const runs of repetitions.values()) {
    const sorted = [...runs].sort((a, b) => a.throughputTasksPerSecond - b.throughputTasksPerSecond);
    scenarios.push({ ...sorted[Math.floor((sorted.length - 1) / 2)], throughputRuns: runs.map((r) => r.throughputTasksPerSecond) });
  }

  for (const design of designs) {
    // One environment alone, as Lambda runs it (one invocation at a time): the duration the cost model bills.
    const container = design.newContainer();
    const capture = captureOutput();
    await invoke(container);
    const durations: number[] = [];
    for (let i = 0; i < options.soloBatches; i++) {
      const t0 = performance.now();
      await invoke(container);
      durations.push(performance.now() - t0);
    }
    // Accounting pass: reads around every write would distort the timings above, so it runs last.
    ledger.reset();
    accounting.enabled = true;
    const accountingBatches = 2;
    for (let i = 0; i < accountingBatches; i++) await invoke(container);
    accounting.enabled = false;
    capture.stop();
    solo.push({
      design: design.id,
      batches: options.soloBatches,
      invocationMeanMs: mean(durations),
      invocationP50Ms: percentile(durations, 50),
      indexWritesPerTask: ledger.indexWrites / (accountingBatches * options.batchSize),
    });
  }
  return {
    workload: options,
    fakeLatencyMs: options.fakeLatencyMs,
    scenarios,
    solo,
    designs: designs.map((d) => ({ id: d.id, title: d.title, serializesObjectWork: d.serializesObjectWork })),
  };
}
