// JSON schemas shared by the routes (validation of what comes in, serialisation of what goes out).

export const errorSchema = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;

/** Display names: 1 to 24 letters, digits, spaces and . _ - (trimmed by the route). */
export const nameSchema = { type: 'string', minLength: 1, maxLength: 24, pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]*$' } as const;

export const playerSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, token: { type: 'string' } },
  required: ['id', 'name'],
} as const;

export const lapSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, playerId: { type: 'string' }, name: { type: 'string' }, trackId: { type: 'string' },
    class: { type: 'string' }, simVersion: { type: 'integer' }, theme: { type: 'string' }, lapTicks: { type: 'integer' },
    scoreS: { type: 'number' }, penaltyS: { type: 'number' }, autonomyPct: { type: 'number' },
    modelName: { type: ['string', 'null'] }, weightsSha256: { type: ['string', 'null'] }, modelHash: { type: ['string', 'null'] }, replayBytes: { type: 'integer' },
    verifyMs: { type: 'number' }, createdAt: { type: 'string' }, rank: { type: 'integer' },
  },
  required: ['id', 'name', 'trackId', 'class', 'lapTicks', 'scoreS', 'createdAt'],
} as const;

export const trackIdSchema = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[a-z0-9-]+$' } as const;
export const classSchema = { type: 'string', enum: ['human', 'autopilot', 'expert'] } as const;
export const hashSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
export const uuidSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[0-9a-zA-Z-]+$' } as const;

export const bearerHeaders = {
  type: 'object',
  properties: { authorization: { type: 'string', maxLength: 200 } },
} as const;
