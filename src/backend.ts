import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from 'cdktf';
import { BackendConfig } from './config';

/**
 * Declares the stack's Terraform backend.
 *
 * The local backend gets an explicit relative path: cdktf's default is an absolute
 * path of the machine that ran synth, which would leak into the JSON.
 */
export function configureBackend(stack: TerraformStack, backend: BackendConfig): void {
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: backend.path });
      return;
    case 's3':
      new S3Backend(stack, { bucket: backend.bucket, key: backend.key, region: backend.region, encrypt: true });
      // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3BackendConfig has no field for it.
      stack.addOverride('terraform.backend.s3.use_lockfile', backend.useLockfile);
      return;
    case 'cloud':
      new CloudBackend(stack, {
        hostname: backend.hostname,
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(backend.workspace),
      });
      return;
  }
}
