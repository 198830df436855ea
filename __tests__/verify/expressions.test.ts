import { pureReference, templateExpressions, traversals, traversalText } from '../../src/verify/expressions';

const refs = (template: string): string[] => templateExpressions(template).flatMap((e) => traversals(e).map(traversalText));

describe('expressions', () => {
  it('finds every reference in a template, skipping escaped $${', () => {
    expect(refs('arn:${data.aws_partition.current.partition}:ssm:$${literal}:${var.region}/x')).toEqual(['data.aws_partition.current.partition', 'var.region']);
  });

  it('reads indexes, splats and legacy .0 indexes', () => {
    expect(refs('${aws_subnet.private[*].id} ${aws_subnet.a[0].id} ${aws_vpc_endpoint.e.dns_entry.0.dns_name}')).toEqual([
      'aws_subnet.private[*].id',
      'aws_subnet.a[0].id',
      'aws_vpc_endpoint.e.dns_entry[0].dns_name',
    ]);
  });

  it('follows pass-through functions such as tolist() and element()', () => {
    expect(refs('${tolist(aws_dynamodb_table.t.replica)[0].arn}')).toEqual(['aws_dynamodb_table.t.replica[0].arn']);
    expect(refs('${element(aws_subnet.a.*.id, count.index)}')).toEqual(['aws_subnet.a[*].id[?]', 'count.index']);
  });

  it('skips function names, keywords and for-expression variables', () => {
    expect(refs('${[for s in aws_subnet.a : s.id if s.map_public_ip_on_launch == false]}')).toEqual(['aws_subnet.a']);
    expect(refs('${jsonencode({ a = aws_sqs_queue.q.arn, b = "x${local.y}" })}')).toEqual(['aws_sqs_queue.q.arn', 'local.y']);
    expect(refs('${provider::aws::arn_parse(aws_sqs_queue.q.arn).region}')).toEqual(['aws_sqs_queue.q.arn']);
  });

  it('tells a whole-string reference from a larger expression', () => {
    expect(pureReference('${aws_sqs_queue.q.arn}')).toEqual({ root: 'aws_sqs_queue', steps: [{ kind: 'attr', name: 'q' }, { kind: 'attr', name: 'arn' }] });
    expect(pureReference('${aws_sqs_queue.q.arn}/x')).toBeUndefined();
    expect(pureReference('${upper(aws_sqs_queue.q.arn)}')).toBeUndefined();
  });

  it('fails clearly on an unterminated expression', () => {
    expect(() => templateExpressions('x ${aws_sqs_queue.q.arn')).toThrow('unterminated ${ in "x ${aws_sqs_queue.q.arn"');
  });
});
