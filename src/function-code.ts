import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { zipSync } from 'fflate';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';

/** Repository root: handlers and the build folder are resolved from here, never from the caller's cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Node.js major version the bundles target; it must match the functions' runtime. */
export const NODE_RUNTIME = 'nodejs22.x';

/** A handler bundled and zipped with stable bytes. */
export interface Bundle {
  /** The zip archive. */
  readonly zip: Uint8Array;
  /** Base64 SHA-256 of the zip, the form Lambda's `source_code_hash` compares. */
  readonly sha256Base64: string;
  readonly sha256Hex: string;
  /** Size of the bundled `index.js`, in bytes. */
  readonly bundleBytes: number;
}

// DOS times are local times: built from local fields, the stored value is the same in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, in the upper half of the external attributes (made by Unix).
const FILE_ATTRS = (0o100644 << 16) >>> 0;

const cache = new Map<string, Bundle>();

/**
 * Bundles `handlers/<name>/index.ts` with esbuild (minified, with a source map) and zips it.
 *
 * The archive is reproducible: entries sorted, fixed times and modes, and fflate's
 * deflate (JavaScript pinned by the lockfile, so the bytes do not depend on the
 * Node.js zlib build). Source map paths are relative to the repository, so a
 * clone in another folder produces the same bytes.
 */
export function bundleHandler(name: string): Bundle {
  const cached = cache.get(name);
  if (cached) return cached;
  const entry = path.join(PROJECT_ROOT, 'handlers', name, 'index.ts');
  if (!fs.existsSync(entry)) {
    throw new Error(`handler "${name}" has no entry point: expected ${path.relative(PROJECT_ROOT, entry)}`);
  }
  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    outfile: path.join(PROJECT_ROOT, '.build', name, 'index.js'),
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
  });
  const files: Record<string, [Uint8Array, { mtime: Date; attrs: number; os: number }]> = {};
  for (const out of [...result.outputFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    files[path.basename(out.path)] = [out.contents, { mtime: FIXED_MTIME, attrs: FILE_ATTRS, os: 3 }];
  }
  const zip = zipSync(files, { level: 9 });
  const digest = createHash('sha256').update(zip).digest();
  const bundle: Bundle = {
    zip,
    sha256Base64: digest.toString('base64'),
    sha256Hex: digest.toString('hex'),
    bundleBytes: result.outputFiles.find((f) => f.path.endsWith('index.js'))?.contents.length ?? 0,
  };
  cache.set(name, bundle);
  return bundle;
}

export interface FunctionCodeProps {
  /** Folder name under `handlers/` whose `index.ts` exports `handler`. */
  readonly handlerName: string;
}

/** A handler's zip as a Terraform asset, with the hash Lambda uses to detect a code change. */
export class FunctionCode extends Construct {
  readonly asset: TerraformAsset;
  /** Base64 SHA-256 of the archive, for `source_code_hash`. */
  readonly sourceCodeHash: string;

  constructor(scope: Construct, id: string, props: FunctionCodeProps) {
    super(scope, id);
    const bundle = bundleHandler(props.handlerName);
    // The asset copies a file: write the zip where the build keeps its output, named by content.
    const zipPath = path.join(PROJECT_ROOT, '.build', `${props.handlerName}-${bundle.sha256Hex.slice(0, 16)}.zip`);
    if (!fs.existsSync(zipPath)) {
      fs.mkdirSync(path.dirname(zipPath), { recursive: true });
      fs.writeFileSync(zipPath, bundle.zip);
    }
    this.asset = new TerraformAsset(this, 'Asset', {
      path: zipPath,
      type: AssetType.FILE,
      assetHash: bundle.sha256Hex,
    });
    this.sourceCodeHash = bundle.sha256Base64;
  }
}
