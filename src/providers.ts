import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface RegionalProvidersProps {
  readonly primaryRegion: string;
  readonly replicaRegion: string;
  /** Tags every resource of both providers carries through `default_tags`. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The two aliased AWS providers. Neither is the default provider, so a resource
 * that forgets its `provider` fails at plan time instead of landing in a region
 * nobody chose.
 */
export class RegionalProviders extends Construct {
  /** Provider of the primary region, where tasks are processed. */
  readonly primary: AwsProvider;
  /** Provider of the replica region: global-table replicas and the replica key. */
  readonly replica: AwsProvider;

  constructor(scope: Construct, id: string, props: RegionalProvidersProps) {
    super(scope, id);
    const defaultTags = [{ tags: { ...props.tags } }];
    this.primary = new AwsProvider(scope, 'aws-primary', { alias: 'primary', region: props.primaryRegion, defaultTags });
    this.replica = new AwsProvider(scope, 'aws-replica', { alias: 'replica', region: props.replicaRegion, defaultTags });
  }
}
