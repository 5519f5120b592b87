// Model zips behind autopilot laps: POST /api/models (a player's upload, application/zip,
// size-capped, stored once by its sha256) and GET /api/models/:hash (anyone may download it and
// drive it on the same track in lockstep).

import type { FastifyInstance } from 'fastify';
import { HttpError, requirePlayer } from '../auth.ts';
import { bearerHeaders, errorSchema, hashSchema } from '../schemas.ts';
import type { ApiDeps } from './deps.ts';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export async function modelsPlugin(app: FastifyInstance, { store, config }: ApiDeps): Promise<void> {
  // Encapsulated: only this plugin's routes read raw zip bodies.
  app.addContentTypeParser(['application/zip', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: config.modelLimit }, (_req, body, done) => done(null, body));

  app.post<{ Body: Buffer }>('/api/models', {
    bodyLimit: config.modelLimit,
    schema: {
      headers: bearerHeaders,
      response: {
        200: { type: 'object', properties: { hash: { type: 'string' }, bytes: { type: 'integer' } } },
        201: { type: 'object', properties: { hash: { type: 'string' }, bytes: { type: 'integer' } } },
        400: errorSchema, 401: errorSchema, 413: errorSchema, 415: errorSchema, 429: errorSchema,
      },
    },
  }, async (req, reply) => {
    const me = await requirePlayer(store, req);
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length < 22 || !ZIP_MAGIC.every((b, i) => body[i] === b)) throw new HttpError(400, 'the body is not a zip file (send the model export, Content-Type: application/zip)');
    const r = await store.putModel(new Uint8Array(body.buffer, body.byteOffset, body.length), me.id);
    return reply.code(r.created ? 201 : 200).send({ hash: r.hash, bytes: r.bytes });
  });

  app.get<{ Params: { hash: string } }>('/api/models/:hash', {
    schema: { params: { type: 'object', properties: { hash: hashSchema }, required: ['hash'] }, response: { 400: errorSchema, 404: errorSchema } },
  }, async (req, reply) => {
    const zip = await store.model(req.params.hash);
    return reply.type('application/zip').header('content-disposition', `attachment; filename="${req.params.hash.slice(0, 12)}.deepsteer-model.zip"`).send(Buffer.from(zip));
  });
}
