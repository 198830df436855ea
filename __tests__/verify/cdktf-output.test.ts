import { Fn, Testing, TerraformIterator, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { checkStack, failuresOf } from '../../src/verify';

/** A stack synthesized by cdktf itself, with the constructs that write unusual expressions. */
function synth(edit: (parts: { endpoint: VpcEndpoint; queue: SqsQueue }) => void = () => undefined): Record<string, any> {
  const stack = new TerraformStack(Testing.app(), 'probe');
  const provider = new AwsProvider(stack, 'aws-primary', { alias: 'primary', region: 'us-east-1' });
  const name = new TerraformVariable(stack, 'queue-name', { type: 'string', default: 'tasks' });
  const vpc = new Vpc(stack, 'vpc', { provider, cidrBlock: '10.40.0.0/16' });
  const zones = TerraformIterator.fromList(['a', 'b']);
  new Subnet(stack, 'subnet', { provider, forEach: zones, vpcId: vpc.id, cidrBlock: Fn.cidrsubnet(vpc.cidrBlock, 8, 1), availabilityZone: `us-east-1${zones.value}` });
  const ports = TerraformIterator.fromList([443]);
  new SecurityGroup(stack, 'sg', {
    provider,
    vpcId: vpc.id,
    description: 'probe',
    ingress: ports.dynamic({ from_port: ports.value, to_port: ports.value, protocol: 'tcp', cidr_blocks: [vpc.cidrBlock], description: 'https' }),
  });
  const queue = new SqsQueue(stack, 'queue', { provider, name: name.stringValue });
  const table = new DynamodbTable(stack, 'table', { provider, name: 't', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }], replica: [{ regionName: 'us-west-2' }] });
  const doc = new DataAwsIamPolicyDocument(stack, 'doc', {
    provider,
    statement: [{ actions: ['sqs:SendMessage'], resources: [queue.arn, `${table.replica.get(0).arn}/index/*`] }],
  });
  const endpoint = new VpcEndpoint(stack, 'endpoint', { provider, vpcId: vpc.id, serviceName: 'com.amazonaws.us-east-1.sqs', policy: doc.json });
  const local = new TerraformLocal(stack, 'names', { queue: queue.url, first: Fn.element(table.replica, 0) });
  new TerraformOutput(stack, 'names-out', { value: local.expression });
  edit({ endpoint, queue });
  return JSON.parse(Testing.synth(stack));
}

describe('what cdktf synthesizes', () => {
  it('passes schema and reference checks: iterators, dynamic blocks, tolist() on sets, locals, outputs, variables', () => {
    const report = checkStack(synth());
    expect([...failuresOf(report, 'schema'), ...failuresOf(report, 'reference')]).toEqual([]);
    expect(report.referencesResolved).toBeGreaterThanOrEqual(15);
  });

  it('catches an addOverride with a misspelled path and a cycle made through an escape hatch', () => {
    const json = synth(({ endpoint, queue }) => {
      endpoint.addOverride('dns_options.dns_record_ip_typ', 'ipv4');
      queue.addOverride('tags', { Endpoint: endpoint.id });
      endpoint.addOverride('depends_on', ['aws_sqs_queue.queue']);
    });
    const report = checkStack(json);
    expect(failuresOf(report, 'schema').map((f) => `${f.address} ${f.attribute}: ${f.message}`)).toEqual([
      'aws_vpc_endpoint.endpoint dns_options.dns_record_ip_typ: unknown argument (did you mean "dns_record_ip_type"?)',
    ]);
    // Two cycles close at the queue: directly, and through the policy document that names it.
    expect(failuresOf(report, 'reference').map((f) => f.message)).toEqual([
      'dependency cycle: aws_sqs_queue.queue -> aws_vpc_endpoint.endpoint -> data.aws_iam_policy_document.doc -> aws_sqs_queue.queue',
      'dependency cycle: aws_sqs_queue.queue -> aws_vpc_endpoint.endpoint -> aws_sqs_queue.queue',
    ]);
  });
});
