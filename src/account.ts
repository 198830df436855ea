import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { Construct } from 'constructs';

export interface AccountContextProps {
  /** Provider whose credentials identify the account. */
  readonly provider: AwsProvider;
}

/** The deploying account and partition, so no ARN in the stack hard-codes either. */
export class AccountContext extends Construct {
  readonly accountId: string;
  readonly partition: string;
  /** DNS suffix of the partition, e.g. amazonaws.com. */
  readonly dnsSuffix: string;

  constructor(scope: Construct, id: string, props: AccountContextProps) {
    super(scope, id);
    const identity = new DataAwsCallerIdentity(this, 'identity', { provider: props.provider });
    const partition = new DataAwsPartition(this, 'partition', { provider: props.provider });
    this.accountId = identity.accountId;
    this.partition = partition.partition;
    this.dnsSuffix = partition.dnsSuffix;
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; region '' for global services. */
  arn(service: string, region: string, resource: string): string {
    return `arn:${this.partition}:${service}:${region}:${this.accountId}:${resource}`;
  }

  /** The account root principal, through which key and resource policies delegate to IAM. */
  get rootArn(): string {
    return `arn:${this.partition}:iam::${this.accountId}:root`;
  }

  /** Service principal host of a regional endpoint, e.g. logs.us-east-1.amazonaws.com. */
  servicePrincipal(service: string, region?: string): string {
    return region ? `${service}.${region}.${this.dnsSuffix}` : `${service}.${this.dnsSuffix}`;
  }
}
