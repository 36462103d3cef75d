// The tabs beside the diagram: one per form (form-js editor with a live preview) and one per
// decision table (dmn-js). Editors are made when their tab is first shown; until then the file's
// text is kept as it came.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import DmnModeler from 'dmn-js/lib/Modeler';
import DmnViewer from 'dmn-js/lib/Viewer';

import { t } from './texts.js';
import { translateModule } from './translate.js';

const DECISION_ID = /<(?:[\w-]+:)?decision\b[^>]*\bid="([^"]+)"/g;

export class Tabs {
  constructor(studio, bar, panes) {
    this.studio = studio;
    this.bar = bar;
    this.panes = panes;
    this.files = new Map(); // name -> {kind, text, editor, pane, button}
    for (const fixed of ['diagram', 'metadata']) {
      const button = this.bar.querySelector(`[data-tab=${fixed}]`);
      if (button) button.addEventListener('click', () => this.show(fixed));
    }
  }

  names() {
    return [...this.files.keys()];
  }

  decisionIds() {
    const ids = [];
    for (const file of this.files.values()) {
      if (file.kind !== 'dmn') continue;
      for (const match of file.text.matchAll(DECISION_ID)) ids.push(match[1]);
    }
    return ids;
  }

  addForm(name, text, isNew = false) {
    this.add(name, 'form', text, isNew);
  }

  addDecision(name, text) {
    this.add(name, 'dmn', text);
  }

  add(name, kind, text, isNew = false) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `tab tab-${kind}`;
    button.setAttribute('role', 'tab');
    button.dataset.tab = name;
    button.textContent = name;
    button.title = kind === 'form' ? t(this.studio.lang, 'Form') : t(this.studio.lang, 'Decision table');
    button.addEventListener('click', () => this.show(name));
    this.bar.insertBefore(button, this.bar.querySelector('#new-form'));
    const pane = document.createElement('div');
    pane.className = `pane pane-${kind}`;
    pane.dataset.pane = name;
    pane.hidden = true;
    this.panes.appendChild(pane);
    this.files.set(name, { kind, text, editor: null, pane, button, error: null, edited: isNew });
  }

  async show(name) {
    for (const button of this.bar.querySelectorAll('.tab')) {
      button.classList.toggle('active', button.dataset.tab === name);
      button.setAttribute('aria-selected', String(button.dataset.tab === name));
    }
    for (const pane of this.panes.querySelectorAll('.pane')) pane.hidden = pane.dataset.pane !== name;
    const file = this.files.get(name);
    this.panes.parentElement.dataset.tab = file ? file.kind : name;
    if (file && !file.editor && !file.error) {
      try {
        await (file.kind === 'form' ? this.openForm(file) : this.openDecision(file));
      } catch (error) {
        file.error = error;
        const message = document.createElement('p');
        message.className = 'pane-error';
        message.textContent = `${t(this.studio.lang, 'This file cannot be opened')}: ${error.message}`;
        file.pane.appendChild(message);
      }
    }
  }

  async openForm(file) {
    const schema = JSON.parse(file.text);
    const readonly = this.studio.readonly;
    const editorBox = document.createElement('div');
    editorBox.className = 'form-editor';
    const previewBox = document.createElement('div');
    previewBox.className = 'form-preview';
    const heading = document.createElement('h3');
    heading.textContent = t(this.studio.lang, 'Preview');
    const preview = document.createElement('div');
    previewBox.append(heading, preview);
    if (!readonly) file.pane.appendChild(editorBox);
    file.pane.appendChild(previewBox);
    const viewer = new Form({ container: preview });
    await viewer.importSchema(schema);
    if (readonly) {
      file.editor = { text: async () => file.text };
      return;
    }
    const editor = new FormEditor({ container: editorBox });
    await editor.importSchema(schema);
    let timer = null;
    editor.on('changed', () => {
      file.edited = true;
      clearTimeout(timer);
      timer = setTimeout(() => viewer.importSchema(editor.saveSchema()).catch(() => {}), 300);
    });
    file.editor = { text: async () => `${JSON.stringify(editor.saveSchema(), null, 2)}\n` };
  }

  async openDecision(file) {
    const box = document.createElement('div');
    box.className = 'dmn-editor';
    file.pane.appendChild(box);
    const Kind = this.studio.readonly ? DmnViewer : DmnModeler;
    // dmn-js gives each view its own additionalModules (common ones would be overridden)
    const translate = { additionalModules: [translateModule(this.studio.lang)] };
    const modeler = new Kind({
      container: box, drd: translate, decisionTable: translate, literalExpression: translate
    });
    await modeler.importXML(file.text);
    modeler.on('views.changed', () => {
      const viewer = modeler.getActiveViewer();
      if (viewer) viewer.on('commandStack.changed', () => { file.edited = true; });
    });
    const table = modeler.getViews().find((view) => view.type === 'decisionTable');
    if (table) await modeler.open(table);
    if (this.studio.config.urls.evaluate_decision) this.tryPanel(file, modeler);
    file.editor = {
      text: async () => {
        const { xml } = await modeler.saveXML({ format: true });
        file.text = xml;
        return xml;
      }
    };
  }

  /** The "try it" panel beside a decision table: a box per input of the open table, run on the
   * server with the procedure's decision tables as edited now. */
  tryPanel(file, modeler) {
    const lang = this.studio.lang;
    const values = new Map(); // input expression -> typed text, kept across redraws
    const panel = document.createElement('aside');
    panel.className = 'dmn-try';
    panel.dataset.testid = 'decision-try';
    file.pane.appendChild(panel);
    const draw = () => {
      const view = modeler.getActiveView();
      panel.textContent = '';
      const heading = document.createElement('h3');
      heading.textContent = t(lang, 'Try the table');
      panel.appendChild(heading);
      if (!view || view.type !== 'decisionTable') {
        panel.appendChild(note(t(lang, 'Open a decision table to try it.')));
        return;
      }
      const decision = view.element;
      const inputs = tableInputs(decision);
      const form = document.createElement('form');
      form.appendChild(note(t(lang, 'Type a value for each input: numbers and true/false are read as such, anything else as text.')));
      if (!inputs.length) form.appendChild(note(t(lang, 'The table has no input.')));
      for (const input of inputs) {
        const label = document.createElement('label');
        const title = document.createElement('span');
        title.textContent = input.label && input.label !== input.expression
          ? `${input.label} (${input.expression})` : input.expression;
        const box = document.createElement('input');
        box.type = 'text';
        box.dataset.input = input.expression;
        box.value = values.get(input.expression) || '';
        box.addEventListener('input', () => values.set(input.expression, box.value));
        label.append(title, box);
        form.appendChild(label);
      }
      const run = document.createElement('button');
      run.type = 'submit';
      run.className = 'dmn-try-run';
      run.textContent = t(lang, 'Try it');
      form.appendChild(run);
      const result = document.createElement('div');
      result.className = 'dmn-try-result';
      result.setAttribute('role', 'status');
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        result.className = 'dmn-try-result';
        result.textContent = t(lang, 'Running…');
        const typed = {};
        for (const input of inputs) {
          const text = (values.get(input.expression) || '').trim();
          if (text !== '') typed[input.expression] = typedValue(text);
        }
        showTrial(result, lang, await this.studio.tryDecision(decision.id, typed));
      });
      panel.append(form, result);
    };
    draw();
    modeler.on('views.changed', () => {
      draw();
      const viewer = modeler.getActiveViewer();
      if (viewer) viewer.on('commandStack.changed', draw);
    });
    const viewer = modeler.getActiveViewer();
    if (viewer) viewer.on('commandStack.changed', draw);
  }

  /** Whether a form or decision table changed since it was opened or saved. */
  edited() {
    return [...this.files.values()].some((file) => file.edited);
  }

  markSaved() {
    for (const file of this.files.values()) file.edited = false;
  }

  /** name -> text of every form and decision table, as edited. */
  async texts() {
    const texts = {};
    for (const [name, file] of this.files) {
      texts[name] = file.editor ? await file.editor.text() : file.text;
    }
    return texts;
  }
}

function note(text) {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}

/** The open table's inputs: what each reads (its input expression) and its label. */
function tableInputs(decision) {
  const table = decision.decisionLogic;
  if (!table || !table.input) return [];
  return table.input
    .map((input) => ({
      expression: ((input.inputExpression && input.inputExpression.text) || '').trim(),
      label: input.label || ''
    }))
    .filter((input) => input.expression);
}

/** A number, true/false (any JSON) as itself; anything else as the text typed. */
function typedValue(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return text;
  }
}

function showTrial(box, lang, { ok, data }) {
  box.textContent = '';
  if (!ok) {
    box.className = 'dmn-try-result error';
    const messages = [].concat(...Object.values(data.errors || {}));
    const detail = messages.length ? messages.join(' ') : data.detail;
    const problems = (data.problems || []).map((problem) => problem.message);
    box.textContent = [detail, ...problems].filter(Boolean).join(' ');
    return;
  }
  box.className = 'dmn-try-result ok';
  const heading = document.createElement('h4');
  heading.textContent = t(lang, 'Outputs');
  box.appendChild(heading);
  const names = Object.keys(data.outputs || {});
  if (!names.length) {
    box.appendChild(note(t(lang, 'No rule matched.')));
    return;
  }
  const list = document.createElement('dl');
  for (const name of names) {
    const term = document.createElement('dt');
    term.textContent = name;
    const value = document.createElement('dd');
    value.dataset.output = name;
    value.textContent = JSON.stringify(data.outputs[name]);
    list.append(term, value);
  }
  box.appendChild(list);
}
