import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export type Statement = DataAwsIamPolicyDocumentStatement;

/** A policy document from typed statements: Terraform renders the JSON, tests read the statement blocks. */
export function policyDocument(scope: Construct, id: string, provider: AwsProvider, statements: Statement[]): DataAwsIamPolicyDocument {
  return new DataAwsIamPolicyDocument(scope, id, { provider, statement: statements });
}

/** Denies every request on the resources that does not use TLS. */
export function denyInsecureTransport(actions: string[], resources: string[]): Statement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    principals: [{ type: '*', identifiers: ['*'] }],
    actions,
    resources,
    condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}

/** Conditions that pin a service principal to this account, and optionally to source ARNs. */
export function sourceConditions(accountId: string, sourceArnPatterns?: string[]): Statement['condition'] {
  const conditions = [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] }];
  if (sourceArnPatterns?.length) conditions.push({ test: 'ArnLike', variable: 'aws:SourceArn', values: sourceArnPatterns });
  return conditions;
}
