/**
 * EventBridge event pattern matching, as the EventBridge user guide describes it
 * ("Event patterns", "Content filtering", "Arrays in event patterns"). Used by the
 * contract test and by anything that must decide locally whether a rule would fire.
 *
 * Behaviours covered:
 * - Every field named in the pattern must match; fields of the event the pattern does
 *   not name are ignored. A nested pattern object matches a nested event object.
 * - A leaf is an array of alternatives (OR); a literal alternative matches by exact,
 *   case-sensitive equality of strings, numbers, booleans or null.
 * - When the event value is an array, the leaf matches if any element matches.
 * - Content filters: `prefix`, `suffix`, `wildcard` (`*` matches any run of characters,
 *   `\*` and `\\` are literals), `exists` (true / false), `equals-ignore-case`,
 *   `anything-but` (a value, a list of values, or `{ "prefix" | "suffix": ... }`).
 *   A missing field matches only `{ "exists": false }`.
 * - `$or`: an array of sub-patterns at any level, at least one of which must match
 *   in addition to the other fields of that level.
 *
 * Not covered (rejected with an error rather than silently mismatched): `numeric`, `cidr`,
 * `prefix` / `suffix` with `equals-ignore-case` inside them.
 */

export type EventPattern = { readonly [field: string]: unknown };

/** Thrown for a pattern this matcher does not understand or that EventBridge would reject. */
export class EventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPatternError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns whether `event` matches `pattern` (a parsed pattern or its JSON text). */
export function matchesEventPattern(pattern: EventPattern | string, event: unknown): boolean {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new EventPatternError('an event pattern must be a JSON object');
  return matchObject(parsed, event, '');
}

function matchObject(pattern: Record<string, unknown>, event: unknown, path: string): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length === 0 || !expected.every(isObject)) {
        throw new EventPatternError(`${path || 'pattern'}: "$or" must be a non-empty array of objects`);
      }
      if (!expected.some((alternative) => matchObject(alternative, event, path))) return false;
      continue;
    }
    const fieldPath = path ? `${path}.${field}` : field;
    const value = isObject(event) ? event[field] : undefined;
    if (isObject(expected)) {
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((candidate) => isObject(candidate) && matchObject(expected, candidate, fieldPath))) return false;
    } else if (Array.isArray(expected)) {
      if (!matchLeaf(expected, value, fieldPath)) return false;
    } else {
      throw new EventPatternError(`${fieldPath}: a pattern leaf must be an array, got ${JSON.stringify(expected)}`);
    }
  }
  return true;
}

function matchLeaf(alternatives: readonly unknown[], value: unknown, path: string): boolean {
  if (alternatives.length === 0) throw new EventPatternError(`${path}: an empty array matches nothing and is rejected`);
  const present = value !== undefined;
  const values = Array.isArray(value) ? value : [value];
  return alternatives.some((alt) => {
    if (isObject(alt)) {
      if ('exists' in alt) {
        if (typeof alt.exists !== 'boolean') throw new EventPatternError(`${path}: "exists" takes true or false`);
        return alt.exists === present;
      }
      return present && values.some((v) => matchFilter(alt, v, path));
    }
    return present && values.some((v) => v === alt);
  });
}

function matchFilter(filter: Record<string, unknown>, value: unknown, path: string): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1) throw new EventPatternError(`${path}: a content filter has exactly one operator, got ${JSON.stringify(filter)}`);
  const [op] = keys;
  const arg = filter[op];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(stringArg(op, arg, path));
    case 'suffix':
      return typeof value === 'string' && value.endsWith(stringArg(op, arg, path));
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(stringArg(op, arg, path)).test(value);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === stringArg(op, arg, path).toLowerCase();
    case 'anything-but':
      return !anythingBut(arg, value, path);
    default:
      throw new EventPatternError(`${path}: content filter "${op}" is not supported by this matcher`);
  }
}

function stringArg(op: string, arg: unknown, path: string): string {
  if (typeof arg !== 'string') throw new EventPatternError(`${path}: "${op}" takes a string, got ${JSON.stringify(arg)}`);
  return arg;
}

/** True when `value` is one of the excluded values. */
function anythingBut(arg: unknown, value: unknown, path: string): boolean {
  if (isObject(arg)) {
    if ('prefix' in arg) return typeof value === 'string' && value.startsWith(stringArg('prefix', arg.prefix, path));
    if ('suffix' in arg) return typeof value === 'string' && value.endsWith(stringArg('suffix', arg.suffix, path));
    throw new EventPatternError(`${path}: unsupported "anything-but" form ${JSON.stringify(arg)}`);
  }
  const excluded = Array.isArray(arg) ? arg : [arg];
  return excluded.includes(value);
}

function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === '\\' && (wildcard[i + 1] === '*' || wildcard[i + 1] === '\\')) {
      source += `\\${wildcard[++i]}`;
    } else if (c === '*') {
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
}
