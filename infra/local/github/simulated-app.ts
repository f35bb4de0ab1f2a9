/**
 * A GitHub App as the simulated GitHub sees it: verifies the app's JWTs (RS256, node:crypto
 * only) and issues installation tokens that work for one org and expire, so token refresh and
 * the App's limits (no enterprise endpoints) can be tested without GitHub.
 *
 * @example
 *   const app = new SimulatedApp({ appId: 1, publicKeyPem, installations: { 42: 'octo-demo' } });
 *   const check = app.verifyJwt(jwt); // { ok: true } or { ok: false, message }
 */
import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';

export interface SimulatedAppOptions {
  appId: number;
  /** The public half of the App's private key (PEM, SPKI or PKCS#1). */
  publicKeyPem: string;
  /** Installation id to the org it is installed on. */
  installations: Record<number, string>;
  /** Lifetime of installation tokens; GitHub's is one hour. */
  tokenTtlSeconds?: number;
}

export interface IssuedToken {
  token: string;
  /** ISO-8601 UTC, whole seconds, as GitHub prints it. */
  expiresAt: string;
}

export interface InstallationGrant {
  installationId: number;
  org: string;
  expired: boolean;
}

/** GitHub's 401 messages for JWTs, word for word: clients (auth-app) match some of them. */
export const JWT_MESSAGES = {
  undecodable: 'A JSON web token could not be decoded',
  expired:
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  tooLong: "'Expiration time' claim ('exp') is too far in the future",
  issuedAt:
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
  issuer: "'Issuer' claim ('iss') must be an Integer",
} as const;

/** GitHub refuses JWTs valid for more than ten minutes. */
const MAX_JWT_SECONDS = 600;
/** Clock drift GitHub tolerates on `iat`. */
const IAT_LEEWAY_SECONDS = 60;

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (segment === undefined || segment === '') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** True for what looks like a JWT (three base64url segments), as opposed to a token. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

export class SimulatedApp {
  readonly appId: number;
  private readonly publicKey: KeyObject;
  private readonly installations: Map<number, string>;
  private readonly ttlMs: number;
  private readonly tokens = new Map<string, { installationId: number; org: string; expiresAtMs: number }>();
  tokensCreated = 0;

  constructor(
    options: SimulatedAppOptions,
    /** Wall clock: tokens expire in real time, whatever instant the simulation shows. */
    private readonly clock: () => number = Date.now,
  ) {
    this.appId = options.appId;
    this.publicKey = createPublicKey(options.publicKeyPem);
    this.installations = new Map(
      Object.entries(options.installations).map(([id, org]) => [Number(id), org.toLowerCase()]),
    );
    this.ttlMs = (options.tokenTtlSeconds ?? 3600) * 1000;
  }

  /** Checks a JWT the way GitHub does: signature, issuer, and a lifetime of at most ten minutes. */
  verifyJwt(jwt: string): { ok: true } | { ok: false; message: string } {
    const [headerPart, payloadPart, signaturePart] = jwt.split('.');
    const header = decodeSegment(headerPart);
    const payload = decodeSegment(payloadPart);
    if (!header || !payload || signaturePart === undefined || header.alg !== 'RS256') {
      return { ok: false, message: JWT_MESSAGES.undecodable };
    }
    const signed = verify(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      this.publicKey,
      Buffer.from(signaturePart, 'base64url'),
    );
    if (!signed) return { ok: false, message: JWT_MESSAGES.undecodable };
    const iss =
      typeof payload.iss === 'string' && /^\d+$/.test(payload.iss) ? Number(payload.iss) : payload.iss;
    if (typeof iss !== 'number' || !Number.isInteger(iss)) return { ok: false, message: JWT_MESSAGES.issuer };
    // Signed by this App's key but naming another App: GitHub cannot match it to a key.
    if (iss !== this.appId) return { ok: false, message: JWT_MESSAGES.undecodable };
    const { exp, iat } = payload;
    const now = Math.floor(this.clock() / 1000);
    if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + IAT_LEEWAY_SECONDS) {
      return { ok: false, message: JWT_MESSAGES.issuedAt };
    }
    if (typeof exp !== 'number' || exp <= now) return { ok: false, message: JWT_MESSAGES.expired };
    if (exp - iat > MAX_JWT_SECONDS) return { ok: false, message: JWT_MESSAGES.tooLong };
    return { ok: true };
  }

  /** The org an installation is on; undefined when the App has no such installation. */
  orgOf(installationId: number): string | undefined {
    return this.installations.get(installationId);
  }

  /** The installation on an org (case-insensitive login). */
  installationFor(org: string): number | undefined {
    const login = org.toLowerCase();
    for (const [id, installedOn] of this.installations) if (installedOn === login) return id;
    return undefined;
  }

  /**
   * A new installation token. Clearly fake (`sim-inst-<installation>-<hex>`), never in the shape
   * of a real GitHub token (`ghs_...`), so a leaked test value cannot be mistaken for one.
   */
  issueToken(installationId: number): IssuedToken {
    const org = this.orgOf(installationId);
    if (org === undefined) throw new Error(`No installation ${installationId}`);
    // GitHub prints whole seconds; the token dies exactly at the printed instant.
    const expiresAtMs = Math.floor((this.clock() + this.ttlMs) / 1000) * 1000;
    const token = `sim-inst-${installationId}-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, { installationId, org, expiresAtMs });
    this.tokensCreated += 1;
    return { token, expiresAt: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  /** Ends a token at once, as `DELETE /installation/token` does on GitHub. */
  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  /** What an installation token grants; undefined when it was never issued (or was revoked). */
  grantOf(token: string): InstallationGrant | undefined {
    const grant = this.tokens.get(token);
    if (!grant) return undefined;
    return {
      installationId: grant.installationId,
      org: grant.org,
      expired: this.clock() >= grant.expiresAtMs,
    };
  }
}
