import { fail, pass, Rule } from './rule';

export const PROVIDER_RULES: readonly Rule[] = [
  {
    id: 'TAP_PROVIDER_EXPLICIT',
    description: 'Every AWS resource and data source names its provider (the stack has only aliased providers)',
    evaluate: (stack) =>
      stack.blocks
        .filter((b) => b.type.startsWith('aws_'))
        .map((b) => (b.body.provider !== undefined ? pass(b) : fail(b, 'provider', 'no provider: it would use an unconfigured default aws provider'))),
  },
];
