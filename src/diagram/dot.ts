import { Concern, CONCERNS } from './catalog';
import { ArchitectureModel, DiagramEdge, DiagramNode, EdgeKind } from './model';

/** Fill of each concern's box and border of its nodes. */
const CONCERN_STYLE: Record<Concern, { label: string; fill: string; border: string }> = {
  ingest: { label: 'Ingest', fill: '#e3eefa', border: '#2f6db5' },
  queueing: { label: 'Queueing', fill: '#fbe6f0', border: '#b03a7a' },
  compute: { label: 'Compute', fill: '#fdeedb', border: '#c8651b' },
  data: { label: 'Data', fill: '#e8e6f8', border: '#4b44a8' },
  notification: { label: 'Notification', fill: '#fbe4e1', border: '#b83a3a' },
  observability: { label: 'Observability', fill: '#dff3ef', border: '#1f8a78' },
  network: { label: 'Network', fill: '#f0e6f8', border: '#7a3fb0' },
  encryption: { label: 'Encryption', fill: '#f4f0e2', border: '#8a6d1f' },
};

interface EdgeStyle {
  readonly color: string;
  readonly line: 'solid' | 'dashed' | 'dotted';
  readonly penwidth: number;
  /** What the legend calls it. */
  readonly legend: string;
}

const EDGE_STYLE: Record<EdgeKind, EdgeStyle> = {
  flow: { color: '#333333', line: 'solid', penwidth: 1.6, legend: 'data flow' },
  failure: { color: '#c0392b', line: 'dashed', penwidth: 1.3, legend: 'failure path' },
  access: { color: '#2f6db5', line: 'solid', penwidth: 1.1, legend: 'role grants' },
  alert: { color: '#c8651b', line: 'dashed', penwidth: 1, legend: 'alarm actions' },
  replication: { color: '#7a3fb0', line: 'dashed', penwidth: 1, legend: 'replication' },
  placement: { color: '#999999', line: 'dotted', penwidth: 1, legend: 'runs in' },
};

const LEGEND_GLYPH: Record<EdgeStyle['line'], string> = { solid: '——→', dashed: '- - →', dotted: '······' };

const FONT = 'Helvetica';

/** The Graphviz source of the picture: one box per region, one box per concern inside it. */
export function toDot(model: ArchitectureModel, subtitle = 'generated from the synthesized cdk.tf.json'): string {
  const lines = [
    'digraph architecture {',
    `  graph [rankdir=TB, newrank=true, fontname="${FONT}", fontsize=11, nodesep=0.25, ranksep=0.55, pad=0.3, labelloc=t, labeljust=l,`,
    `         label=<${title(model, subtitle)}>];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="${FONT}", fontsize=10, margin="0.12,0.06"];`,
    `  edge [fontname="${FONT}", fontsize=9, arrowsize=0.7];`,
  ];
  for (const region of model.regions) {
    const inRegion = model.nodes.filter((n) => n.region === region.alias);
    lines.push(
      `  subgraph "cluster_${region.alias}" {`,
      `    label=<<b>${esc(region.region)}</b> · ${esc(region.alias)}>; style="rounded,dashed"; color="#888888"; fontsize=13; margin=12;`,
    );
    for (const concern of CONCERNS) {
      const nodes = inRegion.filter((n) => n.concern === concern);
      if (!nodes.length) continue;
      const s = CONCERN_STYLE[concern];
      lines.push(
        `    subgraph "cluster_${region.alias}_${concern}" {`,
        `      label=<<b>${s.label}</b>>; style="rounded,filled"; fillcolor="${s.fill}"; color="${s.border}"; fontcolor="${s.border}";`,
        ...nodes.map((n) => `      ${quote(n.id)} [label=<${nodeLabel(n)}>, color="${s.border}", tooltip=${quote(n.resources.join('\n'))}];`),
        '    }',
      );
    }
    lines.push('  }');
  }
  const { rows, flat, backward } = layoutHints(model);
  for (const row of rows) lines.push(`  { rank=same; ${row.map(quote).join('; ')}; }`);
  for (const e of model.edges) {
    const attrs = edgeAttrs(e);
    if (backward.has(e)) lines.push(`  ${quote(e.to)} -> ${quote(e.from)} [${attrs}, dir=back];`);
    else lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [${attrs}${flat.has(e) ? ', constraint=false' : ''}];`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

function title(model: ArchitectureModel, subtitle: string): string {
  const legend = (Object.keys(EDGE_STYLE) as EdgeKind[])
    .filter((k) => model.edges.some((e) => e.kind === k))
    .map((k) => `<font color="${EDGE_STYLE[k].color}">${LEGEND_GLYPH[EDGE_STYLE[k].line]} ${EDGE_STYLE[k].legend}</font>`)
    .join('    ');
  const prefix = model.namePrefix ? `names shortened: <i>${esc(model.namePrefix)}-</i>…    ` : '';
  return `<font point-size="16"><b>TapStack architecture</b></font><br align="left"/><font point-size="9" color="#555555">${esc(subtitle)}    ${prefix}</font><br align="left"/><font point-size="9">${legend}</font><br align="left"/>`;
}

function nodeLabel(n: DiagramNode): string {
  const lines = [`<b>${esc(n.title)}</b>`];
  if (n.name) lines.push(esc(n.name));
  for (const d of n.details.flatMap((x) => wrap(x, 46))) lines.push(`<font point-size="8" color="#555555">${esc(d)}</font>`);
  return lines.join('<br/>');
}

/** Breaks a `·`-separated list of facts into lines of about `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const part of text.split(' · ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + part.length + 3 <= width) lines[last] += ` · ${part}`;
    else lines.push(part);
  }
  return lines;
}

function edgeAttrs(e: DiagramEdge): string {
  const s = EDGE_STYLE[e.kind];
  const attrs = [`color="${s.color}"`, `fontcolor="${s.color}"`, `style=${s.line}`, `penwidth=${s.penwidth}`];
  // Placement is not a direction anything moves in.
  if (e.kind === 'placement') attrs.push('arrowhead=none');
  if (e.label) attrs.push(`label=${quote(e.label)}`);
  return attrs.join(', ');
}

/** Edge kinds in the order they claim a place in the top-down flow; `placement` claims none. */
const RANKING: readonly EdgeKind[] = ['flow', 'failure', 'access', 'alert', 'replication'];
/** Concerns whose boxes hold a chain (bucket → rule), so their nodes keep their own ranks. */
const CHAINED: ReadonlySet<Concern> = new Set(['ingest']);

/**
 * Keeps the picture compact: the nodes of every box but a chained one share a rank (one row), so do those of a
 * secondary region; an arrow inside a row does not move nodes, and one that would close a cycle (the function
 * reading the bucket its work came from) is laid out as the reverse arrow, pointing back.
 */
function layoutHints(model: ArchitectureModel): { rows: string[][]; flat: Set<DiagramEdge>; backward: Set<DiagramEdge> } {
  const primary = model.regions[0]?.alias;
  const groups = new Map<string, string[]>();
  for (const n of model.nodes) {
    if (n.region === primary && CHAINED.has(n.concern)) continue;
    const key = n.region === primary ? `${n.region}/${n.concern}` : n.region;
    groups.set(key, [...(groups.get(key) ?? []), n.id]);
  }
  const rowOf = new Map<string, string>();
  const rows: string[][] = [];
  for (const [key, ids] of groups) {
    // A box whose nodes feed one another keeps them in successive rows.
    const internal = model.edges.some((e) => e.kind === 'flow' && ids.includes(e.from) && ids.includes(e.to));
    if (internal || ids.length < 2) continue;
    rows.push(ids);
    for (const id of ids) rowOf.set(id, key);
  }
  const flat = new Set<DiagramEdge>();
  const backward = new Set<DiagramEdge>();
  const successors = new Map<string, string[]>();
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    from === to || (!seen.has(from) && (seen.add(from), (successors.get(from) ?? []).some((s) => reaches(s, to, seen))));
  const rank = (id: string) => rowOf.get(id) ?? id;
  const order = (e: DiagramEdge) => (RANKING.includes(e.kind) ? RANKING.indexOf(e.kind) : RANKING.length);
  for (const e of [...model.edges].sort((a, b) => order(a) - order(b))) {
    const [from, to] = [rank(e.from), rank(e.to)];
    if (from === to || !RANKING.includes(e.kind)) flat.add(e);
    else if (reaches(to, from)) backward.add(e);
    else successors.set(from, [...(successors.get(from) ?? []), to]);
  }
  return { rows, flat, backward };
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
