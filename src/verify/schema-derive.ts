import { AttrMode, AttrType, BlockSchema, NestedBlock, ProviderSchema } from './schema-types';

/**
 * Derives the provider schema from the jsii assembly of `@cdktf/provider-aws`.
 *
 * The generated package keeps what the provider schema says in the assembly:
 * - each resource / data source class (`Represents a {@link ... aws_sqs_queue}`) takes a
 *   `*Config` struct whose properties are the arguments: their docs link to the Terraform
 *   name (`...#kms_master_key_id`), `optional` is absent for required arguments, and the type
 *   tells scalar, list, map, single block (a struct) and repeated block (array of structs);
 * - the class's other getters are the computed attributes (`arn`, `url`, ...); nested
 *   computed attributes sit on the `*OutputReference` class of each block.
 * Getter names carry no Terraform name, so they are converted back from camelCase, using the
 * renames seen on arguments (whose docs do name them, e.g. `selfAttribute` -> `self`).
 */

interface JsiiTypeRef {
  primitive?: string;
  fqn?: string;
  collection?: { kind: 'array' | 'map'; elementtype: JsiiTypeRef };
  union?: { types: JsiiTypeRef[] };
}

interface JsiiProperty {
  name: string;
  optional?: boolean;
  static?: boolean;
  protected?: boolean;
  type: JsiiTypeRef;
  docs?: { summary?: string; remarks?: string };
}

interface JsiiType {
  fqn: string;
  kind: 'class' | 'interface' | 'enum';
  base?: string;
  datatype?: boolean;
  properties?: JsiiProperty[];
  docs?: { summary?: string };
  initializer?: { parameters?: { name: string; type: JsiiTypeRef }[] };
}

export interface JsiiAssembly {
  name: string;
  version: string;
  types: Record<string, JsiiType>;
}

const RESOURCE_BASE = 'cdktf.TerraformResource';
const DATA_BASE = 'cdktf.TerraformDataSource';
const PROVIDER_BASE = 'cdktf.TerraformProvider';

/** `kmsMasterKeyId` -> `kms_master_key_id`. */
export function snakeCase(camel: string): string {
  return camel.replace(/([A-Z])/g, (c) => `_${c.toLowerCase()}`);
}

/** The Terraform name an argument's docs link to, e.g. `...#kms_master_key_id SqsQueue#kms_master_key_id}`. */
function terraformName(prop: JsiiProperty): string | undefined {
  const text = `${prop.docs?.summary ?? ''} ${prop.docs?.remarks ?? ''}`;
  return /\{@link \S+#([A-Za-z0-9_]+) \w+#\1\}/.exec(text)?.[1];
}

/** Strips the `IResolvable` alternative cdktf adds to most types. */
function unwrap(t: JsiiTypeRef): JsiiTypeRef {
  if (!t.union) return t;
  const rest = t.union.types.filter((u) => u.fqn !== 'cdktf.IResolvable');
  return rest.length === 1 ? rest[0] : { primitive: 'any' };
}

const CDKTF_MAPS: Record<string, string> = {
  'cdktf.StringMap': 'map(string)',
  'cdktf.NumberMap': 'map(number)',
  'cdktf.BooleanMap': 'map(bool)',
  'cdktf.AnyMap': 'map(any)',
  'cdktf.StringMapList': 'list(map(string))',
  'cdktf.NumberMapList': 'list(map(number))',
  'cdktf.BooleanMapList': 'list(map(bool))',
  'cdktf.AnyMapList': 'list(map(any))',
};

export class SchemaDeriver {
  /** Arguments whose camelCase name does not convert back to the Terraform name. */
  readonly nameMismatches: string[] = [];
  /** camelCase -> Terraform name, learned from every argument whose docs name it (`selfAttribute` -> `self`). */
  private readonly knownNames = new Map<string, string>();

  constructor(private readonly assembly: JsiiAssembly) {
    for (const type of Object.values(assembly.types)) {
      if (!type.datatype) continue;
      for (const prop of type.properties ?? []) {
        const known = terraformName(prop);
        if (known && known !== snakeCase(prop.name)) this.knownNames.set(prop.name, known);
      }
    }
  }

  private getterName(camel: string): string {
    return this.knownNames.get(camel) ?? snakeCase(camel);
  }

  derive(): ProviderSchema {
    const resources: Record<string, BlockSchema> = {};
    const dataSources: Record<string, BlockSchema> = {};
    let provider: BlockSchema | undefined;
    let providerVersion = '';
    for (const type of Object.values(this.assembly.types)) {
      if (type.kind !== 'class' || !type.base || ![RESOURCE_BASE, DATA_BASE, PROVIDER_BASE].includes(type.base)) continue;
      const link = /\{@link https:\/\/registry\.terraform\.io\/providers\/hashicorp\/aws\/([\d.]+)\/docs\S* (\w+)\}/.exec(
        type.docs?.summary ?? '',
      );
      if (!link) throw new Error(`${type.fqn}: no Terraform registry link in its docs`);
      providerVersion = link[1];
      const configFqn = type.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
      const config = configFqn ? this.assembly.types[configFqn] : undefined;
      if (!config) throw new Error(`${type.fqn}: no config struct`);
      const block = this.block(config, type);
      if (type.base === PROVIDER_BASE) provider = block;
      else if (type.base === RESOURCE_BASE) resources[link[2]] = block;
      else dataSources[link[2]] = block;
    }
    if (!provider) throw new Error(`${this.assembly.name}: no provider class`);
    return { providerVersion, packageVersion: this.assembly.version, provider, resources, dataSources };
  }

  /** One block: arguments from its struct, computed attributes from the class that reads it. */
  private block(struct: JsiiType, reader: JsiiType | undefined): BlockSchema {
    const a: Record<string, readonly [AttrType, AttrMode]> = {};
    const b: Record<string, NestedBlock> = {};
    const argNames = new Set<string>();
    for (const prop of struct.properties ?? []) {
      argNames.add(prop.name);
      const known = terraformName(prop);
      const name = known ?? snakeCase(prop.name);
      if (known && known !== snakeCase(prop.name)) this.nameMismatches.push(`${struct.fqn}.${prop.name} -> ${known}`);
      const mode: AttrMode = prop.optional ? 'o' : 'r';
      const nested = this.nested(prop.type, mode);
      if (nested) b[name] = nested;
      else a[name] = [this.scalarType(prop.type), mode];
    }
    for (const prop of reader?.properties ?? []) {
      if (prop.static || prop.protected || argNames.has(prop.name) || prop.name.endsWith('Input') || prop.name === 'internalValue') {
        continue;
      }
      const name = this.getterName(prop.name);
      if (a[name] || b[name]) continue;
      const nested = this.computedNested(prop.type);
      if (nested) b[name] = nested;
      else a[name] = [this.scalarType(prop.type), 'c'];
    }
    return Object.keys(b).length ? { a, b } : { a };
  }

  /** A settable block: a struct (single) or an array of structs (repeated). */
  private nested(raw: JsiiTypeRef, mode: AttrMode): NestedBlock | undefined {
    const t = unwrap(raw);
    const single = t.fqn && this.assembly.types[t.fqn]?.datatype ? t.fqn : undefined;
    const element = t.collection?.kind === 'array' ? t.collection.elementtype.fqn : undefined;
    const repeated = element && this.assembly.types[element]?.datatype ? element : undefined;
    const fqn = single ?? repeated;
    if (!fqn) return undefined;
    const struct = this.assembly.types[fqn];
    // The struct's `*OutputReference` class carries the block's computed attributes.
    const reader = this.assembly.types[`${fqn}OutputReference`];
    return { n: single ? 'single' : 'list', m: mode, s: this.block(struct, reader) };
  }

  /** A computed-only block, read through an `*OutputReference` or a `*List` class. */
  private computedNested(t: JsiiTypeRef): NestedBlock | undefined {
    const cls = t.fqn ? this.assembly.types[t.fqn] : undefined;
    if (!cls || cls.kind !== 'class') return undefined;
    if (cls.base === 'cdktf.ComplexObject') return { n: 'single', m: 'c', s: this.block({ fqn: cls.fqn, kind: 'interface' }, cls) };
    if (cls.base === 'cdktf.ComplexList' || cls.base === 'cdktf.ComplexMap') {
      const reader = this.assembly.types[t.fqn!.replace(/(List|Map)$/, 'OutputReference')];
      if (!reader) return undefined;
      const struct = this.assembly.types[t.fqn!.replace(/(List|Map)$/, '')];
      return { n: 'list', m: 'c', s: this.block(struct ?? { fqn: reader.fqn, kind: 'interface' }, reader) };
    }
    return undefined;
  }

  private scalarType(raw: JsiiTypeRef): AttrType {
    const t = unwrap(raw);
    if (t.primitive) return t.primitive === 'boolean' ? 'bool' : t.primitive === 'json' ? 'any' : t.primitive;
    if (t.collection) return `${t.collection.kind === 'array' ? 'list' : 'map'}(${this.scalarType(t.collection.elementtype)})`;
    if (t.fqn && CDKTF_MAPS[t.fqn]) return CDKTF_MAPS[t.fqn];
    // cdktf.StringList and similar list readers of computed attributes.
    if (t.fqn?.endsWith('List')) return 'list(any)';
    return 'any';
  }
}

/** Derives the schema, with the arguments whose camelCase name was renamed by the generator. */
export function deriveSchema(assembly: JsiiAssembly): { schema: ProviderSchema; nameMismatches: string[] } {
  const deriver = new SchemaDeriver(assembly);
  const schema = deriver.derive();
  return { schema, nameMismatches: deriver.nameMismatches };
}
