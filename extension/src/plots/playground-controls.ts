/**
 * The playground's settings as controls, made from the one table of settings
 * (PLAYGROUND_PARAMS): a select per list setting, a textarea for the pasted text, grouped as
 * the table groups them (data, model, training). A control that does not apply to the chosen
 * task and model is hidden (and disabled, so no test or keyboard reaches it), and shown again
 * as soon as the task or the model changes back.
 */
import {
  PLAYGROUND_PARAM_NAMES, PLAYGROUND_PARAMS, playgroundParamApplies, type PlaygroundParam, type PlaygroundState,
} from "seqlab/schema";

const GROUPS = ["data", "model", "training"] as const;

export interface PlaygroundControls {
  /** The settings the controls show now (every one, applying or not: the state is whole). */
  read(): PlaygroundState;
  /** Called after any control changes, with the new settings. */
  onChange(listener: (state: PlaygroundState) => void): void;
}

type Control = HTMLSelectElement | HTMLTextAreaElement;

export function playgroundControls(parent: HTMLElement, start: PlaygroundState): PlaygroundControls {
  const box = document.createElement("div");
  box.className = "seqlab-playground-settings";
  const controls = new Map<PlaygroundParam, { label: HTMLLabelElement; control: Control }>();
  for (const group of GROUPS) {
    const set = document.createElement("fieldset");
    set.className = "seqlab-playground-group";
    set.dataset.group = group;
    const legend = document.createElement("legend");
    legend.textContent = group;
    set.appendChild(legend);
    for (const key of PLAYGROUND_PARAM_NAMES.filter((k) => PLAYGROUND_PARAMS[k].group === group)) {
      const param = PLAYGROUND_PARAMS[key];
      const label = document.createElement("label");
      label.title = param.help;
      const name = document.createElement("span");
      name.textContent = param.label;
      let control: Control;
      if ("kind" in param) {
        const area = document.createElement("textarea");
        area.className = "seqlab-playground-text";
        area.maxLength = param.maxLength;
        area.rows = 3;
        area.spellcheck = false;
        // A property, not markup: whatever the text holds stays text.
        area.value = start.text;
        control = area;
      } else {
        const select = document.createElement("select");
        select.className = "seqlab-select";
        const choices: readonly (string | number | boolean)[] = param.choices;
        choices.forEach((choice, k) => {
          const option = document.createElement("option");
          option.value = String(k);
          option.textContent = String(choice);
          option.selected = choice === start[key];
          select.appendChild(option);
        });
        control = select;
      }
      control.dataset.setting = key;
      label.append(name, control);
      set.appendChild(label);
      controls.set(key, { label, control });
    }
    box.appendChild(set);
  }
  parent.appendChild(box);

  const read = (): PlaygroundState => {
    const entries = PLAYGROUND_PARAM_NAMES.map((key) => {
      const param = PLAYGROUND_PARAMS[key];
      const control = controls.get(key)!.control;
      if ("kind" in param) return [key, control.value.slice(0, param.maxLength)];
      const choices: readonly (string | number | boolean)[] = param.choices;
      return [key, choices[Number(control.value)]];
    });
    return Object.fromEntries(entries) as PlaygroundState;
  };
  const applyShown = (state: PlaygroundState): void => {
    for (const [key, { label, control }] of controls) {
      const applies = playgroundParamApplies(key, state);
      label.hidden = !applies;
      control.disabled = !applies;
    }
  };
  applyShown(start);
  const listeners: ((state: PlaygroundState) => void)[] = [];
  // "input" for the textarea (each keystroke), "change" for the selects.
  for (const kind of ["change", "input"]) {
    box.addEventListener(kind, () => {
      const state = read();
      applyShown(state);
      for (const l of listeners) l(state);
    });
  }
  return { read, onChange: (l) => void listeners.push(l) };
}
