import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/*
 * One client per service per container, created at module load so warm invocations reuse
 * connections. No endpoint is set here: the SDK reads AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> itself, which is how local emulators are reached.
 */
export const dynamoDbClient = new DynamoDBClient({});
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
export const s3Client = new S3Client({});
export const snsClient = new SNSClient({});
export const ssmClient = new SSMClient({});
// The queue URL is only a request parameter: without this the client would send to the URL's host and
// ignore AWS_ENDPOINT_URL_SQS.
export const sqsClient = new SQSClient({ useQueueUrlAsEndpoint: false });
