/**
 * Run by the webhook benchmark in a process of its own (the CDK's esbuild and npm print to
 * stderr, which the benchmark keeps out of its table): synthesizes the webhook's LedgerFunction
 * and prints the size of the index.mjs the CDK built, as JSON on stdout.
 */
import { bundleWithCdk } from './webhook-bundle.ts';

process.stdout.write(`${JSON.stringify({ bytes: await bundleWithCdk() })}\n`);
