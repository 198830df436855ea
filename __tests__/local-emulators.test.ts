import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseTaskMessage } from '../handlers/common/task-message';
import { LocalEventBus, uploadEvents } from '../src/local/eventbridge';
import { ExecutionMonitor } from '../src/local/monitor';
import { SimQueue } from '../src/local/queue';
import { Rng } from '../src/local/rng';
import { synthDefaultStack } from '../src/default-synth';
import { LocalModel, readSynthModel } from '../src/local/synth-model';

let model: LocalModel;

beforeAll(() => {
  const synth = synthDefaultStack();
  try {
    model = readSynthModel(synth.stackDir);
  } finally {
    synth.remove();
  }
}, 120_000);

describe('synthesized model', () => {
  it('resolves every reference the run uses to a name or a fabricated ARN', () => {
    const values = [...model.parameters.values(), ...model.rules.map((r) => r.eventPattern), ...Object.values(model.fn.environment)];
    expect(values.filter((v) => v.includes('${'))).toEqual([]);
    const tableNames = model.tables.map((t) => t.name);
    expect([...model.parameters.entries()].filter(([k]) => k.endsWith('table-name')).map(([, v]) => v).sort()).toEqual([...tableNames].sort());
    expect(model.rules.every((r) => model.queues.some((q) => q.name === r.target.queueName))).toBe(true);
  });
});

describe('SimQueue', () => {
  let now = 0;
  const rng = new Rng(1);
  const dlq = () => new SimQueue('dlq', 'arn:dlq', 30, rng, () => now);

  it('hides a received message for the visibility timeout and accepts only the latest receipt handle', () => {
    now = 0;
    const q = new SimQueue('q', 'arn:q', 300, rng, () => now);
    q.send('a');
    const [first] = q.receive(10);
    expect(q.receive(10)).toHaveLength(0);
    now = 300_000;
    const [second] = q.receive(10);
    expect(second.receiveCount).toBe(2);
    expect(q.delete(`${first.messageId}#1#stale`)).toBe(false);
    expect(q.delete(second.receiptHandle as string)).toBe(true);
    expect(q.size).toBe(0);
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount', () => {
    now = 0;
    const dead = dlq();
    const q = new SimQueue('q', 'arn:q', 10, rng, () => now, { queue: dead, maxReceiveCount: 2 });
    const sent = q.send('body kept');
    for (let i = 0; i < 2; i++) {
      expect(q.receive(1)).toHaveLength(1);
      now += 10_000;
    }
    expect(q.receive(1)).toHaveLength(0);
    expect(dead.all().map((m) => [m.messageId, m.body])).toEqual([[sent.messageId, 'body kept']]);
  });

  it('changes the visibility of an in-flight message only', () => {
    now = 0;
    const q = new SimQueue('q', 'arn:q', 300, rng, () => now);
    q.send('a');
    const [m] = q.receive(1);
    q.changeVisibility(m.receiptHandle as string, 5);
    now = 5_000;
    expect(() => q.changeVisibility(m.receiptHandle as string, 5)).toThrow('not in flight');
    expect(q.receive(1)).toHaveLength(1);
  });
});

describe('LocalEventBus', () => {
  const upload = (bucket: string, key: string) => ({ bucket, key, versionId: 'v1', etag: '"e"', size: 1, requestId: 'REQ1', time: new Date(0) });
  const bus = (refuse?: () => boolean) => {
    const rng = new Rng(2);
    const queues = new Map(model.queues.map((q) => [q.name, new SimQueue(q.name, q.arn, q.visibilityTimeoutSeconds, rng, () => 0)]));
    return { queues, bus: new LocalEventBus(model.rules, queues, refuse), rng };
  };

  it('turns one upload into one message per format, both parsing to the same task id and key', () => {
    const { queues, bus: b, rng } = bus();
    for (const e of uploadEvents(upload(model.buckets[0], 'a b+c"\\d/é.txt'), model.region, rng)) b.put(e);
    const bodies = queues.get(model.eventSourceMapping.queueName)?.all().map((m) => parseTaskMessage(m.body)) ?? [];
    expect(bodies.map((p) => p.ok && [p.message.source, p.message.key])).toEqual([
      ['s3-eventbridge', 'a b+c"\\d/é.txt'],
      ['cloudtrail', 'a b+c"\\d/é.txt'],
    ]);
    expect(new Set(bodies.map((p) => p.ok && p.message.taskId)).size).toBe(1);
  });

  it('matches no rule for a bucket outside the stack', () => {
    const { bus: b, rng } = bus();
    for (const e of uploadEvents(upload('someone-elses-bucket', 'k'), model.region, rng)) expect(b.put(e)).toEqual([]);
    expect(b.unmatched).toBe(2);
  });

  it('sends a refused delivery to the target dead-letter queue with the event itself', () => {
    const { queues, bus: b, rng } = bus(() => true);
    const [s3Event] = uploadEvents(upload(model.buckets[0], 'k'), model.region, rng);
    const [delivery] = b.put(s3Event);
    const rule = model.rules.find((r) => r.name === delivery.rule);
    expect(delivery.queue).toBe(rule?.target.deadLetterQueueName);
    expect(delivery.messageId).toBeUndefined();
    expect(queues.get(delivery.queue as string)?.all().map((m) => JSON.parse(m.body))).toEqual([s3Event]);
    expect(queues.get(model.eventSourceMapping.queueName)?.size).toBe(0);
  });

  it('drops an event that neither the target nor its dead-letter queue accepts (too large for SQS)', () => {
    const { bus: b, rng } = bus();
    const [s3Event] = uploadEvents(upload(model.buckets[0], 'k'), model.region, rng);
    (s3Event.detail as { object: Record<string, unknown> }).object.padding = 'x'.repeat(300 * 1024);
    expect(b.put(s3Event)).toEqual([expect.objectContaining({ queue: undefined })]);
    expect(b.dropped).toBe(1);
  });
});

describe('ExecutionMonitor', () => {
  const NOW = 1_000_000;
  // The lock item the lock table returns: held by `owner` until `expiresAtSeconds`.
  const monitorWith = (lock: { owner: string; expiresAtSeconds: number } | undefined, frozen = new Set<string>()) => {
    const db = { send: async () => ({ Item: lock && { lockId: { S: 'x' }, lockOwner: { S: lock.owner }, expiresAt: { N: String(lock.expiresAtSeconds) } } }) };
    return new ExecutionMonitor(db as unknown as DynamoDBClient, 'locks', () => NOW, (id) => (frozen.add(id), true), (id) => frozen.has(id));
  };
  const live = { owner: 'req-1/msg-1', expiresAtSeconds: NOW / 1000 + 60 };

  it('accepts runs on one object one after the other', async () => {
    const m = monitorWith(live);
    for (let i = 0; i < 2; i++) {
      expect(await m.started('b', 'k', 'v1')).toBe(true);
      m.finished('b', 'k', 'v1', 200);
    }
    expect(m.violations).toEqual([]);
    expect(m.runs.get(ExecutionMonitor.taskKey('b', 'k', 'v1'))).toEqual({ started: ['req-1', 'req-1'], completed: ['req-1', 'req-1'] });
  });

  it('fails if two runs on one object overlap, even of different versions', async () => {
    const m = monitorWith(live);
    await m.started('b', 'k', 'v1');
    await m.started('b', 'k', 'v2');
    expect(m.violations).toEqual([expect.stringContaining('two workers on s3://b/k at once')]);
  });

  it('fails if a run starts without a live lock', async () => {
    const expired = monitorWith({ owner: 'req-1/msg-1', expiresAtSeconds: NOW / 1000 - 1 });
    await expired.started('b', 'k', 'v1');
    const none = monitorWith(undefined);
    await none.started('b', 'k', 'v1');
    expect([...expired.violations, ...none.violations]).toEqual([expect.stringContaining('without a live lock'), expect.stringContaining('without a live lock')]);
  });

  it('freezes the first run of a kill target, and ends it when its invocation is killed', async () => {
    const frozen = new Set<string>();
    const m = monitorWith(live, frozen);
    m.setKillTargets([ExecutionMonitor.taskKey('b', 'k', 'v1')]);
    expect(await m.started('b', 'k', 'v1')).toBe(false);
    expect(frozen).toEqual(new Set(['req-1']));
    // A frozen worker's further runs are held before they start.
    expect(await m.started('b', 'other', 'v1')).toBe(false);
    m.killed('req-1');
    expect(m.killedTasks).toEqual(new Set([ExecutionMonitor.taskKey('b', 'k', 'v1')]));
    expect(m.violations).toEqual([]);
  });
});
