import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsRouteTables } from '@cdktf/provider-aws/lib/data-aws-route-tables';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { policyDocument } from './policy';

/** Services reached through gateway endpoints (free, on the route tables). */
export const GATEWAY_SERVICES = ['dynamodb', 's3'] as const;

export interface NetworkProps {
  readonly provider: AwsProvider;
  readonly account: AccountContext;
  readonly key: KmsKey;
  readonly region: string;
  readonly namePrefix: string;
  /** CIDR of the VPC to create. */
  readonly vpcCidr: string;
  /** Availability Zones to spread the private subnets over (one subnet each). */
  readonly azCount: number;
  /** Use this VPC and these private subnets instead of creating a VPC. */
  readonly existing?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  /**
   * AWS services the functions call that have no gateway endpoint, e.g. `sns`, `ssm`.
   * Each becomes one interface endpoint (billed per AZ-hour), so list only what is called.
   */
  readonly interfaceServices: readonly string[];
  /** Retention of the flow log group. */
  readonly logRetentionDays: number;
}

/**
 * A private network for the functions: private subnets only (no internet or NAT gateway),
 * gateway endpoints for DynamoDB and S3, one interface endpoint per other service the
 * functions call, security groups that allow HTTPS from the functions to the endpoints
 * only, flow logs, and a default security group with no rules.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** Attach to every function: egress is HTTPS to the endpoints only. */
  readonly functionSecurityGroup: SecurityGroup;
  readonly endpointSecurityGroup: SecurityGroup;
  readonly gatewayEndpoints: VpcEndpoint[] = [];
  readonly interfaceEndpoints: VpcEndpoint[] = [];
  private vpc?: Vpc;
  private readonly subnets: Subnet[] = [];

  constructor(scope: Construct, id: string, private readonly props: NetworkProps) {
    super(scope, id);
    const { provider } = props;
    const routeTableIds = props.existing ? this.useExisting(props.existing) : this.createVpc();
    if (props.existing) {
      this.vpcId = props.existing.vpcId;
      this.subnetIds = [...props.existing.subnetIds];
    } else {
      this.vpcId = this.vpc!.id;
      this.subnetIds = this.subnets.map((s) => s.id);
    }

    this.functionSecurityGroup = new SecurityGroup(this, 'functions-sg', {
      provider,
      name: `${props.namePrefix}-functions`,
      description: 'Lambda functions: HTTPS to the VPC endpoints only',
      vpcId: this.vpcId,
    });
    this.endpointSecurityGroup = new SecurityGroup(this, 'endpoints-sg', {
      provider,
      name: `${props.namePrefix}-endpoints`,
      description: 'Interface endpoints: HTTPS from the functions only',
      vpcId: this.vpcId,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoints-from-functions', {
      provider,
      securityGroupId: this.endpointSecurityGroup.id,
      referencedSecurityGroupId: this.functionSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS from the Lambda functions',
    });
    new VpcSecurityGroupEgressRule(this, 'functions-to-endpoints', {
      provider,
      securityGroupId: this.functionSecurityGroup.id,
      referencedSecurityGroupId: this.endpointSecurityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to the interface endpoints',
    });

    for (const service of GATEWAY_SERVICES) {
      const endpoint = new VpcEndpoint(this, `${service}-gateway`, {
        provider,
        vpcId: this.vpcId,
        serviceName: this.serviceName(service),
        vpcEndpointType: 'Gateway',
        routeTableIds,
        policy: this.endpointPolicy(service, true),
      });
      this.gatewayEndpoints.push(endpoint);
      new VpcSecurityGroupEgressRule(this, `functions-to-${service}`, {
        provider,
        securityGroupId: this.functionSecurityGroup.id,
        prefixListId: endpoint.prefixListId,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: `HTTPS to ${service} through its gateway endpoint`,
      });
    }

    for (const service of props.interfaceServices) {
      this.interfaceEndpoints.push(
        new VpcEndpoint(this, `${service}-interface`, {
          provider,
          vpcId: this.vpcId,
          serviceName: this.serviceName(service),
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: this.subnetIds,
          securityGroupIds: [this.endpointSecurityGroup.id],
          // X-Ray and a few others authorize actions without a resource ARN: aws:ResourceAccount would deny them.
          policy: this.endpointPolicy(service, !RESOURCELESS_SERVICES.includes(service)),
        }),
      );
    }
  }

  private serviceName(service: string): string {
    return `com.amazonaws.${this.props.region}.${service}`;
  }

  /** Only this account's principals, and (where the service names resources) only this account's resources. */
  private endpointPolicy(service: string, resourceAccount: boolean): string {
    const { account } = this.props;
    const conditions = [{ test: 'StringEquals', variable: 'aws:PrincipalAccount', values: [account.accountId] }];
    if (resourceAccount) conditions.push({ test: 'StringEquals', variable: 'aws:ResourceAccount', values: [account.accountId] });
    return policyDocument(this, `${service}-endpoint-policy`, this.props.provider, [
      {
        sid: 'ThisAccountOnly',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: [`${service}:*`],
        resources: ['*'],
        condition: conditions,
      },
    ]).json;
  }

  private createVpc(): string[] {
    const { props } = this;
    const { provider } = props;
    this.vpc = new Vpc(this, 'vpc', {
      provider,
      cidrBlock: props.vpcCidr,
      // Private DNS of interface endpoints needs both.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.namePrefix },
    });
    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      provider,
      state: 'available',
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    const routeTable = new RouteTable(this, 'private-routes', { provider, vpcId: this.vpc.id, tags: { Name: `${props.namePrefix}-private` } });
    for (let i = 0; i < props.azCount; i++) {
      const subnet = new Subnet(this, `private-${i}`, {
        provider,
        vpcId: this.vpc.id,
        cidrBlock: subnetCidr(props.vpcCidr, i),
        availabilityZone: Fn.element(zones.names, i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-private-${i}` },
      });
      new RouteTableAssociation(this, `private-${i}-routes`, { provider, subnetId: subnet.id, routeTableId: routeTable.id });
      this.subnets.push(subnet);
    }
    // Managing the default security group with no rules removes AWS's allow-all defaults.
    new DefaultSecurityGroup(this, 'default-sg', { provider, vpcId: this.vpc.id });
    this.flowLogs(this.vpc.id);
    return [routeTable.id];
  }

  private useExisting(existing: { vpcId: string; subnetIds: readonly string[] }): string[] {
    const tables = new DataAwsRouteTables(this, 'existing-routes', {
      provider: this.props.provider,
      vpcId: existing.vpcId,
      filter: [{ name: 'association.subnet-id', values: [...existing.subnetIds] }],
    });
    return tables.ids;
  }

  private flowLogs(vpcId: string): void {
    const { provider, account, namePrefix } = this.props;
    const group = new CloudwatchLogGroup(this, 'flow-logs', {
      provider,
      name: `/aws/vpc/${namePrefix}-flow-logs`,
      retentionInDays: this.props.logRetentionDays,
      kmsKeyId: this.props.key.arn,
    });
    const trust = policyDocument(this, 'flow-logs-trust', provider, [
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [account.servicePrincipal('vpc-flow-logs')] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [account.arn('ec2', this.props.region, 'vpc-flow-log/*')] },
        ],
      },
    ]);
    const role = new IamRole(this, 'flow-logs-role', { provider, name: `${namePrefix}-flow-logs`, assumeRolePolicy: trust.json });
    const permissions = policyDocument(this, 'flow-logs-permissions', provider, [
      {
        sid: 'DeliverFlowLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [group.arn, `${group.arn}:log-stream:*`],
      },
    ]);
    new IamRolePolicy(this, 'flow-logs-policy', { provider, role: role.id, name: 'deliver-flow-logs', policy: permissions.json });
    new FlowLog(this, 'flow-log', {
      provider,
      vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}

/** Services whose calls the endpoint cannot attribute to a resource account (e.g. xray:PutTraceSegments). */
const RESOURCELESS_SERVICES = ['xray'];

/** The i-th subnet of the VPC, three bits longer than the VPC prefix (room for 8 AZs). */
export function subnetCidr(vpcCidr: string, index: number): string {
  const [address, bitsText] = vpcCidr.split('/');
  const bits = Number(bitsText) + 3;
  const base = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const start = base + index * 2 ** (32 - bits);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${bits}`;
}

/**
 * Interface endpoints the functions need: every called service without a gateway endpoint,
 * plus X-Ray, because with active tracing Lambda's X-Ray daemon sends from inside the
 * execution environment, whose outbound traffic goes through the VPC.
 */
export function interfaceServicesFor(operations: readonly string[]): string[] {
  const services = new Set(operations.map((op) => op.split(':')[0]));
  services.add('xray');
  return [...services].filter((s) => !(GATEWAY_SERVICES as readonly string[]).includes(s)).sort();
}
