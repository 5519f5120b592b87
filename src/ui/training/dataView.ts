// The Data section's view: how clips are split (library tags, or a seeded hold-out share), the
// clips with a tick to leave each out and the set it lands in, the frame and example counts of
// both sets, and why training cannot start with this split. Shows a SplitPlan; reports edits.

import type { ClipPlan, SplitChoice, SplitPlan } from './dataSplit.ts';
import { MAX_HOLDOUT_PERCENT } from './dataSplit.ts';
import { parseNumber } from './configForm.ts';
import { el } from '../dom.ts';
import type { ClipInfo } from './trainingContract.ts';

export interface DataViewState {
  readonly clips: readonly ClipInfo[];
  readonly excluded: ReadonlySet<string>;
  readonly choice: SplitChoice;
  readonly plan: SplitPlan;
  readonly locked: boolean;
  /** The clip list has not been read yet. */
  readonly loading: boolean;
}

export interface DataViewIntents {
  choice(choice: SplitChoice): void;
  include(clipId: string, included: boolean): void;
}

export interface DataView {
  update(state: DataViewState): void;
  dispose(): void;
}

const ROLE_LABELS: Record<ClipPlan['role'], string> = { train: 'train', val: 'val', unused: '—' };

export function createDataView(container: HTMLElement, intents: DataViewIntents): DataView {
  let state: DataViewState | null = null;
  let lastHoldout = { percent: 20, seed: 1 };
  let lastUntagged: 'train' | 'val' | 'skip' = 'train';

  const byTags = el('input', { type: 'radio', name: 'trn-split', value: 'tags', 'data-testid': 'split-tags' });
  const byHoldout = el('input', { type: 'radio', name: 'trn-split', value: 'holdout', 'data-testid': 'split-holdout' });
  const untagged = el('select', { 'data-testid': 'split-untagged', 'aria-label': 'Untagged clips' },
    el('option', { value: 'train' }, 'train'), el('option', { value: 'val' }, 'validate'), el('option', { value: 'skip' }, 'are left out'));
  const percent = el('input', { type: 'number', min: 0, max: MAX_HOLDOUT_PERCENT, step: 5, class: 'trn-short', 'data-testid': 'split-percent', 'aria-label': 'Hold-out percent' });
  const seed = el('input', { type: 'number', min: 0, step: 1, class: 'trn-short', 'data-testid': 'split-seed', 'aria-label': 'Hold-out seed' });
  for (const i of [percent, seed]) {
    i.addEventListener('keydown', (e) => e.stopPropagation());
    i.addEventListener('keyup', (e) => e.stopPropagation());
  }

  const emitHoldout = (): void => {
    const p = parseNumber(percent.value);
    const s = parseNumber(seed.value);
    lastHoldout = { percent: p ?? Number.NaN, seed: s !== null && Number.isInteger(s) && s >= 0 ? s : lastHoldout.seed };
    intents.choice({ mode: 'holdout', ...lastHoldout });
  };
  byTags.addEventListener('change', () => intents.choice({ mode: 'tags', untagged: lastUntagged }));
  byHoldout.addEventListener('change', emitHoldout);
  untagged.addEventListener('change', () => {
    lastUntagged = untagged.value as typeof lastUntagged;
    intents.choice({ mode: 'tags', untagged: lastUntagged });
  });
  percent.addEventListener('input', emitHoldout);
  seed.addEventListener('input', emitHoldout);

  const modes = el(
    'div',
    { class: 'trn-split-modes' },
    el('label', { class: 'trn-radio' }, byTags, el('span', {}, "By the library's tags; untagged clips "), untagged),
    el('label', { class: 'trn-radio' }, byHoldout, el('span', {}, 'Hold out '), percent, el('span', {}, '% of the clips (whole clips), seed '), seed),
  );
  const rows = el('tbody');
  const table = el('div', { class: 'trn-clips' }, el('table', { class: 'ds-table', 'data-testid': 'split-clips' },
    el('thead', {}, el('tr', {},
      el('th', { class: 'trn-cb' }, ''), el('th', {}, 'Clip'), el('th', { class: 'trn-num' }, 'Frames'), el('th', { class: 'trn-num', title: 'Windows it yields (per camera)' }, 'Examples'), el('th', {}, 'Set'))),
    rows));
  const summary = el('div', { class: 'trn-split-summary', 'data-testid': 'split-summary' });
  const error = el('div', { class: 'trn-error', role: 'alert', 'data-testid': 'split-error' });
  const warning = el('div', { class: 'trn-warn', 'data-testid': 'split-warning' });
  const root = el('div', { class: 'trn-data' }, modes, table, summary, error, warning);
  container.append(root);

  const count = (n: number): string => n.toLocaleString('en-US');

  function renderRows(s: DataViewState): void {
    if (s.loading) {
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'ds-muted' }, 'Reading the library…')));
      return;
    }
    if (s.clips.length === 0) {
      rows.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'ds-muted' }, 'No clips yet.')));
      return;
    }
    const plans = new Map(s.plan.clips.map((p) => [p.id, p]));
    rows.replaceChildren(...s.clips.map((c) => {
      const p = plans.get(c.id);
      const role = p?.role ?? 'unused';
      const cb = el('input', { type: 'checkbox', 'data-testid': 'clip-include', 'data-clip-id': c.id, 'aria-label': `Use ${c.name}`, checked: !s.excluded.has(c.id), disabled: s.locked || !c.complete });
      cb.addEventListener('change', () => intents.include(c.id, cb.checked));
      const tag = c.tag ? el('span', { class: `trn-tag trn-tag-${c.tag}` }, c.tag) : '';
      return el('tr', { class: `trn-role-${role}`, 'data-testid': 'split-clip-row', 'data-clip-id': c.id, 'data-role': role },
        el('td', { class: 'trn-cb' }, cb),
        el('td', { class: 'trn-clip-name', title: `${c.name} · ${c.trackId} · ${c.theme} · ${c.frameWidth}x${c.frameHeight}` }, el('span', {}, c.name), tag),
        el('td', { class: 'trn-num' }, count(c.frameCount)),
        el('td', { class: 'trn-num' }, p ? count(p.examples) : '–'),
        el('td', { title: p?.reason ?? '' }, el('span', { class: `trn-role trn-role-badge-${role}` }, role === 'unused' ? (p?.reason ?? ROLE_LABELS.unused) : ROLE_LABELS[role])));
    }));
  }

  return {
    update(s) {
      const prev = state;
      state = s;
      const { choice, plan, locked } = s;
      byTags.checked = choice.mode === 'tags';
      byHoldout.checked = choice.mode === 'holdout';
      if (choice.mode === 'tags') {
        lastUntagged = choice.untagged;
        untagged.value = choice.untagged;
      } else {
        lastHoldout = { percent: choice.percent, seed: choice.seed };
        if (document.activeElement !== percent) percent.value = Number.isFinite(choice.percent) ? String(choice.percent) : '';
        if (document.activeElement !== seed) seed.value = String(choice.seed);
      }
      if (choice.mode === 'tags' && percent.value === '') {
        percent.value = String(lastHoldout.percent);
        seed.value = String(lastHoldout.seed);
      }
      for (const c of [byTags, byHoldout, untagged, percent, seed]) c.disabled = locked;
      untagged.disabled = locked || choice.mode !== 'tags';
      percent.disabled = seed.disabled = locked || choice.mode !== 'holdout';
      if (!prev || prev.clips !== s.clips || prev.plan !== s.plan || prev.excluded !== s.excluded || prev.locked !== s.locked || prev.loading !== s.loading) renderRows(s);
      const set = (label: string, n: { clips: number; frames: number; examples: number }): HTMLElement =>
        el('span', { class: 'trn-set' }, el('b', {}, label), ` ${n.clips} clip${n.clips === 1 ? '' : 's'} · ${count(n.frames)} frames · ${count(n.examples)} examples`);
      summary.replaceChildren(set('Train', plan.train), set('Validation', plan.val));
      error.hidden = plan.error === null || s.loading;
      error.textContent = plan.error ?? '';
      warning.hidden = plan.warnings.length === 0 || s.loading;
      warning.textContent = plan.warnings.join(' ');
    },
    dispose() {
      root.remove();
    },
  };
}
