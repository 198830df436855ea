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
  /** Where the zip is kept in `.build/`. */
  readonly zipPath: string;
}

// DOS times are local times: built from local fields, the stored value is the same in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, in the upper half of the external attributes (made by Unix).
const FILE_ATTRS = (0o100644 << 16) >>> 0;

const memo = new Map<string, Bundle>();

const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  charset: 'utf8',
} as const;

/** Files outside the bundle's inputs that can still change what it resolves to. */
const RESOLUTION_FILES = ['package-lock.json', 'tsconfig.json'];

/** What was built from which inputs: a later synth reuses the zip when every input is unchanged. */
interface BuildRecord {
  readonly recipe: string;
  readonly inputs: Record<string, string>;
  readonly zipFile: string;
  readonly bundleBytes: number;
}

const buildDir = (): string => path.join(PROJECT_ROOT, '.build');
const fileHash = (file: string): string => createHash('sha1').update(fs.readFileSync(path.join(PROJECT_ROOT, file))).digest('hex');

function fingerprint(files: string[]): Record<string, string> {
  return Object.fromEntries(files.filter((f) => fs.existsSync(path.join(PROJECT_ROOT, f))).sort().map((f) => [f, fileHash(f)]));
}

function recipe(name: string): string {
  const versions = ['esbuild', 'fflate'].map((pkg) => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version);
  return createHash('sha256').update(JSON.stringify({ name, versions, BUILD_OPTIONS, mtime: FIXED_MTIME.getTime(), FILE_ATTRS })).digest('hex');
}

function finish(zip: Uint8Array, bundleBytes: number): Omit<Bundle, 'zipPath'> {
  const digest = createHash('sha256').update(zip).digest();
  return { zip, sha256Base64: digest.toString('base64'), sha256Hex: digest.toString('hex'), bundleBytes };
}

/** The previous build of this handler, when its recipe and every input are unchanged. */
function reuse(name: string, want: string): Bundle | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(buildDir(), `${name}.build.json`), 'utf8')) as BuildRecord;
    if (record.recipe !== want) return undefined;
    const now = fingerprint(Object.keys(record.inputs));
    if (Object.keys(now).length !== Object.keys(record.inputs).length || Object.entries(now).some(([f, h]) => record.inputs[f] !== h)) return undefined;
    const zipPath = path.join(buildDir(), record.zipFile);
    return { ...finish(fs.readFileSync(zipPath), record.bundleBytes), zipPath };
  } catch {
    return undefined;
  }
}

/**
 * Bundles `handlers/<name>/index.ts` with esbuild (minified, with a source map) and zips it.
 *
 * The archive is reproducible: entries sorted, fixed times and modes, and fflate's
 * deflate (JavaScript pinned by the lockfile, so the bytes do not depend on the
 * Node.js zlib build). Source map paths are relative to the repository, so a
 * clone in another folder produces the same bytes. The zip is kept in `.build/`
 * with the hashes of its inputs, and reused while they are unchanged.
 */
export function bundleHandler(name: string): Bundle {
  const memoized = memo.get(name);
  if (memoized) return memoized;
  const entry = path.join(PROJECT_ROOT, 'handlers', name, 'index.ts');
  if (!fs.existsSync(entry)) {
    throw new Error(`handler "${name}" has no entry point: expected ${path.relative(PROJECT_ROOT, entry)}`);
  }
  const want = recipe(name);
  const bundle = reuse(name, want) ?? build(name, entry, want);
  memo.set(name, bundle);
  return bundle;
}

function build(name: string, entry: string, want: string): Bundle {
  const result = buildSync({
    ...BUILD_OPTIONS,
    entryPoints: [entry],
    absWorkingDir: PROJECT_ROOT,
    outfile: path.join(buildDir(), name, 'index.js'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files: Record<string, [Uint8Array, { mtime: Date; attrs: number; os: number }]> = {};
  for (const out of [...result.outputFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    files[path.basename(out.path)] = [out.contents, { mtime: FIXED_MTIME, attrs: FILE_ATTRS, os: 3 }];
  }
  const bundleBytes = result.outputFiles.find((f) => f.path.endsWith('index.js'))?.contents.length ?? 0;
  const done = finish(zipSync(files, { level: 9 }), bundleBytes);
  const zipFile = `${name}-${done.sha256Hex.slice(0, 16)}.zip`;
  fs.mkdirSync(buildDir(), { recursive: true });
  fs.writeFileSync(path.join(buildDir(), zipFile), done.zip);
  const record: BuildRecord = { recipe: want, inputs: fingerprint([...Object.keys(result.metafile.inputs), ...RESOLUTION_FILES]), zipFile, bundleBytes };
  fs.writeFileSync(path.join(buildDir(), `${name}.build.json`), JSON.stringify(record));
  return { ...done, zipPath: path.join(buildDir(), zipFile) };
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
    this.asset = new TerraformAsset(this, 'Asset', {
      path: bundle.zipPath,
      type: AssetType.FILE,
      assetHash: bundle.sha256Hex,
    });
    this.sourceCodeHash = bundle.sha256Base64;
  }
}
