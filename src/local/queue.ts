/**
 * An in-memory SQS standard queue on simulated time: visibility timeout, receive counts with
 * the redrive policy's maxReceiveCount moving a message to its dead-letter queue on the receive
 * that would exceed it, receipt handles that change on every receive, and SQS's body limits.
 */
import { createHash } from 'crypto';
import { Rng } from './rng';

/** SQS's limit on a message body (and EventBridge's on what it delivers to a queue). */
export const MAX_SQS_MESSAGE_BYTES = 262_144;
// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
const INVALID_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** A request SQS refuses (the stand-in's and the event bus's view of SQS errors). */
export class SqsError extends Error {
  override readonly name = 'SqsError';
}

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  /** Handle of the latest receive; only it can delete the message or change its visibility. */
  receiptHandle?: string;
}

export class SimQueue {
  private readonly messages: QueueMessage[] = [];
  private readonly byHandle = new Map<string, QueueMessage>();
  /** Messages moved to the dead-letter queue by the redrive policy. */
  redriven = 0;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly visibilityTimeoutSeconds: number,
    private readonly rng: Rng,
    private readonly now: () => number,
    private readonly redrive?: { readonly queue: SimQueue; readonly maxReceiveCount: number },
  ) {}

  /** SendMessage: a new message id, visible at once. */
  send(body: string, messageId = this.rng.uuid()): QueueMessage {
    if (Buffer.byteLength(body, 'utf8') > MAX_SQS_MESSAGE_BYTES) throw new SqsError(`message body is larger than ${MAX_SQS_MESSAGE_BYTES} bytes`);
    if (body.length === 0) throw new SqsError('message body is empty');
    if (INVALID_SQS_CHARACTERS.test(body)) throw new SqsError('message body contains characters SQS does not accept');
    const message: QueueMessage = { messageId, body, sentAt: this.now(), receiveCount: 0, visibleAt: this.now() };
    this.messages.push(message);
    return message;
  }

  /** ReceiveMessage: up to `max` visible messages, oldest first; each becomes invisible for the visibility timeout. */
  receive(max: number): QueueMessage[] {
    const now = this.now();
    const out: QueueMessage[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.redrive && message.receiveCount >= this.redrive.maxReceiveCount) {
        this.remove(message);
        this.redrive.queue.send(message.body, message.messageId);
        this.redriven++;
        continue;
      }
      if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.visibilityTimeoutSeconds * 1000;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}#${this.rng.string(16)}`;
      this.byHandle.set(message.receiptHandle, message);
      out.push(message);
    }
    return out;
  }

  /** DeleteMessage; false when the handle is not the latest (the message stays, as in SQS). */
  delete(receiptHandle: string): boolean {
    const message = this.byHandle.get(receiptHandle);
    if (!message) return false;
    this.remove(message);
    return true;
  }

  /** ChangeMessageVisibility of an in-flight message, counted from now. */
  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const message = this.byHandle.get(receiptHandle);
    if (!message) throw new SqsError(`receipt handle ${receiptHandle} is not the latest of a message in ${this.name}`);
    if (message.visibleAt <= this.now()) throw new SqsError(`message ${message.messageId} is not in flight`);
    message.visibleAt = this.now() + visibilityTimeoutSeconds * 1000;
  }

  /** Earliest time a message becomes visible, or undefined when the queue is empty. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  visibleCount(): number {
    const now = this.now();
    return this.messages.filter((m) => m.visibleAt <= now).length;
  }

  get size(): number {
    return this.messages.length;
  }

  all(): readonly QueueMessage[] {
    return this.messages;
  }

  private remove(message: QueueMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
  }
}

export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
