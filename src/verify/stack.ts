import { pureReference, templateExpressions, Traversal, traversals } from './expressions';

/** A synthesized stack: the parsed `cdk.tf.json`. */
export type StackJson = Record<string, any>;
export type Body = Record<string, any>;

/** One resource or data source block. */
export interface Block {
  readonly kind: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  /** Terraform address: `aws_sqs_queue.task` or `data.aws_iam_policy_document.task`. */
  readonly address: string;
  readonly body: Body;
}

/** A string found somewhere in a block, with the attribute path that holds it. */
export interface StringAt {
  /** `replica[0].kms_key_arn`. */
  readonly path: string;
  readonly value: string;
}

/** Keys of a resource body that are Terraform meta-arguments, not provider arguments. */
export const META_ARGUMENTS = new Set(['//', 'provider', 'depends_on', 'count', 'for_each', 'lifecycle', 'provisioner', 'connection']);

/** Provider reference as cdktf writes it (`aws.primary`) or as an expression (`${aws.primary}`). */
export function providerRef(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\$\{([\w-]+(?:\.[\w-]+)?)\}$/.exec(value)?.[1] ?? (/^[\w-]+(\.[\w-]+)?$/.test(value) ? value : undefined);
}

/** Indexed, read-only view of a synthesized stack with the look-ups every check needs. */
export class StackModel {
  readonly blocks: readonly Block[];
  private readonly byAddress = new Map<string, Block>();
  private readonly byType = new Map<string, Block[]>();
  /** Provider configurations by `aws` (default) or `aws.<alias>`. */
  readonly providers = new Map<string, Body>();

  constructor(readonly json: StackJson) {
    const blocks: Block[] = [];
    const isObject = (v: unknown): v is Body => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
    for (const [kind, section] of [['resource', json.resource], ['data', json.data]] as const) {
      if (section !== undefined && !isObject(section)) throw new Error(`"${kind}" must be an object of block types`);
      for (const [type, named] of Object.entries<Record<string, Body>>(section ?? {})) {
        if (!isObject(named)) throw new Error(`"${kind}.${type}" must be an object of named blocks`);
        for (const [name, body] of Object.entries(named)) {
          if (!isObject(body)) throw new Error(`"${kind}.${type}.${name}" must be an object`);
          const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
          const block: Block = { kind, type, name, address, body };
          blocks.push(block);
          this.byAddress.set(address, block);
          const key = kind === 'data' ? `data.${type}` : type;
          this.byType.set(key, [...(this.byType.get(key) ?? []), block]);
        }
      }
    }
    this.blocks = blocks;
    for (const [name, configs] of Object.entries<Body | Body[]>(json.provider ?? {})) {
      for (const config of Array.isArray(configs) ? configs : [configs]) {
        this.providers.set(config.alias ? `${name}.${config.alias}` : name, config);
      }
    }
  }

  get resources(): Block[] {
    return this.blocks.filter((b) => b.kind === 'resource');
  }

  /** Resources of a type (`aws_sqs_queue`) or data sources (`data.aws_iam_policy_document`). */
  ofType(type: string): readonly Block[] {
    return this.byType.get(type) ?? [];
  }

  get(address: string): Block | undefined {
    return this.byAddress.get(address);
  }

  /** The block a `${type.name.attr}` reference (or a traversal) points to, with the attribute path after it. */
  target(ref: string | Traversal | undefined): { block: Block; attribute: string } | undefined {
    const t = typeof ref === 'string' ? pureReference(ref) : ref;
    if (!t) return undefined;
    const steps = t.root === 'data' ? t.steps : [{ kind: 'attr' as const, name: t.root }, ...t.steps];
    const [type, name] = steps.slice(0, 2).map((s) => (s.kind === 'attr' ? s.name : ''));
    const address = t.root === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
    const block = this.byAddress.get(address);
    if (!block) return undefined;
    const rest = steps.slice(2).filter((s) => s.kind === 'attr') as { name: string }[];
    return { block, attribute: rest.map((s) => s.name).join('.') };
  }

  /** Whether a string refers to `block` (to its `attribute` when given), alone or inside a larger template. */
  refersTo(value: unknown, block: Block, attribute?: string): boolean {
    if (typeof value !== 'string') return false;
    return templateExpressions(value).some((expr) =>
      traversals(expr).some((t) => {
        const hit = this.target(t);
        return hit?.block === block && (attribute === undefined || hit.attribute === attribute);
      }),
    );
  }

  /** Blocks whose `attribute` refers to `block` (e.g. the versioning resources of a bucket). */
  referrers(type: string, attribute: string, block: Block): Block[] {
    return this.ofType(type).filter((b) => this.refersTo(b.body[attribute], block));
  }

  /** The provider configuration key a block uses: `aws.primary`, or `aws` when it sets none. */
  providerKey(block: Block): string {
    return providerRef(block.body.provider) ?? block.type.split('_')[0];
  }

  /** Region of a block: its own `region` argument, else its provider's; `undefined` when not a literal. */
  regionOf(block: Block): string | undefined {
    const own = block.body.region;
    if (typeof own === 'string' && !own.includes('${')) return own;
    const region = this.providers.get(this.providerKey(block))?.region;
    return typeof region === 'string' && !region.includes('${') ? region : undefined;
  }
}

/** Every string in a value, with its attribute path (`statement[0].resources[1]`). */
export function stringsIn(value: unknown, path = ''): StringAt[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === '//' ? [] : stringsIn(v, path ? `${path}.${k}` : k)));
  }
  return [];
}

/** A nested block as a list: cdktf writes single blocks as an object and repeated ones as an array. */
export function blockList(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter((v) => v && typeof v === 'object');
  return value && typeof value === 'object' ? [value as Body] : [];
}

/** A JSON-string attribute parsed, or `undefined` when it is an expression or not JSON. */
export function parseJsonAttribute(value: unknown): unknown {
  if (typeof value !== 'string') return value && typeof value === 'object' ? value : undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** True for a literal `true` or `"true"`. */
export const isTrue = (v: unknown): boolean => v === true || v === 'true';
/** True for a literal `false` or `"false"`. */
export const isFalse = (v: unknown): boolean => v === false || v === 'false';
