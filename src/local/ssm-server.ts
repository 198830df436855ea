/** SSM stand-in: GetParametersByPath (awsJson1_1) over the synthesized parameters, paginated as SSM does. */
import { jsonError, LocalServer, startLocalServer } from './http';

const JSON_1_1 = 'application/x-amz-json-1.1';

export async function startSsmStandIn(parameters: ReadonlyMap<string, string>, arnOf: (name: string) => string, count: (op: string) => void): Promise<LocalServer> {
  return startLocalServer(async (req) => {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
    count(op);
    if (op !== 'GetParametersByPath') return jsonError(400, 'InvalidAction', `${op} is not emulated`, JSON_1_1);
    const input = JSON.parse(req.body.toString('utf8')) as { Path: string; Recursive?: boolean; MaxResults?: number; NextToken?: string };
    const prefix = input.Path.endsWith('/') ? input.Path : `${input.Path}/`;
    const names = [...parameters.keys()]
      .filter((n) => n.startsWith(prefix) && (input.Recursive || !n.slice(prefix.length).includes('/')))
      .sort();
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const pageSize = input.MaxResults ?? 10;
    const page = names.slice(start, start + pageSize);
    const next = start + pageSize < names.length ? String(start + pageSize) : undefined;
    return {
      status: 200,
      headers: { 'content-type': JSON_1_1 },
      body: JSON.stringify({
        Parameters: page.map((name) => ({ Name: name, Type: 'String', Value: parameters.get(name), Version: 1, ARN: arnOf(name), DataType: 'text' })),
        NextToken: next,
      }),
    };
  });
}
