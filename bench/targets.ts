/** The targets, checked against a report: met, missed (with the measured reason), or not measured in this mode. */
import type { BenchReport, Target } from './report';

export function targets(report: Omit<BenchReport, 'targets'>): Target[] {
  const happy = (design: string) => report.processor.scenarios.find((s) => s.design === design && s.scenario === 'happy');
  const ours = happy('project');
  const processorBundle = report.bundles.find((b) => b.handler === 'processor');
  const list: Target[] = [];
  const { app, cdktf } = report.synth;
  const build = report.bundles.reduce((n, b) => n + b.buildMs, 0);
  list.push({
    name: 'full synth through the app entry (median)',
    target: '< 1.5 s',
    measured: `${(app.medianWallMs / 1000).toFixed(2)} s`,
    met: app.medianWallMs < 1500,
    note: `includes tsx start-up ${report.synth.tsxStartupMs.toFixed(0)} ms and bundling the functions ${build.toFixed(0)} ms`,
  });
  list.push({
    name: 'full synth through `cdktf synth` (median)',
    target: '< 4 s',
    measured: cdktf ? `${(cdktf.medianWallMs / 1000).toFixed(2)} s` : 'not measured',
    met: cdktf ? cdktf.medianWallMs < 4000 : null,
    note: cdktf ? `${((cdktf.medianWallMs - app.medianWallMs) / 1000).toFixed(2)} s more than the app entry: the cdktf CLI and npx` : undefined,
  });
  if (processorBundle) {
    list.push({ name: 'processor bundle, zipped', target: '< 1 MiB', measured: `${(processorBundle.zipBytes / 1024).toFixed(1)} KiB`, met: processorBundle.zipBytes < 1024 * 1024 });
    list.push({ name: 'processor cold initialisation (median)', target: '< 150 ms', measured: `${processorBundle.initMedianMs.toFixed(1)} ms`, met: processorBundle.initMedianMs < 150 });
  }
  if (ours) {
    const n = ours.run.succeededTasks;
    const dynamo = ours.requestsPerTask.dynamodbReads + ours.requestsPerTask.dynamodbWrites;
    const ops = Object.entries(ours.operations)
      .filter(([op]) => op.startsWith('dynamodb:'))
      .map(([op, count]) => `${op.slice(9)} ${(count / n).toFixed(2)}`)
      .join(', ');
    list.push({
      name: 'DynamoDB requests per successful task, happy path',
      target: '≤ 4',
      measured: dynamo.toFixed(2),
      met: dynamo <= 4,
      note: `${ops} per task` + (dynamo > 4 ? ': claim UpdateItem, lock PutItem, lock DeleteItem, completion UpdateItem and the notification-marker UpdateItem (removed after SNS accepts the notification, for at-least-once notifications)' : ''),
    });
    list.push({ name: 'SSM requests per successful task, warm', target: '0', measured: ours.requestsPerTask.ssm.toFixed(2), met: ours.requestsPerTask.ssm === 0, note: `${ours.coldStartSsmRequests} per cold start` });
    list.push({ name: 'SNS requests per successful task, happy path', target: '≤ 0.1', measured: ours.requestsPerTask.sns.toFixed(3), met: ours.requestsPerTask.sns <= 0.1 });
  }
  const seedHappy = report.ratios.find((x) => x.baseline === 'seed' && x.scenario === 'happy');
  const seed = happy('seed');
  if (seedHappy && ours && seed) {
    const dynamo = (s: typeof ours) => (s.requestsPerTask.dynamodbReads + s.requestsPerTask.dynamodbWrites).toFixed(2);
    const cpu = (a: number, b: number) => `${a.toFixed(2)} vs ${b.toFixed(2)}`;
    const others = report.ratios.filter((x) => x.baseline === 'seed' && x.scenario !== 'happy').map((x) => `${x.scenario} ${x.throughput.toFixed(2)}×`);
    list.push({
      name: 'throughput vs the seed-style baseline, happy path',
      target: '≥ 1.5×',
      measured: `${seedHappy.throughput.toFixed(2)}×`,
      met: seedHappy.throughput >= 1.5,
      note:
        `other scenarios: ${others.join(', ')}. One dynalite process serves every DynamoDB request, and this project sends ${dynamo(ours)} per task against the seed's ${dynamo(seed)}; ` +
        `CPU per task, this project vs seed: ${cpu(ours.processCpuMsPerTask, seed.processCpuMsPerTask)} ms in the handlers' process, ${cpu(ours.emulatorCpuMsPerTask, seed.emulatorCpuMsPerTask)} ms in dynalite, on ${report.machine.cpus} shared cores` +
        (report.mode === 'quick' ? '; quick mode: too few tasks to compare' : ''),
    });
  }
  return list;
}
