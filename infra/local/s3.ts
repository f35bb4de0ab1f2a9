/**
 * Local stand-in for S3: s3rver running in this process, its state in a directory.
 *
 * The client settings below are not optional: without them s3rver stores the SDK's
 * chunked-encoding framing inside the object (see TOOLCHAIN.md, "Gotchas").
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3StandInOptions {
  /** Where s3rver keeps buckets and objects; survives restarts. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface S3StandIn {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  close(): Promise<void>;
}

/** The part of s3rver's (untyped, CommonJS) API used here. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  resetOnClose: boolean;
  // Path-style only: virtual-host buckets would need DNS for *.localhost.
  vhostBuckets: boolean;
}) => S3rverInstance;

// s3rver ships no types; createRequire keeps the untyped import in one typed place.
const require = createRequire(import.meta.url);

export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const { dataDir, port = 0, host = '127.0.0.1' } = options;
  mkdirSync(dataDir, { recursive: true });
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    port,
    address: host,
    directory: dataDir,
    silent: true,
    resetOnClose: false,
    vhostBuckets: false,
  });
  const address = await server.run();
  const endpoint = `http://${formatHost(address.address)}:${address.port}`;
  let closed = false;
  return {
    endpoint,
    async close() {
      if (closed) return;
      closed = true;
      // SDK clients keep sockets alive; without dropping them close() waits for their idle timeout.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

/** An S3 client that talks to s3rver without corrupting objects. */
export function makeLocalS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
