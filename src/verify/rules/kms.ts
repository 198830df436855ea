import { keyOf, missingServiceGrants } from '../kms';
import { Block, blockList, StackModel } from '../stack';
import { Evaluation, fail, pass, Rule } from './rule';

const SEND = ['kms:GenerateDataKey', 'kms:Decrypt'];
const LOGS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** A service writes to `target`; when the target is encrypted with a key, the key policy must let the service use it. */
function serviceUse(stack: StackModel, user: Block, attribute: string, target: Block | undefined, service: string, actions: string[]): Evaluation | undefined {
  if (!target) return undefined;
  const keyAttribute = target.type === 'aws_cloudwatch_log_group' ? 'kms_key_id' : 'kms_master_key_id';
  const key = keyOf(stack, target.body[keyAttribute]);
  if (!key) return undefined;
  const missing = missingServiceGrants(stack, key, service, actions);
  return missing.length
    ? fail(user, attribute, `${target.address} is encrypted with ${key.address}, whose policy does not allow ${service} ${missing.join(', ')}`)
    : pass(user);
}

export const KMS_RULES: readonly Rule[] = [
  {
    id: 'TAP_KMS_SERVICE_ACCESS',
    description: 'Key policies let the AWS services that write to encrypted queues, topics and log groups use the key',
    evaluate: (stack) => {
      const out: (Evaluation | undefined)[] = [];
      const at = (v: unknown): Block | undefined => stack.target(typeof v === 'string' ? v : undefined)?.block;
      for (const t of stack.ofType('aws_cloudwatch_event_target')) {
        out.push(serviceUse(stack, t, 'arn', at(t.body.arn), 'events.amazonaws.com', SEND));
        blockList(t.body.dead_letter_config).forEach((d) => out.push(serviceUse(stack, t, 'dead_letter_config.arn', at(d.arn), 'events.amazonaws.com', SEND)));
      }
      for (const a of stack.ofType('aws_cloudwatch_metric_alarm')) {
        for (const key of ['alarm_actions', 'ok_actions', 'insufficient_data_actions']) {
          (a.body[key] ?? []).forEach((v: unknown, i: number) => out.push(serviceUse(stack, a, `${key}[${i}]`, at(v), 'cloudwatch.amazonaws.com', SEND)));
        }
      }
      for (const g of stack.ofType('aws_cloudwatch_log_group')) {
        const region = stack.regionOf(g);
        out.push(serviceUse(stack, g, 'kms_key_id', g, `logs.${region ?? '<region>'}.amazonaws.com`, LOGS));
      }
      return out.filter((e): e is Evaluation => e !== undefined);
    },
  },
];
