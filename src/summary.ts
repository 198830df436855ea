import * as fs from 'fs';
import * as path from 'path';

type Json = Record<string, any>;

/** Counts of resources per type and region, read from a synthesized stack. */
export function summarize(stackJson: Json): { region: string; type: string; count: number }[] {
  const regions = new Map<string, string>();
  for (const provider of stackJson.provider?.aws ?? []) {
    regions.set(`aws.${provider.alias}`, provider.region);
  }
  const counts = new Map<string, number>();
  for (const [type, blocks] of Object.entries<Json>(stackJson.resource ?? {})) {
    for (const block of Object.values<Json>(blocks)) {
      const ref = /^(aws\.[\w-]+)$/.exec(block.provider ?? '')?.[1];
      const region = (ref && regions.get(ref)) ?? 'default provider';
      const key = `${region}\t${type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .map(([key, count]) => {
      const [region, type] = key.split('\t');
      return { region, type, count };
    })
    .sort((a, b) => a.region.localeCompare(b.region) || a.type.localeCompare(b.type));
}

/** Prints where the synthesized stack is and what it declares. */
export function printSummary(outdir: string, stackName: string): void {
  const file = path.join(outdir, 'stacks', stackName, 'cdk.tf.json');
  const rows = summarize(JSON.parse(fs.readFileSync(file, 'utf8')));
  const total = rows.reduce((n, r) => n + r.count, 0);
  const lines = [`Synthesized ${stackName}: ${total} resources -> ${path.relative(process.cwd(), file) || file}`];
  for (const row of rows) lines.push(`  ${row.region.padEnd(12)} ${String(row.count).padStart(3)}  ${row.type}`);
  console.log(lines.join('\n'));
}
