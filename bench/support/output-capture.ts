/**
 * Swallows what the handlers write to stdout and stderr while a scenario runs (their JSON logs
 * and EMF metrics, which Lambda would ship to CloudWatch Logs) and counts it.
 */
export interface CapturedOutput {
  readonly bytes: number;
  /** Log events: one per line. */
  readonly lines: number;
}

export function captureOutput(): { stop(): CapturedOutput } {
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  let bytes = 0;
  let lines = 0;
  const count = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    lines += String(chunk).split('\n').filter((l) => l.trim() !== '').length;
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = count as typeof process.stdout.write;
  process.stderr.write = count as typeof process.stderr.write;
  return {
    stop: () => {
      process.stdout.write = writes.stdout;
      process.stderr.write = writes.stderr;
      return { bytes, lines };
    },
  };
}
