import { checkInvariants, RunOutcome } from '../src/local/invariants';
import { LocalRunReport, runLocal } from '../src/local/run';
import { DefaultSynth, synthDefaultStack } from '../src/default-synth';

// The local run end to end: the synthesized stack directory, the function's own zip, the stand-ins.
let synth: DefaultSynth;
let stackDir: string;

beforeAll(() => {
  synth = synthDefaultStack();
  stackDir = synth.stackDir;
}, 120_000);
afterAll(() => synth.remove());

const statuses = (r: LocalRunReport): string[] =>
  r.outcome.uploads.map((u) => String(r.outcome.taskItems.find((i) => i.taskId === u.taskId)?.status));

describe('local run', () => {
  let normal: LocalRunReport;
  let chaos: LocalRunReport;

  beforeAll(async () => {
    normal = await runLocal({ stackDir, seed: 11, chaos: false, uploads: 8 });
    chaos = await runLocal({ stackDir, seed: 3, chaos: true, uploads: 40 });
  }, 90_000);

  it('processes every upload once: SUCCEEDED, one success notification each, queues empty', () => {
    expect(normal.violations).toEqual([]);
    expect(statuses(normal)).toEqual(Array(8).fill('SUCCEEDED'));
    expect(normal.outcome.published).toHaveLength(8);
    expect(normal.outcome.queues.every((q) => q.bodies.length === 0)).toBe(true);
    // Both rules fire for every upload; the second message of each task is a duplicate.
    expect(normal.outcome.eventsDelivered).toBe(16);
  });

  it('reads the synthesized configuration, not the TypeScript', () => {
    expect(normal.model.fn.timeoutSeconds).toBeGreaterThan(0);
    expect(normal.model.eventSourceMapping.reportBatchItemFailures).toBe(true);
    expect(normal.model.queues.find((q) => q.name === normal.outcome.taskQueueName)?.redrive?.maxReceiveCount).toBeGreaterThan(0);
    expect(normal.requests.get('ssm:GetParametersByPath')).toBeGreaterThan(0);
    expect(normal.requests.get('s3:HeadObject')).toBe(8);
  });

  it('holds the invariants under chaos, with every kind of fault actually injected', () => {
    expect(chaos.violations).toEqual([]);
    expect(chaos.outcome.killedTasks.size).toBeGreaterThanOrEqual(1);
    expect(chaos.invocations.killed).toBe(chaos.outcome.killedTasks.size);
    expect(chaos.dynamodb.throttled).toBeGreaterThan(0);
    expect(chaos.invocations.sqsDuplicates).toBeGreaterThan(0);
    expect(chaos.outcome.eventsDelivered).toBeGreaterThan(80);
    expect(chaos.outcome.malformed.length).toBeGreaterThanOrEqual(3);
    expect(chaos.outcome.taskItems.filter((i) => i.status === 'REJECTED')).toHaveLength(chaos.outcome.malformed.length);
    // A killed worker's task was run again by another worker after the lease expired.
    for (const key of chaos.outcome.killedTasks) expect(chaos.outcome.runs.get(key)?.started.length).toBeGreaterThanOrEqual(2);
    expect(chaos.simulatedSkippedMs).toBeGreaterThan(45_000);
  });

  describe('the invariant checker', () => {
    const tamper = (change: (o: RunOutcome) => RunOutcome): string[] => checkInvariants(change(chaos.outcome)).violations;
    // An upload finished by a live worker (not the orphan of a killed one).
    const first = (): RunOutcome['uploads'][number] =>
      chaos.outcome.uploads.find((u) => {
        const owner = String(chaos.outcome.taskItems.find((i) => i.taskId === u.taskId)?.leaseOwner).split('/')[0];
        return !chaos.outcome.frozenInvocations.has(owner);
      }) as RunOutcome['uploads'][number];

    it('fails if a success notification is repeated', () => {
      const dup = chaos.outcome.published.find((p) => p.message.includes(first().taskId));
      expect(tamper((o) => ({ ...o, published: [...o.published, dup as never] }))).toEqual([expect.stringContaining('2 success notifications')]);
    });

    it('fails if a task is lost (not finished and not in the DLQ)', () => {
      const items = chaos.outcome.taskItems.map((i) => (i.taskId === first().taskId ? { ...i, status: 'PENDING' } : i));
      expect(tamper((o) => ({ ...o, taskItems: items }))).toContainEqual(expect.stringContaining('is not in the DLQ'));
    });

    it('fails if a rejected message lost its raw body', () => {
      const id = `rejected:${chaos.outcome.malformed[0].messageId}`;
      const items = chaos.outcome.taskItems.map((i) => (i.taskId === id ? { ...i, rawBody: 'x' } : i));
      expect(tamper((o) => ({ ...o, taskItems: items }))).toEqual([expect.stringContaining('rawBody differs')]);
    });

    it('fails if a task whose finishing worker was killed is notified twice', () => {
      const [frozen] = chaos.outcome.frozenInvocations;
      const items = chaos.outcome.taskItems.map((i) => (i.taskId === first().taskId ? { ...i, leaseOwner: `${frozen}/m` } : i));
      const dup = chaos.outcome.published.find((p) => p.message.includes(first().taskId));
      const runs = new Map(chaos.outcome.runs);
      const key = JSON.stringify([first().bucket, first().key, first().versionId]);
      runs.set(key, { started: [frozen], completed: [frozen] });
      const check = checkInvariants({ ...chaos.outcome, taskItems: items, runs, published: [...chaos.outcome.published, dup as never] });
      expect(check.violations).toEqual([expect.stringContaining('SUCCEEDED with 2 success notifications')]);
    });

    it('fails if a task ran twice', () => {
      const key = JSON.stringify([first().bucket, first().key, first().versionId]);
      const runs = new Map(chaos.outcome.runs);
      const r = runs.get(key) as { started: string[]; completed: string[] };
      runs.set(key, { started: [...r.started, 'other'], completed: [...r.completed, 'other'] });
      expect(tamper((o) => ({ ...o, runs }))).toEqual([expect.stringContaining('2 completed runs')]);
    });
  });
});
