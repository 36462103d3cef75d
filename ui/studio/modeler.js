// The designer studio's modeler page: the diagram (bpmn-js with our properties, live one-stop
// checks, minimap, token simulation), a tab per form (form-js editor with a preview) and per
// decision table (dmn-js), and the toolbar (undo/redo, search, validate, save, publish, import,
// export). It reads the page's config (#modeler-config) and talks to the urls it names.
import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import MinimapModule from 'diagram-js-minimap';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle } from 'bpmn-moddle';

import spiffworkflow from './spiffworkflow.json';
import { spiffPropertiesModule } from './provider.js';
import { translateModule } from './translate.js';
import { config as lintConfig, resolver as lintResolver } from './lint/index.js';
import { configure as configureLint } from './lint/context.js';
import { studio } from './bridge.js';
import { Tabs } from './tabs.js';
import { MetadataEditor } from './metadata.js';
import { t } from './texts.js';

const FORM_SUFFIX = '.form.json';
const DMN_SUFFIX = '.dmn';


/** "dd/mm/yyyy HH:MM" of an ISO time, as every page of the platform writes times. */
function localTime(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  const two = (n) => String(n).padStart(2, '0');
  return `${two(moment.getDate())}/${two(moment.getMonth() + 1)}/${moment.getFullYear()} ` +
    `${two(moment.getHours())}:${two(moment.getMinutes())}`;
}

function $(selector) {
  return document.querySelector(selector);
}

function download(name, blob) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // the browser reads the blob after the click returns; on a busy machine that can take
  // seconds, and a URL revoked before then silently cancels the download
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

async function postJson(url, body, csrf) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body)
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = { detail: `${response.status} ${response.statusText}` };
  }
  return { status: response.status, ok: response.ok, data };
}

class Studio {
  constructor(config) {
    this.config = config;
    this.lang = config.lang === 'en' ? 'en' : 'vi';
    this.readonly = config.mode !== 'edit';
    this.hash = config.hash;
    this.lintIssues = [];
    this.serverItems = null;
    this.importItems = null;
    configureLint(config);
    studio.config = config;
    studio.formNames = () => this.tabs.names().filter((n) => n.endsWith(FORM_SUFFIX));
    studio.decisionIds = () => this.tabs.decisionIds();
    studio.checkExpression = (body) => this.checkExpression(body);
  }

  async start() {
    const translate = translateModule(this.lang);
    const common = {
      container: '#canvas',
      moddleExtensions: { spiffworkflow },
      additionalModules: [translate, MinimapModule]
    };
    if (this.readonly) {
      this.modeler = new NavigatedViewer(common);
    } else {
      this.modeler = new Modeler({
        ...common,
        additionalModules: [
          translate,
          MinimapModule,
          BpmnPropertiesPanelModule,
          BpmnPropertiesProviderModule,
          spiffPropertiesModule,
          lintModule,
          TokenSimulationModule
        ],
        propertiesPanel: { parent: '#properties', layout: { groups: { 'mot-cua': { open: true } } } },
        linting: { active: true, bpmnlint: { config: lintConfig, resolver: lintResolver } }
      });
      this.modeler.on('linting.completed', ({ issues }) => {
        this.lintIssues = issues;
        this.renderProblems();
      });
      this.modeler.on('commandStack.changed', () => {
        this.dirty = true;
        this.updateUndo();
      });
      // leaving with edits not saved anywhere asks first: nothing is lost by a stray click
      window.addEventListener('beforeunload', (event) => {
        if (this.dirty || this.tabs.edited()) event.preventDefault();
      });
    }
    this.tabs = new Tabs(this, $('#studio-tabs'), $('#studio-panes'));
    for (const [name, text] of Object.entries(this.config.files)) {
      if (name.endsWith(FORM_SUFFIX)) this.tabs.addForm(name, text);
      else if (name.endsWith(DMN_SUFFIX)) this.tabs.addDecision(name, text);
    }
    this.metadata = new MetadataEditor({
      form: $('#metadata-form'),
      lang: this.lang,
      readonly: this.readonly,
      fields: this.config.fields,
      metadata: this.config.metadata,
      onChange: (metadata) => this.metadataChanged(metadata)
    });
    this.bindToolbar();
    const toggle = document.querySelector('.bts-toggle-mode');
    if (toggle) toggle.dataset.label = t(this.lang, 'Token simulation');
    await this.openDiagram(this.config.files[this.config.process_file] || '', { first: true });
    this.dirty = false;
    document.body.dataset.studioReady = 'true';
  }

  /** The details tab edited the metadata: saves carry it and the live checks read it again. */
  metadataChanged(metadata) {
    this.config.metadata = metadata;
    this.dirty = true;
    configureLint(this.config);
    if (!this.readonly) this.modeler.get('linting').update();
  }

  /** Field errors of a refusal shown on the details tab's fields; whether any was. */
  showFieldErrors(errors) {
    const placed = this.metadata.showErrors(errors || {});
    $('#studio-tabs [data-tab=metadata]').classList.toggle('has-errors', placed > 0);
    return placed > 0;
  }

  detailsRefused() {
    return `${t(this.lang, 'Some procedure details are not valid')} (${t(this.lang, 'Procedure details')})`;
  }

  // ---- diagram ------------------------------------------------------------------------------

  /** Opens `xml`; one without layout gets one; what cannot be read is listed, never thrown. */
  async openDiagram(xml, { first = false, fileName = null } = {}) {
    const items = [];
    const opened = await this.importXml(xml, items, first);
    const title = first ? t(this.lang, 'Opening the diagram')
      : `${t(this.lang, 'Import')}${fileName ? `: ${fileName}` : ''}`;
    this.importItems = !first || items.length ? { title, items } : null;
    this.renderProblems();
    if (!first && opened && this.config.urls.validate && !this.readonly) await this.validate();
    this.updateUndo();
  }

  /** Imports `xml` (laid out first when it has no DI); false, and the old diagram kept, when
   * it cannot be read. What was read with warnings is listed in `items`. */
  async importXml(xml, items, first) {
    let text = xml;
    if (!/<([\w-]+:)?BPMNShape\b/.test(text)) {
      try {
        text = await withLayout(text);
        items.push({ severity: 'info', message: t(this.lang, 'The diagram had no layout; one was generated.') });
      } catch (error) {
        items.push({ severity: 'error', message: `${t(this.lang, 'The diagram cannot be read')}: ${error.message}` });
        return false;
      }
    }
    const previous = first ? null : await this.saveDiagram().catch(() => null);
    try {
      const { warnings } = await this.modeler.importXML(text);
      for (const warning of warnings) {
        if (restoreReference(this.modeler.get('moddle'), warning)) continue;
        items.push({ severity: 'warn', message: readableWarning(this.lang, warning), element: warning.element && warning.element.id });
      }
      this.fit();
      return true;
    } catch (error) {
      items.push({ severity: 'error', message: `${t(this.lang, 'The diagram cannot be opened')}: ${error.message}` });
      if (previous) await this.modeler.importXML(previous);
      return false;
    }
  }

  /** The whole diagram in view, clear of the palette (left) and the simulation toggle (top). */
  fit() {
    const canvas = this.modeler.get('canvas');
    const { inner, outer } = canvas.viewbox();
    if (!inner.width || !inner.height) return;
    const pad = this.readonly
      ? { left: 30, top: 30, right: 30, bottom: 30 }
      : { left: 140, top: 70, right: 30, bottom: 60 };
    const scale = Math.min(
      (outer.width - pad.left - pad.right) / inner.width,
      (outer.height - pad.top - pad.bottom) / inner.height,
      1.2
    );
    const left = pad.left + (outer.width - pad.left - pad.right - inner.width * scale) / 2;
    const top = pad.top + (outer.height - pad.top - pad.bottom - inner.height * scale) / 2;
    canvas.viewbox({
      x: inner.x - left / scale,
      y: inner.y - top / scale,
      width: outer.width / scale,
      height: outer.height / scale
    });
  }

  async saveDiagram() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  async files() {
    const files = { ...this.config.files };
    files[this.config.process_file] = await this.saveDiagram();
    Object.assign(files, await this.tabs.texts());
    return files;
  }

  updateUndo() {
    if (this.readonly) return;
    const stack = this.modeler.get('commandStack');
    $('#undo').disabled = !stack.canUndo();
    $('#redo').disabled = !stack.canRedo();
  }

  // ---- toolbar ------------------------------------------------------------------------------

  bindToolbar() {
    const on = (id, handler) => {
      const button = document.getElementById(id);
      if (button) button.addEventListener('click', handler);
    };
    const urls = this.config.urls;
    for (const [id, url] of [['save', urls.save], ['publish', urls.publish], ['validate', urls.validate]]) {
      const button = document.getElementById(id);
      if (button && (!url || this.readonly)) button.hidden = true;
    }
    if (this.readonly) {
      for (const id of ['undo', 'redo', 'search', 'import-button', 'simulate', 'new-form']) {
        const button = document.getElementById(id);
        if (button) button.hidden = true;
      }
    }
    on('undo', () => this.modeler.get('commandStack').undo());
    on('redo', () => this.modeler.get('commandStack').redo());
    on('search', (event) => {
      // the pad closes on a click outside it: this click must not reach the document
      event.stopPropagation();
      this.tabs.show('diagram');
      this.modeler.get('searchPad').toggle();
    });
    on('simulate', () => {
      this.tabs.show('diagram');
      this.modeler.get('toggleMode').toggleMode();
      $('#simulate').classList.toggle('active');
    });
    on('validate', () => this.validate());
    on('save', () => this.save());
    on('publish', () => this.publish());
    on('export-bpmn', async () => {
      download(this.config.process_file, new Blob([await this.saveDiagram()], { type: 'application/xml' }));
    });
    on('export-svg', async () => {
      const { svg } = await this.modeler.saveSVG();
      download(this.config.process_file.replace(/\.bpmn$/, '.svg'), new Blob([svg], { type: 'image/svg+xml' }));
    });
    on('export-png', () => this.exportPng());
    on('import-button', () => $('#import-file').click());
    $('#import-file').addEventListener('change', async (event) => {
      const file = event.target.files[0];
      if (!file) return;
      this.tabs.show('diagram');
      await this.openDiagram(await file.text(), { fileName: file.name });
      event.target.value = '';
    });
    on('new-form', () => this.newForm());
    $('#problems').addEventListener('click', (event) => {
      const item = event.target.closest('[data-element]');
      if (item) this.selectElement(item.dataset.element);
    });
  }

  async exportPng() {
    const { svg } = await this.modeler.saveSVG();
    const image = new Image();
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = reject;
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    const scale = 2;
    canvas.width = image.width * scale;
    canvas.height = image.height * scale;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => download(this.config.process_file.replace(/\.bpmn$/, '.png'), blob), 'image/png');
  }

  newForm() {
    const raw = window.prompt(t(this.lang, 'Name of the new form (letters, digits, _)'), '');
    if (raw === null) return;
    const name = raw.trim().replace(/\.form\.json$/, '');
    if (!/^[a-z][a-z0-9_]{0,59}$/.test(name)) {
      this.setStatus(t(this.lang, 'A form name is lowercase letters, digits and _, starting with a letter.'), 'error');
      return;
    }
    const file = `${name}${FORM_SUFFIX}`;
    if (this.tabs.names().includes(file)) {
      this.setStatus(`${t(this.lang, 'This form exists already')}: ${file}`, 'error');
      return;
    }
    const schema = { type: 'default', id: name, schemaVersion: 16, components: [] };
    this.tabs.addForm(file, JSON.stringify(schema, null, 2), true);
    this.tabs.show(file);
  }

  selectElement(id) {
    this.tabs.show('diagram');
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    if (!this.readonly) this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
  }

  setStatus(text, kind = 'info') {
    const status = $('#studio-status');
    status.textContent = text;
    status.className = `studio-status ${kind}`;
  }

  async payload() {
    return { files: await this.files(), metadata: this.config.metadata };
  }

  async validate() {
    this.setStatus(t(this.lang, 'Checking on the server…'));
    const { ok, data } = await postJson(this.config.urls.validate, await this.payload(), this.config.csrf_token);
    if (!ok) {
      const onFields = this.showFieldErrors(data.errors);
      this.serverItems = { items: problemItems(data.problems || [], 'error'), detail: data.detail, errors: data.errors };
      this.setStatus(onFields ? this.detailsRefused()
        : data.detail || t(this.lang, 'The server refused the check'), 'error');
    } else {
      this.showFieldErrors({});
      this.serverItems = {
        items: [...problemItems(data.problems || [], 'error'), ...problemItems(data.warnings || [], 'warn')]
      };
      const count = (data.problems || []).length;
      this.setStatus(count
        ? `${t(this.lang, 'Problems stop publication')}: ${count}`
        : t(this.lang, 'No problem stops publication'), count ? 'error' : 'success');
    }
    this.renderProblems();
  }

  /** Save the draft; whether it was saved (a refusal is shown, nothing is lost). */
  async save() {
    const body = { ...(await this.payload()), base_hash: this.hash };
    const { status, data } = await postJson(this.config.urls.save, body, this.config.csrf_token);
    if (status === 200) {
      this.hash = data.hash;
      this.dirty = false;
      this.tabs.markSaved();
      this.showFieldErrors({});
      const when = data.saved_at ? localTime(data.saved_at) : '';
      this.setStatus(`${t(this.lang, 'Saved')} ${when} ${data.saved_by || ''}`.trim(), 'success');
      return true;
    }
    if (status === 409) {
      this.setStatus(data.detail || t(this.lang, 'Someone saved this draft after you opened it.'), 'error');
    } else {
      this.serverItems = { items: problemItems(data.problems || [], 'error'), errors: data.errors };
      const onFields = this.showFieldErrors(data.errors);
      this.setStatus(onFields ? this.detailsRefused() : data.detail || `${status}`, 'error');
      this.renderProblems();
    }
    return false;
  }

  /** Publish what is on the screen: unsaved edits are saved as the draft first. */
  async publish() {
    const note = window.prompt(t(this.lang, 'Change note for this version'), '');
    if (note === null) return;
    if ((this.dirty || this.tabs.edited() || !this.hash) && !(await this.save())) return;
    const body = { note, base_hash: this.hash };
    const { status, data } = await postJson(this.config.urls.publish, body, this.config.csrf_token);
    if (status === 201) {
      const version = data.procedure && data.procedure.version;
      this.hash = null; // the draft became the version: the next save starts a new one
      this.setStatus(`${t(this.lang, 'Published as version')} ${version}`, 'success');
    } else {
      const onFields = this.showFieldErrors(data.errors);
      this.serverItems = { items: problemItems(data.problems || [], 'error'), errors: data.errors };
      this.setStatus(onFields ? this.detailsRefused() : data.detail || `${status}`, 'error');
      this.renderProblems();
    }
  }

  /** The decision tab's trial: the procedure's decision tables as edited now, run on `inputs`. */
  async tryDecision(decisionId, inputs) {
    const texts = await this.tabs.texts();
    const files = Object.fromEntries(Object.entries(texts).filter(([name]) => name.endsWith(DMN_SUFFIX)));
    const body = { files, decision_id: decisionId, inputs };
    return postJson(this.config.urls.evaluate_decision, body, this.config.csrf_token);
  }

  async checkExpression(body) {
    const payload = { ...body, files: await this.files() };
    const { ok, data } = await postJson(this.config.urls.check_expression, payload, this.config.csrf_token);
    if (!ok) return { problems: data.problems || [{ message: data.detail || 'error' }] };
    return data;
  }

  // ---- the problems panel -------------------------------------------------------------------

  renderProblems() {
    const panel = $('#problems');
    panel.textContent = '';
    const section = (title, items, testid) => {
      const box = document.createElement('section');
      box.dataset.testid = testid;
      const heading = document.createElement('h3');
      heading.textContent = `${title} (${items.length})`;
      box.appendChild(heading);
      const list = document.createElement('ul');
      for (const item of items) {
        const row = document.createElement('li');
        row.className = `problem ${item.severity}`;
        if (item.element) {
          row.dataset.element = item.element;
          row.tabIndex = 0;
          row.title = t(this.lang, 'Show on the diagram');
        }
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = t(this.lang, item.severity === 'error' ? 'error' : item.severity === 'info' ? 'note' : 'warning');
        row.appendChild(badge);
        const message = document.createElement('span');
        message.className = 'message';
        message.textContent = item.message;
        row.appendChild(message);
        if (item.rule || item.element) {
          const where = document.createElement('small');
          where.textContent = [item.element, item.rule].filter(Boolean).join(' · ');
          row.appendChild(where);
        }
        list.appendChild(row);
      }
      if (!items.length) {
        const none = document.createElement('li');
        none.className = 'none';
        none.textContent = t(this.lang, 'Nothing to report');
        list.appendChild(none);
      }
      box.appendChild(list);
      panel.appendChild(box);
    };
    if (this.importItems) section(this.importItems.title, this.importItems.items, 'import-problems');
    if (!this.readonly) section(t(this.lang, 'Live checks'), lintItems(this.lintIssues, this.lang), 'lint-problems');
    if (this.serverItems) {
      const items = [...this.serverItems.items];
      for (const [field, messages] of Object.entries(this.serverItems.errors || {})) {
        items.push({ severity: 'error', message: `${field}: ${[].concat(messages).join(' ')}` });
      }
      section(t(this.lang, 'Server check'), items, 'server-problems');
    }
  }
}

function problemItems(problems, severity) {
  return problems.map((p) => ({
    severity,
    message: p.file && !p.element_id ? `${p.file}: ${p.message}` : p.message,
    element: p.element_id || null,
    rule: p.rule || null
  }));
}

function lintItems(issues, lang) {
  const items = [];
  const translate = translateModule(lang).translate[1];
  for (const [elementId, list] of Object.entries(issues || {})) {
    for (const issue of list) {
      items.push({
        severity: issue.category === 'error' ? 'error' : 'warn',
        message: translate(issue.message),
        element: elementId,
        rule: issue.rule
      });
    }
  }
  return items.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/**
 * A layout for a diagram without one. The semantics stay as read by our moddle (bpmn-auto-layout
 * reads with its own and would drop SpiffWorkflow's text references such as loopDataInputRef);
 * only the generated DI is taken from it. Tools that write no layout often leave out a node's
 * <incoming>/<outgoing>, which the layout follows: they are filled in from the flows.
 */
async function withLayout(xml) {
  const moddle = new BpmnModdle({ spiffworkflow });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  for (const warning of warnings) restoreReference(moddle, warning);
  const visit = (container) => {
    for (const element of container.flowElements || []) {
      if (element.$instanceOf('bpmn:SequenceFlow') && element.sourceRef && element.targetRef) {
        const outgoing = element.sourceRef.get('outgoing');
        const incoming = element.targetRef.get('incoming');
        if (!outgoing.includes(element)) outgoing.push(element);
        if (!incoming.includes(element)) incoming.push(element);
      }
      if (element.flowElements) visit(element);
    }
  };
  for (const root of rootElement.rootElements || []) {
    if (root.$instanceOf('bpmn:Process')) visit(root);
  }
  const laidOut = await layoutProcess((await moddle.toXML(rootElement)).xml);
  const { rootElement: withDi } = await moddle.fromXML(laidOut);
  rootElement.set('diagrams', withDi.diagrams);
  return (await moddle.toXML(rootElement, { format: true })).xml;
}

/**
 * SpiffWorkflow names a multi-instance collection by its variable (loopDataInputRef holds
 * text); bpmn-moddle reads it as an unresolved reference. Keep the name so it saves unchanged.
 */
function restoreReference(moddle, warning) {
  const match = /unresolved reference <([^>]+)>/.exec(warning.message || '');
  const property = warning.property || '';
  if (!match || !warning.element || !/loopData(Input|Output)Ref$/.test(property)) return false;
  warning.element.set(property, moddle.create('bpmn:ItemAwareElement', { id: match[1] }));
  return true;
}

function readableWarning(lang, warning) {
  const message = warning.message || String(warning);
  const unknown = /unknown type <([^>]+)>/.exec(message) || /unparsable content <([^>]+)>/.exec(message);
  if (unknown) return `${t(lang, 'Not understood, left out')}: ${unknown[1]}`;
  const unresolved = /unresolved reference <([^>]+)>/.exec(message);
  if (unresolved) return `${t(lang, 'Refers to something missing')}: ${unresolved[1]}`;
  return message;
}

const config = JSON.parse(document.getElementById('modeler-config').textContent);
const page = new Studio(config);
page.start().catch((error) => {
  page.setStatus(`${t(config.lang, 'The studio could not start')}: ${error.message}`, 'error');
  document.body.dataset.studioReady = 'error';
});
