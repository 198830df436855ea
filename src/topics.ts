import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { denyInsecureTransport, policyDocument, sourceConditions, Statement } from './policy';

export interface TopicsProps {
  readonly provider: AwsProvider;
  readonly account: AccountContext;
  readonly key: KmsKey;
  readonly namePrefix: string;
  readonly region: string;
}

/** Actions the account keeps for managing a topic (subscriptions, attributes) under a custom policy. */
const OWNER_ACTIONS = [
  'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission',
  'sns:DeleteTopic', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic',
];

/** Encrypted topics for task outcomes and alarms. Policies are attached once their publishers exist. */
export class Topics extends Construct {
  readonly success: SnsTopic;
  readonly failure: SnsTopic;
  readonly alarms: SnsTopic;

  constructor(scope: Construct, id: string, private readonly props: TopicsProps) {
    super(scope, id);
    const topic = (topicId: string, suffix: string): SnsTopic =>
      new SnsTopic(this, topicId, { provider: props.provider, name: `${props.namePrefix}-${suffix}`, kmsMasterKeyId: props.key.arn });
    this.success = topic('success', 'task-success');
    this.failure = topic('failure', 'task-failure');
    this.alarms = topic('alarms', 'alarms');
    this.attachPolicy('alarms', this.alarms, {
      sid: 'CloudWatchAlarmsPublish',
      principals: [{ type: 'Service', identifiers: [props.account.servicePrincipal('cloudwatch')] }],
      actions: ['sns:Publish'],
      resources: [this.alarms.arn],
      condition: sourceConditions(props.account.accountId, [props.account.arn('cloudwatch', props.region, `alarm:${props.namePrefix}-*`)]),
    });
  }

  /** Lets exactly this role publish task outcomes (its handler, and Lambda destinations acting as it). */
  allowOutcomePublisher(role: IamRole): void {
    for (const [id, topic] of [['success', this.success], ['failure', this.failure]] as const) {
      this.attachPolicy(id, topic, {
        sid: 'ProcessorPublishesOutcomes',
        principals: [{ type: 'AWS', identifiers: [role.arn] }],
        actions: ['sns:Publish'],
        resources: [topic.arn],
      });
    }
  }

  private attachPolicy(id: string, topic: SnsTopic, publisher: Statement): void {
    const document = policyDocument(this, `${id}-policy-document`, this.props.provider, [
      denyInsecureTransport(['sns:Publish'], [topic.arn]),
      {
        sid: 'AccountManagesTopic',
        principals: [{ type: 'AWS', identifiers: [this.props.account.rootArn] }],
        actions: OWNER_ACTIONS,
        resources: [topic.arn],
      },
      publisher,
    ]);
    new SnsTopicPolicy(this, `${id}-policy`, { provider: this.props.provider, arn: topic.arn, policy: document.json });
  }
}
