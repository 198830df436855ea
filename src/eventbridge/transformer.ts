/**
 * EventBridge input transformers: building them by the documented quoting rules and
 * applying them to an event the way EventBridge does, so a template can be checked
 * against sample events without an AWS account.
 *
 * Sources: EventBridge user guide "Amazon EventBridge input transformation" (including
 * "Common issues with transforming input") and the `InputTransformer` API reference.
 *
 * Behaviours covered by {@link applyInputTransformer}:
 * - Input paths: `$`, dot notation (letters, digits, `-`, `_`, `/`), array indices `[n]`.
 *   Wildcards are rejected. A path that does not exist (or crosses a null) defines no value.
 * - A placeholder inside a JSON string (`"<v>"`) is replaced by the raw text of a string
 *   value, without escaping ("EventBridge doesn't escape values extracted by Input Path"),
 *   so a value containing `"` or `\` breaks the JSON around it. Numbers and booleans
 *   appear as their JSON text; an object or array appears as its JSON text with every
 *   double quote removed (EventBridge strips inner quotes to keep the string valid).
 * - A placeholder outside a string (`<v>`) is replaced by the value's JSON text: a string
 *   becomes a quoted JSON string (the guide's "Simple JSON" example), an object or array
 *   its serialization, so arbitrary characters survive.
 * - A placeholder whose path is missing renders as nothing: `"<v>"` gives `""` (AWS
 *   behaviour, also recorded by LocalStack's AWS-validated snapshots). For `<v>` outside a
 *   string AWS documents nothing; rendering nothing makes a template that relies on it
 *   fail the JSON check instead of passing by luck.
 * - Predefined variables `aws.events.rule-arn`, `aws.events.rule-name`,
 *   `aws.events.event.ingestion-time`, `aws.events.event` (the event without `detail`) and
 *   `aws.events.event.json` (the whole event); they cannot be redefined.
 * - Angle brackets that do not form a placeholder are left as is; the template is otherwise
 *   passed through unchanged (not re-serialized).
 *
 * {@link validateInputTransformer} enforces: at most 100 input paths, variable names not
 * starting with "aws", every placeholder defined, and no placeholder in an object key position.
 */

/** The two attributes of `aws_cloudwatch_event_target.input_transformer`. */
export interface InputTransformer {
  /** Variable name to JSON path (`input_paths`). */
  readonly inputPaths: Readonly<Record<string, string>>;
  /** Text with `<variable>` placeholders (`input_template`). */
  readonly inputTemplate: string;
}

/** Values of the predefined variables for one delivery. */
export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO 8601 time EventBridge received the event; defaults to the event's `time`. */
  readonly ingestionTime?: string;
}

export const MAX_INPUT_PATHS = 100;

export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

/** Thrown for a transformer EventBridge would reject or this helper cannot evaluate. */
export class InputTransformerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputTransformerError';
  }
}

const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PATH_SEGMENT = /^(?:\.([A-Za-z0-9_/-]+)|\[(\d+)\])/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a JSON path from an event; `undefined` when any step is missing. */
export function readJsonPath(event: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new InputTransformerError(`input path ${JSON.stringify(path)} must start with "$"`);
  let rest = path.slice(1);
  let current: unknown = event;
  while (rest) {
    const m = PATH_SEGMENT.exec(rest);
    if (!m) throw new InputTransformerError(`input path ${JSON.stringify(path)} uses syntax this helper does not evaluate`);
    rest = rest.slice(m[0].length);
    if (m[1] !== undefined) current = isObject(current) ? current[m[1]] : undefined;
    else current = Array.isArray(current) ? current[Number(m[2])] : undefined;
    if (current === undefined || (current === null && rest)) return undefined;
  }
  return current;
}

interface Placeholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Inside a JSON string literal of the template. */
  readonly quoted: boolean;
}

/** Finds the placeholders of defined variables, tracking whether each sits inside a string. */
function scanPlaceholders(template: string, defined: ReadonlySet<string>): Placeholder[] {
  const found: Placeholder[] = [];
  let quoted = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (quoted && c === '\\') {
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === '<') {
      const close = template.indexOf('>', i + 1);
      const name = close > i ? template.slice(i + 1, close) : '';
      if (defined.has(name)) {
        found.push({ name, start: i, end: close + 1, quoted });
        i = close;
      }
    }
  }
  return found;
}

/** All `<name>` occurrences (no spaces or quotes inside), defined or not. */
const placeholderNames = (template: string): string[] => [...template.matchAll(/<([^<>\s"]+)>/g)].map((m) => m[1]);

/** Checks the rules EventBridge applies when the target is created; throws on the first violation. */
export function validateInputTransformer(transformer: InputTransformer): void {
  const names = Object.keys(transformer.inputPaths);
  if (names.length > MAX_INPUT_PATHS) {
    throw new InputTransformerError(`${names.length} input paths; EventBridge allows at most ${MAX_INPUT_PATHS}`);
  }
  for (const name of names) {
    if (/^aws/i.test(name)) throw new InputTransformerError(`variable "${name}" uses the reserved "aws" prefix`);
    if (!VARIABLE_NAME.test(name)) throw new InputTransformerError(`variable "${name}" must use letters, digits, "-" and "_"`);
    readJsonPath({}, transformer.inputPaths[name]);
  }
  const defined = new Set<string>([...names, ...PREDEFINED_VARIABLES]);
  const undefinedName = placeholderNames(transformer.inputTemplate).find((n) => !defined.has(n));
  if (undefinedName) throw new InputTransformerError(`template placeholder <${undefinedName}> has no input path`);
  for (const p of scanPlaceholders(transformer.inputTemplate, defined)) {
    const after = transformer.inputTemplate.slice(p.end);
    const keyPosition = p.quoted ? /^[^"\\]*(?:\\.[^"\\]*)*"\s*:/.test(after) : /^\s*:/.test(after);
    if (keyPosition) throw new InputTransformerError(`placeholder <${p.name}> is used as an object key`);
  }
}

function render(value: unknown, quoted: boolean): string {
  if (value === undefined) return '';
  if (quoted) {
    if (typeof value === 'string') return value;
    const json = JSON.stringify(value);
    return typeof value === 'object' && value !== null ? json.replace(/"/g, '') : json;
  }
  return JSON.stringify(value);
}

/** The text EventBridge delivers to the target for `event`. */
export function applyInputTransformer(transformer: InputTransformer, event: unknown, context: TransformContext): string {
  validateInputTransformer(transformer);
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.inputPaths)) values.set(name, readJsonPath(event, path));
  const eventObject = isObject(event) ? event : {};
  const { detail: _detail, ...withoutDetail } = eventObject;
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime ?? eventObject.time);
  values.set('aws.events.event', withoutDetail);
  values.set('aws.events.event.json', event);

  let out = '';
  let last = 0;
  for (const p of scanPlaceholders(transformer.inputTemplate, new Set(values.keys()))) {
    out += transformer.inputTemplate.slice(last, p.start) + render(values.get(p.name), p.quoted);
    last = p.end;
  }
  return out + transformer.inputTemplate.slice(last);
}

/** One member of a JSON template built by {@link buildJsonInputTransformer}. */
export type TemplateMember =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'string'; readonly path: string }
  | { readonly kind: 'json'; readonly path: string };

/** A constant value. */
export const literal = (value: string | number | boolean | null): TemplateMember => ({ kind: 'literal', value });
/** A string placeholder, written inside quotes: only for values that cannot contain `"` or `\`. */
export const stringAt = (path: string): TemplateMember => ({ kind: 'string', path });
/** An object placeholder, written without quotes: EventBridge inserts the value as JSON. */
export const jsonAt = (path: string): TemplateMember => ({ kind: 'json', path });

/**
 * Builds a transformer whose template is a flat JSON object. Each placeholder member gets a
 * variable named after the member, so keys are always literals and the quoting rule is
 * decided by the member kind rather than by hand-written template text.
 */
export function buildJsonInputTransformer(members: Readonly<Record<string, TemplateMember>>): InputTransformer {
  const inputPaths: Record<string, string> = {};
  const parts: string[] = [];
  for (const [name, member] of Object.entries(members)) {
    let value: string;
    if (member.kind === 'literal') {
      value = JSON.stringify(member.value);
    } else {
      inputPaths[name] = member.path;
      value = member.kind === 'string' ? `"<${name}>"` : `<${name}>`;
    }
    parts.push(`${JSON.stringify(name)}:${value}`);
  }
  const transformer = { inputPaths, inputTemplate: `{${parts.join(',')}}` };
  validateInputTransformer(transformer);
  return transformer;
}
