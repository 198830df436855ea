import { Step, templateExpressions, Traversal, traversalText, traversals } from './expressions';
import { Finding, finding } from './findings';
import { BlockSchema, ProviderSchema } from './schema-types';
import { Block, Body, blockList, providerRef, StackModel, stringsIn } from './stack';

export interface ReferenceResult {
  readonly findings: Finding[];
  /** References checked (each traversal inside a `${...}`, each `depends_on` entry). */
  readonly resolved: number;
}

/** Roots that are not graph nodes: iteration values and built-ins. */
const CONTEXT_ROOTS = new Set(['count', 'each', 'self', 'path', 'terraform']);

/**
 * Arguments that may (or must) name resources of another region: the replica key's primary,
 * the global-table replica blocks (their keys live in the replica regions), and text that only
 * mentions names (dashboard bodies, parameter values).
 */
const CROSS_REGION_ARGUMENTS: Record<string, readonly string[]> = {
  aws_kms_replica_key: ['primary_key_arn'],
  aws_dynamodb_table: ['replica'],
  aws_dynamodb_table_replica: ['global_table_arn'],
  aws_cloudwatch_dashboard: ['dashboard_body'],
  aws_ssm_parameter: ['value', 'insecure_value'],
};

/** Attributes that identify a resource (as opposed to names or settings). */
const IDENTIFYING = /^(arn|id|url|key_id|.*_arn|.*_id|.*_url)$/;

/** Every expression names something declared, with an attribute its type has; no cycle; no cross-region slip. */
export function checkReferences(stack: StackModel, schema: ProviderSchema): ReferenceResult {
  const findings: Finding[] = [];
  let resolved = 0;
  const graph = new Map<string, Set<string>>();
  const edge = (from: string, to: string): void => {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  };
  const declared = {
    var: new Set(Object.keys(stack.json.variable ?? {})),
    local: new Set(Object.keys(stack.json.locals ?? {})),
    module: new Set(Object.keys(stack.json.module ?? {})),
  };

  /**
   * A traversal to a variable, local, module or context value (`count`, `each`, ...): the graph
   * node it depends on, `undefined` for none, or why it is wrong.
   */
  const resolve = (t: Traversal, context: Body | undefined): string | undefined | { problem: string } => {
    if (CONTEXT_ROOTS.has(t.root)) {
      if (t.root === 'count' && context && context.count === undefined) return { problem: `\${${traversalText(t)}} is used in a block without count` };
      if (t.root === 'each' && context && context.for_each === undefined && context.dynamic === undefined) {
        return { problem: `\${${traversalText(t)}} is used in a block without for_each` };
      }
      return undefined;
    }
    const name = t.steps[0]?.kind === 'attr' ? t.steps[0].name : undefined;
    if ((t.root === 'var' || t.root === 'local' || t.root === 'module') && name && declared[t.root].has(name)) return `${t.root}.${name}`;
    return { problem: `\${${traversalText(t)}} names nothing declared in this stack` };
  };

  const visit = (node: string, owner: Block | undefined, context: Body | undefined, values: unknown, skip: Set<string>): void => {
    const address = owner?.address ?? node;
    for (const { path, value } of stringsIn(values)) {
      if (skip.has(path.split(/[.[]/)[0])) continue;
      let expressions: string[];
      try {
        expressions = templateExpressions(value);
      } catch (err) {
        findings.push(finding('reference', address, path, (err as Error).message));
        continue;
      }
      for (const expr of expressions) {
        let found: Traversal[];
        try {
          found = traversals(expr);
        } catch (err) {
          findings.push(finding('reference', address, path, (err as Error).message));
          continue;
        }
        for (const t of found) {
          resolved++;
          const problem = checkTraversal(stack, schema, t, owner, path);
          if (problem) {
            findings.push(finding('reference', address, path, problem));
            continue;
          }
          const target = t.root === 'data' || /^[a-z0-9]+_/.test(t.root) ? stack.target(t)?.block.address : resolve(t, context);
          if (typeof target === 'object') findings.push(finding('reference', address, path, target.problem));
          else if (target) edge(node, target);
        }
      }
    }
  };

  for (const block of stack.blocks) {
    visit(block.address, block, block.body, block.body, new Set(['provider', 'depends_on']));
    resolved += checkProvider(stack, block, findings);
    for (const [i, dep] of (block.body.depends_on ?? []).entries()) {
      resolved++;
      const target = typeof dep === 'string' ? dep.replace(/^\$\{(.*)\}$/, '$1') : '';
      if (stack.get(target) || (target.startsWith('module.') && declared.module.has(target.split('.')[1]))) edge(block.address, target);
      else findings.push(finding('reference', block.address, `depends_on[${i}]`, `"${dep}" names nothing declared in this stack`));
    }
    findings.push(...checkRegions(stack, schema, block));
  }
  for (const [name, value] of Object.entries(stack.json.locals ?? {})) visit(`local.${name}`, undefined, undefined, value, new Set());
  for (const [name, value] of Object.entries<Body>(stack.json.output ?? {})) visit(`output.${name}`, undefined, undefined, value, new Set());
  for (const [name, value] of Object.entries<Body>(stack.json.module ?? {})) visit(`module.${name}`, undefined, undefined, value, new Set(['providers']));
  for (const [key, config] of stack.providers) visit(`provider.${key}`, undefined, undefined, config, new Set());

  for (const cycle of findCycles(graph)) {
    findings.push(finding('reference', cycle[0], '', `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}`));
  }
  return { findings, resolved };
}

/** The `provider` meta-argument names a declared configuration. */
function checkProvider(stack: StackModel, block: Block, findings: Finding[]): number {
  if (block.body.provider === undefined) return 0;
  const ref = providerRef(block.body.provider);
  if (!ref || !stack.providers.has(ref)) {
    findings.push(finding('reference', block.address, 'provider', `provider "${block.body.provider}" is not configured in this stack`));
  }
  return 1;
}

/** Why a traversal to a resource or data source is wrong, or `undefined` when it is fine. */
function checkTraversal(stack: StackModel, schema: ProviderSchema, t: Traversal, owner: Block | undefined, path: string): string | undefined {
  const isData = t.root === 'data';
  if (!isData && !/^[a-z0-9]+_/.test(t.root)) return undefined;
  const steps = isData ? t.steps : [{ kind: 'attr', name: t.root } as Step, ...t.steps];
  const [typeStep, nameStep] = steps;
  if (typeStep?.kind !== 'attr' || nameStep?.kind !== 'attr') return `\${${traversalText(t)}} is not a complete reference`;
  const address = `${isData ? 'data.' : ''}${typeStep.name}.${nameStep.name}`;
  const block = stack.get(address);
  if (!block) return `\${${traversalText(t)}} names ${address}, which is not declared in this stack`;
  if (block === owner && !path.startsWith('lifecycle')) return `\${${traversalText(t)}} refers to its own block`;
  const blockSchema = (isData ? schema.dataSources : schema.resources)[block.type];
  if (!blockSchema) return undefined;
  const rest = steps.slice(2);
  // Instances of a counted resource are selected by index first.
  while (rest[0] && rest[0].kind !== 'attr') rest.shift();
  return checkAttributePath(blockSchema, rest, address);
}

function checkAttributePath(schema: BlockSchema, steps: readonly Step[], where: string): string | undefined {
  const [first, ...rest] = steps;
  if (!first) return undefined;
  if (first.kind !== 'attr') return undefined;
  const attr = schema.a[first.name];
  const nested = schema.b?.[first.name];
  if (!attr && !nested) return `${where} has no attribute "${first.name}"`;
  if (attr) return undefined; // scalars, lists and maps: what follows is an index or a map key
  const after = [...rest];
  while (after[0] && after[0].kind !== 'attr') after.shift();
  return checkAttributePath(nested!.s, after, `${where}.${first.name}`);
}

/** References a regional resource makes to another region's resources, where AWS needs the same region. */
function checkRegions(stack: StackModel, schema: ProviderSchema, block: Block): Finding[] {
  const out: Finding[] = [];
  const ownSchema = (block.kind === 'resource' ? schema.resources : schema.dataSources)[block.type];
  // Types without a `region` argument (IAM, policy documents, caller identity) are global.
  if (!ownSchema?.a.region) return out;
  const region = stack.regionOf(block);
  const allowed = CROSS_REGION_ARGUMENTS[block.type] ?? [];
  for (const { path, value } of stringsIn(block.body)) {
    const root = path.split(/[.[]/)[0];
    if (allowed.includes(root) || root === 'provider' || root === 'depends_on' || root === 'tags') continue;
    for (const expr of safeExpressions(value)) {
      for (const t of safeTraversals(expr)) {
        const hit = stack.target(t);
        if (!hit || !IDENTIFYING.test(hit.attribute.split('.').pop() ?? '')) continue;
        const targetSchema = (hit.block.kind === 'resource' ? schema.resources : schema.dataSources)[hit.block.type];
        if (!targetSchema?.a.region) continue;
        const other = stack.regionOf(hit.block);
        if (region && other && region !== other) {
          out.push(finding('reference', block.address, path, `${region} resource refers to ${hit.block.address}.${hit.attribute} in ${other}; AWS needs both in one region here`));
        }
      }
    }
  }
  if (block.type === 'aws_dynamodb_table') {
    blockList(block.body.replica).forEach((replica, i) => {
      if (replica.region_name === region) out.push(finding('reference', block.address, `replica[${i}].region_name`, `replica region ${region} is the table's own region`));
      const key = stack.target(replica.kms_key_arn);
      const keyRegion = key && stack.regionOf(key.block);
      if (keyRegion && typeof replica.region_name === 'string' && !replica.region_name.includes('${') && keyRegion !== replica.region_name) {
        out.push(finding('reference', block.address, `replica[${i}].kms_key_arn`, `key ${key.block.address} is in ${keyRegion}, the replica is in ${replica.region_name}`));
      }
    });
  }
  return out;
}

function safeExpressions(value: string): string[] {
  try {
    return templateExpressions(value);
  } catch {
    return []; // reported by the reference walk
  }
}

function safeTraversals(expr: string): Traversal[] {
  try {
    return traversals(expr);
  } catch {
    return [];
  }
}

/** Elementary cycles found by depth-first search, one per strongly connected knot. */
export function findCycles(graph: Map<string, Set<string>>): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const dfs = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === 'active') cycles.push(stack.slice(stack.indexOf(next)));
      else if (!s) dfs(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) dfs(node);
  return cycles;
}
