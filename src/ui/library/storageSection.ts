// The Library's Storage section: reads the browser's estimate from the clip store, and asks it
// to keep the data (persistence) when the player presses "Keep my data". The drawing is
// storageView.ts.

import type { ClipStore } from '../../data/index.ts';
import { messageOf } from '../dom.ts';
import { createStorageView } from './storageView.ts';

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface StorageSectionOptions {
  readonly container: HTMLElement;
  readonly store: ClipStore;
  notify(text: string, kind: NoticeKind): void;
  /** The estimate was read (bytes still free, or null when the browser cannot say); the panel renders again. */
  changed(availableBytes: number | null): void;
}

export interface StorageSection {
  /** Reads the estimate again. */
  read(): Promise<void>;
  /** Draws it, with the bytes the listed clips take. */
  render(clipBytes: number): void;
  dispose(): void;
}

export function createStorageSection(opts: StorageSectionOptions): StorageSection {
  const { store, notify } = opts;
  let estimate: Awaited<ReturnType<ClipStore['storageEstimate']>> | null | undefined = undefined;
  let asking = false;
  let lastClipBytes = 0;
  const view = createStorageView(opts.container, { persist: () => void persist() });

  async function read(): Promise<void> {
    try {
      estimate = await store.storageEstimate();
    } catch {
      estimate = null;
    }
    opts.changed(estimate ? estimate.availableBytes : null);
  }

  async function persist(): Promise<void> {
    asking = true;
    view.render({ estimate, clipBytes: lastClipBytes, asking });
    try {
      const granted = await store.requestPersistence();
      notify(
        granted
          ? 'Your clips are kept: the browser will not clear them to free space.'
          : 'The browser declined to promise keeping your clips (it often agrees once the site is bookmarked or installed). Export what matters.',
        granted ? 'ok' : 'warn',
      );
    } catch (e) {
      notify(messageOf(e), 'error');
    } finally {
      asking = false;
      await read();
    }
  }

  return {
    read,
    render(clipBytes) {
      lastClipBytes = clipBytes;
      view.render({ estimate, clipBytes, asking });
    },
    dispose: () => view.dispose(),
  };
}
