import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ssmClient } from './clients';
import { CONFIG_PATH_ENV, PROCESSOR_PARAMETERS, ProcessorSettings } from './processor-parameters';

/** Wall clock in epoch milliseconds; injected so lease and cache tests control time. */
export type Clock = () => number;

/** A parameter is missing or malformed: the invocation fails with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the parameters read under `path` (names relative to it) into settings. */
export function parseProcessorSettings(values: Readonly<Record<string, unknown>>, path: string): ProcessorSettings {
  const settings: Record<string, string | number> = {};
  for (const [field, spec] of Object.entries(PROCESSOR_PARAMETERS)) {
    const fullName = `${path}${spec.name}`;
    const raw = values[spec.name];
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new ConfigError(`SSM parameter ${fullName} (${spec.description}) is missing or empty`);
    }
    const value = raw.trim();
    if (spec.kind === 'string') {
      settings[field] = value;
      continue;
    }
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
      throw new ConfigError(
        `SSM parameter ${fullName} (${spec.description}) must be an integer in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}], got ${JSON.stringify(raw)}`,
      );
    }
    settings[field] = n;
  }
  return settings as unknown as ProcessorSettings;
}

/** Reads every parameter directly under a path; names come back relative to it. */
export type ParameterSource = (path: string) => Promise<Readonly<Record<string, unknown>>>;

const ssmProvider = new SSMProvider({ awsSdkV3Client: ssmClient });

/** Reads the path with GetParametersByPath (paginated by Powertools); caching is the loader's job. */
export const ssmParameterSource: ParameterSource = async (path) =>
  // GetParametersByPath is authorized on the requested path: without its trailing slash it is
  // exactly the path ARN the role grants (Powertools still returns names relative to it).
  (await ssmProvider.getMultiple(path.replace(/\/+$/, ''), { forceFetch: true, recursive: false })) ?? {};

/**
 * Returns the settings, reading SSM only when the cached copy is older than its own
 * `config-cache-ttl-seconds`: a warm invocation inside the TTL makes no SSM request.
 */
export function createSettingsLoader(source: ParameterSource, clock: Clock): () => Promise<ProcessorSettings> {
  let cached: { settings: ProcessorSettings; path: string; loadedAt: number } | undefined;
  return async () => {
    const path = process.env[CONFIG_PATH_ENV];
    if (!path) throw new ConfigError(`environment variable ${CONFIG_PATH_ENV} (SSM path of the processor parameters) is not set`);
    const now = clock();
    if (cached && cached.path === path && now - cached.loadedAt < cached.settings.configCacheTtlSeconds * 1000) {
      return cached.settings;
    }
    const settings = parseProcessorSettings(await source(path), path);
    cached = { settings, path, loadedAt: now };
    return settings;
  };
}
