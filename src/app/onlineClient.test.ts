import { describe, expect, it } from 'vitest';
import { OFFLINE, OnlineClient, OnlineError } from './onlineClient.ts';

const reply = (status: number, body: string, headers: Record<string, string> = {}): typeof fetch =>
  (async () => new Response(body, { status, headers })) as typeof fetch;

describe('the online fetch client', () => {
  it('is offline when nothing answers, or when a static server answers with the game\'s HTML', async () => {
    const down = new OnlineClient('api', (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch);
    expect(await down.offlineReason()).toBe(OFFLINE);
    const html = new OnlineClient('api', reply(200, '<!doctype html><title>DeepSteer</title>', { 'content-type': 'text/html' }));
    expect(await html.offlineReason()).toBe(OFFLINE);
    const notFound = new OnlineClient('api', reply(404, 'Not found', { 'content-type': 'text/plain' }));
    expect(await notFound.offlineReason()).toBe(OFFLINE);
    const up = new OnlineClient('api', reply(200, '{"ok":true,"db":"sqlite"}', { 'content-type': 'application/json' }));
    expect(await up.offlineReason()).toBeNull();
  });

  it('says how long to wait when rate limited, and passes the server\'s reason on a refusal', async () => {
    const limited = new OnlineClient('api', reply(429, '{"error":"rate limited"}', { 'content-type': 'application/json', 'retry-after': '42' }));
    await expect(limited.submitLap('t', '{}')).rejects.toThrow('try again in 42 s');
    const refused = new OnlineClient('api', reply(422, '{"error":"the replay was refused: claim.ticks: 10 claimed, 40 driven"}', { 'content-type': 'application/json' }));
    const err = await refused.submitLap('t', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnlineError);
    expect((err as OnlineError).status).toBe(422);
    expect((err as OnlineError).message).toContain('claim.ticks');
  });

  it('sends the token as a Bearer header and the replay text as the body', async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const c = new OnlineClient('api', (async (url: string, init: RequestInit) => {
      seen = { url, init };
      return new Response('{"lap":{"id":"x","scoreS":1},"rank":3,"improved":true}', { status: 201, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch);
    const r = await c.submitLap('tok123', '{"format":"deepsteer-replay"}');
    expect(r.rank).toBe(3);
    expect(seen?.url).toBe('api/laps');
    expect((seen?.init.headers as Record<string, string>).authorization).toBe('Bearer tok123');
    expect(seen?.init.body).toBe('{"format":"deepsteer-replay"}');
  });

  it('uploads a model zip, then names its hash on the autopilot lap', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const c = new OnlineClient('api', (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const body = url === 'api/models' ? '{"hash":"' + 'c'.repeat(64) + '","bytes":4}' : '{"lap":{"id":"x","scoreS":1},"rank":1,"improved":true}';
      return new Response(body, { status: 201, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch);
    const { hash } = await c.uploadModel('tok', new Uint8Array([0x50, 0x4b, 3, 4]));
    await c.submitLap('tok', '{}', hash);
    expect((calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/zip');
    expect(calls[1].url).toBe(`api/laps?model=${'c'.repeat(64)}`);
    const refused = new OnlineClient('api', reply(413, '{"error":"Request body is too large"}', { 'content-type': 'application/json' }));
    await expect(refused.uploadModel('tok', new Uint8Array(4))).rejects.toThrow('too large');
  });
});
