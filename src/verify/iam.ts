import { templateExpressions, traversals } from './expressions';
import { Finding, finding } from './findings';
import { keyOf } from './kms';
import { actionMatches, readPolicy, Statement } from './policy';
import { Block, blockList, StackModel } from './stack';

/**
 * IAM against behaviour: every AWS call a function makes is granted by its role on the
 * resource it is made on, and every grant is used by a call or needed by Lambda itself.
 *
 * Calls come from the handler team as data (see {@link HandlerCalls}); what Lambda itself
 * needs (queue polling, logs, VPC network interfaces, tracing, KMS for encrypted inputs)
 * is derived from the synthesized function, its event source mappings and its log group.
 */

/** What an AWS call targets, in terms the handler knows. */
export type CallTarget =
  /** A stack resource by Terraform address; `suffix` for sub-resources (`/index/*`). */
  | { readonly address: string; readonly suffix?: string }
  /** The SSM parameter named `<path>/<parameter>` (its name relative to the config path). */
  | { readonly parameter: string }
  /** The resource the SSM parameter `<parameter>` names (its value is a reference, e.g. a table name). */
  | { readonly parameterValue: string; readonly suffix?: string }
  /** The resource an environment variable of the function names. */
  | { readonly envValue: string; readonly suffix?: string }
  /** The SSM parameter path an environment variable holds (for `ssm:GetParametersByPath`). */
  | { readonly envPath: string };

/** One AWS API call a handler makes, in IAM form. */
export interface HandlerCall {
  /** `service:Action`, e.g. `dynamodb:UpdateItem`. */
  readonly action: string;
  /** Omitted for actions that take no resource (`xray:PutTraceSegments`). */
  readonly resource?: CallTarget;
}

/**
 * Calls per function. A key matches a function by Terraform address
 * (`aws_lambda_function.processor`), by literal `function_name`, or by its last
 * hyphen-separated part (`processor` matches `tap-prod-processor`). A call given as a plain
 * `service:Action` string names no resource: any grant of the action covers it.
 */
export type HandlerCalls = Readonly<Record<string, readonly (HandlerCall | string)[]>>;

/** One permission a function needs or may have. */
interface Need {
  readonly action: string;
  /** Sample ARNs the grant must cover; empty means any resource. */
  readonly samples: readonly string[];
  /** Required needs fail when not granted; optional ones only make a grant count as used. */
  readonly required: boolean;
  readonly why: string;
}

export interface FunctionIam {
  readonly function: string;
  readonly role?: string;
  /** Distinct actions the function needs (handler calls and Lambda's own). */
  readonly used: number;
  /** Distinct action patterns its role allows. */
  readonly granted: number;
  /** False when no handler call list covers the function: unused grants are then not judged. */
  readonly callsKnown: boolean;
}

export interface IamResult {
  readonly findings: Finding[];
  readonly functions: FunctionIam[];
}

/** Optional grants Lambda's VPC networking and tracing may use (AWSLambdaVPCAccessExecutionRole, AWSXRayDaemonWriteAccess). */
const VPC_REQUIRED = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'];
const VPC_OPTIONAL = ['ec2:DescribeSubnets', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
const XRAY_REQUIRED = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const XRAY_OPTIONAL = ['xray:GetSamplingRules', 'xray:GetSamplingTargets'];

const token = (block: Block, attribute = 'arn'): string => `«${block.address}.${attribute}»`;

/** A grant's resource as a glob: references to resources become tokens, other expressions `*`. */
function grantPattern(stack: StackModel, resource: string): RegExp {
  let text = '';
  let rest = resource;
  for (const expr of templateExpressions(resource)) {
    const at = rest.indexOf(`\${${expr}}`);
    text += escape(rest.slice(0, at));
    const found = traversals(expr);
    const hit = found.length === 1 ? stack.target(found[0]) : undefined;
    // A resource's own attribute is matched exactly; partition, region and account look-ups match anything.
    text += hit?.block.kind === 'resource' ? escape(token(hit.block, hit.attribute)) : '.*';
    rest = rest.slice(at + expr.length + 3);
  }
  text += escape(rest);
  return new RegExp(`^${text}$`);
}

const escape = (s: string): string =>
  s
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');

/** KMS permissions a call on an encrypted resource needs. */
function kmsNeeds(stack: StackModel, action: string, target: Block | undefined, why: string): Need[] {
  if (!target) return [];
  const need = (actions: string[], key: Block | undefined, required: boolean): Need[] =>
    key ? actions.map((a) => ({ action: a, samples: [token(key)], required, why: `${why} (${target.address} is encrypted with ${key.address})` })) : [];
  const [service, verb] = action.split(':');
  if (target.type === 'aws_sns_topic' && verb === 'Publish') return need(['kms:GenerateDataKey', 'kms:Decrypt'], keyOf(stack, target.body.kms_master_key_id), true);
  if (target.type === 'aws_sqs_queue') {
    const key = keyOf(stack, target.body.kms_master_key_id);
    if (verb === 'SendMessage' || verb === 'SendMessageBatch') return need(['kms:GenerateDataKey', 'kms:Decrypt'], key, true);
    if (verb === 'ReceiveMessage') return need(['kms:Decrypt'], key, true);
  }
  if (target.type === 'aws_ssm_parameter' && service === 'ssm' && target.body.type === 'SecureString') return need(['kms:Decrypt'], keyOf(stack, target.body.key_id), true);
  if (target.type === 'aws_dynamodb_table' && service === 'dynamodb') {
    const key = keyOf(stack, blockList(target.body.server_side_encryption)[0]?.kms_key_arn);
    // DynamoDB uses the key through its own grant; callers may hold these, they are not required.
    return need(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'], key, false);
  }
  return [];
}

/** Literal name of an SSM parameter, if the stack declares one ending in `/<relative>`. */
function parameterBlock(stack: StackModel, relative: string): Block | undefined {
  return stack.ofType('aws_ssm_parameter').find((p) => typeof p.body.name === 'string' && (p.body.name === relative || p.body.name.endsWith(`/${relative}`)));
}

export function checkIam(stack: StackModel, calls: HandlerCalls | undefined): IamResult {
  const findings: Finding[] = [];
  const functions: FunctionIam[] = [];
  /** Per role: its grants, and the needs of every function using it (`undefined` once one has no call list). */
  const byRole = new Map<Block, { grants: Grant[]; needs: Need[] | undefined; functions: string[] }>();
  for (const fn of stack.ofType('aws_lambda_function')) {
    const role = stack.target(fn.body.role)?.block;
    if (role?.type !== 'aws_iam_role') {
      findings.push(finding('iam', fn.address, 'role', 'role is not a reference to an aws_iam_role of this stack'));
      continue;
    }
    if (!byRole.has(role)) byRole.set(role, { grants: roleGrants(stack, role, findings), needs: [], functions: [] });
    const shared = byRole.get(role)!;
    const key = calls && Object.keys(calls).find((k) => matchesFunction(k, fn));
    const needs = [...platformNeeds(stack, fn), ...(key ? handlerNeeds(stack, fn, calls![key], findings) : [])];
    for (const need of needs.filter((n) => n.required)) {
      if (!shared.grants.some((g) => covers(stack, g.statement, need))) {
        const where = need.samples.length ? ` on ${need.samples[0].replace(/[«»]/g, '')}` : '';
        findings.push(finding('iam', fn.address, 'role', `${need.why} needs ${need.action}${where}, which ${role.address} does not allow`));
      }
    }
    shared.needs = key && shared.needs ? [...shared.needs, ...needs] : undefined;
    shared.functions.push(fn.address);
    functions.push({
      function: fn.address,
      role: role.address,
      used: new Set(needs.filter((n) => n.required).map((n) => n.action)).size,
      granted: new Set(shared.grants.flatMap((g) => g.statement.actions)).size,
      callsKnown: Boolean(key),
    });
  }
  // A grant is used when a call or a Lambda need of any function of the role falls under it.
  for (const { grants, needs, functions: users } of byRole.values()) {
    if (!needs) continue;
    for (const g of grants) {
      for (const action of g.statement.actions) {
        for (const resource of g.statement.resources) {
          const pattern = resource === '*' ? undefined : grantPattern(stack, resource);
          const used = needs.some((n) => actionMatches(action, n.action) && (!pattern || n.samples.length === 0 || n.samples.some((x) => pattern.test(x))));
          if (!used) {
            findings.push(finding('iam', g.source.address, g.attribute, `grants ${action} on ${resource}, which neither ${users.join(', ')}'s handler calls nor Lambda needs`));
          }
        }
      }
    }
  }
  if (calls) {
    for (const k of Object.keys(calls)) {
      if (!stack.ofType('aws_lambda_function').some((fn) => matchesFunction(k, fn))) {
        findings.push(finding('iam', 'stack', '', `handler calls are listed for "${k}", but no aws_lambda_function matches it`));
      }
    }
  }
  return { findings, functions };
}

function matchesFunction(key: string, fn: Block): boolean {
  const name = typeof fn.body.function_name === 'string' ? fn.body.function_name : '';
  return key === fn.address || key === name || (name !== '' && !name.includes('${') && name.endsWith(`-${key}`));
}

interface Grant {
  readonly statement: Statement;
  readonly source: Block;
  readonly attribute: string;
}

/** Allow statements of every identity policy attached to a role. */
function roleGrants(stack: StackModel, role: Block, findings: Finding[]): Grant[] {
  const sources: { block: Block; attribute: string; value: unknown }[] = [];
  for (const p of stack.ofType('aws_iam_role_policy')) if (stack.refersTo(p.body.role, role)) sources.push({ block: p, attribute: 'policy', value: p.body.policy });
  blockList(role.body.inline_policy).forEach((p, i) => sources.push({ block: role, attribute: `inline_policy[${i}].policy`, value: p.policy }));
  for (const a of stack.ofType('aws_iam_role_policy_attachment')) {
    if (!stack.refersTo(a.body.role, role)) continue;
    const policy = stack.target(a.body.policy_arn)?.block;
    if (policy?.type === 'aws_iam_policy') sources.push({ block: policy, attribute: 'policy', value: policy.body.policy });
    else findings.push(finding('iam', a.address, 'policy_arn', `managed policy ${a.body.policy_arn} cannot be read offline; grant with a policy document instead`));
  }
  for (const arn of role.body.managed_policy_arns ?? []) {
    findings.push(finding('iam', role.address, 'managed_policy_arns', `managed policy ${arn} cannot be read offline; grant with a policy document instead`));
  }
  const grants: Grant[] = [];
  for (const s of sources) {
    const policy = readPolicy(stack, s.value);
    if (!policy) {
      findings.push(finding('iam', s.block.address, s.attribute, 'policy cannot be read offline (neither a policy document reference nor JSON)'));
      continue;
    }
    for (const statement of policy.statements) if (statement.effect === 'Allow') grants.push({ statement, source: s.block, attribute: s.attribute });
  }
  return grants;
}

function covers(stack: StackModel, s: Statement, need: Need): boolean {
  if (!s.actions.some((a) => actionMatches(a, need.action))) return false;
  if (s.resources.includes('*') || need.samples.length === 0) return true;
  return s.resources.some((r) => {
    const pattern = grantPattern(stack, r);
    return need.samples.some((sample) => pattern.test(sample));
  });
}

/** What Lambda itself does with the role: poll its queues, write logs, attach to the VPC, trace. */
function platformNeeds(stack: StackModel, fn: Block): Need[] {
  const needs: Need[] = [];
  const add = (actions: readonly string[], samples: string[], required: boolean, why: string): void => {
    for (const action of actions) needs.push({ action, samples, required, why });
  };
  for (const esm of stack.ofType('aws_lambda_event_source_mapping')) {
    if (!stack.refersTo(esm.body.function_name, fn)) continue;
    const source = stack.target(esm.body.event_source_arn)?.block;
    if (source?.type !== 'aws_sqs_queue') continue;
    const why = `event source mapping ${esm.address}`;
    add(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], [token(source)], true, why);
    add(['sqs:ChangeMessageVisibility'], [token(source)], false, why);
    needs.push(...kmsNeeds(stack, 'sqs:ReceiveMessage', source, why));
  }
  const fnName = fn.body.function_name;
  const logGroup = stack
    .ofType('aws_cloudwatch_log_group')
    .find(
      (g) =>
        blockList(fn.body.logging_config).some((c) => stack.refersTo(c.log_group, g)) ||
        (typeof fnName === 'string' && g.body.name === `/aws/lambda/${fnName}`) ||
        (typeof g.body.name === 'string' && stack.refersTo(g.body.name, fn)),
    );
  if (logGroup) add(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${token(logGroup)}:log-stream:x`], true, `logging to ${logGroup.address}`);
  if (blockList(fn.body.vpc_config).length) {
    add(VPC_REQUIRED, [], true, 'VPC attachment');
    add(VPC_OPTIONAL, [], false, 'VPC attachment');
  }
  if (blockList(fn.body.tracing_config).some((t) => t.mode === 'Active')) {
    add(XRAY_REQUIRED, [], true, 'active tracing');
    add(XRAY_OPTIONAL, [], false, 'active tracing');
  }
  const envKey = keyOf(stack, fn.body.kms_key_arn);
  if (envKey && blockList(fn.body.environment).length) add(['kms:Decrypt'], [token(envKey)], true, 'environment encryption');
  return needs;
}

/** Needs of the recorded handler calls, with the resources they resolve to. */
function handlerNeeds(stack: StackModel, fn: Block, calls: readonly (HandlerCall | string)[], findings: Finding[]): Need[] {
  const needs: Need[] = [];
  const env = blockList(fn.body.environment)[0]?.variables ?? {};
  for (const entry of calls) {
    const call: HandlerCall = typeof entry === 'string' ? { action: entry } : entry;
    const why = `handler call ${call.action}`;
    if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(call.action)) {
      findings.push(finding('iam', fn.address, 'handler-calls', `"${call.action}" is not an IAM action (service:Action)`));
      continue;
    }
    if (!call.resource) {
      needs.push({ action: call.action, samples: [], required: true, why });
      continue;
    }
    const resolved = resolveTarget(stack, fn, call.resource, env);
    if (typeof resolved === 'string') {
      findings.push(finding('iam', fn.address, 'handler-calls', `${call.action}: ${resolved}`));
      continue;
    }
    needs.push({ action: call.action, samples: resolved.samples, required: true, why });
    for (const target of resolved.blocks) needs.push(...kmsNeeds(stack, call.action, target, why));
  }
  return needs;
}

function resolveTarget(stack: StackModel, fn: Block, target: CallTarget, env: Record<string, unknown>): { samples: string[]; blocks: Block[] } | string {
  const fromBlock = (block: Block | undefined, suffix: string | undefined, what: string): { samples: string[]; blocks: Block[] } | string =>
    block ? { samples: [`${token(block)}${suffix ?? ''}`], blocks: [block] } : `${what} does not resolve to a resource of this stack`;
  if ('address' in target) return fromBlock(stack.get(target.address), target.suffix, target.address);
  if ('parameter' in target) {
    const p = parameterBlock(stack, target.parameter);
    if (!p) return `no aws_ssm_parameter named */${target.parameter}`;
    return { samples: [token(p), `arn:aws:ssm:${stack.regionOf(fn) ?? '*'}:000000000000:parameter${p.body.name.startsWith('/') ? '' : '/'}${p.body.name}`], blocks: [p] };
  }
  if ('parameterValue' in target) {
    const p = parameterBlock(stack, target.parameterValue);
    if (!p) return `no aws_ssm_parameter named */${target.parameterValue}`;
    return fromBlock(stack.target(p.body.value)?.block, target.suffix, `the value of ${p.address}`);
  }
  if ('envValue' in target) return fromBlock(stack.target(env[target.envValue] as string)?.block, target.suffix, `environment variable ${target.envValue}`);
  const path = env[target.envPath];
  if (typeof path !== 'string' || path.includes('${')) return `environment variable ${target.envPath} is not a literal parameter path`;
  const trimmed = path.replace(/\/$/, '');
  // GetParametersByPath is authorized on the path; SecureString parameters under it also need their keys.
  const under = stack.ofType('aws_ssm_parameter').filter((p) => typeof p.body.name === 'string' && p.body.name.startsWith(`${trimmed}/`));
  return { samples: [`arn:aws:ssm:${stack.regionOf(fn) ?? '*'}:000000000000:parameter${trimmed}`], blocks: under };
}

const TARGET_KEYS = ['address', 'parameter', 'parameterValue', 'envValue', 'envPath'];

/** Validates a handler call list read from JSON; the error names the first bad entry. */
export function parseHandlerCalls(value: unknown, source = 'handler calls'): HandlerCalls {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source} must be an object of function -> list of calls`);
  for (const [fn, calls] of Object.entries(value)) {
    if (!Array.isArray(calls)) throw new Error(`${source}: "${fn}" must be a list of calls`);
    calls.forEach((call, i) => {
      const where = `${source}: ${fn}[${i}]`;
      if (typeof call === 'string') return;
      if (!call || typeof call.action !== 'string') throw new Error(`${where} needs an "action" string`);
      const resource = call.resource;
      if (resource === undefined) return;
      const keys = resource && typeof resource === 'object' ? Object.keys(resource).filter((k) => k !== 'suffix') : [];
      if (keys.length !== 1 || !TARGET_KEYS.includes(keys[0]) || typeof resource[keys[0]] !== 'string') {
        throw new Error(`${where}: "resource" must have exactly one of ${TARGET_KEYS.join(', ')} (a string), got ${JSON.stringify(resource)}`);
      }
    });
  }
  return value as HandlerCalls;
}
