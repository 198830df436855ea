import * as http from 'http';
import { AddressInfo } from 'net';

/** A request with its body read. */
export interface LocalRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface LocalResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface LocalServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (never another address) on a free port. `handle` returning undefined
 * holds the request unanswered (a frozen caller); held requests are cut when the server closes.
 */
export async function startLocalServer(handle: (req: LocalRequest) => Promise<LocalResponse | undefined>): Promise<LocalServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: LocalRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body: Buffer.concat(chunks) };
      handle(request).then(
        (out) => {
          if (!out) return;
          res.writeHead(out.status, out.headers);
          res.end(out.body);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`local stand-in error: ${err.message}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // Idempotent: a run closes its stand-ins early (to end killed invocations) and again in its cleanup.
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

/** A JSON-protocol error as the SDK parses it (`__type` names the error). */
export const jsonError = (status: number, type: string, message: string, contentType = 'application/x-amz-json-1.0'): LocalResponse => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify({ __type: type, message }),
});

export const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
