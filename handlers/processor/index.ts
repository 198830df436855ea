import { createSettingsLoader, ssmParameterSource } from '../common/config';
import { documentClient, s3Client, snsClient, sqsClient } from '../common/clients';
import { logger, metrics } from '../common/observability';
import { defaultExecutors } from './executors';
import { createProcessor } from './processor';

/** SQS event source handler of the task queue (partial batch responses enabled). */
export const handler = createProcessor({
  clock: Date.now,
  loadSettings: createSettingsLoader(ssmParameterSource, Date.now),
  executors: defaultExecutors(s3Client),
  db: documentClient,
  sns: snsClient,
  sqs: sqsClient,
  logger,
  metrics,
});
