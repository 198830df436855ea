import { CONCERNS, Concern, kindOf, NodeKind } from './catalog';
import { compare, Json, parseJsonAttribute, referencesIn, regionsOf, resourcesOf, stringLeaves, TfResource, valuesAt } from './terraform';

/** One box of the picture: a resource, or a count of similar resources of one region. */
export interface DiagramNode {
  readonly id: string;
  readonly concern: Concern;
  /** Provider alias of the region it lives in (`primary`, `replica`). */
  readonly region: string;
  readonly title: string;
  readonly name?: string;
  readonly details: readonly string[];
  /** Addresses of the resources it stands for, folded ones included. */
  readonly resources: readonly string[];
}

/**
 * `flow`: messages or events move along it; `failure`: where what fails goes; `access`: the function reads or
 * writes it (from its role policy); `alert`: alarm notifications; `replication`: copies in another region;
 * `placement`: where the function runs.
 */
export type EdgeKind = 'flow' | 'failure' | 'access' | 'alert' | 'replication' | 'placement';

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
}

export interface DiagramRegion {
  readonly alias: string;
  readonly region: string;
}

export interface ArchitectureModel {
  /** Prefix every resource name starts with, cut from the names shown. */
  readonly namePrefix?: string;
  readonly regions: readonly DiagramRegion[];
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
}

interface MutableNode {
  id: string;
  concern: Concern;
  region: string;
  title: string;
  name?: string;
  details: string[];
  resources: string[];
  /** The resources it stands for (several for a summary), not the ones folded into it. */
  heads: TfResource[];
}

/** Builds the picture's model from a synthesized stack, using only resource types and references. */
export function buildModel(json: Json): ArchitectureModel {
  if (!json || typeof json !== 'object' || !Object.keys(json.resource ?? {}).length) {
    throw new Error('not a synthesized stack: the JSON has no "resource" blocks (expected cdktf.out/stacks/<stack>/cdk.tf.json)');
  }
  return new ModelBuilder(json).build();
}

class ModelBuilder {
  private readonly resources: TfResource[];
  private readonly byAddress = new Map<string, TfResource>();
  /** Resources referencing each address, in address order. */
  private readonly referrers = new Map<string, TfResource[]>();
  private readonly owners = new Map<string, string | undefined>();
  private readonly nodes = new Map<string, MutableNode>();
  private readonly edges = new Map<string, DiagramEdge>();
  private readonly regions: DiagramRegion[];
  private namePrefix?: string;

  constructor(private readonly json: Json) {
    this.resources = resourcesOf(json);
    this.regions = regionsOf(json);
    for (const r of this.resources) this.byAddress.set(r.address, r);
    for (const r of this.resources) {
      for (const target of new Set(referencesIn(r.block).map((ref) => ref.address))) {
        const list = this.referrers.get(target) ?? [];
        list.push(r);
        this.referrers.set(target, list);
      }
    }
  }

  build(): ArchitectureModel {
    // Heads first, so a node takes its concern and region from what it stands for, not from a folded resource.
    const isHead = (r: TfResource) => this.ownerOf(r.address) === headIdOf(r);
    for (const r of this.resources.filter(isHead)) this.place(r, true);
    for (const r of this.resources.filter((x) => !isHead(x))) this.place(r, false);
    this.nameNodes();
    this.addReplicas();
    this.describeKeys();
    for (const r of this.resources) this.addEdges(r);
    this.addAccessEdges();
    const concernOrder = (c: Concern) => CONCERNS.indexOf(c);
    const nodes = [...this.nodes.values()]
      .map(({ heads: _, ...n }) => ({ ...n, resources: [...n.resources].sort(compare) }))
      .sort((a, b) => compare(a.region, b.region) || concernOrder(a.concern) - concernOrder(b.concern) || compare(a.id, b.id));
    const edges = [...this.edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind));
    const regions = this.regions.filter((r) => nodes.some((n) => n.region === r.alias));
    return { namePrefix: this.namePrefix, regions, nodes, edges };
  }

  /** Puts a resource into the node it is drawn as or folded into. */
  private place(r: TfResource, head: boolean): void {
    const id = this.ownerOf(r.address)!;
    const node = this.nodes.get(id) ?? { id, concern: kindOf(r.type).concern, region: r.providerAlias, title: '', details: [], resources: [], heads: [] };
    this.nodes.set(id, node);
    node.resources.push(r.address);
    if (head) node.heads.push(r);
  }

  /**
   * The node a resource is drawn in: itself, its region's summary, or (for a satellite) its owner's node.
   * Satellites without owner (security groups of a VPC this stack does not manage) are counted per type and
   * region: losing a resource would be worse than one more box.
   */
  private ownerOf(address: string, seen = new Set<string>()): string | undefined {
    if (this.owners.has(address)) return this.owners.get(address);
    const r = this.byAddress.get(address);
    if (!r || seen.has(address)) return undefined;
    seen.add(address);
    const kind = kindOf(r.type);
    let owner: string | undefined;
    if (kind.draw !== 'satellite') owner = headIdOf(r);
    else {
      const candidates = kind.parentAttrs
        ? parentsOf(r, kind.parentAttrs)
        : // Its users: not its own satellites (a role's policy points at the role, but belongs to it), and not
          // what only watches it (a dashboard naming the function's log group does not own that log group).
          (this.referrers.get(address) ?? []).filter((u) => !this.isChildOf(u, address) && !watches(u)).map((u) => u.address);
      owner = candidates.map((c) => this.ownerOf(c, seen)).find((o) => o !== undefined) ?? headIdOf(r);
    }
    this.owners.set(address, owner);
    return owner;
  }

  private isChildOf(r: TfResource, parent: string): boolean {
    const kind = kindOf(r.type);
    return kind.draw === 'satellite' && !!kind.parentAttrs && parentsOf(r, kind.parentAttrs).includes(parent);
  }

  /** Names, details and counts, with the prefix every name shares cut off. */
  private nameNodes(): void {
    const names = new Map<string, string>();
    const ownNames: string[] = [];
    for (const node of this.nodes.values()) {
      const [head] = node.heads;
      const kind = kindOf(head.type);
      if (kind.draw === 'node') {
        node.title = kind.title;
        const name = nameOf(kind, head, node, this.byAddress);
        if (name) names.set(node.id, name);
        if (name && !kind.nameFromSatellite) ownNames.push(name);
        const folded = node.resources.filter((a) => a !== head.address).map((a) => this.byAddress.get(a)!);
        const detail = kind.detail?.(head.block, folded);
        if (detail) node.details.push(readableInterpolations(detail));
      }
    }
    this.namePrefix = sharedPrefix(ownNames);
    const prefix = this.namePrefix;
    const shorten = (name: string) => readableInterpolations(prefix && name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name);
    for (const [id, name] of names) this.nodes.get(id)!.name = shorten(name);
    for (const node of this.nodes.values()) {
      const n = node.heads.length;
      const kind = kindOf(node.heads[0].type);
      if (kind.draw === 'summary') {
        node.title = `${n} ${n === 1 ? kind.singular : kind.plural}`;
        const detail = kind.detail?.(node.heads.map((h) => h.block), shorten);
        if (detail) node.details.push(detail);
      } else if (kind.draw === 'satellite') {
        node.title = n === 1 ? kind.title : counted(n, kind.title.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()));
      }
    }
  }

  /** Global-table replicas live in the replica region: one node per replica, linked to its table. */
  private addReplicas(): void {
    for (const r of this.resources.filter((x) => x.type === 'aws_dynamodb_table')) {
      const table = this.nodes.get(r.address);
      if (!table) continue;
      for (const regionName of valuesAt(r.block, 'replica.region_name').map(String)) {
        const alias = this.regions.find((g) => g.region === regionName)?.alias ?? regionName;
        if (!this.regions.some((g) => g.alias === alias)) this.regions.push({ alias, region: regionName });
        const id = `${r.address}@${regionName}`;
        this.nodes.set(id, { id, concern: 'data', region: alias, title: 'DynamoDB replica', name: table.name, details: [], resources: [], heads: [] });
        this.addEdge(r.address, id, 'replication', 'replica');
      }
    }
  }

  /** What each key encrypts, counted by resource kind, since an arrow to everything would hide the flow. */
  private describeKeys(): void {
    for (const node of this.nodes.values()) {
      if (node.concern !== 'encryption') continue;
      const encrypted = new Map<string, string>();
      for (const key of node.resources) {
        for (const r of this.referrers.get(key) ?? []) {
          for (const ref of referencesIn(r.block)) {
            if (ref.address !== key || !/kms/.test(ref.path)) continue;
            const kind = kindOf(r.type);
            const owner = this.ownerOf(r.address);
            const isReplica = r.type === 'aws_dynamodb_table' && ref.path.startsWith('replica.');
            const [address, title] = isReplica
              ? [`${r.address}@replica`, 'DynamoDB replica']
              : kind.draw === 'satellite' && kind.parentAttrs && owner
                ? [owner, this.nodes.get(owner)!.title]
                : [r.address, kind.draw === 'summary' ? kind.singular : kind.title];
            encrypted.set(address, title);
          }
        }
      }
      const counts = new Map<string, number>();
      for (const title of encrypted.values()) counts.set(title, (counts.get(title) ?? 0) + 1);
      const parts = [...counts.entries()].sort(([a], [b]) => compare(a, b)).map(([t, n]) => counted(n, t));
      if (parts.length) node.details.push(`encrypts ${parts.join(' · ')}`);
    }
  }

  /** Data-flow edges carried by the attributes of one resource. */
  private addEdges(r: TfResource): void {
    const from = this.ownerOf(r.address);
    if (!from) return;
    const b = r.block;
    const to = (value: unknown): string[] => referencesIn(value).flatMap((ref) => this.ownerOf(ref.address) ?? []);

    switch (r.type) {
      case 'aws_cloudwatch_event_rule':
        for (const source of this.patternSources(r)) this.addEdge(source, from, 'flow');
        break;
      case 'aws_cloudwatch_event_target':
        for (const t of to(b.arn)) this.addEdge(from, t, 'flow', b.input_transformer ? 'transformed' : undefined);
        break;
      case 'aws_lambda_event_source_mapping':
        for (const source of to(b.event_source_arn)) this.addEdge(source, from, 'flow', b.batch_size ? `batches of ${b.batch_size}` : undefined);
        break;
      case 'aws_lambda_function':
        for (const place of to(valuesAt(b, 'vpc_config.subnet_ids'))) this.addEdge(from, place, 'placement', 'runs in');
        break;
      case 'aws_kms_replica_key':
        for (const primary of to(b.primary_key_arn)) this.addEdge(primary, from, 'replication', 'replica');
        break;
      case 'aws_sns_topic_subscription':
        for (const t of to(b.endpoint)) this.addEdge(from, t, 'flow', 'subscription');
        break;
      case 'aws_s3_bucket_notification':
        for (const t of to([b.queue, b.topic, b.lambda_function])) this.addEdge(from, t, 'flow', 'notification');
        break;
    }
    // Attributes with the same meaning on any resource type.
    const redrive = parseJsonAttribute(b.redrive_policy) as Json | undefined;
    if (redrive) {
      const label = redrive.maxReceiveCount ? `after ${redrive.maxReceiveCount} receives` : 'redrive';
      for (const dlq of to(redrive.deadLetterTargetArn)) this.addEdge(from, dlq, 'failure', label);
    }
    for (const dlq of to(valuesAt(b, 'dead_letter_config.arn'))) this.addEdge(from, dlq, 'failure', 'undeliverable');
    for (const t of to(valuesAt(b, 'destination_config.on_success.destination'))) this.addEdge(from, t, 'flow', 'on success');
    for (const t of to(valuesAt(b, 'destination_config.on_failure.destination'))) this.addEdge(from, t, 'failure', 'on failure');
    for (const t of to([b.alarm_actions, b.ok_actions, b.insufficient_data_actions])) this.addEdge(from, t, 'alert', 'alarm');
  }

  /** Buckets (or anything else) an event pattern names: by reference, or by a bucket's literal name or ARN. */
  private patternSources(rule: TfResource): string[] {
    const pattern = parseJsonAttribute(rule.block.event_pattern);
    const leaves = new Set(stringLeaves(pattern));
    const referenced = referencesIn(pattern).map((ref) => ref.address);
    const names = (r: TfResource) => {
      const name = String(r.block.bucket);
      return [...leaves].some((l) => l === name || l.endsWith(`:::${name}`) || l.includes(`:::${name}/`));
    };
    const named = this.resources.filter((r) => r.type === 'aws_s3_bucket' && names(r)).map((r) => r.address);
    return [...referenced, ...named].flatMap((a) => this.ownerOf(a) ?? []);
  }

  /** What each role may read or write, from its policy documents: the function's arrows to tables, topics, parameters. */
  private addAccessEdges(): void {
    const parameters = this.resources.filter((r) => r.type === 'aws_ssm_parameter');
    for (const r of this.resources.filter((x) => x.type === 'aws_iam_role_policy' || x.type === 'aws_iam_policy')) {
      const from = this.ownerOf(r.address);
      // A policy attached to nothing this stack draws grants nothing worth an arrow.
      if (!from || from === headIdOf(r)) continue;
      const verbs = new Map<string, Set<string>>();
      for (const statement of this.statementsOf(r.block.policy)) {
        if (statement.effect === 'Deny') continue;
        const actions: string[] = stringLeaves(statement.actions ?? []);
        for (const resource of stringLeaves(statement.resources ?? [])) {
          const targets = [
            ...referencesIn(resource).map((ref) => ref.address),
            ...parameters.filter((p) => parameterArnMatches(resource, String(p.block.name), actions)).map((p) => p.address),
          ].flatMap((a) => this.ownerOf(a) ?? []);
          for (const target of targets) {
            const node = this.nodes.get(target)!;
            if (target === from || !ACCESS_CONCERNS.has(node.concern)) continue;
            const set = verbs.get(target) ?? new Set<string>();
            for (const a of actions) set.add(a);
            verbs.set(target, set);
          }
        }
      }
      for (const [target, actions] of verbs) this.addAccessEdge(from, target, accessLabel([...actions]));
    }
  }

  /**
   * A grant along an existing arrow adds its verb to that arrow (the function publishes to the topic it also
   * has as a destination); a grant against one is implied by it (the mapping polls the queue for the function).
   */
  private addAccessEdge(from: string, to: string, label: string): void {
    const existing = [...this.edges.entries()].filter(([, e]) => (e.from === from && e.to === to) || (e.from === to && e.to === from));
    if (!existing.length) return this.addEdge(from, to, 'access', label);
    for (const [key, e] of existing) {
      if (e.from === from && !e.label?.includes(label)) this.edges.set(key, { ...e, label: e.label ? `${label}, ${e.label}` : label });
    }
  }

  private statementsOf(policy: unknown): Json[] {
    const ref = referencesIn(policy).find((x) => x.address.startsWith('data.aws_iam_policy_document.'));
    if (ref) return this.json.data?.aws_iam_policy_document?.[ref.address.split('.')[2]]?.statement ?? [];
    // A policy written as a JSON string rather than through the data source.
    const doc = parseJsonAttribute(policy) as Json | undefined;
    return ((doc?.Statement ?? []) as Json[]).map((s) => ({ effect: s.Effect, actions: s.Action, resources: s.Resource }));
  }

  private addEdge(from: string, to: string, kind: EdgeKind, label?: string): void {
    if (from === to) return;
    const key = `${from}|${to}|${kind}|${label ?? ''}`;
    if (!this.edges.has(key)) this.edges.set(key, { from, to, kind, label });
  }
}

/** Concerns a role's grants are drawn to: where the function's data goes, not its plumbing (keys, logs, network). */
const ACCESS_CONCERNS = new Set<Concern>(['ingest', 'queueing', 'compute', 'data', 'notification']);

/** `1 SQS queue`, `2 IAM policies`. */
function counted(n: number, noun: string): string {
  return n === 1 ? `${n} ${noun}` : `${n} ${noun.replace(/([^aeiou])y$/, '$1ie')}s`;
}

/** Id of the node a resource heads: itself, or the per-region group it is counted in. */
function headIdOf(r: TfResource): string {
  const kind = kindOf(r.type);
  if (kind.draw === 'node') return r.address;
  return `${kind.draw === 'summary' ? kind.group : r.type}@${r.providerAlias}`;
}

/** Alarms and dashboards name many resources without being part of any. */
function watches(r: TfResource): boolean {
  const kind = kindOf(r.type);
  return kind.concern === 'observability' && kind.draw !== 'satellite';
}

function parentsOf(r: TfResource, attrs: readonly string[]): string[] {
  return attrs.flatMap((attr) => referencesIn(valuesAt(r.block, attr)).map((ref) => ref.address));
}

function nameOf(kind: NodeKind, head: TfResource, node: MutableNode, byAddress: Map<string, TfResource>): string | undefined {
  if (kind.nameFromSatellite) {
    const named = node.resources.map((a) => byAddress.get(a)!).find((r) => r.type === kind.nameFromSatellite);
    return named?.block.name;
  }
  const value = kind.nameAttr ? valuesAt(head.block, kind.nameAttr)[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The longest prefix all names share, ending where a name ends or a `-` follows. */
function sharedPrefix(names: string[]): string | undefined {
  if (names.length < 2) return undefined;
  let common = names[0];
  for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
  for (let len = common.length; len >= 3; len--) {
    if (names.every((n) => n.length === len || n[len] === '-')) return common.slice(0, len);
  }
  return undefined;
}

/** `${data.aws_caller_identity.x.account_id}` → `<account_id>`: the value is only known at apply time. */
function readableInterpolations(value: string): string {
  return value.replace(/\$\{[^}]*?([\w-]+)\}/g, '<$1>');
}

/**
 * Whether a written SSM ARN (`arn:...:parameter/app/*`) covers a parameter name (`/app/x`).
 * GetParametersByPath is authorized on the path, so a path ARN covers the parameters under it.
 */
function parameterArnMatches(arn: string, name: string, actions: string[]): boolean {
  const m = /:ssm:[^:]*:[^:]*:parameter\/(.+)$/.exec(arn);
  if (!m) return false;
  const pattern = new RegExp(`^${m[1].split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const bare = name.replace(/^\//, '');
  const byPath = actions.some((a) => /^ssm:GetParametersByPath$/i.test(a)) && bare.startsWith(`${m[1]}/`) && !m[1].includes('*');
  return pattern.test(bare) || byPath;
}

/** `reads`, `writes`, `publishes` or `reads/writes`, from the IAM actions granted. */
function accessLabel(actions: string[]): string {
  const verbs = actions.map((a) => a.split(':')[1] ?? a);
  if (verbs.every((v) => /^Publish/.test(v))) return 'publishes';
  if (verbs.every((v) => /^Send/.test(v))) return 'sends';
  const reads = verbs.some((v) => /^(Get|List|Describe|Query|Scan|BatchGet|Receive)/.test(v));
  const writes = verbs.some((v) => /^(Put|Update|Delete|BatchWrite|Create|Send|Publish|Transact)/.test(v));
  return reads && writes ? 'reads/writes' : writes ? 'writes' : 'reads';
}
