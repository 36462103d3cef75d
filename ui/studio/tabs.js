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
    this.bar.querySelector('[data-tab=diagram]').addEventListener('click', () => this.show('diagram'));
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
    this.panes.parentElement.dataset.tab = file ? file.kind : 'diagram';
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
    file.editor = {
      text: async () => {
        const { xml } = await modeler.saveXML({ format: true });
        file.text = xml;
        return xml;
      }
    };
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
