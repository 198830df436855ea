import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { createServer } from 'net';
import * as path from 'path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PROJECT_ROOT } from '../../src/function-code';
import { sleep } from './stats';

export interface DynaliteServer {
  readonly endpoint: string;
  /** A client of its own, outside every measurement: setup and accounting reads. */
  readonly client: DynamoDBClient;
  /** CPU time the emulator process has used so far, ms (NaN where /proc is not available). */
  cpuMs(): number;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function processCpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return NaN;
  }
}

/**
 * Runs dynalite in a process of its own, so the emulator does not share the event loop
 * (and its CPU time) with the handlers being measured.
 */
export async function startDynaliteServer(): Promise<DynaliteServer> {
  const port = await freePort();
  const bin = path.join(PROJECT_ROOT, 'node_modules', 'dynalite', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, [bin, '--port', String(port), '--host', '127.0.0.1', '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'], {
    stdio: 'ignore',
  });
  // Never leave the emulator running after this process exits.
  const stop = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        stop();
        throw new Error(`dynalite did not start on port ${port}: ${(err as Error).message}`);
      }
      await sleep(50);
    }
  }
  return {
    endpoint,
    client,
    cpuMs: () => processCpuMs(child.pid),
    close: async () => {
      client.destroy();
      process.removeListener('exit', stop);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
