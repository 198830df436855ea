import { Testing } from 'cdktf';
import { loadConfig } from '../../src/config';
import { TapStack } from '../../src/tap-stack';

export type Json = Record<string, any>;

const cache = new Map<string, Json>();

/** Synthesizes TapStack for the given TAP_* settings (process.env is ignored) and parses the JSON. */
export function synthStack(env: Record<string, string> = {}): Json {
  const key = JSON.stringify(env);
  const hit = cache.get(key);
  if (hit) return hit;
  const app = Testing.app();
  const stack = new TapStack(app, 'TapStack', loadConfig(env));
  const json = JSON.parse(Testing.synth(stack)) as Json;
  cache.set(key, json);
  return json;
}

/** The blocks of one resource type, by name. */
export function resourcesOf(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

/** The blocks of one resource type, as a list. */
export function listOf(json: Json, type: string): Json[] {
  return Object.values(resourcesOf(json, type));
}

/** The Terraform name a `${type.name.attr}` reference points to. */
export function nameOf(ref: string): string {
  return /^\$\{(?:data\.)?[\w-]+\.([\w-]+)\.[\w.]+\}$/.exec(ref)?.[1] ?? '';
}

/** The single resource of a type; fails when there is not exactly one. */
export function onlyResource(json: Json, type: string): Json {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** The blocks of one data source type, by name. */
export function dataOf(json: Json, type: string): Record<string, Json> {
  return json.data?.[type] ?? {};
}

/** Region of the provider a block is declared through. */
export function regionOf(json: Json, block: Json): string | undefined {
  const alias = /^aws\.([\w-]+)$/.exec(block.provider ?? '')?.[1];
  return (json.provider?.aws as Json[] | undefined)?.find((p) => p.alias === alias)?.region;
}

/** Resolves `${type.name.attr}` (or `${data.type.name.attr}`) to the block it names. */
export function resolveRef(json: Json, ref: string): { kind: 'resource' | 'data'; type: string; name: string; attr: string; block: Json } {
  const m = /^\$\{(data\.)?([a-z0-9_]+)\.([\w-]+)\.([\w.]+)\}$/.exec(ref);
  if (!m) throw new Error(`not a single reference: ${ref}`);
  const [, data, type, name, attr] = m;
  const block = (data ? json.data : json.resource)?.[type]?.[name];
  if (!block) throw new Error(`dangling reference: ${ref}`);
  return { kind: data ? 'data' : 'resource', type, name, attr, block };
}

/** Statements of the policy document an attribute such as `policy` points to. */
export function statementsOf(json: Json, policyRef: string): Json[] {
  const { type, block, attr } = resolveRef(json, policyRef);
  if (type !== 'aws_iam_policy_document' || attr !== 'json') throw new Error(`not a policy document reference: ${policyRef}`);
  return block.statement;
}

/** cdktf names a resource `<path segments joined by _>_<8 hex>`; find it by its construct path below the stack. */
function entryAt(json: Json, type: string, path: string, data = false): [string, Json] {
  const pattern = new RegExp(`^${path.split('/').join('_').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_[0-9A-F]{8}$`);
  const entry = Object.entries(data ? dataOf(json, type) : resourcesOf(json, type)).find(([name]) => pattern.test(name));
  if (!entry) throw new Error(`no ${type} at ${path}`);
  return entry;
}

/** `${type.name.attr}` of the resource at a construct path such as `queues/tasks`. */
export function refTo(json: Json, type: string, path: string, attr: string): string {
  return `\${${type}.${entryAt(json, type, path)[0]}.${attr}}`;
}

/** The resource at a construct path such as `queues/tasks`. */
export function byPath(json: Json, type: string, path: string): Json {
  return entryAt(json, type, path)[1];
}

/** `${data.type.name.attr}` of the data source at a construct path such as `account/identity`. */
export function dataRefTo(json: Json, type: string, path: string, attr: string): string {
  return `\${data.${type}.${entryAt(json, type, path, true)[0]}.${attr}}`;
}
