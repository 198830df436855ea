import { ConfigError, loadConfig } from '../../src/config';

/** The ConfigError message a configuration fails with; fails the test if it is accepted. */
export function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}
