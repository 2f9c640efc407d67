/**
 * The few S3 objects the local Athena writes (query result files) and a minimal S3 GetObject to read them
 * back, served by the Athena server on the same loopback port. Path-style addresses only — `GET
 * /<bucket>/<key>` (S3 API Reference, GetObject: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html;
 * the SDK sends these with `forcePathStyle: true`). Request signatures are not checked: the tests' static
 * credentials stand for an identity, and access is set with denyGetObject().
 *
 * Faults on demand: AccessDenied for every read (an identity without s3:GetObject), a connection reset
 * before any byte, or a body cut off half-way after a full Content-Length (a connection dropped mid-stream).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

type GetObjectFault = 'ConnectionReset' | 'DropMidStream';

export interface S3Objects {
  put(bucket: string, key: string, body: Buffer): void;
  /** Whether `s3://bucket/key` is stored. */
  has(uri: string): boolean;
  /** While on, every GetObject is answered 403 AccessDenied. */
  denyGetObject(deny?: boolean): void;
  /** The next `times` GetObject requests fail with `fault`. */
  failNextGetObject(fault: GetObjectFault, times?: number): void;
  /** Answers a GET or HEAD; false for any other request (left to the Athena JSON handler). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * S3's REST error document (S3 API Reference, "Error responses":
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): Content-Type application/xml, the
 * status of the code (AccessDenied 403, NoSuchKey 404, NoSuchBucket 404), and Code, Message, the resource,
 * RequestId and HostId inside <Error>.
 */
function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string>,
  head: boolean,
): void {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const escape = (v: string) =>
    v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${escape(v)}</${k}>`)
    .join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${escape(message)}</Message>${fields}` +
    `<RequestId>${requestId}</RequestId><HostId>local-athena-s3</HostId></Error>`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'x-amz-request-id': requestId,
    'x-amz-id-2': 'local-athena-s3',
  });
  // A HEAD response has no body; the SDK reads the code from the status then.
  res.end(head ? undefined : body);
}

export function createS3Objects(stats: { requests: Record<string, number> }): S3Objects {
  const objects = new Map<string, { body: Buffer; etag: string; modified: Date }>();
  const faults: GetObjectFault[] = [];
  let denied = false;
  const id = (bucket: string, key: string) => `${bucket}/${key}`;

  return {
    put(bucket, key, body) {
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      objects.set(id(bucket, key), { body, etag, modified: new Date() });
    },
    has(uri) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      return Boolean(m && objects.has(id(m[1], m[2])));
    },
    denyGetObject(deny = true) {
      denied = deny;
    },
    failNextGetObject(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const head = req.method === 'HEAD';
      stats.requests['S3.GetObject'] = (stats.requests['S3.GetObject'] ?? 0) + 1;
      // Path-style: the first segment is the bucket, the rest (each segment URI-encoded) is the key.
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const [bucketPart = '', ...keyParts] = path.slice(1).split('/');
      const bucket = decodeURIComponent(bucketPart);
      const key = keyParts.map(decodeURIComponent).join('/');
      const fault = faults.shift();
      if (fault === 'ConnectionReset') {
        req.socket.destroy();
        return true;
      }
      if (denied) {
        sendError(res, 403, 'AccessDenied', 'Access Denied', {}, head);
        return true;
      }
      const object = objects.get(id(bucket, key));
      if (!object) {
        const bucketKnown = [...objects.keys()].some((k) => k.startsWith(`${bucket}/`));
        if (!bucketKnown) {
          sendError(
            res,
            404,
            'NoSuchBucket',
            'The specified bucket does not exist',
            { BucketName: bucket },
            head,
          );
        } else {
          sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, head);
        }
        return true;
      }
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': object.body.length,
        ETag: object.etag,
        'Last-Modified': object.modified.toUTCString(),
        'Accept-Ranges': 'bytes',
        'x-amz-request-id': randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(),
      });
      if (head) {
        res.end();
      } else if (fault === 'DropMidStream') {
        // Headers promise the whole file; half of it arrives, then the connection goes.
        res.write(object.body.subarray(0, Math.floor(object.body.length / 2)), () => res.destroy());
      } else {
        res.end(object.body);
      }
      return true;
    },
  };
}
