import { blockList } from '../stack';
import { isSet, perResource, Rule } from './rule';

/**
 * Lambda runtimes past their deprecation date (AWS Lambda runtime deprecation schedule),
 * when functions can no longer be created with them.
 */
export const DEPRECATED_RUNTIMES: readonly string[] = [
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x',
  'python2.7', 'python3.6', 'python3.7', 'python3.8',
  'java8', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet5.0', 'dotnet6', 'dotnet7',
  'ruby2.5', 'ruby2.7', 'go1.x',
];

export const COMPUTE_RULES: readonly Rule[] = [
  perResource('CKV_AWS_115', 'Lambda functions have a concurrency limit', ['aws_lambda_function'], (f) =>
    isSet(f.body.reserved_concurrent_executions) && Number(f.body.reserved_concurrent_executions) >= 0
      ? undefined
      : ['reserved_concurrent_executions', 'no reserved concurrency limit'],
  ),
  perResource('CKV_AWS_117', 'Lambda functions run inside a VPC', ['aws_lambda_function'], (f) => {
    const vpc = blockList(f.body.vpc_config)[0];
    return vpc && isSet(vpc.subnet_ids) && isSet(vpc.security_group_ids) ? undefined : ['vpc_config', 'function is not attached to a VPC (vpc_config with subnets and security groups)'];
  }),
  perResource('CKV_AWS_173', 'Lambda environment variables are encrypted with a customer managed KMS key', ['aws_lambda_function'], (f) =>
    blockList(f.body.environment).length === 0 || isSet(f.body.kms_key_arn) ? undefined : ['kms_key_arn', 'environment variables are set but kms_key_arn is not'],
  ),
  perResource('CKV_AWS_50', 'Lambda functions have X-Ray tracing', ['aws_lambda_function'], (f) => {
    const mode = blockList(f.body.tracing_config)[0]?.mode;
    return mode === 'Active' || mode === 'PassThrough' ? undefined : ['tracing_config.mode', 'tracing is not configured (tracing_config.mode Active)'];
  }),
  perResource('CKV_AWS_363', 'Lambda functions use a supported runtime', ['aws_lambda_function'], (f) =>
    DEPRECATED_RUNTIMES.includes(String(f.body.runtime)) ? ['runtime', `runtime ${f.body.runtime} is deprecated`] : undefined,
  ),
  perResource('CKV_AWS_272', 'Lambda functions validate code signatures', ['aws_lambda_function'], (f) =>
    isSet(f.body.code_signing_config_arn) ? undefined : ['code_signing_config_arn', 'no code signing configuration'],
  ),
];
