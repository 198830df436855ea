/**
 * The processor workload: an in-memory SQS queue feeding batches to concurrent "execution
 * environments" of one design, with redelivery of the records a handler reports as failed
 * and a dead-letter queue after maxReceiveCount receives, as the stack's queue does.
 */
import { performance } from 'perf_hooks';
import { lambdaContext, sqsRecord, taskIdOf, uniqueId, wireMessage } from '../src/testing/sqs-fixtures';
import type { Design, LambdaHandler } from './designs';
import type { RequestLedger } from './support/aws-ledger';
import { mean, percentile, sleep } from './support/stats';

export type ScenarioId = 'happy' | 'duplicates' | 'contention';

export const SCENARIOS: Readonly<Record<ScenarioId, string>> = {
  happy: 'happy path (every task once, distinct objects)',
  duplicates: '10% duplicate deliveries',
  contention: 'contention (all tasks on 4 objects)',
};

export interface WorkloadOptions {
  /** Distinct tasks per scenario. */
  readonly tasks: number;
  readonly batchSize: number;
  /** Concurrent invocations (execution environments). */
  readonly concurrency: number;
  /** Share of tasks delivered twice in the duplicates scenario. */
  readonly duplicateRatio: number;
  /** Objects the contention scenario's tasks share. */
  readonly hotObjects: number;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Delay before a record reported as failed is visible again (the stack's visibility timeout, scaled down). */
  readonly redeliveryDelayMs: number;
  /** Remaining time the Lambda context reports at the start of each invocation (the function timeout). */
  readonly invocationTimeoutMs: number;
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly taskId: string;
  receiveCount: number;
  visibleAt: number;
}

export interface ScenarioRun {
  readonly tasks: number;
  readonly messages: number;
  readonly succeededTasks: number;
  readonly deadLetteredMessages: number;
  readonly invocations: number;
  readonly wallMs: number;
  /** Per task: first receive of any of its messages to the end of the invocation that acknowledged it. */
  readonly taskLatenciesMs: number[];
  readonly invocationDurationsMs: number[];
}

/** Messages of a scenario: one per task, plus the duplicates, in a shuffled order. */
export function scenarioMessages(scenario: ScenarioId, options: WorkloadOptions): { body: string; taskId: string }[] {
  const hotKeys = Array.from({ length: options.hotObjects }, () => uniqueId('hot/object') + '.csv');
  const bodies = Array.from({ length: options.tasks }, (_, i) =>
    JSON.stringify(
      scenario === 'contention'
        ? wireMessage({ key: hotKeys[i % hotKeys.length], versionId: uniqueId('version') })
        : wireMessage(),
    ),
  );
  const messages = bodies.map((body) => ({ body, taskId: taskIdOf(body) }));
  if (scenario === 'duplicates') {
    const originals = [...messages];
    const copies = Math.round(options.tasks * options.duplicateRatio);
    for (let i = 0; i < copies; i++) {
      const original = originals[Math.floor((i / copies) * originals.length)];
      // A duplicate lands up to 30 places after its original: in the same batch, a concurrent one or a later one.
      const at = messages.indexOf(original) + 1 + Math.floor(Math.random() * Math.min(30, messages.length));
      messages.splice(Math.min(at, messages.length), 0, { ...original });
    }
  }
  return messages;
}

/** Runs the messages through `concurrency` environments until the queue is empty. */
export async function runQueue(containers: readonly LambdaHandler[], input: readonly { body: string; taskId: string }[], options: WorkloadOptions): Promise<ScenarioRun> {
  const queue: Message[] = input.map((m) => ({ ...m, messageId: uniqueId('msg'), receiveCount: 0, visibleAt: 0 }));
  let inFlight = 0;
  let deadLettered = 0;
  let invocations = 0;
  const firstReceive = new Map<string, number>();
  const done = new Map<string, number>();
  const durations: number[] = [];
  const started = performance.now();

  const worker = async (container: LambdaHandler): Promise<void> => {
    for (;;) {
      const now = performance.now();
      const batch: Message[] = [];
      for (let i = 0; i < queue.length && batch.length < options.batchSize; ) {
        if (queue[i].visibleAt <= now) batch.push(...queue.splice(i, 1));
        else i++;
      }
      if (batch.length === 0) {
        if (queue.length === 0 && inFlight === 0) return;
        await sleep(2);
        continue;
      }
      inFlight++;
      for (const m of batch) {
        m.receiveCount++;
        if (!firstReceive.has(m.taskId)) firstReceive.set(m.taskId, now);
      }
      const event = { Records: batch.map((m) => sqsRecord(m.body, m.messageId, m.receiveCount)) };
      const t0 = performance.now();
      let failed: Set<string>;
      try {
        const response = await container(event, lambdaContext(options.invocationTimeoutMs));
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(batch.map((m) => m.messageId));
      }
      const end = performance.now();
      durations.push(end - t0);
      invocations++;
      inFlight--;
      for (const m of batch) {
        if (!failed.has(m.messageId)) {
          if (!done.has(m.taskId)) done.set(m.taskId, end);
        } else if (m.receiveCount >= options.maxReceiveCount) {
          deadLettered++;
        } else {
          m.visibleAt = end + options.redeliveryDelayMs;
          queue.push(m);
        }
      }
    }
  };
  await Promise.all(containers.map(worker));
  const wallMs = performance.now() - started;
  return {
    tasks: new Set(input.map((m) => m.taskId)).size,
    messages: input.length,
    succeededTasks: done.size,
    deadLetteredMessages: deadLettered,
    invocations,
    wallMs,
    taskLatenciesMs: [...done].map(([taskId, end]) => end - (firstReceive.get(taskId) ?? end)),
    invocationDurationsMs: durations,
  };
}

export interface RequestsPerTask {
  readonly dynamodbReads: number;
  readonly dynamodbWrites: number;
  readonly sns: number;
  readonly ssm: number;
  readonly s3: number;
  readonly sqs: number;
}

export interface ScenarioResult {
  readonly design: Design['id'];
  readonly scenario: ScenarioId;
  readonly run: Omit<ScenarioRun, 'taskLatenciesMs' | 'invocationDurationsMs'>;
  readonly throughputTasksPerSecond: number;
  /** Throughput of every repetition; the other fields come from the repetition with the median throughput. */
  readonly throughputRuns: readonly number[];
  readonly taskLatencyP50Ms: number;
  readonly taskLatencyP99Ms: number;
  readonly invocationMeanMs: number;
  /** Requests per successful task, warm environments (cold-start reads are reported apart). */
  readonly requestsPerTask: RequestsPerTask;
  readonly operations: Readonly<Record<string, number>>;
  /** Executions (HeadObject calls) per successful task: above 1 means a task ran more than once. */
  readonly executionsPerTask: number;
  /** Most executions in flight on one object at once (1 = serialized). */
  readonly maxObjectOverlap: number;
  readonly writeUnitsPerTask: number;
  readonly readUnitsPerTask: number;
  readonly failedConditionalWritesPerTask: number;
  readonly snsBilledRequestsPerTask: number;
  readonly logBytesPerTask: number;
  readonly logLinesPerTask: number;
  readonly invocationsPerTask: number;
  /** CPU time of this process (handlers, SDK, fakes, queue) per task, ms. */
  readonly processCpuMsPerTask: number;
  /** CPU time of the dynalite process per task, ms. */
  readonly emulatorCpuMsPerTask: number;
  /** SSM requests of one environment's first invocation. */
  readonly coldStartSsmRequests: number;
}

export function perTask(ledger: RequestLedger, tasks: number): RequestsPerTask {
  const per = (n: number): number => (tasks === 0 ? NaN : n / tasks);
  return {
    dynamodbReads: per(ledger.dynamoReads()),
    dynamodbWrites: per(ledger.dynamoWrites()),
    sns: per(ledger.service('sns')),
    ssm: per(ledger.service('ssm')),
    s3: per(ledger.service('s3')),
    sqs: per(ledger.service('sqs')),
  };
}

export function summarize(
  design: Design['id'],
  scenario: ScenarioId,
  run: ScenarioRun,
  ledger: RequestLedger,
  log: { bytes: number; lines: number },
  cpu: { processMs: number; emulatorMs: number },
  coldStartSsmRequests: number,
): ScenarioResult {
  const { taskLatenciesMs, invocationDurationsMs, ...counts } = run;
  const n = run.succeededTasks;
  const throughput = n / (run.wallMs / 1000);
  return {
    design,
    scenario,
    run: counts,
    throughputTasksPerSecond: throughput,
    throughputRuns: [throughput],
    taskLatencyP50Ms: percentile(taskLatenciesMs, 50),
    taskLatencyP99Ms: percentile(taskLatenciesMs, 99),
    invocationMeanMs: mean(invocationDurationsMs),
    requestsPerTask: perTask(ledger, n),
    operations: Object.fromEntries([...ledger.operations].sort()),
    executionsPerTask: ledger.service('s3') / n,
    maxObjectOverlap: ledger.maxObjectOverlap,
    writeUnitsPerTask: ledger.writeUnits / n,
    readUnitsPerTask: ledger.readUnits / n,
    failedConditionalWritesPerTask: ledger.failedConditionalWrites / n,
    snsBilledRequestsPerTask: ledger.snsBilledRequests / n,
    logBytesPerTask: log.bytes / n,
    logLinesPerTask: log.lines / n,
    invocationsPerTask: run.invocations / n,
    processCpuMsPerTask: cpu.processMs / n,
    emulatorCpuMsPerTask: cpu.emulatorMs / n,
    coldStartSsmRequests,
  };
}
