import { RULES } from '../../src/verify';
import { StackModel } from '../../src/verify/stack';
import { goodStack } from './fixtures/good-stack';
import { RULE_CASES } from './fixtures/rule-cases';

const evaluate = (id: string, edit: ((s: Record<string, any>) => void) | undefined) => {
  const json = goodStack();
  edit?.(json);
  const rule = RULES.find((r) => r.id === id)!;
  return rule.evaluate(new StackModel(json));
};

describe('rules', () => {
  it('each have a unique ID, a description and pass/fail fixtures', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) expect(rule.description).toMatch(/^\S.{10,}$/);
    expect(Object.keys(RULE_CASES).sort()).toEqual([...ids].sort());
  });

  const cases = Object.entries(RULE_CASES).flatMap(([id, list]) => list.map((c) => [id, c.name, c] as const));

  it.each(cases)('%s passes where the fixture for "%s" is fixed', (id, _name, c) => {
    const results = evaluate(id, c.pass);
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((e) => e.failure)).toEqual([]);
  });

  it.each(cases)('%s fails on %s', (id, _name, c) => {
    const failures = evaluate(id, c.fail).filter((e) => e.failure);
    expect(failures.map((e) => e.address)).toContain(c.address);
    for (const f of failures) expect(f.failure).toMatch(/\S/);
  });
});
