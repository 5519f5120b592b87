// A tiny fetch client for the online leaderboard's API (docs/api.md), same origin by default.
// Every failure becomes an OnlineError whose message a player can read: offline, rate limited
// (with the wait), or refused with the server's reason.

export class OnlineError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface OnlinePlayer {
  id: string;
  name: string;
  token: string;
}

export const OFFLINE = 'no online leaderboard answers here (the game was served as static files, or the server is down)';

export class OnlineClient {
  constructor(private readonly base = 'api', private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  private async call<T>(method: string, path: string, opts: { token?: string; json?: unknown; raw?: boolean } = {}): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        ...(opts.json !== undefined ? { body: typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json) } : {}),
      });
    } catch {
      throw new OnlineError(OFFLINE, 0);
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('json') && !(opts.raw && res.ok)) throw new OnlineError(OFFLINE, res.status);
    if (res.status === 429) throw new OnlineError(`rate limited: try again in ${res.headers.get('retry-after') ?? 'a few'} s`, 429);
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new OnlineError(body.error ?? `the server answered ${res.status}`, res.status);
    }
    return (opts.raw ? res.text() : res.json()) as Promise<T>;
  }

  /** null when the server answers with a healthy database, else the reason it is offline. */
  async offlineReason(): Promise<string | null> {
    try {
      const h = await this.call<{ ok?: boolean }>('GET', '/health');
      return h.ok === true ? null : 'the server answers, but its database does not';
    } catch (e) {
      return (e as Error).message;
    }
  }

  join(name: string): Promise<OnlinePlayer> {
    return this.call('POST', '/players', { json: { name } });
  }

  rename(token: string, name: string): Promise<{ id: string; name: string }> {
    return this.call('PATCH', '/players/me', { token, json: { name } });
  }

  rotateToken(token: string): Promise<OnlinePlayer> {
    return this.call('POST', '/players/me/token', { token });
  }

  submitLap(token: string, replayText: string, modelHash?: string): Promise<{ lap: { id: string; scoreS: number }; rank: number; improved: boolean }> {
    return this.call('POST', `/laps${modelHash ? `?model=${modelHash}` : ''}`, { token, json: replayText });
  }

  /** Uploads a model zip (stored once by its SHA-256); resolves with its hash. */
  async uploadModel(token: string, zip: Uint8Array): Promise<{ hash: string; bytes: number }> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/models`, {
        method: 'POST',
        headers: { 'content-type': 'application/zip', authorization: `Bearer ${token}`, accept: 'application/json' },
        body: zip as Uint8Array<ArrayBuffer>,
      });
    } catch {
      throw new OnlineError(OFFLINE, 0);
    }
    const body = (await res.json().catch(() => ({}))) as { hash?: string; bytes?: number; error?: string };
    if (res.status === 429) throw new OnlineError(`rate limited: try again in ${res.headers.get('retry-after') ?? 'a few'} s`, 429);
    if (!res.ok || !body.hash) throw new OnlineError(`the model was not uploaded: ${body.error ?? res.status}`, res.status);
    return { hash: body.hash, bytes: body.bytes ?? zip.length };
  }

  board<T>(trackId: string, cls: string, offset: number, limit: number, token?: string): Promise<T> {
    return this.call('GET', `/boards/${encodeURIComponent(trackId)}/${cls}?offset=${offset}&limit=${limit}`, { token });
  }

  replayText(lapId: string): Promise<string> {
    return this.call('GET', `/laps/${encodeURIComponent(lapId)}/replay`, { raw: true });
  }

  async modelZip(hash: string): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/models/${hash}`);
    } catch {
      throw new OnlineError(OFFLINE, 0);
    }
    if (!res.ok) throw new OnlineError(`the model could not be downloaded (${res.status})`, res.status);
    return new Uint8Array(await res.arrayBuffer());
  }
}
