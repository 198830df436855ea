import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { PROCESSOR_PARAMETERS, ProcessorSettings } from '../handlers/common/processor-parameters';

export interface ProcessorParametersProps {
  readonly provider: AwsProvider;
  /** Path the parameters live under, ending with `/`, e.g. `/<prefix>/processor/`. */
  readonly path: string;
  /** A value for every parameter the processor reads. */
  readonly values: { readonly [K in keyof ProcessorSettings]: string | number };
}

/**
 * The processor's runtime configuration in Parameter Store, one String parameter per
 * setting. None is secret (names, ARNs, numbers), so none is a SecureString; a secret
 * added later would be a SecureString with the stack key.
 */
export class ProcessorParameters extends Construct {
  readonly path: string;
  readonly parameters: SsmParameter[];

  constructor(scope: Construct, id: string, props: ProcessorParametersProps) {
    super(scope, id);
    if (!/^\/[A-Za-z0-9_.\-/]+\/$/.test(props.path)) throw new Error(`parameter path must start and end with "/": ${props.path}`);
    this.path = props.path;
    this.parameters = (Object.keys(PROCESSOR_PARAMETERS) as (keyof ProcessorSettings)[]).map((key) => {
      const spec = PROCESSOR_PARAMETERS[key];
      return new SsmParameter(this, spec.name, {
        provider: props.provider,
        name: `${props.path}${spec.name}`,
        description: spec.description,
        type: 'String',
        tier: 'Standard',
        value: String(props.values[key]),
      });
    });
  }
}
