import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { AccountContext } from './account';
import { TapConfig } from './config';
import { MatchedBucket, OBJECT_CREATED_FORMATS } from './eventbridge/object-created';
import { denyInsecureTransport, policyDocument } from './policy';
import { attachQueuePolicy, encryptedQueue } from './queues';

export interface IngestionProps {
  /** Provider of the primary region; every resource of this construct uses it. */
  readonly provider: AwsProvider;
  /** Account id for generated bucket names, and the EventBridge service principal. */
  readonly account: AccountContext;
  /**
   * Customer-managed key for the buckets and the EventBridge DLQ. Its key policy (written
   * elsewhere) must let S3 and events.amazonaws.com use it.
   */
  readonly key: KmsKey;
  /** Queue the rules deliver task messages to; its policy must allow {@link Ingestion.rules}. */
  readonly taskQueue: SqsQueue;
  /** Prefix of every resource name. */
  readonly namePrefix: string;
  /** Buckets to create and to match, and per-bucket key filters. */
  readonly ingest: TapConfig['ingest'];
  /** Retention of the EventBridge dead-letter queue. @default 1209600 (14 days, the SQS maximum) */
  readonly deadLetterRetentionSeconds?: number;
  /** How long EventBridge retries delivery to the task queue. @default 86400 (the EventBridge maximum) */
  readonly maximumEventAgeSeconds?: number;
  /** Delivery attempts before an event goes to the DLQ. @default 185 (the EventBridge maximum) */
  readonly maximumRetryAttempts?: number;
  /** Days a replaced object version is kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which an unfinished multipart upload is aborted. @default 7 */
  readonly abortIncompleteMultipartUploadDays?: number;
}

/**
 * The ingest buckets and the EventBridge rules that turn their uploads into task messages:
 * one rule per event format on the default bus, each with an SQS target on the task queue,
 * an input transformer, a retry policy and a dead-letter queue of its own.
 *
 * Generated bucket names end with the account id; every ARN is an attribute of the resource it names.
 */
export class Ingestion extends Construct {
  /** The buckets this stack manages, in configuration order. */
  readonly buckets: S3Bucket[];
  /** Names of the managed buckets (Terraform references when generated). */
  readonly bucketNames: string[];
  /** Every bucket whose uploads produce tasks: managed buckets, then existing ones. */
  readonly matchedBucketNames: string[];
  /** One rule per event format; the task queue policy allows exactly these ARNs. */
  readonly rules: CloudwatchEventRule[];
  /** Events EventBridge could not deliver to the task queue. */
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { provider, key, namePrefix, ingest, account } = props;

    const names = ingest.bucketNames.length
      ? ingest.bucketNames
      : Array.from({ length: ingest.bucketCount }, (_, i) => `${namePrefix}-ingest-${i + 1}-${account.accountId}`);
    this.buckets = names.map((name, i) => this.bucket(`bucket-${i + 1}`, name, props));
    this.bucketNames = this.buckets.map((b) => b.bucket);
    this.matchedBucketNames = [...this.bucketNames, ...ingest.existingBucketNames];

    // Filters are keyed by configured name, or by number for generated names.
    const filterKeys = ingest.bucketNames.length ? ingest.bucketNames : names.map((_, i) => String(i + 1));
    const matched: MatchedBucket[] = [
      ...names.map((name, i) => ({ name, filter: ingest.keyFilters[filterKeys[i]] })),
      ...ingest.existingBucketNames.map((name) => ({ name, filter: ingest.keyFilters[name] })),
    ];

    this.deadLetterQueue = encryptedQueue(this, 'dead-letter-queue', {
      provider,
      key,
      name: `${namePrefix}-ingest-events-dlq`,
      retentionSeconds: props.deadLetterRetentionSeconds ?? 1209600,
    });

    this.rules = OBJECT_CREATED_FORMATS.map((format) => {
      const rule = new CloudwatchEventRule(this, `${format.id}-rule`, {
        provider,
        name: `${namePrefix}-${format.id}`,
        description: `${format.description}, to the task queue`,
        eventPattern: JSON.stringify(format.eventPattern(matched)),
        state: 'ENABLED',
      });
      new CloudwatchEventTarget(this, `${format.id}-target`, {
        provider,
        rule: rule.name,
        targetId: 'task-queue',
        arn: props.taskQueue.arn,
        inputTransformer: {
          inputPaths: { ...format.transformer.inputPaths },
          inputTemplate: format.transformer.inputTemplate,
        },
        retryPolicy: {
          maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 86400,
          maximumRetryAttempts: props.maximumRetryAttempts ?? 185,
        },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      });
      return rule;
    });

    attachQueuePolicy(this, 'dead-letter-queue-policy', provider, this.deadLetterQueue, [
      {
        sid: 'AllowIngestRulesOnly',
        principals: [{ type: 'Service', identifiers: [account.servicePrincipal('events')] }],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.arn],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: this.rules.map((r) => r.arn) }],
      },
    ]);
  }

  private bucket(id: string, name: string, props: IngestionProps): S3Bucket {
    const { provider, key } = props;
    const scope = new Construct(this, id);
    const bucket = new S3Bucket(scope, 'bucket', { provider, bucket: name });
    new S3BucketVersioningA(scope, 'versioning', {
      provider,
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(scope, 'encryption', {
      provider,
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(scope, 'public-access-block', {
      provider,
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(scope, 'ownership', {
      provider,
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const policy = policyDocument(scope, 'policy-document', provider, [denyInsecureTransport(['s3:*'], [bucket.arn, `${bucket.arn}/*`])]);
    new S3BucketPolicy(scope, 'policy', {
      provider,
      bucket: bucket.id,
      policy: policy.json,
      // S3 rejects a policy put while the public access block is being changed.
      dependsOn: [publicAccess],
    });
    new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
      provider,
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-noncurrent-versions-and-abort-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartUploadDays ?? 7 }],
        },
      ],
    });
    // The only notification resource of the bucket: a second one would overwrite this one on every apply.
    new S3BucketNotification(scope, 'notification', { provider, bucket: bucket.id, eventbridge: true });
    return bucket;
  }
}
