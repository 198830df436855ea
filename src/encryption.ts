import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { policyDocument, sourceConditions, Statement } from './policy';

export interface EncryptionProps {
  readonly primary: AwsProvider;
  readonly replica: AwsProvider;
  readonly primaryRegion: string;
  readonly replicaRegion: string;
  readonly account: AccountContext;
  /** Prefix of the alias and of the resource names the services may use the key for. */
  readonly namePrefix: string;
  /**
   * Waiting period before a scheduled key deletion completes.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * One customer-managed, multi-Region key for everything the stack encrypts, and its
 * replica in the replica region (for the global-table replicas).
 *
 * The account root administers the key; the account's principals use it only through
 * the stack's services (and their IAM grants). Services that use the key on their own
 * behalf get only the actions they need, pinned to this account and this stack's resources.
 */
export class Encryption extends Construct {
  readonly key: KmsKey;
  readonly replicaKey: KmsReplicaKey;

  constructor(scope: Construct, id: string, props: EncryptionProps) {
    super(scope, id);
    const { account, namePrefix } = props;
    const deletionWindowInDays = props.deletionWindowDays ?? 30;

    const primaryPolicy = policyDocument(this, 'key-policy', props.primary, [
      ...keyAdministration(account),
      {
        sid: 'EventBridgeSendsToEncryptedQueues',
        principals: [{ type: 'Service', identifiers: [account.servicePrincipal('events')] }],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        condition: sourceConditions(account.accountId, [account.arn('events', props.primaryRegion, `rule/${namePrefix}-*`)]),
      },
      {
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [{ type: 'Service', identifiers: [account.servicePrincipal('cloudwatch')] }],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        condition: sourceConditions(account.accountId, [account.arn('cloudwatch', props.primaryRegion, `alarm:${namePrefix}-*`)]),
      },
      {
        sid: 'CloudWatchLogsEncryptsStackLogGroups',
        principals: [{ type: 'Service', identifiers: [account.servicePrincipal('logs', props.primaryRegion)] }],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        condition: [
          {
            test: 'ArnLike',
            variable: 'kms:EncryptionContext:aws:logs:arn',
            values: [
              account.arn('logs', props.primaryRegion, `log-group:/aws/lambda/${namePrefix}-*`),
              account.arn('logs', props.primaryRegion, `log-group:/aws/vpc/${namePrefix}-*`),
            ],
          },
        ],
      },
      viaServices(account, props.primaryRegion, PRIMARY_REGION_SERVICES),
    ]);

    this.key = new KmsKey(this, 'key', {
      provider: props.primary,
      description: `${namePrefix}: queues, topics, tables, buckets, logs and function environments`,
      enableKeyRotation: true,
      multiRegion: true,
      deletionWindowInDays,
      policy: primaryPolicy.json,
    });
    new KmsAlias(this, 'alias', { provider: props.primary, name: `alias/${namePrefix}`, targetKeyId: this.key.keyId });

    // The replica key is a separate resource with its own policy; only the replica tables use it.
    const replicaPolicy = policyDocument(this, 'replica-key-policy', props.replica, [
      ...keyAdministration(account),
      viaServices(account, props.replicaRegion, ['dynamodb']),
    ]);
    this.replicaKey = new KmsReplicaKey(this, 'replica-key', {
      provider: props.replica,
      description: `${namePrefix}: replica of the stack key for the ${props.replicaRegion} table replicas`,
      primaryKeyArn: this.key.arn,
      deletionWindowInDays,
      policy: replicaPolicy.json,
    });
    new KmsAlias(this, 'replica-alias', { provider: props.replica, name: `alias/${namePrefix}`, targetKeyId: this.replicaKey.keyId });
  }
}

/** Services through which principals of this account use the key in the primary region. */
export const PRIMARY_REGION_SERVICES = ['dynamodb', 's3', 'sqs', 'sns', 'lambda'] as const;

/**
 * The account root administers the key but cannot use it directly: cryptographic use by
 * the account's principals goes through {@link viaServices}, and still needs an IAM grant.
 */
function keyAdministration(account: AccountContext): Statement[] {
  return [
    {
      sid: 'AccountAdministersKey',
      principals: [{ type: 'AWS', identifiers: [account.rootArn] }],
      actions: [
        'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*',
        'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource',
        'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:ReplicateKey', 'kms:RotateKeyOnDemand',
      ],
      resources: ['*'],
    },
  ];
}

/** Principals of this account may use the key only through these services in this region (each also needs IAM). */
function viaServices(account: AccountContext, region: string, services: readonly string[]): Statement {
  return {
    sid: 'AccountUsesKeyThroughStackServices',
    principals: [{ type: 'AWS', identifiers: [account.rootArn] }],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'],
    resources: ['*'],
    condition: [
      { test: 'StringEquals', variable: 'kms:ViaService', values: services.map((s) => account.servicePrincipal(s, region)) },
      { test: 'StringEquals', variable: 'kms:CallerAccount', values: [account.accountId] },
    ],
  };
}
