// Every query the API makes, over either database (Kysely). Players (names unique ignoring case,
// tokens stored as sha256), laps (one personal best per player, track, class and simulation
// version, replaced by a single atomic upsert), boards with ranks, and model zips by hash.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { type Kysely, sql } from 'kysely';
import type { Database, Db, LapsTable } from './db.ts';
import type { VerifiedLap } from './verify.ts';

export class ConflictError extends Error {}
export class NotFoundError extends Error {}

export const EXPERT_PLAYER_ID = 'expert';

export interface Player {
  id: string;
  name: string;
}

export interface LapView {
  id: string;
  playerId: string;
  name: string;
  trackId: string;
  class: string;
  simVersion: number;
  theme: string;
  lapTicks: number;
  scoreS: number;
  penaltyS: number;
  autonomyPct: number;
  modelName: string | null;
  weightsSha256: string | null;
  modelHash: string | null;
  replayBytes: number;
  verifyMs: number;
  createdAt: string;
}

export interface RankedLap extends LapView {
  rank: number;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const nameKey = (name: string): string => name.normalize('NFC').toLowerCase();
const now = (): string => new Date().toISOString();

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint/.test(err.message ?? '');
}

type LapRow = Omit<LapsTable, 'replay'> & { name: string };

function view(r: LapRow): LapView {
  return {
    id: r.id, playerId: r.player_id, name: r.name, trackId: r.track_id, class: r.class,
    simVersion: Number(r.sim_version), theme: r.theme, lapTicks: Number(r.lap_ticks), scoreS: Number(r.score_s),
    penaltyS: Number(r.penalty_s), autonomyPct: Number(r.autonomy_pct), modelName: r.model_name, weightsSha256: r.weights_sha256,
    modelHash: r.model_hash, replayBytes: Number(r.replay_bytes), verifyMs: Number(r.verify_ms), createdAt: r.created_at,
  };
}

type BoardPage = { total: number; laps: RankedLap[]; reference: LapView | null };
type BoardQuery = { trackId: string; cls: string; simVersion: number; offset: number; limit: number };
type CachedPage = { page: BoardPage; json: string };

export class Store {
  readonly db: Kysely<Database>;
  /**
   * Board pages as last read, for `boardCacheMs` (reads dominate: a board is read far more often
   * than it changes). Cleared by every lap this process stores; another process's new lap shows
   * here within boardCacheMs. 0 turns it off.
   */
  private readonly boardCache = new Map<string, { at: number; entry: Promise<CachedPage> }>();

  constructor(readonly handle: Db, readonly boardCacheMs = 250) {
    this.db = handle.kysely;
  }

  private lapsWithNames() {
    return this.db.selectFrom('laps').innerJoin('players', 'players.id', 'laps.player_id').select([
      'laps.id', 'laps.player_id', 'players.name', 'laps.track_id', 'laps.class', 'laps.sim_version', 'laps.theme',
      'laps.lap_ticks', 'laps.score_s', 'laps.penalty_s', 'laps.autonomy_pct', 'laps.model_name', 'laps.weights_sha256', 'laps.model_hash',
      'laps.state_hash', 'laps.replay_bytes', 'laps.verify_ms', 'laps.created_at',
    ]);
  }

  // ---- players ----------------------------------------------------------------------------
  async createPlayer(name: string, id: string = randomUUID()): Promise<Player & { token: string }> {
    const token = randomBytes(32).toString('base64url');
    try {
      await this.db.insertInto('players').values({ id, name, name_key: nameKey(name), token_hash: hashToken(token), created_at: now() }).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`the name "${name}" is taken`);
      throw e;
    }
    return { id, name, token };
  }

  async playerByToken(token: string): Promise<Player | undefined> {
    return this.db.selectFrom('players').select(['id', 'name']).where('token_hash', '=', hashToken(token)).executeTakeFirst();
  }

  async renamePlayer(id: string, name: string): Promise<Player> {
    try {
      await this.db.updateTable('players').set({ name, name_key: nameKey(name) }).where('id', '=', id).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`the name "${name}" is taken`);
      throw e;
    }
    return { id, name };
  }

  /** A new token for the player; the old one stops working at once. */
  async rotateToken(id: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.updateTable('players').set({ token_hash: hashToken(token) }).where('id', '=', id).execute();
    return token;
  }

  /** The reference driver's row (the expert), created once; its token hash matches no token. */
  async ensureExpertPlayer(): Promise<void> {
    await this.db.insertInto('players')
      .values({ id: EXPERT_PLAYER_ID, name: 'Expert', name_key: 'expert', token_hash: `none:${randomUUID()}`, created_at: now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  // ---- laps -------------------------------------------------------------------------------
  /**
   * Stores a verified lap as the player's personal best on its board, unless their current best
   * is as good. One statement (an upsert with a condition), so it is atomic on both databases:
   * a crash leaves either the old best or the new one, never both or neither. `replay` is the
   * gzip of the verified text (verifyAndPack, in the worker thread).
   */
  async submitLap(playerId: string, v: VerifiedLap, replay: Uint8Array, modelHash: string | null): Promise<{ lap: RankedLap; improved: boolean }> {
    const row = {
      id: randomUUID(), player_id: playerId, track_id: v.trackId, class: v.driverClass, sim_version: v.simVersion, theme: v.theme,
      lap_ticks: v.lapTicks, score_s: v.scoreS, penalty_s: v.penaltyS, autonomy_pct: v.autonomyPct, model_name: v.modelName, weights_sha256: v.weightsSha256,
      model_hash: modelHash, state_hash: v.stateHash, replay, replay_bytes: replay.length, verify_ms: v.verifyMs, created_at: now(),
    };
    const inserted = await this.db.insertInto('laps').values(row)
      .onConflict((oc) => oc.columns(['player_id', 'track_id', 'class', 'sim_version'])
        .doUpdateSet((eb) => ({
          id: eb.ref('excluded.id'), theme: eb.ref('excluded.theme'), lap_ticks: eb.ref('excluded.lap_ticks'),
          score_s: eb.ref('excluded.score_s'), penalty_s: eb.ref('excluded.penalty_s'), autonomy_pct: eb.ref('excluded.autonomy_pct'),
          model_name: eb.ref('excluded.model_name'), weights_sha256: eb.ref('excluded.weights_sha256'), model_hash: eb.ref('excluded.model_hash'), state_hash: eb.ref('excluded.state_hash'),
          replay: eb.ref('excluded.replay'), replay_bytes: eb.ref('excluded.replay_bytes'), verify_ms: eb.ref('excluded.verify_ms'),
          created_at: eb.ref('excluded.created_at'),
        }))
        .where('laps.score_s', '>', (eb) => eb.ref('excluded.score_s')))
      .returning('id')
      .executeTakeFirst();
    if (inserted) this.boardCache.clear();
    // Not better: the standing personal best, found and read in one query.
    const standing = inserted ? await this.lapsWithNames().where('laps.id', '=', inserted.id).executeTakeFirst() : await this.personalBest(playerId, v.trackId, v.driverClass, v.simVersion);
    if (!standing) throw new Error('the personal best vanished while it was being replaced');
    const lap = view(standing as LapRow);
    return { lap: { ...lap, rank: await this.rankOf(lap) }, improved: Boolean(inserted) };
  }

  private personalBest(playerId: string, trackId: string, cls: string, simVersion: number) {
    return this.lapsWithNames()
      .where('laps.player_id', '=', playerId).where('laps.track_id', '=', trackId).where('laps.class', '=', cls).where('laps.sim_version', '=', simVersion)
      .executeTakeFirst();
  }

  async lap(id: string): Promise<LapView> {
    const r = await this.lapsWithNames().where('laps.id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`no lap ${id}`);
    return view(r as LapRow);
  }

  async replayText(id: string): Promise<string> {
    const r = await this.db.selectFrom('laps').select('replay').where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`no lap ${id}`);
    return gunzipSync(r.replay).toString('utf8');
  }

  /** 1 + the laps ahead on the board (score, then who was first, then id). */
  async rankOf(lap: Pick<LapView, 'trackId' | 'class' | 'simVersion' | 'scoreS' | 'createdAt' | 'id'>): Promise<number> {
    const r = await this.db.selectFrom('laps').select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('track_id', '=', lap.trackId).where('class', '=', lap.class).where('sim_version', '=', lap.simVersion)
      .where((eb) => eb.or([
        eb('score_s', '<', lap.scoreS),
        eb.and([eb('score_s', '=', lap.scoreS), eb('created_at', '<', lap.createdAt)]),
        eb.and([eb('score_s', '=', lap.scoreS), eb('created_at', '=', lap.createdAt), eb('id', '<', lap.id)]),
      ]))
      .executeTakeFirstOrThrow();
    return Number(r.n) + 1;
  }

  // ---- boards -----------------------------------------------------------------------------
  /**
   * A board page, from memory for `boardCacheMs`. Single flight: while a page is being read,
   * every request for it waits on that one read instead of starting its own (50 readers arriving
   * as an entry expires used to send 50 x 3 queries at once). The JSON text of the page is kept
   * with it, so a read without a token serialises nothing (boardBody).
   */
  private cachedPage(q: BoardQuery): Promise<CachedPage> {
    const key = `${q.trackId}/${q.cls}/${q.simVersion}/${q.offset}/${q.limit}`;
    const hit = this.boardCache.get(key);
    if (hit && Date.now() - hit.at < this.boardCacheMs) return hit.entry;
    const entry = this.boardPage(q).then((page) => ({
      page,
      json: JSON.stringify({ trackId: q.trackId, class: q.cls, simVersion: q.simVersion, offset: q.offset, limit: q.limit, total: page.total, laps: page.laps, reference: page.reference }),
    }));
    if (this.boardCacheMs > 0) {
      if (this.boardCache.size > 1000) this.boardCache.clear();
      this.boardCache.set(key, { at: Date.now(), entry });
      // A failed read is not cached.
      entry.catch(() => {
        if (this.boardCache.get(key)?.entry === entry) this.boardCache.delete(key);
      });
    }
    return entry;
  }

  async board(q: BoardQuery & { playerId?: string }): Promise<BoardPage & { me: RankedLap | null }> {
    const { page } = await this.cachedPage(q);
    return { ...page, me: q.playerId ? await this.myBest(q.playerId, q) : null };
  }

  /**
   * The board response as JSON text (docs/api.md): the cached page, with `me` (the caller's
   * personal best and rank, or null) spliced in front.
   */
  async boardBody(q: BoardQuery & { playerId?: string }): Promise<string> {
    const [{ json }, me] = await Promise.all([this.cachedPage(q), q.playerId ? this.myBest(q.playerId, q) : null]);
    return `{"me":${JSON.stringify(me)},${json.slice(1)}`;
  }

  private async myBest(playerId: string, q: BoardQuery): Promise<RankedLap | null> {
    const pb = await this.personalBest(playerId, q.trackId, q.cls, q.simVersion);
    if (!pb) return null;
    const lap = view(pb as LapRow);
    return { ...lap, rank: await this.rankOf(lap) };
  }

  private async boardPage(q: BoardQuery): Promise<BoardPage> {
    const base = this.lapsWithNames()
      .where('laps.track_id', '=', q.trackId).where('laps.class', '=', q.cls).where('laps.sim_version', '=', q.simVersion);
    const [rows, count] = await Promise.all([
      base.orderBy('laps.score_s').orderBy('laps.created_at').orderBy('laps.id').offset(q.offset).limit(q.limit).execute(),
      this.db.selectFrom('laps').select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('track_id', '=', q.trackId).where('class', '=', q.cls).where('sim_version', '=', q.simVersion).executeTakeFirstOrThrow(),
    ]);
    const laps = rows.map((r, i) => ({ ...view(r as LapRow), rank: q.offset + i + 1 }));
    let reference: LapView | null = null;
    if (q.cls !== 'expert') {
      const ref = await this.lapsWithNames().where('laps.track_id', '=', q.trackId).where('laps.class', '=', 'expert')
        .where('laps.sim_version', '=', q.simVersion).orderBy('laps.score_s').orderBy('laps.created_at').limit(1).executeTakeFirst();
      reference = ref ? view(ref as LapRow) : null;
    }
    return { total: Number(count.n), laps, reference };
  }

  /** The board of boards: the most-played tracks, and the newest records (laps that lead their board). */
  async boards(simVersion: number) {
    const tracks = await this.db.selectFrom('laps')
      .select((eb) => ['track_id', eb.fn.countAll<string | number>().as('laps'), eb.fn.count<string | number>('player_id').distinct().as('players')])
      .where('sim_version', '=', simVersion).where('player_id', '!=', EXPERT_PLAYER_ID)
      .groupBy('track_id').orderBy('laps', 'desc').orderBy('track_id').limit(20).execute();
    const records = await this.lapsWithNames().where('laps.sim_version', '=', simVersion)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('laps as b').select(sql.lit(1).as('one'))
        .whereRef('b.track_id', '=', 'laps.track_id').whereRef('b.class', '=', 'laps.class').whereRef('b.sim_version', '=', 'laps.sim_version')
        .where((eb) => eb.or([
          eb('b.score_s', '<', eb.ref('laps.score_s')),
          eb.and([eb('b.score_s', '=', eb.ref('laps.score_s')), eb('b.created_at', '<', eb.ref('laps.created_at'))]),
        ])))))
      .orderBy('laps.created_at', 'desc').limit(10).execute();
    return {
      tracks: tracks.map((t) => ({ trackId: t.track_id, laps: Number(t.laps), players: Number(t.players) })),
      records: records.map((r) => view(r as LapRow)),
    };
  }

  // ---- models -----------------------------------------------------------------------------
  /** Stores a model zip once per content hash; returns whether it was new. */
  async putModel(zip: Uint8Array, uploaderId: string): Promise<{ hash: string; bytes: number; created: boolean }> {
    const hash = createHash('sha256').update(zip).digest('hex');
    const r = await this.db.insertInto('models').values({ hash, zip, bytes: zip.length, uploader_id: uploaderId, created_at: now() })
      .onConflict((oc) => oc.column('hash').doNothing()).returning('hash').executeTakeFirst();
    return { hash, bytes: zip.length, created: Boolean(r) };
  }

  async hasModel(hash: string): Promise<boolean> {
    return Boolean(await this.db.selectFrom('models').select('hash').where('hash', '=', hash).executeTakeFirst());
  }

  async model(hash: string): Promise<Uint8Array> {
    const r = await this.db.selectFrom('models').select('zip').where('hash', '=', hash).executeTakeFirst();
    if (!r) throw new NotFoundError(`no model ${hash}`);
    return r.zip;
  }
}
