/**
 * The SQS event source mapping and the Lambda service: pollers receive batches of up to
 * `batchSize`, at most `concurrency` invocations run at once, each in a container of its own
 * with the function's timeout; with ReportBatchItemFailures the records not reported are
 * deleted, the reported ones stay for their visibility timeout. An invocation still running at
 * its timeout (stalled in a frozen request, or just slow) is killed: frozen, its container
 * discarded, its records left in flight.
 * Simulated time is skipped only while no live invocation runs.
 */
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { SimClock } from './clock';
import { md5Hex, QueueMessage, SimQueue } from './queue';
import { Rng } from './rng';
import { LocalFunction } from './synth-model';
import { SqsHandler } from './lambda';

export interface EventSourceOptions {
  readonly fn: LocalFunction;
  readonly queue: SimQueue;
  readonly region: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly reportBatchItemFailures: boolean;
  readonly clock: SimClock;
  readonly rng: Rng;
  readonly newContainer: () => SqsHandler;
  /** Fraction of received messages that SQS also delivers as a second copy. */
  readonly sqsDuplicateRate: number;
  /** Longest simulated time the run may take before it is declared stuck. */
  readonly maxSimulatedMs: number;
  readonly onProgress?: () => void;
}

interface Invocation {
  readonly requestId: string;
  readonly deadline: number;
  readonly messages: readonly QueueMessage[];
  readonly handles: readonly string[];
  stalled: boolean;
  killed: boolean;
  done?: Promise<void>;
}

export interface InvocationStats {
  invocations: number;
  coldStarts: number;
  records: number;
  killed: number;
  timedOut: number;
  errors: number;
  reportedFailures: number;
  deleted: number;
  sqsDuplicates: number;
}

export class EventSource {
  readonly stats: InvocationStats = { invocations: 0, coldStarts: 0, records: 0, killed: 0, timedOut: 0, errors: 0, reportedFailures: 0, deleted: 0, sqsDuplicates: 0 };
  private readonly inflight = new Map<string, Invocation>();
  private readonly handleOwner = new Map<string, string>();
  private readonly frozenIds = new Set<string>();
  private readonly idle: SqsHandler[] = [];
  private wake: () => void = () => undefined;
  /** Every invocation's promise, killed ones included, so shutdown can wait for them. */
  readonly all: Promise<void>[] = [];

  constructor(private readonly o: EventSourceOptions) {}

  /**
   * Freezes a live invocation as a whole (its worker hangs): from now on the stand-ins hold
   * every request they can attribute to it, so none of its records progresses while simulated
   * time is skipped to its timeout. False if there is no live invocation with that id.
   */
  freeze(requestId: string): boolean {
    const inv = this.inflight.get(requestId);
    if (!inv) return false;
    inv.stalled = true;
    this.frozenIds.add(requestId);
    this.wake();
    return true;
  }

  /** Request ids of frozen invocations (stalled or killed): the stand-ins hold their requests. */
  get frozen(): ReadonlySet<string> {
    return this.frozenIds;
  }

  /** True for a receipt handle given to a frozen invocation. */
  frozenHandle(handle: string): boolean {
    const owner = this.handleOwner.get(handle);
    return owner !== undefined && this.frozenIds.has(owner);
  }

  /** Polls until the queue is empty and nothing runs; throws if that takes longer than the simulated limit. */
  async drain(onKill: (requestId: string) => void): Promise<void> {
    const { clock, queue } = this.o;
    const limit = clock.now() + this.o.maxSimulatedMs;
    for (;;) {
      if (clock.now() > limit) throw new Error(`the queue did not drain within ${this.o.maxSimulatedMs / 3_600_000} simulated hours`);
      for (const inv of this.inflight.values()) {
        if (clock.now() < inv.deadline) continue;
        // Lambda ends an invocation at its timeout, whatever it is doing: frozen from now on, its result discarded.
        if (inv.stalled) this.stats.killed++;
        else this.stats.timedOut++;
        inv.killed = true;
        this.frozenIds.add(inv.requestId);
        this.inflight.delete(inv.requestId);
        onKill(inv.requestId);
      }
      while (this.inflight.size < this.o.concurrency) {
        const batch = queue.receive(this.o.batchSize);
        if (batch.length === 0) break;
        for (const m of batch) {
          if (this.o.rng.chance(this.o.sqsDuplicateRate)) {
            queue.send(m.body, m.messageId);
            this.stats.sqsDuplicates++;
          }
        }
        this.start(batch);
      }
      this.o.onProgress?.();
      const live = [...this.inflight.values()].filter((i) => !i.stalled);
      if (live.length > 0) {
        const timeoutMs = Math.min(...live.map((i) => i.deadline)) - clock.now();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          ...live.map((i) => i.done),
          new Promise<void>((resolve) => (this.wake = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs)))),
        ]);
        clearTimeout(timer);
        continue;
      }
      const stalled = [...this.inflight.values()].map((i) => i.deadline);
      const nextVisible = this.inflight.size < this.o.concurrency ? queue.nextVisibleAt() : undefined;
      const next = [...stalled, ...(nextVisible === undefined ? [] : [nextVisible])];
      if (next.length === 0) return;
      clock.advanceTo(Math.min(...next));
    }
  }

  private start(messages: QueueMessage[]): void {
    const { fn, clock } = this.o;
    const requestId = this.o.rng.uuid();
    const handles = messages.map((m) => m.receiptHandle as string);
    for (const h of handles) this.handleOwner.set(h, requestId);
    const inv: Invocation = { requestId, deadline: clock.now() + fn.timeoutSeconds * 1000, messages, handles, stalled: false, killed: false };
    this.inflight.set(requestId, inv);
    this.stats.invocations++;
    this.stats.records += messages.length;
    inv.done = this.invoke(inv);
    this.all.push(inv.done);
  }

  private async invoke(inv: Invocation): Promise<void> {
    const { fn, queue } = this.o;
    let handler = this.idle.pop();
    if (!handler) {
      handler = this.o.newContainer();
      this.stats.coldStarts++;
    }
    const records: SQSRecord[] = inv.messages.map((m, i) => ({
      messageId: m.messageId,
      receiptHandle: inv.handles[i],
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDALOCALSENDER',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: md5Hex(m.body),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: this.o.region,
    }));
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySizeMb),
      awsRequestId: inv.requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, inv.deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let response: SQSBatchResponse | void = undefined;
    let failed = false;
    try {
      response = await handler({ Records: records }, context);
    } catch {
      failed = true;
    }
    // Killed at its timeout (by the drain loop): nothing of the batch is deleted, and its container is gone.
    if (inv.killed) return;
    this.inflight.delete(inv.requestId);
    this.idle.push(handler);
    if (failed) {
      this.stats.errors++;
      return;
    }
    const ids = new Set(inv.messages.map((m) => m.messageId));
    const reported = this.o.reportBatchItemFailures ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [];
    // Lambda treats an empty or unknown identifier as the failure of the whole batch.
    if (reported.some((id) => !id || !ids.has(id))) {
      this.stats.errors++;
      return;
    }
    this.stats.reportedFailures += reported.length;
    const retry = new Set(reported);
    inv.messages.forEach((m, i) => {
      if (!retry.has(m.messageId) && queue.delete(inv.handles[i])) this.stats.deleted++;
    });
  }
}
