/**
 * Lambda for a local run: the function's synthesized zip is unpacked into a temp directory and
 * each container is a fresh instance of its module (own SDK clients, own config cache), as a
 * Lambda execution environment is. A container serves one invocation at a time; a container
 * whose invocation was killed is discarded.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { builtinModules } from 'module';
import { unzipSync } from 'fflate';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LocalFunction } from './synth-model';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface UnpackedFunction {
  readonly dir: string;
  readonly file: string;
  readonly exportName: string;
  readonly code: string;
  remove(): void;
}

/** Unzips the asset; `handler` `index.handler` names `index.js` and its export `handler`. */
export function unpackFunction(fn: LocalFunction): UnpackedFunction {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-local-'));
  const files = unzipSync(fs.readFileSync(fn.zipPath));
  for (const [name, bytes] of Object.entries(files)) {
    const target = path.join(dir, name);
    if (!target.startsWith(dir + path.sep)) throw new Error(`zip entry ${name} escapes the directory`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
  }
  const dot = fn.handler.lastIndexOf('.');
  const file = path.join(dir, `${fn.handler.slice(0, dot)}.js`);
  if (!fs.existsSync(file)) throw new Error(`${fn.zipPath} has no ${path.basename(file)} for handler ${fn.handler}`);
  return {
    dir,
    file,
    exportName: fn.handler.slice(dot + 1),
    code: fs.readFileSync(file, 'utf8'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A new module instance of the bundle. The bundle is self-contained (esbuild), so it may only
 * require Node built-ins; it is evaluated in this realm so it sees the run's `Date.now`.
 */
export function loadContainer(unpacked: UnpackedFunction): SqsHandler {
  const module = { exports: {} as Record<string, unknown> };
  const requireBuiltin = (id: string): unknown => {
    const name = id.replace(/^node:/, '');
    if (!builtinModules.includes(name)) throw new Error(`the bundle requires ${id}, which is not a Node built-in`);
    return require(id);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('exports', 'require', 'module', '__filename', '__dirname', unpacked.code);
  factory(module.exports, requireBuiltin, module, unpacked.file, unpacked.dir);
  const handler = module.exports[unpacked.exportName];
  if (typeof handler !== 'function') throw new Error(`${unpacked.file} does not export a function ${unpacked.exportName}`);
  return handler as SqsHandler;
}
