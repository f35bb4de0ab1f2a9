/**
 * Regenerates `openapi-subset.generated.json` from the installed `@octokit/openapi` package
 * (a dev dependency of 385 MB; the subset is committed so nothing at run time needs it).
 *
 * Usage: `npm run gen:openapi`
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject } from './openapi-deref.ts';
import {
  buildOpenApiSubset,
  type DescriptionName,
  type OpenApiDescriptions,
  serializeOpenApiSubset,
} from './openapi-subset.ts';

export const SUBSET_PATH = fileURLToPath(new URL('./openapi-subset.generated.json', import.meta.url));

const FILES: Record<DescriptionName, string> = {
  'api.github.com': 'api.github.com.json',
  ghec: 'ghec.json',
  'ghes-3.17': 'ghes-3.17.json',
};

/** Reads the three descriptions the subset is cut from (about 45 MB of JSON, about a second). */
export async function loadOpenApiDescriptions(): Promise<OpenApiDescriptions> {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('@octokit/openapi/package.json');
  const packageDir = dirname(packageJsonPath);
  const { version } = JSON.parse(await readFile(packageJsonPath, 'utf8')) as { version: string };
  const read = async (file: string): Promise<JsonObject> =>
    JSON.parse(await readFile(join(packageDir, 'generated', file), 'utf8')) as JsonObject;
  return {
    packageVersion: version,
    documents: {
      'api.github.com': await read(FILES['api.github.com']),
      ghec: await read(FILES.ghec),
      'ghes-3.17': await read(FILES['ghes-3.17']),
    },
  };
}

/** The subset text the installed package produces; the drift test compares it with the file. */
export async function generateOpenApiSubsetText(): Promise<string> {
  return serializeOpenApiSubset(buildOpenApiSubset(await loadOpenApiDescriptions()));
}

async function main(): Promise<void> {
  const text = await generateOpenApiSubsetText();
  await writeFile(SUBSET_PATH, text);
  process.stdout.write(`wrote ${SUBSET_PATH} (${Math.round(text.length / 1024)} KiB)\n`);
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
