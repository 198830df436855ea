import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';

/** Sends a conditional write: its output, or `undefined` when the condition failed. Any other error is thrown. */
export async function conditionalWrite<T extends object>(send: () => Promise<T>): Promise<T | undefined> {
  try {
    return await send();
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}
