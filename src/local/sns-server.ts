/** SNS stand-in: PublishBatch (query protocol, XML responses), capturing what each topic receives. */
import { LocalServer, startLocalServer, xmlEscape } from './http';
import { Rng } from './rng';

export interface Published {
  readonly topicArn: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const MAX_BATCH_BYTES = 262_144;

const xmlError = (code: string, message: string) => ({
  status: 400,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
});

export async function startSnsStandIn(topicArns: readonly string[], rng: Rng, published: Published[], count: (op: string) => void): Promise<LocalServer> {
  return startLocalServer(async (req) => {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const op = form.get('Action') ?? '';
    count(op);
    if (op !== 'PublishBatch') return xmlError('InvalidAction', `${op} is not emulated`);
    const topicArn = form.get('TopicArn') ?? '';
    if (!topicArns.includes(topicArn)) return xmlError('NotFound', `Topic does not exist: ${topicArn}`);
    const entries: { id: string; message: string; attributes: Record<string, string> }[] = [];
    for (let i = 1; form.has(`PublishBatchRequestEntries.member.${i}.Id`); i++) {
      const p = `PublishBatchRequestEntries.member.${i}`;
      const attributes: Record<string, string> = {};
      for (let j = 1; form.has(`${p}.MessageAttributes.entry.${j}.Name`); j++) {
        attributes[form.get(`${p}.MessageAttributes.entry.${j}.Name`) as string] = form.get(`${p}.MessageAttributes.entry.${j}.Value.StringValue`) ?? '';
      }
      entries.push({ id: form.get(`${p}.Id`) as string, message: form.get(`${p}.Message`) ?? '', attributes });
    }
    if (entries.length === 0 || entries.length > 10) return xmlError('TooManyEntriesInBatchRequest', `${entries.length} entries; 1 to 10 allowed`);
    if (new Set(entries.map((e) => e.id)).size !== entries.length) return xmlError('BatchEntryIdsNotDistinct', 'entry ids repeat');
    const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.message) + Object.entries(e.attributes).reduce((m, [k, v]) => m + k.length + 6 + Buffer.byteLength(v), 0), 0);
    if (bytes > MAX_BATCH_BYTES) return xmlError('BatchRequestTooLong', `${bytes} bytes`);
    for (const e of entries) published.push({ topicArn, message: e.message, attributes: e.attributes });
    const members = entries.map((e) => `<member><Id>${xmlEscape(e.id)}</Id><MessageId>${rng.uuid()}</MessageId></member>`).join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${members}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>${rng.uuid()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
    };
  });
}
