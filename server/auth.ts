// Who is calling: the player behind `Authorization: Bearer <token>`, or a 401. Tokens are random
// (32 bytes, base64url) and only their sha256 is stored (store.ts).

import type { FastifyRequest } from 'fastify';
import { hashToken, type Player, type Store } from './store.ts';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(h) : null;
  return m ? m[1] : undefined;
}

/** The rate limiter's key: per token when one is sent (hashed), else per client address. */
export function rateKey(req: FastifyRequest): string {
  const t = bearerToken(req);
  return t ? `t:${hashToken(t)}` : `a:${req.ip}`;
}

export async function requirePlayer(store: Store, req: FastifyRequest): Promise<Player> {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, 'send your player token as "Authorization: Bearer <token>" (POST /api/players gives one)');
  const p = await store.playerByToken(token);
  if (!p) throw new HttpError(401, 'unknown or rotated token');
  return p;
}

export async function optionalPlayer(store: Store, req: FastifyRequest): Promise<Player | undefined> {
  const token = bearerToken(req);
  return token ? store.playerByToken(token) : undefined;
}
