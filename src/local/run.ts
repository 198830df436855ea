/**
 * `runLocal`: the synthesized system on embedded stand-ins. Reads the stack directory, starts
 * dynalite (behind a counting, optionally throttling proxy) and the S3, SSM, SNS and SQS
 * stand-ins on 127.0.0.1, uploads, routes the events through the synthesized rules to the
 * in-memory queues, runs the function's own zip until the queue drains, then reads the final
 * state and checks the invariants.
 */
import * as fs from 'fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { deriveTaskId } from '../../handlers/common/task-message';
import { PROCESSOR_PARAMETERS } from '../../handlers/common/processor-parameters';
import { SimClock } from './clock';
import { startDynamoDb, startDynamoDbProxy, ProxyStats } from './dynamodb';
import { EventSource, InvocationStats } from './event-source';
import { LocalEventBus, Upload, uploadEvents } from './eventbridge';
import { LocalServer } from './http';
import { checkInvariants, RunOutcome } from './invariants';
import { loadContainer, unpackFunction } from './lambda';
import { ExecutionMonitor } from './monitor';
import { ChaosSettings, chaosSettings, fileUploads, malformedBodies, NO_CHAOS, sampleUploads } from './plan';
import { SimQueue } from './queue';
import { Rng } from './rng';
import { S3StandIn } from './s3-server';
import { Published, startSnsStandIn } from './sns-server';
import { startSqsStandIn } from './sqs-server';
import { startSsmStandIn } from './ssm-server';
import { LOCAL_ACCOUNT_ID, LocalModel, readSynthModel } from './synth-model';

export interface LocalRunOptions {
  /** `cdktf.out/stacks/TapStack`. */
  readonly stackDir: string;
  readonly seed: number;
  readonly chaos: boolean;
  /** Generated sample uploads (ignored when `files` is not empty). */
  readonly uploads: number;
  readonly files?: readonly string[];
  /** Concurrent invocations; at most the mapping's maximum concurrency. @default min(10, maximum concurrency) */
  readonly concurrency?: number;
  /** Where the handler's own log lines go. @default discarded */
  readonly logFile?: string;
  /** Called often while the queue drains, with a live view. */
  readonly onProgress?: (p: Progress) => void;
}

export interface Progress {
  readonly simulatedSeconds: number;
  readonly queued: number;
  readonly visible: number;
  readonly invocations: number;
  readonly killed: number;
  readonly notifications: number;
}

export interface LocalRunReport {
  readonly seed: number;
  readonly chaos: ChaosSettings;
  readonly model: LocalModel;
  readonly outcome: RunOutcome;
  readonly violations: readonly string[];
  /** Behaviour outside the strict invariants but inside the processor's documented contract (see `InvariantCheck`). */
  readonly invocations: InvocationStats;
  readonly dynamodb: ProxyStats;
  /** `service:Operation` to request count, the handler's requests only. */
  readonly requests: ReadonlyMap<string, number>;
  /** Faults injected outside the handler's requests. */
  readonly injected: { readonly eventDuplicates: number; readonly refusedDeliveries: number };
  readonly concurrency: number;
  readonly realMs: number;
  readonly simulatedSkippedMs: number;
}

/** Default concurrency: a two-core machine gains nothing from more in one process. */
export const DEFAULT_CONCURRENCY = 10;
const MAX_SIMULATED_MS = 24 * 3600 * 1000;

function parameterValue(model: LocalModel, path: string, name: string): string {
  const value = model.parameters.get(`${path}${name}`);
  if (value === undefined) throw new Error(`no synthesized SSM parameter ${path}${name}`);
  return value;
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunReport> {
  const started = Date.now();
  const model = readSynthModel(options.stackDir);
  const rng = new Rng(options.seed);
  const chaos = options.chaos ? chaosSettings(options.files?.length || options.uploads) : NO_CHAOS;
  const esm = model.eventSourceMapping;
  const maxConcurrency = Math.min(esm.maximumConcurrency ?? Infinity, model.fn.reservedConcurrency ?? Infinity);
  const concurrency = Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, maxConcurrency);
  if (!(concurrency >= 1)) throw new Error(`concurrency must be at least 1 (the mapping allows ${maxConcurrency})`);
  const configPath = model.fn.environment.TAP_CONFIG_PATH;
  if (!configPath) throw new Error('the function has no TAP_CONFIG_PATH environment variable');
  const lockTable = parameterValue(model, configPath, PROCESSOR_PARAMETERS.lockTableName.name);
  const taskTable = parameterValue(model, configPath, PROCESSOR_PARAMETERS.taskTableName.name);

  const clock = new SimClock();
  const requests = new Map<string, number>();
  const count = (service: string) => (op: string) => requests.set(`${service}:${op}`, (requests.get(`${service}:${op}`) ?? 0) + 1);
  const cleanups: (() => Promise<void> | void)[] = [];
  const envBefore = { ...process.env };
  const consoleBefore = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const unpacked = unpackFunction(model.fn);
  cleanups.push(() => unpacked.remove());

  try {
    clock.install();
    cleanups.push(() => clock.uninstall());
    const log = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
    const write = (...args: unknown[]): void => void log?.write(`${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
    Object.assign(console, { log: write, info: write, warn: write, error: write, debug: write });
    cleanups.push(() => {
      Object.assign(console, consoleBefore);
      return new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
    });

    const queues = new Map<string, SimQueue>();
    const queueOf = (name: string): SimQueue => {
      const existing = queues.get(name);
      if (existing) return existing;
      const spec = model.queues.find((q) => q.name === name);
      if (!spec) throw new Error(`the configuration references a queue ${name} it does not declare`);
      const redrive = spec.redrive && { queue: queueOf(spec.redrive.deadLetterQueueName), maxReceiveCount: spec.redrive.maxReceiveCount };
      const queue = new SimQueue(name, spec.arn, spec.visibilityTimeoutSeconds, rng, () => clock.now(), redrive);
      queues.set(name, queue);
      return queue;
    };
    model.queues.forEach((q) => queueOf(q.name));
    const taskQueue = queueOf(esm.queueName);

    const dynamo = await startDynamoDb(model.tables, model.region);
    cleanups.push(() => dynamo.close());
    let eventSource: EventSource | undefined;
    const servers: LocalServer[] = [];
    const frozenBody = (body: string): boolean => [...(eventSource?.frozen ?? [])].some((id) => body.includes(id));
    const finalThrottles: string[] = [];
    const proxyStats: ProxyStats = { throttled: 0, finalThrottles: 0 };
    servers.push(
      await startDynamoDbProxy(dynamo.directEndpoint, { throttleRate: chaos.throttleRate, rng, frozen: frozenBody, count: count('dynamodb'), onFinalThrottle: (b) => finalThrottles.push(b) }, proxyStats),
    );

    const uploadsPlan = options.files?.length ? fileUploads(options.files, model.buckets) : sampleUploads(options.uploads, model.buckets, chaos.overwriteRate, rng);
    // Kill targets: keys uploaded once, so no other task waits on the frozen worker's lock.
    const keyUses = new Map<string, number>();
    for (const u of uploadsPlan) keyUses.set(`${u.bucket}/${u.key}`, (keyUses.get(`${u.bucket}/${u.key}`) ?? 0) + 1);
    const killCandidates = uploadsPlan.filter((u) => keyUses.get(`${u.bucket}/${u.key}`) === 1);
    const killUploads = new Set<number>();
    while (killUploads.size < Math.min(chaos.killedWorkers, killCandidates.length)) killUploads.add(uploadsPlan.indexOf(rng.pick(killCandidates)));

    const killTargets: string[] = [];
    const monitor = new ExecutionMonitor(
      dynamo.client,
      lockTable,
      () => clock.now(),
      (id) => eventSource?.freeze(id) ?? false,
      (id) => eventSource?.frozen.has(id) ?? false,
    );
    const s3 = new S3StandIn(model.buckets, rng, monitor, count('s3'));
    const s3Endpoint = await s3.start();
    cleanups.push(() => s3.close());
    const published: Published[] = [];
    const topicArns = model.topics.map((t) => t.arn);
    servers.push(await startSnsStandIn(topicArns, rng, published, count('sns')));
    servers.push(await startSsmStandIn(model.parameters, (n) => `arn:aws:ssm:${model.region}:${LOCAL_ACCOUNT_ID}:parameter${n}`, count('ssm')));
    servers.push(await startSqsStandIn(queues, (h) => eventSource?.frozenHandle(h) ?? false, count('sqs')));
    const [ddbEndpoint, snsEndpoint, ssmEndpoint, sqsEndpoint] = servers.map((s) => s.endpoint);
    cleanups.push(() => Promise.all(servers.map((s) => s.close())).then(() => undefined));

    // The function's environment, plus what Lambda and the endpoint settings provide.
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, model.fn.environment, {
      AWS_REGION: model.region,
      AWS_DEFAULT_REGION: model.region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_FUNCTION_NAME: model.fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(model.fn.memorySizeMb),
      AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SNS: snsEndpoint,
      AWS_ENDPOINT_URL_SSM: ssmEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      // Logs to the global console (captured above) instead of a private one on stdout; metrics stay on.
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'false',
      // The function runs on nodejs22.x, where the SDK has no Node version warning; each container would print it here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    cleanups.push(() => {
      for (const k of Object.keys(process.env)) if (!(k in envBefore)) delete process.env[k];
      Object.assign(process.env, envBefore);
    });

    // Uploads through the SDK, as a user would; the PUT's version id and request id feed the events.
    const s3Client = new S3Client({ endpoint: s3Endpoint, region: model.region, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    cleanups.push(() => s3Client.destroy());
    const bus = new LocalEventBus(model.rules, queues, () => rng.chance(chaos.deliveryFailureRate));
    const uploads: (Upload & { taskId: string })[] = [];
    let eventsDelivered = 0;
    let eventDuplicates = 0;
    for (const [i, u] of uploadsPlan.entries()) {
      const out = await s3Client.send(new PutObjectCommand({ Bucket: u.bucket, Key: u.key, Body: u.content, ContentType: u.contentType }));
      const upload: Upload = {
        bucket: u.bucket,
        key: u.key,
        versionId: out.VersionId as string,
        etag: out.ETag as string,
        size: u.content.length,
        requestId: out.$metadata.requestId as string,
        time: new Date(Date.now()),
      };
      uploads.push({ ...upload, taskId: deriveTaskId(upload.bucket, upload.key, upload.versionId, upload.requestId) });
      if (killUploads.has(i)) killTargets.push(ExecutionMonitor.taskKey(u.bucket, u.key, upload.versionId));
      for (const event of uploadEvents(upload, model.region, rng)) {
        const copies = rng.chance(chaos.eventDuplicateRate) ? 2 : 1;
        eventDuplicates += copies - 1;
        for (let c = 0; c < copies; c++) eventsDelivered += bus.put(event).filter((d) => d.queue === taskQueue.name).length;
      }
    }
    const malformed = malformedBodies(chaos.malformedMessages, model.buckets[0], rng).map((body) => ({ body, messageId: taskQueue.send(body).messageId }));
    monitor.setKillTargets(killTargets);

    eventSource = new EventSource({
      fn: model.fn,
      queue: taskQueue,
      region: model.region,
      batchSize: esm.batchSize,
      concurrency,
      reportBatchItemFailures: esm.reportBatchItemFailures,
      clock,
      rng,
      newContainer: () => loadContainer(unpacked),
      sqsDuplicateRate: chaos.sqsDuplicateRate,
      maxSimulatedMs: MAX_SIMULATED_MS,
      onProgress:
        options.onProgress &&
        (() =>
          options.onProgress?.({
            simulatedSeconds: (clock.now() - started) / 1000,
            queued: taskQueue.size,
            visible: taskQueue.visibleCount(),
            invocations: (eventSource as EventSource).stats.invocations,
            killed: (eventSource as EventSource).stats.killed,
            notifications: published.length,
          })),
    });
    await eventSource.drain((id) => monitor.killed(id));

    const doc = DynamoDBDocumentClient.from(dynamo.client);
    const items: Record<string, unknown>[][] = [];
    for (const table of [taskTable, lockTable]) {
      let startKey: Record<string, unknown> | undefined;
      const rows: Record<string, unknown>[] = [];
      do {
        const page = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
        rows.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      items.push(rows);
    }
    const outcome: RunOutcome = {
      uploads,
      eventsDelivered,
      malformed,
      taskItems: items[0],
      lockItems: items[1],
      published,
      successTopicArn: parameterValue(model, configPath, PROCESSOR_PARAMETERS.successTopicArn.name),
      failureTopicArn: parameterValue(model, configPath, PROCESSOR_PARAMETERS.failureTopicArn.name),
      queues: [...queues.values()].map((q) => ({ name: q.name, bodies: q.all().map((m) => m.body), redriven: q.redriven })),
      taskQueueName: taskQueue.name,
      ingestDeadLetterQueues: [...new Set(model.rules.flatMap((r) => (r.target.deadLetterQueueName ? [r.target.deadLetterQueueName] : [])))],
      taskDeadLetterQueue: model.queues.find((q) => q.name === taskQueue.name)?.redrive?.deadLetterQueueName,
      runs: monitor.runs,
      killedTasks: monitor.killedTasks,
      frozenInvocations: eventSource.frozen,
      finalThrottles,
      monitorViolations: monitor.violations,
      unmatchedEvents: bus.unmatched,
      droppedEvents: bus.dropped,
    };
    const { violations } = checkInvariants(outcome);
    const stats = eventSource.stats;
    const realMs = Date.now() - clock.skipped - started;
    // Stop the stand-ins before waiting for killed invocations: their held requests fail and they end.
    write('---- run checked; the lines below are killed invocations ending after the stand-ins stopped (connection errors expected) ----');
    await Promise.all(servers.map((s) => s.close()));
    await s3.close();
    await Promise.race([Promise.allSettled(eventSource.all), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    return {
      seed: options.seed,
      chaos,
      model,
      outcome,
      violations,
      invocations: stats,
      dynamodb: proxyStats,
      requests,
      injected: { eventDuplicates, refusedDeliveries: bus.refused },
      concurrency,
      realMs,
      simulatedSkippedMs: clock.skipped,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
