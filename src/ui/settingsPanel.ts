// The Settings panel: a form drawn from field descriptions, so each layer's settings (input,
// camera, recording, autopilot, ML backend) are described where they are owned and shown here.
// It reports each change; the app validates, applies and persists it.

export type SettingValue = number | string | boolean;

export type SettingField =
  | { kind: 'range'; key: string; label: string; min: number; max: number; step: number; unit?: string; help?: string }
  | { kind: 'select'; key: string; label: string; options: readonly { value: string; label: string }[]; help?: string }
  | { kind: 'checkbox'; key: string; label: string; help?: string }
  | { kind: 'text'; key: string; label: string; maxLength: number; help?: string };

export interface SettingSection {
  title: string;
  fields: readonly SettingField[];
}

export interface SettingsPanel {
  /** Shows current values (after loading or after the app corrected one). */
  setValues(values: Readonly<Record<string, SettingValue>>): void;
  dispose(): void;
}

export function createSettingsPanel(
  container: HTMLElement,
  sections: readonly SettingSection[],
  onChange: (key: string, value: SettingValue) => void,
): SettingsPanel {
  const inputs = new Map<string, { field: SettingField; el: HTMLInputElement | HTMLSelectElement; out?: HTMLElement }>();
  const root = document.createElement('div');
  root.setAttribute('data-testid', 'settings-panel');
  for (const section of sections) {
    const sec = document.createElement('section');
    sec.className = 'ds-section';
    const h = document.createElement('h3');
    h.textContent = section.title;
    sec.append(h);
    for (const f of section.fields) {
      const row = document.createElement('label');
      row.className = 'ds-row';
      row.style.justifyContent = 'space-between';
      const name = document.createElement('span');
      name.textContent = f.label;
      if (f.help) name.title = f.help;
      let el: HTMLInputElement | HTMLSelectElement;
      let out: HTMLElement | undefined;
      if (f.kind === 'select') {
        el = document.createElement('select');
        for (const o of f.options) {
          const opt = document.createElement('option');
          opt.value = o.value;
          opt.textContent = o.label;
          el.append(opt);
        }
      } else {
        el = document.createElement('input');
        if (f.kind === 'range') {
          Object.assign(el, { type: 'range', min: String(f.min), max: String(f.max), step: String(f.step) });
          out = document.createElement('output');
          out.style.minWidth = '5em';
        } else if (f.kind === 'checkbox') {
          el.type = 'checkbox';
        } else {
          el.type = 'text';
          el.maxLength = f.maxLength;
          el.addEventListener('keydown', (e) => e.stopPropagation()); // typing must not drive the car
        }
      }
      el.setAttribute('data-testid', `setting-${f.key}`);
      const emit = (): void => {
        const v = f.kind === 'checkbox' ? (el as HTMLInputElement).checked : f.kind === 'range' ? Number(el.value) : el.value;
        if (out && f.kind === 'range') out.textContent = `${el.value}${f.unit ?? ''}`;
        onChange(f.key, v);
      };
      el.addEventListener(f.kind === 'range' ? 'input' : 'change', emit);
      row.append(name, ...(out ? [el, out] : [el]));
      sec.append(row);
      inputs.set(f.key, { field: f, el, ...(out ? { out } : {}) });
    }
    root.append(sec);
  }
  container.replaceChildren(root);
  return {
    setValues(values) {
      for (const [key, v] of Object.entries(values)) {
        const entry = inputs.get(key);
        if (!entry) continue;
        if (entry.field.kind === 'checkbox') (entry.el as HTMLInputElement).checked = Boolean(v);
        else entry.el.value = String(v);
        if (entry.out && entry.field.kind === 'range') entry.out.textContent = `${v}${entry.field.unit ?? ''}`;
      }
    },
    dispose() {
      root.remove();
    },
  };
}
