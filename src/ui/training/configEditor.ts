// The Model section's view: the form of the choices that matter (configForm.ts's fields), the
// whole config as JSON for everything else, and what the config builds (parameters, multiply-
// adds per frame against re-encoding the whole window, a per-layer table) or the validation
// error naming the field. It shows the state it is given and reports edits; the panel owns the
// config and validates it.

import {
  configText, FORM_FIELDS, type FieldSpec, type FieldValue, fieldsNamedIn, GROUP_LABELS, type FieldGroup, isEnabled, isShown, type Json,
  parseConfigText, parseNumber, readField,
} from './configForm.ts';
import { el } from '../dom.ts';
import { formatBig, formatCount, formatShape } from './format.ts';
import type { ConfigCheck, ModelDescriptionLike } from './trainingContract.ts';

export interface ConfigEditorState {
  readonly config: Json;
  /** The last validation, or 'pending' while an async validate runs. */
  readonly check: ConfigCheck | 'pending';
  /** The JSON editor's text does not parse (the config above is the last one that did). */
  readonly jsonError: string | null;
  /** A run is going: edits wait until it ends. */
  readonly locked: boolean;
}

export interface ConfigEditorIntents {
  /** A form field changed. */
  field(field: FieldSpec, value: FieldValue): void;
  /** The JSON editor holds this config now (parsed, not validated). */
  json(config: Json): void;
  /** The JSON editor's text does not parse. */
  jsonInvalid(message: string): void;
  reset(): void;
}

export interface ConfigEditor {
  update(state: ConfigEditorState): void;
  dispose(): void;
}

type Control = HTMLSelectElement | HTMLInputElement;

export function createConfigEditor(container: HTMLElement, intents: ConfigEditorIntents): ConfigEditor {
  const controls = new Map<string, { field: FieldSpec; control: Control; wrap: HTMLElement }>();
  const groups = new Map<FieldGroup, HTMLElement>();
  const root = el('div', { class: 'trn-config' });

  for (const field of FORM_FIELDS) {
    let grid = groups.get(field.group);
    if (!grid) {
      grid = el('div', { class: 'trn-grid' });
      groups.set(field.group, grid);
      root.append(el('fieldset', { class: 'trn-group' }, el('legend', {}, GROUP_LABELS[field.group]), grid));
    }
    const testId = `cfg-${field.id}`;
    let control: Control;
    if (field.kind === 'select') {
      control = el('select', { 'data-testid': testId });
      for (const o of field.options) control.append(el('option', { value: o.value }, o.label));
      control.addEventListener('change', () => intents.field(field, control.value));
    } else if (field.kind === 'number') {
      control = el('input', { type: 'number', step: 'any', inputmode: 'decimal', 'data-testid': testId, min: field.min, max: field.max });
      control.addEventListener('input', () => intents.field(field, parseNumber((control as HTMLInputElement).value)));
    } else {
      control = el('input', { type: 'checkbox', 'data-testid': testId });
      control.addEventListener('change', () => intents.field(field, (control as HTMLInputElement).checked));
    }
    const wrap = field.kind === 'switch'
      ? el('label', { class: 'trn-field trn-switch', title: field.hint }, control, el('span', {}, field.label))
      : el('label', { class: 'trn-field', title: field.hint }, el('span', { class: 'trn-label' }, field.label), control);
    // Typing in a box must not steer the car.
    control.addEventListener('keydown', (e) => e.stopPropagation());
    control.addEventListener('keyup', (e) => e.stopPropagation());
    grid.append(wrap);
    controls.set(field.id, { field, control, wrap });
  }

  // The whole config as JSON (DeepTesla let its users edit the network this way).
  const textarea = el('textarea', { class: 'ds-code trn-json-text', 'data-testid': 'config-json', spellcheck: 'false', 'aria-label': 'Model config (JSON)' });
  textarea.addEventListener('input', () => {
    const parsed = parseConfigText(textarea.value);
    if (parsed.ok) intents.json(parsed.config);
    else intents.jsonInvalid(parsed.message);
  });
  textarea.addEventListener('keydown', (e) => e.stopPropagation());
  textarea.addEventListener('keyup', (e) => e.stopPropagation());
  const resetBtn = el('button', { type: 'button', class: 'ds-btn trn-small', 'data-testid': 'config-reset' }, 'Reset to defaults');
  resetBtn.addEventListener('click', () => intents.reset());
  const json = el(
    'details',
    { class: 'trn-json' },
    el('summary', { 'data-testid': 'config-json-open' }, 'Advanced (JSON)'),
    el('p', { class: 'ds-muted trn-note' }, 'The whole config: conv layers, hidden widths, heads, augmentation amounts… Edits apply as you type; the form follows.'),
    textarea,
    el('div', { class: 'ds-row' }, resetBtn),
  );

  const error = el('div', { class: 'trn-error', role: 'alert', 'data-testid': 'config-error' });
  const params = el('div', { class: 'trn-stats', 'data-testid': 'config-params' });
  const layerRows = el('tbody');
  const layers = el(
    'details',
    { class: 'trn-layers' },
    el('summary', { 'data-testid': 'config-layers-open' }, 'Layers'),
    el('table', { class: 'ds-table trn-layer-table', 'data-testid': 'config-layers' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Layer'), el('th', {}, 'Output'), el('th', { class: 'trn-num' }, 'Params'), el('th', { class: 'trn-num', title: 'Multiply-adds for each new frame while driving' }, 'MACs/frame'))),
      layerRows),
  );
  root.append(error, params, layers, json);
  container.append(root);

  let shownDescription: ModelDescriptionLike | null = null;

  function showDescription(d: ModelDescriptionLike): void {
    if (d === shownDescription) return;
    shownDescription = d;
    const stat = (value: string, label: string, title: string): HTMLElement =>
      el('div', { class: 'trn-stat', title }, el('b', {}, value), el('span', {}, label));
    const tiles = [
      stat(formatBig(d.params.total), 'parameters', `encoder ${formatCount(d.params.encoder)}, recurrent ${formatCount(d.params.recurrent)}, heads ${formatCount(d.params.heads)}`),
      stat(formatBig(d.macsPerFrame.total), 'multiply-adds / frame', 'Each new frame is encoded once and its embedding kept in a ring buffer; the recurrent part steps over the last T embeddings'),
    ];
    if (d.window > 1) {
      const ratio = d.naiveMacsPerFrame / Math.max(1, d.macsPerFrame.total);
      tiles.push(stat(`${formatBig(d.naiveMacsPerFrame)} (${ratio.toFixed(1)}×)`, `if all ${d.window} frames were re-encoded`, 'What every tick would cost without the ring buffer'));
    }
    params.replaceChildren(...tiles);
    layerRows.replaceChildren(...d.layers.map((l) => el('tr', {},
      el('td', {}, l.name, el('span', { class: 'trn-kind' }, l.kind)),
      el('td', {}, formatShape(l.outputShape)),
      el('td', { class: 'trn-num' }, formatCount(l.params)),
      el('td', { class: 'trn-num' }, formatCount(l.macsPerFrame)))));
    (layers.querySelector('summary') as HTMLElement).textContent = `Layers (${d.layers.length})`;
  }

  return {
    update(state) {
      const { config, check, jsonError, locked } = state;
      const message = jsonError ?? (check !== 'pending' && !check.ok ? check.message : null);
      const marked = new Set(message && !jsonError ? fieldsNamedIn(message, config) : []);
      for (const { field, control, wrap } of controls.values()) {
        wrap.hidden = !isShown(field, config);
        const enabled = isEnabled(field, config);
        control.disabled = locked || !enabled;
        wrap.classList.toggle('trn-off', !enabled);
        control.toggleAttribute('aria-invalid', marked.has(field.id));
        if (document.activeElement === control && field.kind === 'number') continue; // the player is typing in it
        const v = readField(config, field);
        if (field.kind === 'switch') (control as HTMLInputElement).checked = v === true;
        else if (field.kind === 'select') {
          // A value the form does not list (set in the JSON) shows as itself.
          if (typeof v === 'string' && ![...(control as HTMLSelectElement).options].some((o) => o.value === v)) control.append(el('option', { value: v }, v));
          control.value = typeof v === 'string' ? v : '';
        } else control.value = v === null ? '' : String(v);
      }
      textarea.readOnly = locked;
      resetBtn.disabled = locked;
      // Rewrite the JSON unless it already says this config (the player's own formatting stays).
      if (!jsonError) {
        const shown = parseConfigText(textarea.value);
        if (!shown.ok || JSON.stringify(shown.config) !== JSON.stringify(config)) textarea.value = configText(config);
      }
      error.hidden = message === null;
      error.textContent = message ?? '';
      // The figures of a valid config; while an async check runs the last ones stay, greyed.
      const valid = check !== 'pending' && check.ok;
      if (valid) showDescription(check.description);
      const show = shownDescription !== null && message === null && (valid || check === 'pending');
      params.classList.toggle('trn-stale', check === 'pending');
      params.hidden = !show;
      layers.hidden = !show;
    },
    dispose() {
      root.remove();
    },
  };
}
