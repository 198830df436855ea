/**
 * Every AWS API operation the processor calls, with the IAM actions that authorize it and the
 * resource it targets, so the stack's role policy can be checked against the code. A test records
 * the operations the handler actually sends and compares them with this list.
 */

/** Resources of the processor's role policy, named as the stack owns them. */
export type ProcessorResource =
  | 'taskTable'
  | 'lockTable'
  | 'successTopic'
  | 'failureTopic'
  | 'configParameters'
  | 'sourceObjects'
  | 'taskQueue';

export interface AwsCall {
  /** SDK operation, `<service>:<Operation>` as sent on the wire. */
  readonly operation: string;
  /** IAM actions that authorize it (not always the operation's own name). */
  readonly iamActions: readonly string[];
  readonly resources: readonly ProcessorResource[];
}

export const PROCESSOR_AWS_CALLS: readonly AwsCall[] = [
  { operation: 'ssm:GetParametersByPath', iamActions: ['ssm:GetParametersByPath'], resources: ['configParameters'] },
  // Claim, completion, deferral and notification bookkeeping on tasks; lock extension.
  { operation: 'dynamodb:UpdateItem', iamActions: ['dynamodb:UpdateItem'], resources: ['taskTable', 'lockTable'] },
  // Consistent reads when a condition fails and the reason matters (dynalite and DynamoDB alike).
  { operation: 'dynamodb:GetItem', iamActions: ['dynamodb:GetItem'], resources: ['taskTable', 'lockTable'] },
  // REJECTED records and lock acquisition.
  { operation: 'dynamodb:PutItem', iamActions: ['dynamodb:PutItem'], resources: ['taskTable', 'lockTable'] },
  { operation: 'dynamodb:DeleteItem', iamActions: ['dynamodb:DeleteItem'], resources: ['lockTable'] },
  // HeadObject is authorized by GetObject, and by GetObjectVersion when a version id is given.
  { operation: 's3:HeadObject', iamActions: ['s3:GetObject', 's3:GetObjectVersion'], resources: ['sourceObjects'] },
  // PublishBatch has no IAM action of its own: sns:Publish authorizes it.
  { operation: 'sns:PublishBatch', iamActions: ['sns:Publish'], resources: ['successTopic', 'failureTopic'] },
  // Shortens the wait of a record deferred by a busy lock or a live claim.
  { operation: 'sqs:ChangeMessageVisibility', iamActions: ['sqs:ChangeMessageVisibility'], resources: ['taskQueue'] },
];
