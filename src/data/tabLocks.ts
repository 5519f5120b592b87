// The one door to the Web Locks API (navigator.locks): how tabs of the same site agree on who is
// writing which clip. An import or a recording holds `deepsteer-clip:<id>` from before its first
// write until its last; the start-up orphan sweep deletes a clip's loose records only while it
// holds that lock itself, so it never deletes another tab's work in progress. A tab that closes
// releases its locks with it, so a crashed import's records are swept by the next start.
//
// Fallback: every browser DeepSteer supports has Web Locks (Chrome 69, Firefox 96, Safari 15.4),
// so the fallback only serves Node (unit tests) and very old browsers: locks held within this
// page only. There, two tabs are not coordinated; nothing else in the platform would do it
// without races (BroadcastChannel cannot tell a closed tab from a slow one).

export const CLIP_LOCK_PREFIX = 'deepsteer-clip:';
/** Prefix of the lock a tab holds while it trains (one name per tab, so tabs never wait on each other). */
export const TRAINING_LOCK = 'deepsteer-training:';

export const clipLockName = (clipId: string): string => `${CLIP_LOCK_PREFIX}${clipId}`;

export interface TabLocks {
  /** True when the locks reach other tabs (the Web Locks API), false for the page-local fallback. */
  readonly shared: boolean;
  /** Waits until `name` is held exclusively by this page; call the returned function to release it. */
  hold(name: string): Promise<() => void>;
  /** Runs `fn` holding `name` if nobody holds it now; `{ ran: false }` when it is held (here or in another tab). */
  ifFree<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** Names held now that start with `prefix`, by any tab. */
  heldNames(prefix: string): Promise<string[]>;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export function webLocks(manager: LockManagerLike): TabLocks {
  return {
    shared: true,
    hold(name) {
      return new Promise((granted, refused) => {
        let release = (): void => {};
        const released = new Promise<void>((r) => (release = r));
        manager.request(name, {}, () => {
          granted(release);
          return released;
        }).catch(refused);
      });
    },
    async ifFree(name, fn) {
      let out: { ran: true; value: Awaited<ReturnType<typeof fn>> } | { ran: false } = { ran: false };
      await manager.request(name, { ifAvailable: true }, async (lock) => {
        if (lock) out = { ran: true, value: await fn() };
      });
      return out;
    },
    async heldNames(prefix) {
      const q = await manager.query();
      return (q.held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith(prefix));
    },
  };
}

/** Locks that hold within this page only (see the header for why this is the fallback). */
export function pageLocks(): TabLocks {
  const held = new Set<string>();
  const waiters = new Map<string, (() => void)[]>();
  const release = (name: string): void => {
    held.delete(name);
    const next = waiters.get(name)?.shift();
    if (next) next();
  };
  return {
    shared: false,
    hold(name) {
      return new Promise((granted) => {
        const take = (): void => {
          held.add(name);
          granted(() => release(name));
        };
        if (!held.has(name)) take();
        else waiters.set(name, [...(waiters.get(name) ?? []), take]);
      });
    },
    async ifFree(name, fn) {
      if (held.has(name)) return { ran: false };
      held.add(name);
      try {
        return { ran: true, value: await fn() };
      } finally {
        release(name);
      }
    },
    async heldNames(prefix) {
      return [...held].filter((n) => n.startsWith(prefix));
    },
  };
}

/** The browser's locks when it has them, else the page-local fallback. */
export function defaultTabLocks(): TabLocks {
  const manager = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return manager ? webLocks(manager) : pageLocks();
}
