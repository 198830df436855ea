import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { FunctionCode, NODE_RUNTIME } from './function-code';
import { Network } from './network';
import { policyDocument, Statement } from './policy';

export interface TapFunctionProps {
  readonly provider: AwsProvider;
  readonly account: AccountContext;
  /** Encrypts the environment variables and the log group. */
  readonly key: KmsKey;
  /** Full function name; the log group is `/aws/lambda/<name>`. */
  readonly functionName: string;
  /** Folder under `handlers/` whose `index.ts` exports `handler`. */
  readonly handlerName: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency: number;
  /** Private subnets and the functions' security group. */
  readonly network: Network;
  /** What the handler calls, on exact resources; logging, tracing and VPC access are added here. */
  readonly statements: Statement[];
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/**
 * Every Lambda function of the stack: arm64, a supported Node.js runtime, the esbuild
 * bundle, reserved concurrency, environment encrypted with the stack key, active
 * tracing, an explicit encrypted log group, VPC placement, and a role of its own.
 */
export class TapFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly code: FunctionCode;

  constructor(scope: Construct, id: string, props: TapFunctionProps) {
    super(scope, id);
    const { provider, account } = props;
    this.code = new FunctionCode(this, 'code', { handlerName: props.handlerName });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.key.arn,
    });

    const trust = policyDocument(this, 'trust', provider, [
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [account.servicePrincipal('lambda')] }] },
    ]);
    this.role = new IamRole(this, 'role', { provider, name: props.functionName, assumeRolePolicy: trust.json });
    const permissions = policyDocument(this, 'permissions', provider, [
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:log-stream:*`],
      },
      {
        // AWS offers no resource-level permission for these: Lambda creates and
        // deletes the function's network interfaces in the subnets given below.
        sid: 'ManageVpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      },
      {
        // X-Ray has no resource-level permissions for sending traces.
        sid: 'SendTraces',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      },
      ...props.statements,
    ]);
    const rolePolicy = new IamRolePolicy(this, 'policy', { provider, role: this.role.id, name: 'handler', policy: permissions.json });

    this.function = new LambdaFunction(this, 'function', {
      provider,
      functionName: props.functionName,
      role: this.role.arn,
      runtime: NODE_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: this.code.asset.path,
      sourceCodeHash: this.code.sourceCodeHash,
      memorySize: props.memorySizeMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.key.arn,
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment } },
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      vpcConfig: {
        subnetIds: props.network.subnetIds,
        securityGroupIds: [props.network.functionSecurityGroup.id],
      },
      // Lambda checks the network-interface permissions when it creates a VPC function,
      // and the log group must exist (with its key and retention) before the first log line.
      dependsOn: [rolePolicy, this.logGroup],
    });
  }
}
