/**
 * IAM facts the rules and the behaviour check share.
 */

/**
 * Actions that support no resource-level permission (IAM's service authorization reference
 * lists no resource type for them), so `Resource: "*"` is the only way to grant them;
 * plus the network-interface actions Lambda's VPC networking needs, granted on `*`
 * in AWS's own AWSLambdaVPCAccessExecutionRole.
 */
export const RESOURCE_WILDCARD_ONLY: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'cloudwatch:PutMetricData',
  'sts:GetCallerIdentity',
];

/** Actions that only read (IAM access levels List and Read, by verb). */
export const isReadOnly = (action: string): boolean =>
  /^[\w-]+:(Get|List|Describe|BatchGet|Query|Scan|Head|Lookup|Search|Select|View)/.test(action);
