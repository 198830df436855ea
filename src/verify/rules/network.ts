import { Block, blockList, StackModel } from '../stack';
import { fail, isSet, pass, Rule } from './rule';

const OPEN = ['0.0.0.0/0', '::/0'];
const ALL_PROTOCOLS = ['-1', 'all', -1];

/** Every security group rule with where it is written: inline blocks and the rule resources. */
function sgRules(stack: StackModel): { block: Block; attribute: string; rule: Record<string, any>; egress: boolean }[] {
  const out: { block: Block; attribute: string; rule: Record<string, any>; egress: boolean }[] = [];
  for (const type of ['aws_security_group', 'aws_default_security_group']) {
    for (const sg of stack.ofType(type)) {
      for (const dir of ['ingress', 'egress'] as const) {
        blockList(sg.body[dir]).forEach((rule, i) => out.push({ block: sg, attribute: `${dir}[${i}]`, rule, egress: dir === 'egress' }));
      }
    }
  }
  for (const r of stack.ofType('aws_security_group_rule')) out.push({ block: r, attribute: '', rule: r.body, egress: r.body.type === 'egress' });
  for (const r of stack.ofType('aws_vpc_security_group_ingress_rule')) out.push({ block: r, attribute: '', rule: r.body, egress: false });
  for (const r of stack.ofType('aws_vpc_security_group_egress_rule')) out.push({ block: r, attribute: '', rule: r.body, egress: true });
  return out;
}

const at = (attribute: string, name: string): string => (attribute ? `${attribute}.${name}` : name);

export const NETWORK_RULES: readonly Rule[] = [
  {
    id: 'CKV_AWS_23',
    description: 'Security groups and their rules have descriptions',
    evaluate: (stack) => [
      ...stack.ofType('aws_security_group').map((sg) => (isSet(sg.body.description) ? pass(sg) : fail(sg, 'description', 'security group has no description'))),
      ...sgRules(stack).map(({ block, attribute, rule }) =>
        isSet(rule.description) ? { ...pass(block), attribute } : fail(block, at(attribute, 'description'), 'rule has no description'),
      ),
    ],
  },
  {
    id: 'CKV_AWS_382',
    description: 'No security group allows all protocols out to the internet',
    evaluate: (stack) =>
      sgRules(stack)
        .filter((r) => r.egress)
        .map(({ block, attribute, rule }) => {
          const cidrs = [...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? []), rule.cidr_ipv4, rule.cidr_ipv6];
          const protocol = rule.protocol ?? rule.ip_protocol;
          return ALL_PROTOCOLS.includes(protocol) && cidrs.some((c) => OPEN.includes(c))
            ? fail(block, at(attribute, 'cidr_blocks'), 'egress of all protocols to the internet')
            : { ...pass(block), attribute };
        }),
  },
  {
    id: 'CKV2_AWS_11',
    description: 'VPCs have flow logs',
    evaluate: (stack) =>
      stack.ofType('aws_vpc').map((vpc) => (stack.referrers('aws_flow_log', 'vpc_id', vpc).length ? pass(vpc) : fail(vpc, '', 'no aws_flow_log refers to this VPC'))),
  },
  {
    id: 'CKV2_AWS_12',
    description: "VPCs' default security group allows no traffic",
    evaluate: (stack) =>
      stack.ofType('aws_vpc').map((vpc) => {
        const defaults = stack.referrers('aws_default_security_group', 'vpc_id', vpc);
        if (!defaults.length) return fail(vpc, '', 'no aws_default_security_group takes over this VPC\'s default group (it allows all traffic between members and all egress)');
        const open = defaults.find((d) => blockList(d.body.ingress).length || blockList(d.body.egress).length);
        return open ? fail(open, 'ingress', 'default security group has rules') : pass(vpc);
      }),
  },
];
