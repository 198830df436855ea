/**
 * A versioned S3 stand-in (path-style PUT and HEAD, which is what uploads and the processor's
 * executor use). Written instead of using `s3rver` because the ingest buckets are versioned:
 * events carry the version id and the executor reads that exact version.
 */
import { md5Hex } from './queue';
import { LocalResponse, LocalServer, startLocalServer, xmlEscape } from './http';
import { Rng } from './rng';

export interface StoredVersion {
  readonly versionId: string;
  readonly etag: string;
  readonly size: number;
  readonly contentType: string;
  readonly lastModified: Date;
}

/** Told about every HeadObject; returns false to hold the request unanswered (a frozen worker). */
export interface HeadObserver {
  started(bucket: string, key: string, versionId: string | undefined): Promise<boolean>;
  finished(bucket: string, key: string, versionId: string | undefined, status: number): void;
}

export class S3StandIn {
  private readonly objects = new Map<string, StoredVersion[]>();
  private server?: LocalServer;

  constructor(
    private readonly buckets: readonly string[],
    private readonly rng: Rng,
    private readonly observer: HeadObserver,
    /** Counts requests other than the run's own uploads (PUT). */
    private readonly count: (op: string) => void,
  ) {}

  async start(): Promise<string> {
    this.server = await startLocalServer(async (req): Promise<LocalResponse | undefined> => {
      const [, bucket, ...rest] = req.url.pathname.split('/');
      const key = rest.map(decodeURIComponent).join('/');
      if (req.method !== 'PUT') this.count(req.method === 'HEAD' ? 'HeadObject' : req.method);
      if (!this.buckets.includes(bucket)) {
        return { status: 404, headers: { 'content-type': 'application/xml' }, body: req.method === 'HEAD' ? undefined : `<Error><Code>NoSuchBucket</Code><BucketName>${xmlEscape(bucket)}</BucketName></Error>` };
      }
      if (req.method === 'PUT') {
        const v = this.put(bucket, key, req.body, req.headers['content-type'] ?? 'binary/octet-stream');
        return { status: 200, headers: { etag: v.etag, 'x-amz-version-id': v.versionId, 'x-amz-request-id': this.rng.string(16, '0123456789ABCDEF') } };
      }
      if (req.method === 'HEAD') {
        const versionId = req.url.searchParams.get('versionId') ?? undefined;
        if (!(await this.observer.started(bucket, key, versionId))) return undefined;
        const v = this.find(bucket, key, versionId);
        this.observer.finished(bucket, key, versionId, v ? 200 : 404);
        if (!v) return { status: 404 };
        return {
          status: 200,
          headers: {
            'content-length': String(v.size),
            'content-type': v.contentType,
            etag: v.etag,
            'last-modified': v.lastModified.toUTCString(),
            'x-amz-version-id': v.versionId,
          },
        };
      }
      return { status: 405, body: `<Error><Code>MethodNotAllowed</Code><Message>${xmlEscape(req.method)} is not emulated</Message></Error>` };
    });
    return this.server.endpoint;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  /** Stores a new version, as a versioned bucket does. */
  put(bucket: string, key: string, content: Buffer, contentType: string): StoredVersion {
    const version: StoredVersion = {
      versionId: this.rng.string(32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._'),
      etag: `"${md5Hex(content.toString('latin1'))}"`,
      size: content.length,
      contentType,
      lastModified: new Date(Date.now()),
    };
    const id = `${bucket}/${key}`;
    this.objects.set(id, [...(this.objects.get(id) ?? []), version]);
    return version;
  }

  private find(bucket: string, key: string, versionId: string | undefined): StoredVersion | undefined {
    const versions = this.objects.get(`${bucket}/${key}`) ?? [];
    return versionId === undefined ? versions[versions.length - 1] : versions.find((v) => v.versionId === versionId);
  }
}
