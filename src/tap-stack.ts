import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { configureBackend } from './backend';
import { TapConfig } from './config';
import { RegionalProviders } from './providers';

/** Terraform release pinned in .terraform-version; the constraint accepts its patch updates. */
export const TERRAFORM_VERSION_CONSTRAINT = '~> 1.11.4';

/** The distributed task system: composes one construct per concern. */
export class TapStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: TapConfig) {
    super(scope, id);
    configureBackend(this, config.backend);
    this.addOverride('terraform.required_version', TERRAFORM_VERSION_CONSTRAINT);
    new RegionalProviders(this, 'providers', {
      primaryRegion: config.primaryRegion,
      replicaRegion: config.replicaRegion,
      tags: config.tags,
    });
  }
}
