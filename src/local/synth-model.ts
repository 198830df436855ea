/**
 * Reads what a local run needs from the synthesized Terraform JSON (not from the TypeScript that
 * built it): tables, SSM parameter values, rules with their targets, queues, the event source
 * mapping and the function with its zip asset. Terraform references inside strings are resolved to
 * the names the configuration gives, and ARNs are fabricated with a fixed fake account id.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { InputTransformer } from '../eventbridge/transformer';

/** Account id of every fabricated ARN and bucket name (no AWS account is involved). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalTable {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly attributes: readonly { readonly name: string; readonly type: 'S' | 'N' | 'B' }[];
  readonly globalSecondaryIndexes: readonly {
    readonly name: string;
    readonly hashKey: string;
    readonly rangeKey?: string;
    readonly projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    readonly nonKeyAttributes?: readonly string[];
  }[];
}

export interface LocalQueue {
  readonly name: string;
  readonly arn: string;
  /** 30 s when the attribute is not set (the SQS default). */
  readonly visibilityTimeoutSeconds: number;
  readonly redrive?: { readonly deadLetterQueueName: string; readonly maxReceiveCount: number };
}

export interface LocalRule {
  readonly name: string;
  readonly arn: string;
  /** The synthesized pattern text with references resolved. */
  readonly eventPattern: string;
  readonly target: {
    readonly queueName: string;
    readonly transformer?: InputTransformer;
    readonly deadLetterQueueName?: string;
    readonly maximumRetryAttempts: number;
  };
}

export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  /** `<file>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Absolute path of the zip asset. */
  readonly zipPath: string;
  readonly reservedConcurrency?: number;
}

export interface LocalEventSourceMapping {
  readonly queueName: string;
  readonly batchSize: number;
  readonly maximumConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
}

export interface LocalModel {
  readonly region: string;
  readonly tables: readonly LocalTable[];
  /** Full parameter name to value. */
  readonly parameters: ReadonlyMap<string, string>;
  readonly buckets: readonly string[];
  readonly topics: readonly { readonly name: string; readonly arn: string }[];
  readonly queues: readonly LocalQueue[];
  readonly rules: readonly LocalRule[];
  readonly fn: LocalFunction;
  readonly eventSourceMapping: LocalEventSourceMapping;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Reads `<stackDir>/cdk.tf.json`; asset paths are relative to `stackDir`. */
export function readSynthModel(stackDir: string): LocalModel {
  const file = path.join(stackDir, 'cdk.tf.json');
  const tf = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource: Resources; provider?: { aws?: { alias?: string; region?: string }[] } };
  const resources = tf.resource;
  const region = tf.provider?.aws?.find((p) => p.alias === 'primary')?.region ?? tf.provider?.aws?.[0]?.region;
  if (!region) throw new Error(`${file}: no AWS provider region`);

  const all = (type: string): [string, Record<string, unknown>][] => Object.entries(resources[type] ?? {});
  const one = (type: string): Record<string, unknown> => {
    const found = all(type);
    if (found.length !== 1) throw new Error(`${file}: expected exactly one ${type}, found ${found.length}`);
    return found[0][1];
  };
  const get = (type: string, id: string): Record<string, unknown> => {
    const r = resources[type]?.[id];
    if (!r) throw new Error(`${file}: reference to missing ${type}.${id}`);
    return r;
  };

  const arn = (service: string, name: string): string => `arn:aws:${service}:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
  /** Resolves `${...}` references the local run understands; any other reference is an error naming it. */
  const resolve = (value: unknown): string => {
    if (typeof value !== 'string') throw new Error(`${file}: expected a string, got ${JSON.stringify(value)}`);
    return value.replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
      const parts = ref.split('.');
      if (parts[0] === 'data') {
        if (parts[1] === 'aws_caller_identity' && parts[3] === 'account_id') return LOCAL_ACCOUNT_ID;
        if (parts[1] === 'aws_partition' && parts[3] === 'partition') return 'aws';
        throw new Error(`${file}: cannot resolve \${${ref}} locally`);
      }
      const [type, id, attr] = parts;
      const r = get(type, id);
      const name = (): string => resolve(r.name ?? r.function_name ?? r.bucket);
      if (attr === 'name' || attr === 'id' || attr === 'bucket') return name();
      if (attr === 'arn') {
        if (type === 'aws_sqs_queue') return arn('sqs', name());
        if (type === 'aws_sns_topic') return arn('sns', name());
        if (type === 'aws_lambda_function') return arn('lambda', `function:${name()}`);
        if (type === 'aws_cloudwatch_event_rule') return arn('events', `rule/${name()}`);
        if (type === 'aws_dynamodb_table') return arn('dynamodb', `table/${name()}`);
      }
      throw new Error(`${file}: cannot resolve \${${ref}} locally`);
    });
  };
  const queueNameOfArn = (value: unknown): string => resolve(value).split(':').pop() as string;

  const tables: LocalTable[] = all('aws_dynamodb_table').map(([, t]) => ({
    name: resolve(t.name),
    hashKey: t.hash_key as string,
    rangeKey: t.range_key as string | undefined,
    attributes: (t.attribute as LocalTable['attributes']) ?? [],
    globalSecondaryIndexes: ((t.global_secondary_index as Record<string, unknown>[]) ?? []).map((g) => ({
      name: g.name as string,
      hashKey: g.hash_key as string,
      rangeKey: g.range_key as string | undefined,
      projectionType: g.projection_type as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
      nonKeyAttributes: g.non_key_attributes as string[] | undefined,
    })),
  }));

  const parameters = new Map(all('aws_ssm_parameter').map(([, p]) => [resolve(p.name), resolve(p.value)] as const));

  const queues: LocalQueue[] = all('aws_sqs_queue').map(([, q]) => {
    const name = resolve(q.name);
    const redrive = q.redrive_policy ? (JSON.parse(resolve(q.redrive_policy)) as { deadLetterTargetArn: string; maxReceiveCount: number }) : undefined;
    return {
      name,
      arn: arn('sqs', name),
      visibilityTimeoutSeconds: (q.visibility_timeout_seconds as number | undefined) ?? 30,
      redrive: redrive && { deadLetterQueueName: queueNameOfArn(redrive.deadLetterTargetArn), maxReceiveCount: redrive.maxReceiveCount },
    };
  });

  const rules: LocalRule[] = all('aws_cloudwatch_event_rule').map(([id, r]) => {
    const name = resolve(r.name);
    const targets = all('aws_cloudwatch_event_target').filter(([, t]) => t.rule === `\${aws_cloudwatch_event_rule.${id}.name}`);
    if (targets.length !== 1) throw new Error(`${file}: rule ${name} has ${targets.length} targets; the local run supports exactly one (a queue)`);
    const t = targets[0][1];
    const it = t.input_transformer as { input_paths: Record<string, string>; input_template: string } | undefined;
    const retry = t.retry_policy as { maximum_retry_attempts?: number } | undefined;
    return {
      name,
      arn: arn('events', `rule/${name}`),
      eventPattern: resolve(r.event_pattern),
      target: {
        queueName: queueNameOfArn(t.arn),
        transformer: it && { inputPaths: it.input_paths, inputTemplate: it.input_template },
        deadLetterQueueName: t.dead_letter_config ? queueNameOfArn((t.dead_letter_config as { arn: string }).arn) : undefined,
        // EventBridge's default when no retry policy is set.
        maximumRetryAttempts: retry?.maximum_retry_attempts ?? 185,
      },
    };
  });

  const f = one('aws_lambda_function');
  const fnName = resolve(f.function_name);
  const env = ((f.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<string, string>;
  const fn: LocalFunction = {
    name: fnName,
    arn: arn('lambda', `function:${fnName}`),
    handler: f.handler as string,
    // Terraform's defaults for the provider's lambda function.
    timeoutSeconds: (f.timeout as number | undefined) ?? 3,
    memorySizeMb: (f.memory_size as number | undefined) ?? 128,
    environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, resolve(v)])),
    zipPath: path.resolve(stackDir, f.filename as string),
    reservedConcurrency: f.reserved_concurrent_executions as number | undefined,
  };

  const m = one('aws_lambda_event_source_mapping');
  const eventSourceMapping: LocalEventSourceMapping = {
    queueName: queueNameOfArn(m.event_source_arn),
    batchSize: (m.batch_size as number | undefined) ?? 10,
    maximumConcurrency: (m.scaling_config as { maximum_concurrency?: number } | undefined)?.maximum_concurrency,
    reportBatchItemFailures: ((m.function_response_types as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
  };

  return {
    region,
    tables,
    parameters,
    buckets: all('aws_s3_bucket').map(([, b]) => resolve(b.bucket)),
    topics: all('aws_sns_topic').map(([, t]) => ({ name: resolve(t.name), arn: arn('sns', resolve(t.name)) })),
    queues,
    rules,
    fn,
    eventSourceMapping,
  };
}
