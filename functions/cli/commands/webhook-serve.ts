import { createServer, type IncomingMessage } from 'node:http';
import { resolveWebhookSecrets } from '../../runtime/clients.ts';
import { ConfigError } from '../../runtime/config.ts';
import { MAX_BODY_BYTES, receiveWebhook } from '../../use-cases/receive-webhook.ts';
import type { GlobalOptions } from '../main.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `alert-ledger webhook serve [--port N]`: the webhook use case behind a local HTTP server. */
export async function runWebhookServe(globals: GlobalOptions, opts: { port: number }): Promise<void> {
  if (!process.env.GITHUB_WEBHOOK_SECRET) {
    throw new ConfigError(
      'GITHUB_WEBHOOK_SECRET is not set: use the secret configured on the GitHub webhook.',
    );
  }
  const progress = createProgress({ quiet: globals.quiet });
  await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    const secrets = await resolveWebhookSecrets(rt.config, rt.clients);
    const server = createServer((req, res) => {
      void (async () => {
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
        const body = await readBody(req);
        const result =
          body === null
            ? { status: 413, body: { ok: false, message: `body over ${MAX_BODY_BYTES} bytes` } }
            : await receiveWebhook(
                { store: rt.store, secrets, log: progress.log },
                { method: req.method ?? 'GET', headers, body },
              ).catch((error: unknown) => {
                progress.log.error('webhook delivery failed', {
                  delivery: headers['x-github-delivery'] ?? null,
                  error: error instanceof Error ? error.message : String(error),
                });
                return { status: 500, body: { ok: false, message: 'not stored; redeliver later' } };
              });
        res.writeHead(result.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result.body));
        progress.line(
          `${req.method} ${headers['x-github-event'] ?? '-'} ${headers['x-github-delivery'] ?? '-'} → ${result.status}`,
        );
      })();
    });
    await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    progress.line(`Listening on http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}
