/** Read-only helpers over a synthesized `cdk.tf.json`: blocks, regions and `${...}` references. */

export type Json = Record<string, any>;

/** A resource block with its Terraform address (`type.name`) and the region of its provider. */
export interface TfResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly block: Json;
  /** Alias of the AWS provider the block is declared through; `default` when it sets none. */
  readonly providerAlias: string;
}

/** A `${type.name.attr}` (or `${data.type.name.attr}`) reference found in a value. */
export interface TfReference {
  /** `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  readonly attr: string;
  /** Dotted path of the attribute that holds the reference, without list indexes (`destination_config.on_success.destination`). */
  readonly path: string;
}

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([\w-]+)\.([\w-]+)/g;

/** Every resource of the stack, sorted by address so the output never depends on key order. */
export function resourcesOf(json: Json): TfResource[] {
  const out: TfResource[] = [];
  for (const [type, blocks] of Object.entries<Json>(json.resource ?? {})) {
    for (const [name, block] of Object.entries<Json>(blocks)) {
      const providerAlias = /^aws\.([\w-]+)$/.exec(block.provider ?? '')?.[1] ?? 'default';
      out.push({ address: `${type}.${name}`, type, name, block, providerAlias });
    }
  }
  return out.sort((a, b) => compare(a.address, b.address));
}

/** Regions by provider alias, in declaration order. */
export function regionsOf(json: Json): { alias: string; region: string }[] {
  return ((json.provider?.aws ?? []) as Json[]).map((p) => ({ alias: p.alias ?? 'default', region: String(p.region ?? '') }));
}

/** The references inside a value, JSON-encoded strings (event patterns, redrive policies) included. */
export function referencesIn(value: unknown, path = ''): TfReference[] {
  if (typeof value === 'string') {
    return [...value.matchAll(REFERENCE)].map((m) => ({
      address: `${m[1] ?? ''}${m[2]}.${m[3]}`,
      attr: m[4],
      path,
    }));
  }
  if (Array.isArray(value)) return value.flatMap((v) => referencesIn(v, path));
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([key]) => key !== '//' && key !== 'depends_on')
      .flatMap(([key, v]) => referencesIn(v, path ? `${path}.${key}` : key));
  }
  return [];
}

/** The values at a dotted attribute path, descending into lists (`replica.region_name`). */
export function valuesAt(block: Json, path: string): unknown[] {
  let current: unknown[] = [block];
  for (const key of path.split('.')) {
    current = current
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .map((v) => (v && typeof v === 'object' ? (v as Json)[key] : undefined))
      .filter((v) => v !== undefined);
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** The string leaves of a value that may be a JSON-encoded document. */
export function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

/** Parses a JSON-valued attribute; undefined when it is not JSON (for example a `${jsonencode(...)}`). */
export function parseJsonAttribute(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Locale-independent string order, so the picture is the same on every machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
