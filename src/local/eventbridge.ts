/**
 * EventBridge for a local run: an upload becomes one event per object-created format (S3
 * "Object Created" and the CloudTrail PutObject data event), each event is matched against every
 * synthesized rule's `event_pattern` and delivered through the rule target's `input_transformer`
 * to its queue. A delivery the queue refuses with an error EventBridge does not retry (a body
 * SQS rejects, or, under chaos, a permission error such as a KMS key the rule may not use) goes
 * to the target's dead-letter queue at once, holding the event; retryable failures are not
 * emulated (with 185 retries over 24 h they end delivered).
 */
import { matchesEventPattern } from '../eventbridge/pattern';
import { applyInputTransformer } from '../eventbridge/transformer';
import { SimQueue, SqsError } from './queue';
import { Rng } from './rng';
import { LOCAL_ACCOUNT_ID, LocalRule } from './synth-model';

/** One upload as S3 performed it. */
export interface Upload {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly etag: string;
  readonly size: number;
  /** x-amz-request-id of the PUT. */
  readonly requestId: string;
  readonly time: Date;
}

/** S3's form encoding of keys in event notifications (a space becomes "+"). */
const formEncode = (key: string): string => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

/** The events EventBridge receives for one upload, in both formats the rules know. */
export function uploadEvents(upload: Upload, region: string, rng: Rng): Record<string, unknown>[] {
  const time = upload.time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const base = { version: '0', source: 'aws.s3', account: LOCAL_ACCOUNT_ID, time, region };
  return [
    {
      ...base,
      id: rng.uuid(),
      'detail-type': 'Object Created',
      resources: [`arn:aws:s3:::${upload.bucket}`],
      detail: {
        version: '0',
        bucket: { name: upload.bucket },
        object: { key: formEncode(upload.key), size: upload.size, etag: upload.etag.replace(/"/g, ''), 'version-id': upload.versionId, sequencer: rng.string(16).toUpperCase() },
        'request-id': upload.requestId,
        requester: LOCAL_ACCOUNT_ID,
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    },
    {
      ...base,
      id: rng.uuid(),
      'detail-type': 'AWS API Call via CloudTrail',
      resources: [],
      detail: {
        eventVersion: '1.09',
        eventTime: time,
        eventSource: 's3.amazonaws.com',
        eventName: 'PutObject',
        awsRegion: region,
        sourceIPAddress: '127.0.0.1',
        requestParameters: { bucketName: upload.bucket, Host: `${upload.bucket}.s3.${region}.amazonaws.com`, key: upload.key },
        responseElements: { 'x-amz-version-id': upload.versionId },
        additionalEventData: { bytesTransferredIn: upload.size },
        requestID: upload.requestId,
        eventID: rng.uuid(),
        readOnly: false,
        eventType: 'AwsApiCall',
        managementEvent: false,
        recipientAccountId: LOCAL_ACCOUNT_ID,
        eventCategory: 'Data',
      },
    },
  ];
}

export interface Delivery {
  readonly rule: string;
  /** The target queue, its dead-letter queue, or undefined when the event was dropped. */
  readonly queue?: string;
  /** Message id on the queue, or undefined when the delivery went to the target's dead-letter queue. */
  readonly messageId?: string;
}

export class LocalEventBus {
  /** Events that matched no rule. */
  unmatched = 0;
  /** Deliveries the target refused (sent to its dead-letter queue, or dropped). */
  refused = 0;
  /** Deliveries refused by the target and by its dead-letter queue: EventBridge drops them. */
  dropped = 0;

  constructor(
    private readonly rules: readonly LocalRule[],
    private readonly queues: ReadonlyMap<string, SimQueue>,
    /** Chaos: true when this delivery fails with a permission error (not retried). */
    private readonly refuse: () => boolean = () => false,
  ) {}

  /** Puts one event on the bus; returns the deliveries it caused. */
  put(event: Record<string, unknown>): Delivery[] {
    const deliveries: Delivery[] = [];
    for (const rule of this.rules) {
      if (!matchesEventPattern(rule.eventPattern, event)) continue;
      const { target } = rule;
      const body = target.transformer
        ? applyInputTransformer(target.transformer, event, { ruleArn: rule.arn, ruleName: rule.name })
        : JSON.stringify(event);
      const queue = this.queue(target.queueName);
      try {
        if (this.refuse()) throw new SqsError('AccessDenied: the rule may not use the queue key (injected by the local run)');
        deliveries.push({ rule: rule.name, queue: queue.name, messageId: queue.send(body).messageId });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        this.refused++;
        deliveries.push({ rule: rule.name, queue: this.deadLetter(target.deadLetterQueueName, event) });
      }
    }
    if (deliveries.length === 0) this.unmatched++;
    return deliveries;
  }

  /** EventBridge puts the event itself (not the transformed input) in the target's dead-letter queue. */
  private deadLetter(name: string | undefined, event: Record<string, unknown>): string | undefined {
    try {
      if (!name) throw new SqsError('no dead-letter queue');
      this.queue(name).send(JSON.stringify(event));
      return name;
    } catch (err) {
      if (!(err instanceof SqsError)) throw err;
      this.dropped++;
      return undefined;
    }
  }

  private queue(name: string): SimQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no local queue ${name}`);
    return queue;
  }
}
