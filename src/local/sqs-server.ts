/** SQS stand-in for the calls the handler makes: ChangeMessageVisibility (JSON 1.0, as the installed client sends it). */
import { jsonError, LocalServer, startLocalServer } from './http';
import { SimQueue } from './queue';

/** Decides whether a receipt handle belongs to a frozen (killed) invocation: its requests are held unanswered. */
export type FrozenHandle = (receiptHandle: string) => boolean;

export async function startSqsStandIn(queues: ReadonlyMap<string, SimQueue>, frozen: FrozenHandle, count: (op: string) => void): Promise<LocalServer> {
  return startLocalServer(async (req) => {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    count(op);
    if (op !== 'ChangeMessageVisibility') return jsonError(400, 'com.amazonaws.sqs#UnsupportedOperation', `${op} is not emulated`);
    const input = JSON.parse(req.body.toString('utf8')) as { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number };
    if (frozen(input.ReceiptHandle)) return undefined;
    const queue = queues.get(input.QueueUrl.split('/').pop() ?? '');
    if (!queue) return jsonError(400, 'com.amazonaws.sqs#QueueDoesNotExist', `no queue ${input.QueueUrl}`);
    if (!Number.isInteger(input.VisibilityTimeout) || input.VisibilityTimeout < 0 || input.VisibilityTimeout > 43_200) {
      return jsonError(400, 'com.amazonaws.sqs#InvalidParameterValue', `VisibilityTimeout ${input.VisibilityTimeout} is outside 0..43200`);
    }
    try {
      queue.changeVisibility(input.ReceiptHandle, input.VisibilityTimeout);
    } catch (err) {
      return jsonError(400, 'com.amazonaws.sqs#MessageNotInflight', (err as Error).message);
    }
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  });
}
