/**
 * Finds the references in Terraform JSON strings: the `${...}` parts of a string template
 * and, inside them, every traversal such as `aws_sqs_queue.task.arn` or
 * `tolist(aws_dynamodb_table.tasks.replica)[0].arn`. Only what reference checks need:
 * no evaluation.
 */

export type Step = { readonly kind: 'attr'; readonly name: string } | { readonly kind: 'index'; readonly key?: string | number } | { readonly kind: 'splat' };

export interface Traversal {
  /** First name: a resource type, `data`, `var`, `local`, `module`, `each`, ... */
  readonly root: string;
  readonly steps: readonly Step[];
}

type Token = { t: 'id' | 'num' | 'str' | 'punct'; v: string };

/** Functions whose result is (an element of) their argument, so `tolist(x)[0].arn` reads `x[0].arn`. */
const PASSTHROUGH = new Set(['tolist', 'toset', 'tomap', 'one', 'element', 'sort', 'distinct', 'compact', 'nonsensitive', 'sensitive']);
const KEYWORDS = new Set(['for', 'in', 'if', 'true', 'false', 'null']);

/**
 * The expressions inside `${...}` in a template string. `$${` is a literal `${`.
 * Throws on an unterminated `${`.
 */
export function templateExpressions(template: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${', i);
    if (start < 0) break;
    if (start > 0 && template[start - 1] === '$') {
      i = start + 2;
      continue;
    }
    const end = matchingBrace(template, start + 2);
    out.push(template.slice(start + 2, end));
    i = end + 1;
  }
  // `%{ if }` directives hold expressions too.
  for (const m of template.matchAll(/(?<!%)%\{~?\s*(?:if|for)\b([^}]*)\}/g)) out.push(m[1].replace(/^.*\bin\b/, ''));
  return out;
}

/** Index of the `}` closing an expression that starts at `from`, skipping strings and nested braces. */
function matchingBrace(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      i = endOfString(s, i);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`unterminated \${ in ${JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s)}`);
}

/** Index of the quote closing the string opened at `open`, skipping escapes and templates. */
function endOfString(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '$' && s[i + 1] === '{') i = matchingBrace(s, i + 2);
    else if (s[i] === '"') return i;
  }
  throw new Error(`unterminated string in expression ${JSON.stringify(s)}`);
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expr.slice(i))!;
      // `::` namespaced provider functions are calls, not traversals.
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(expr.slice(i))!;
      tokens.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (c === '"') {
      const end = endOfString(expr, i);
      tokens.push({ t: 'str', v: expr.slice(i + 1, end) });
      i = end + 1;
    } else if (expr.startsWith('<<', i) && /^<<-?[A-Za-z_]/.test(expr.slice(i))) {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\n([\s\S]*?)\n\s*\1/.exec(expr.slice(i));
      if (!m) throw new Error(`unterminated heredoc in ${JSON.stringify(expr)}`);
      tokens.push({ t: 'str', v: m[2] });
      i += m[0].length;
    } else {
      const two = expr.slice(i, i + 3) === '...' ? '...' : ['==', '!=', '<=', '>=', '&&', '||', '=>', '::'].find((op) => expr.startsWith(op, i));
      tokens.push({ t: 'punct', v: two ?? c });
      i += two ? two.length : 1;
    }
  }
  return tokens;
}

/** Every traversal in one expression (the text inside `${...}`), including those in nested templates. */
export function traversals(expr: string): Traversal[] {
  const tokens = tokenize(expr);
  const out: Traversal[] = [];
  const bound = new Set<string>();
  // Names bound by `for` expressions are local to the expression.
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].v === 'for' && tokens[i].t === 'id') {
      for (let j = i + 1; j < tokens.length && tokens[j].v !== 'in'; j++) if (tokens[j].t === 'id') bound.add(tokens[j].v);
    }
  }
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.t === 'str') {
      for (const inner of templateExpressions(tok.v)) out.push(...traversals(inner));
      continue;
    }
    if (tok.t !== 'id' || KEYWORDS.has(tok.v) || bound.has(tok.v)) continue;
    const prev = tokens[i - 1];
    if (prev && prev.t === 'punct' && (prev.v === '.' || prev.v === '::')) continue;
    const next = tokens[i + 1];
    if (next?.v === '::') continue;
    if (next?.t === 'punct' && next.v === '(') {
      const close = matchingParen(tokens, i + 1);
      if (PASSTHROUGH.has(tok.v)) {
        const inner = parseTraversal(tokens, i + 2, bound);
        // `element(x, n)` reads one element of x; the other passthroughs take one argument.
        const argEnd = tok.v === 'element' && tokens[inner?.end ?? -1]?.v === ',' ? close : inner?.end;
        if (inner && argEnd === close) {
          const suffix = parseSteps(tokens, close + 1);
          const indexStep: Step[] = tok.v === 'element' ? [{ kind: 'index' }] : [];
          out.push({ root: inner.traversal.root, steps: [...inner.traversal.steps, ...indexStep, ...suffix.steps] });
          // Index expressions of `element` may hold traversals too.
          for (const t of traversals(tokensText(tokens.slice(inner.end, close)))) out.push(t);
          i = suffix.end - 1;
        }
      }
      continue;
    }
    const parsed = parseTraversal(tokens, i, bound);
    if (!parsed) continue;
    // A bare name before `=` or `:` is an object key (`{ a = x }`), not a reference.
    if (parsed.traversal.steps.length === 0 && ['=', ':'].includes(tokens[parsed.end]?.v ?? '')) continue;
    out.push(parsed.traversal);
    // Index expressions inside the traversal are scanned by the outer loop.
  }
  return out;
}

function tokensText(tokens: Token[]): string {
  return tokens.map((t) => (t.t === 'str' ? JSON.stringify(t.v) : t.v)).join(' ');
}

function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].t !== 'punct') continue;
    if ('([{'.includes(tokens[i].v)) depth++;
    else if (')]}'.includes(tokens[i].v) && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in ${JSON.stringify(tokensText(tokens))}`);
}

function parseTraversal(tokens: Token[], at: number, bound: Set<string>): { traversal: Traversal; end: number } | undefined {
  const root = tokens[at];
  if (!root || root.t !== 'id' || KEYWORDS.has(root.v) || bound.has(root.v) || tokens[at + 1]?.v === '(') return undefined;
  const { steps, end } = parseSteps(tokens, at + 1);
  return { traversal: { root: root.v, steps }, end };
}

/** `.name`, `.0`, `[0]`, `["key"]`, `[*]`, `.*` and `[<expression>]` after a name. */
function parseSteps(tokens: Token[], from: number): { steps: Step[]; end: number } {
  const steps: Step[] = [];
  let i = from;
  for (;;) {
    const tok = tokens[i];
    if (tok?.t === 'punct' && tok.v === '.') {
      const name = tokens[i + 1];
      if (name?.t === 'id') steps.push({ kind: 'attr', name: name.v });
      else if (name?.t === 'num') steps.push({ kind: 'index', key: Number(name.v) });
      else if (name?.v === '*') steps.push({ kind: 'splat' });
      else break;
      i += 2;
    } else if (tok?.t === 'punct' && tok.v === '[') {
      const close = matchingParen(tokens, i);
      const inner = tokens.slice(i + 1, close);
      if (inner.length === 1 && inner[0].v === '*') steps.push({ kind: 'splat' });
      else if (inner.length === 1 && inner[0].t === 'num') steps.push({ kind: 'index', key: Number(inner[0].v) });
      else if (inner.length === 1 && inner[0].t === 'str') steps.push({ kind: 'index', key: inner[0].v });
      else if (inner[0]?.v === 'for') break; // a `[for ...]` after a name is not an index
      else steps.push({ kind: 'index' });
      // A computed index is an expression of its own: leave its tokens to the caller's scan.
      if (inner.length > 1) break;
      i = close + 1;
    } else {
      break;
    }
  }
  return { steps, end: i };
}

/** The traversal a string consists of, when it is exactly one `${reference}`. */
export function pureReference(value: string): Traversal | undefined {
  const m = /^\$\{([^{}]*)\}$/.exec(value);
  if (!m) return undefined;
  const found = traversals(m[1]);
  if (found.length !== 1) return undefined;
  // Anything beside the traversal (operators, calls) makes it more than a reference.
  return /^\s*[A-Za-z_][\w-]*(\s*(\.\s*[\w*-]+|\[[^\]]*\]))*\s*$/.test(m[1]) ? found[0] : undefined;
}

/** `aws_sqs_queue.task.arn` for display. */
export function traversalText(t: Traversal): string {
  let s = t.root;
  for (const step of t.steps) {
    if (step.kind === 'attr') s += `.${step.name}`;
    else if (step.kind === 'splat') s += '[*]';
    else s += step.key === undefined ? '[?]' : `[${JSON.stringify(step.key)}]`;
  }
  return s;
}
