/**
 * Local stand-in for SES v2: aws-ses-v2-local running in this process.
 *
 * Mail is read back from `GET /store`, whose attachments are intact base64; the package's
 * `GET /get-emlContent` re-encodes binary attachments and corrupts them (TOOLCHAIN.md).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesLocal from 'aws-ses-v2-local';

export interface SesStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/**
 * One attachment as /store returns it for a raw message: mailparser's attachment object
 * serialised to JSON, with the content as base64. Measured on 2.10.2:
 * `{ type: 'attachment', content, contentType, partId: '2', release: null,
 *    contentDisposition: 'attachment', filename, headers: {}, checksum, size }`.
 */
export interface StoredAttachment {
  type?: string;
  filename?: string;
  contentType: string;
  /** base64 of the attachment's bytes (intact, unlike /get-emlContent). */
  content: string;
  size: number;
  /** MD5 of the content, hex (mailparser). */
  checksum?: string;
  contentDisposition?: string;
  contentId?: string;
  partId?: string;
  release?: string | null;
  /** mailparser's header Map, which JSON flattens to `{}`: carries nothing. */
  headers?: Record<string, unknown>;
}

/**
 * One message as `GET /store` returns it.
 *
 * For a raw message (SendEmail with Content.Raw) the stand-in parses the MIME with mailparser
 * and keeps only what is below, taken from the MIME headers (Destination of the API call is
 * ignored): addresses as mailparser's display text, so `from` is `"Name" <a@b>` and all To
 * recipients are ONE string `"a@x, b@x"` in `destination.to`; subject; the text and html parts;
 * the attachments. It does NOT keep the message's headers (`headers` is set only for Simple
 * messages), so custom headers must be checked on the raw bytes before sending.
 */
export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: StoredAttachment[];
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

export interface SesStandIn {
  /** e.g. http://127.0.0.1:41235 */
  endpoint: string;
  close(): Promise<void>;
  readStore(): Promise<StoredEmail[]>;
  clear(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local. Its mail store is module state of the package: every stand-in in
 * one process shares it, so tests that start more than one must not assume an empty store.
 */
export async function startSesStandIn(options: SesStandInOptions = {}): Promise<SesStandIn> {
  const { port = 0, host = '127.0.0.1' } = options;
  // express's listen() accepts port 0, so the OS picks a free port and address() reports it.
  const server: Server = await resolveStart()({ host, port });
  const address = server.address() as AddressInfo;
  const endpoint = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  let closed = false;

  return {
    endpoint,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of SDK clients would hold close() open until they time out.
        server.closeAllConnections();
      });
    },
    async readStore() {
      const res = await fetch(`${endpoint}/store`);
      if (!res.ok) throw new Error(`SES stand-in: GET /store answered ${res.status}`);
      const json = (await res.json()) as { emails: StoredEmail[] };
      return json.emails;
    },
    async clear() {
      const res = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`SES stand-in: POST /clear-store answered ${res.status}`);
    },
  };
}

type StartServer = (config: { host: string; port: number }) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default`: Node's ESM loader hands it over as
 * `default.default`, a bundler's interop may hand it over as `default`. Accept both.
 */
function resolveStart(): StartServer {
  const candidates: unknown[] = [
    sesLocal.default,
    (sesLocal.default as unknown as { default?: unknown }).default,
  ];
  const start = candidates.find((c) => typeof c === 'function');
  if (!start) throw new Error('aws-ses-v2-local: no server function exported');
  return start as StartServer;
}
