/** The run's summary as text tables. */
import { LocalRunReport } from './run';

function table(title: string, rows: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(title.length, ...rows.map(([k]) => k.length));
  const valueWidth = Math.max(0, ...rows.map(([, v]) => String(v).length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(valueWidth)}`);
  return [`${title}`, ...(lines.length ? lines : ['  (none)'])].join('\n');
}

const countBy = <T>(items: readonly T[], key: (t: T) => string): [string, number][] => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
};

export function formatSummary(r: LocalRunReport): string {
  const o = r.outcome;
  const items = new Map(o.taskItems.map((i) => [i.taskId as string, i]));
  const topicName = new Map(r.model.topics.map((t) => [t.arn, t.name]));
  const tasks = o.uploads.length;
  const perTask = (n: number): string => (tasks ? (n / tasks).toFixed(2) : '-');
  const services = new Map<string, number>();
  for (const [op, n] of r.requests) services.set(op.split(':')[0], (services.get(op.split(':')[0]) ?? 0) + n);
  const s = r.invocations;
  const c = r.chaos;
  const sections = [
    table('Uploads', [
      ['uploads (valid tasks)', tasks],
      ['messages delivered to the task queue by the rules', o.eventsDelivered],
      ['events matching no rule', o.unmatchedEvents],
      ['malformed messages injected', o.malformed.length],
    ]),
    table('Tasks by final status (uploads)', countBy(o.uploads, (u) => String(items.get(u.taskId)?.status ?? 'no item'))),
    table('Notifications by topic', countBy(o.published, (p) => `${topicName.get(p.topicArn) ?? p.topicArn} (${p.attributes.status})`)),
    table('Messages in each queue at the end', o.queues.map((q) => [q.name, q.bodies.length] as const)),
    table('DynamoDB items by status', [
      ...countBy(o.taskItems, (i) => `tasks: ${String(i.status)}`),
      ['locks: items left (not released by a killed or failed worker)', o.lockItems.length],
    ]),
    table(`AWS requests by the function (per task over ${tasks} tasks)`, [
      ...[...services.entries()].sort().map(([svc, n]) => [svc, `${n} (${perTask(n)})`] as const),
      ...[...r.requests.entries()].sort().map(([op, n]) => [`  ${op}`, `${n} (${perTask(n)})`] as const),
    ]),
    table('Invocations', [
      ['invocations', s.invocations],
      ['containers started (cold starts)', s.coldStarts],
      ['records delivered', s.records],
      ['records reported in batchItemFailures', s.reportedFailures],
      ['records deleted', s.deleted],
      ['invocations killed at their timeout (frozen worker)', s.killed],
      ['invocations timed out while running (killed)', s.timedOut],
      ['invocations that threw or returned an invalid response', s.errors],
      ['concurrency', r.concurrency],
    ]),
  ];
  if (Object.values(c).some((v) => v > 0)) {
    sections.push(
      table('Chaos injected', [
        ['EventBridge events delivered twice', `${r.injected.eventDuplicates} (rate ${c.eventDuplicateRate})`],
        ['EventBridge deliveries refused (to the target DLQ)', `${r.injected.refusedDeliveries} (rate ${c.deliveryFailureRate})`],
        ['SQS duplicate copies', `${s.sqsDuplicates} (rate ${c.sqsDuplicateRate})`],
        ['DynamoDB throttling errors returned', `${r.dynamodb.throttled} (rate ${c.throttleRate})`],
        ['  of which on the SDK\'s last attempt (reached the handler)', r.dynamodb.finalThrottles],
        ['workers killed mid-task', o.killedTasks.size],
        ['overwrites of an earlier key (rate)', c.overwriteRate],
        ['malformed messages', o.malformed.length],
      ]),
    );
  }
  sections.push(
    [
      'Time',
      `  real ${(r.realMs / 1000).toFixed(1)} s; simulated time skipped ${(r.simulatedSkippedMs / 1000).toFixed(0)} s`,
      '  Simulated: Date.now in this process runs ahead by the skipped time; the driver skips only while no live',
      '  invocation runs, to the next message visibility or killed-invocation timeout. Real: handler code, SDK,',
      '  HTTP, dynalite, lock-wait backoff (performance.now / setTimeout).',
    ].join('\n'),
  );
  sections.push(
    r.violations.length === 0
      ? `Invariants: all hold (seed ${r.seed})`
      : [`Invariants: ${r.violations.length} FAILED (seed ${r.seed})`, ...r.violations.map((v) => `  - ${v}`)].join('\n'),
  );
  return sections.join('\n\n');
}
