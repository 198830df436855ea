import { interfaceServicesFor, subnetCidr } from '../src/network';
import { byPath, dataOf, Json, refTo, resourcesOf, statementsOf, synthStack } from './support/synth';

const json = synthStack();
const endpoints = Object.values(resourcesOf(json, 'aws_vpc_endpoint'));
const endpoint = (service: string): Json => {
  const found = endpoints.find((e) => e.service_name === `com.amazonaws.us-east-1.${service}`);
  if (!found) throw new Error(`no endpoint for ${service}`);
  return found;
};

describe('VPC', () => {
  test('private subnets in three AZs, no internet or NAT gateway', () => {
    const vpc = byPath(json, 'aws_vpc', 'network/vpc');
    expect(vpc).toMatchObject({ cidr_block: '10.40.0.0/16', enable_dns_support: true, enable_dns_hostnames: true });
    const subnets = Object.values(resourcesOf(json, 'aws_subnet'));
    expect(subnets.map((s) => s.cidr_block)).toEqual(['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19']);
    expect(new Set(subnets.map((s) => s.availability_zone)).size).toBe(3);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    for (const type of ['aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_egress_only_internet_gateway']) {
      expect(resourcesOf(json, type)).toEqual({});
    }
    expect(Object.values(resourcesOf(json, 'aws_route_table')).every((t) => t.route === undefined)).toBe(true);
  });

  test('TAP_AZ_COUNT sets the number of subnets', () => {
    expect(Object.keys(resourcesOf(synthStack({ TAP_AZ_COUNT: '2' }), 'aws_subnet'))).toHaveLength(2);
  });

  test('subnet CIDRs are carved three bits below the VPC prefix', () => {
    expect(subnetCidr('10.0.0.0/24', 7)).toBe('10.0.0.224/27');
    expect(subnetCidr('172.16.0.0/16', 1)).toBe('172.16.32.0/19');
  });

  test('an existing VPC is used instead of creating one', () => {
    const existing = synthStack({ TAP_EXISTING_VPC_ID: 'vpc-0123456789abcdef0', TAP_EXISTING_SUBNET_IDS: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1' });
    expect(resourcesOf(existing, 'aws_vpc')).toEqual({});
    expect(resourcesOf(existing, 'aws_subnet')).toEqual({});
    const fn = Object.values(resourcesOf(existing, 'aws_lambda_function'))[0];
    expect(fn.vpc_config.subnet_ids).toEqual(['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1']);
    const routes = Object.values(dataOf(existing, 'aws_route_tables'))[0];
    expect(routes.filter).toEqual([{ name: 'association.subnet-id', values: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] }]);
  });

  test('flow logs go to an encrypted log group and the default security group has no rules', () => {
    const flow = byPath(json, 'aws_flow_log', 'network/flow-log');
    expect(flow).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', log_destination: refTo(json, 'aws_cloudwatch_log_group', 'network/flow-logs', 'arn') });
    const group = byPath(json, 'aws_cloudwatch_log_group', 'network/flow-logs');
    expect(group.kms_key_id).toBe(refTo(json, 'aws_kms_key', 'encryption/key', 'arn'));
    expect(group.retention_in_days).toBe(365);
    const defaultSg = byPath(json, 'aws_default_security_group', 'network/default-sg');
    expect(defaultSg.ingress).toBeUndefined();
    expect(defaultSg.egress).toBeUndefined();
  });
});

describe('endpoints', () => {
  test('gateway endpoints for DynamoDB and S3 on the private route table', () => {
    for (const service of ['dynamodb', 's3']) {
      expect(endpoint(service)).toMatchObject({ vpc_endpoint_type: 'Gateway', route_table_ids: [refTo(json, 'aws_route_table', 'network/private-routes', 'id')] });
    }
  });

  test('one interface endpoint per other service the processor calls, and X-Ray', () => {
    const services = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface').map((e) => e.service_name.split('.').pop());
    expect(services.sort()).toEqual(['sns', 'sqs', 'ssm', 'xray']);
    expect(interfaceServicesFor(['dynamodb:GetItem', 's3:HeadObject'])).toEqual(['xray']);
    for (const service of services) {
      const e = endpoint(service);
      expect(e.private_dns_enabled).toBe(true);
      expect(e.subnet_ids).toHaveLength(3);
      expect(e.security_group_ids).toEqual([refTo(json, 'aws_security_group', 'network/endpoints-sg', 'id')]);
    }
  });

  test('TAP_EXTRA_INTERFACE_ENDPOINTS adds endpoints for other workloads, once each', () => {
    const extra = Object.values(resourcesOf(synthStack({ TAP_EXTRA_INTERFACE_ENDPOINTS: 'secretsmanager,sns' }), 'aws_vpc_endpoint'));
    expect(extra.filter((e) => e.vpc_endpoint_type === 'Interface').map((e) => e.service_name.split('.').pop()).sort()).toEqual(['secretsmanager', 'sns', 'sqs', 'ssm', 'xray']);
  });

  test('endpoint policies admit only this account', () => {
    for (const e of endpoints) {
      const [statement] = statementsOf(json, e.policy);
      const service = e.service_name.split('.').pop();
      expect(statement.actions).toEqual([`${service}:*`]);
      const variables = statement.condition.map((c: Json) => c.variable).sort();
      expect(variables).toEqual(service === 'xray' ? ['aws:PrincipalAccount'] : ['aws:PrincipalAccount', 'aws:ResourceAccount']);
    }
  });
});

describe('security groups', () => {
  const egress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule'));
  const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));
  const functionsSg = refTo(json, 'aws_security_group', 'network/functions-sg', 'id');
  const endpointsSg = refTo(json, 'aws_security_group', 'network/endpoints-sg', 'id');

  test('endpoints admit HTTPS from the functions only', () => {
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ security_group_id: endpointsSg, referenced_security_group_id: functionsSg, ip_protocol: 'tcp', from_port: 443, to_port: 443 });
  });

  test('functions send HTTPS to the endpoints and gateway prefix lists only, never 0.0.0.0/0', () => {
    expect(egress.every((r) => r.security_group_id === functionsSg && r.from_port === 443 && r.to_port === 443)).toBe(true);
    expect(egress.some((r) => r.cidr_ipv4 || r.cidr_ipv6)).toBe(false);
    expect(egress.filter((r) => r.prefix_list_id).map((r) => r.prefix_list_id).sort()).toEqual(
      [refTo(json, 'aws_vpc_endpoint', 'network/dynamodb-gateway', 'prefix_list_id'), refTo(json, 'aws_vpc_endpoint', 'network/s3-gateway', 'prefix_list_id')].sort(),
    );
    expect(egress.filter((r) => r.referenced_security_group_id).map((r) => r.referenced_security_group_id)).toEqual([endpointsSg]);
  });

  test('every rule and group has a description', () => {
    for (const rule of [...egress, ...ingress]) expect(rule.description).toMatch(/\w+/);
    for (const group of Object.values(resourcesOf(json, 'aws_security_group'))) expect(group.description).toMatch(/\w+/);
  });
});
