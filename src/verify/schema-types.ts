/**
 * Compact form of the AWS provider schema, derived from the jsii assembly of the
 * installed `@cdktf/provider-aws` (see `scripts/gen-schema.ts`).
 */

/** How an attribute may be used: required argument, optional argument, or computed only (read, never set). */
export type AttrMode = 'r' | 'o' | 'c';

/**
 * Terraform type of an attribute in a short spelling: `string`, `number`, `bool`, `any`,
 * `list(<t>)`, `map(<t>)`.
 */
export type AttrType = string;

export interface BlockSchema {
  /** Attributes by Terraform name: [type, mode]. */
  readonly a: Record<string, readonly [AttrType, AttrMode]>;
  /** Nested blocks by Terraform name. */
  readonly b?: Record<string, NestedBlock>;
}

export interface NestedBlock {
  /** `single`: at most one block (cdktf types it as one struct); `list`: any number. */
  readonly n: 'single' | 'list';
  /** Mode of the block itself: required, optional or computed only (an output, like `dns_entry`). */
  readonly m: AttrMode;
  readonly s: BlockSchema;
}

export interface ProviderSchema {
  /** Provider version the package was generated from, e.g. `6.25.0`. */
  readonly providerVersion: string;
  /** Version of `@cdktf/provider-aws` the schema was derived from. */
  readonly packageVersion: string;
  readonly provider: BlockSchema;
  readonly resources: Record<string, BlockSchema>;
  readonly dataSources: Record<string, BlockSchema>;
}
