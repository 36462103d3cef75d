// The "procedure details" tab: the metadata a save carries (ProcedureMetadataIn), edited as a
// form. Every edit hands the whole metadata to `onChange`, so the live checks that read it
// (limit-sum, supplement-path) follow it and save/publish send it. The server's field errors
// (422 `errors`, keyed `time_limit`, `metadata.fee`, `required_documents.0.count`...) show on
// the fields they name.
import { t } from './texts.js';

const DOCUMENT_KINDS = ['original', 'copy', 'either'];
const FEE_KEYS = {
  free: [],
  fixed: ['amount', 'per_copy'],
  per_page: ['first_pages', 'first_price', 'next_price', 'cap'],
  decision: ['decision']
};
const FEE_REQUIRED = new Set(['amount', 'first_pages', 'first_price', 'next_price', 'decision']);
/** The figures a designer may mark as not confirmed by an official source. */
const UNCONFIRMED_KEYS = ['national_code', 'time_limit', 'fee', 'supplement_days', 'legal_basis', 'required_documents'];
const NATIONAL_CODE = /^[0-9]\.[0-9]{6}$/;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

/** A whole number typed in a box; the text itself when it is not one (the server names it). */
function count(text) {
  const value = text.trim();
  if (value === '') return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function clone(value) {
  return JSON.parse(JSON.stringify(value ?? null));
}

export class MetadataEditor {
  constructor({ form, lang, readonly, fields, metadata, onChange }) {
    this.form = form;
    this.lang = lang;
    this.readonly = readonly;
    this.fields = fields || [];
    this.meta = clone(metadata) || {};
    this.onChange = onChange;
    this.errors = {};
    this.form.addEventListener('submit', (event) => event.preventDefault());
    this.render();
  }

  t(text) {
    return t(this.lang, text);
  }

  value() {
    return clone(this.meta);
  }

  changed() {
    this.onChange(this.value());
  }

  set(key, value) {
    if (value === undefined) delete this.meta[key];
    else this.meta[key] = value;
    this.changed();
  }

  /** Field errors of the server, by field; `{}` clears them. How many were placed. */
  showErrors(errors) {
    const placed = {};
    for (const [key, messages] of Object.entries(errors || {})) {
      const field = key.replace(/^metadata\./, '').split('.')[0];
      if (!this.form.querySelector(`[data-field="${field}"]`)) continue;
      (placed[field] = placed[field] || []).push(...[].concat(messages).map((m) => (
        typeof m === 'string' ? m : JSON.stringify(m))));
    }
    this.errors = placed;
    this.renderErrors();
    const first = this.form.querySelector('.mf-field.invalid');
    if (first && !this.form.closest('[hidden]')) first.scrollIntoView({ block: 'nearest' });
    return Object.keys(placed).length;
  }

  renderErrors() {
    for (const box of this.form.querySelectorAll('[data-field]')) {
      const messages = this.errors[box.dataset.field] || [];
      box.classList.toggle('invalid', messages.length > 0);
      const list = box.querySelector(':scope > .mf-errors');
      list.textContent = '';
      for (const message of messages) list.append(el('li', { text: message }));
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  render() {
    this.form.textContent = '';
    const m = this.meta;
    this.form.append(
      el('h2', { text: this.t('Procedure details') }),
      el('p', { className: 'mf-intro', text: this.t('What the reception desk and the citizen portal show; saved with the draft.') }),
      el('div', { className: 'mf-grid' },
        this.field('code', this.t('Procedure code'), el('input', { type: 'text', value: m.code || '', disabled: true })),
        this.field('national_code', this.t('National procedure code'), this.nationalCode(), this.t('e.g. 1.004222: one digit, a dot, six digits')),
        this.field('name_vi', this.t('Name in Vietnamese'), this.text('name_vi', 300), null, true),
        this.field('name_en', this.t('Name in English'), this.text('name_en', 300), null, true),
        this.field('field', this.t('Field'), this.fieldSelect(), null, true),
        this.field('time_limit', this.t('Statutory time limit'), this.timeLimit(), this.t('0 days: settled the same day'), true),
        this.field('supplement_days', this.t('Days to supplement'), this.number('supplement_days', 1, 60), this.t('working days the applicant has to bring missing papers (1–60)')),
        this.field('fee', this.t('Fee'), this.fee(), null, false, 'full'),
        this.field('legal_basis', this.t('Legal basis'), this.legalBasis(), null, false, 'full'),
        this.field('required_documents', this.t('Required documents'), this.documents(), this.t('the reception desk ticks them off as a checklist'), false, 'full'),
        this.field('unconfirmed', this.t('Unconfirmed figures'), this.unconfirmed(), this.t('figures no official source has confirmed yet'), false, 'full')
      )
    );
    for (const control of this.form.querySelectorAll('input, select, textarea')) {
      if (this.readonly) control.disabled = true;
    }
    this.renderErrors();
  }

  field(key, title, control, hint = null, required = false, wide = '') {
    const id = `mf-${key}`;
    const first = control.matches && control.matches('input, select, textarea')
      ? control : null;
    if (first) first.id = id;
    return el('div', { className: `mf-field ${wide}`, 'data-field': key },
      el(first ? 'label' : 'span', { className: 'mf-label', for: first ? id : null },
        title, required ? el('span', { className: 'mf-required', 'aria-hidden': 'true', text: ' *' }) : null),
      control,
      hint ? el('small', { className: 'mf-hint', text: hint }) : null,
      el('ul', { className: 'mf-errors', role: 'alert' }));
  }

  text(key, max) {
    return el('input', {
      type: 'text', name: key, maxlength: max, value: this.meta[key] || '',
      oninput: (event) => this.set(key, event.target.value)
    });
  }

  number(key, min, max) {
    const value = this.meta[key];
    return el('input', {
      type: 'number', name: key, min, max, step: 1, value: value ?? '',
      oninput: (event) => this.set(key, count(event.target.value))
    });
  }

  nationalCode() {
    const input = el('input', {
      type: 'text', name: 'national_code', maxlength: 20, placeholder: '1.004222',
      value: this.meta.national_code || '',
      oninput: (event) => {
        const value = event.target.value.trim();
        const wrong = value !== '' && !NATIONAL_CODE.test(value);
        input.setCustomValidity(wrong ? this.t('One digit, a dot, six digits (1.004222).') : '');
        this.set('national_code', value === '' ? null : value);
      }
    });
    return input;
  }

  fieldSelect() {
    const select = el('select', {
      name: 'field', onchange: (event) => this.set('field', event.target.value || undefined)
    }, el('option', { value: '', text: '—' }));
    for (const item of this.fields) {
      select.append(el('option', { value: item.id, text: item.label, selected: item.id === this.meta.field }));
    }
    return select;
  }

  timeLimit() {
    const unit = this.meta.time_limit_unit || 'days';
    const amount = el('input', {
      type: 'number', name: 'time_limit', min: 0, step: 1, value: this.meta.time_limit ?? '',
      'aria-label': this.t('Statutory time limit'),
      oninput: (event) => this.set('time_limit', count(event.target.value))
    });
    const units = el('select', {
      name: 'time_limit_unit', 'aria-label': this.t('Unit'),
      onchange: (event) => this.set('time_limit_unit', event.target.value)
    },
    el('option', { value: 'days', text: this.t('working days'), selected: unit === 'days' }),
    el('option', { value: 'hours', text: this.t('working hours'), selected: unit === 'hours' }));
    return el('span', { className: 'mf-inline' }, amount, units);
  }

  fee() {
    const rule = this.meta.fee || null;
    const kind = rule ? rule.kind : '';
    const select = el('select', {
      name: 'fee_kind', 'aria-label': this.t('Kind of fee'),
      onchange: (event) => {
        const next = event.target.value;
        this.meta.fee = next ? { kind: next } : null;
        this.changed();
        this.render();
      }
    },
    el('option', { value: '', text: this.t('not stated') }),
    el('option', { value: 'free', text: this.t('free of charge'), selected: kind === 'free' }),
    el('option', { value: 'fixed', text: this.t('a fixed amount'), selected: kind === 'fixed' }),
    el('option', { value: 'per_page', text: this.t('by the page (copies)'), selected: kind === 'per_page' }),
    el('option', { value: 'decision', text: this.t('by a decision table'), selected: kind === 'decision' }));
    const parts = [el('label', { className: 'mf-sub' }, this.t('Kind of fee'), select)];
    const labels = {
      amount: this.t('Amount (đồng)'),
      first_pages: this.t('First pages'),
      first_price: this.t('Price of each of the first pages (đồng)'),
      next_price: this.t('Price of each further page (đồng)'),
      cap: this.t('Cap per copy (đồng, optional)'),
      decision: this.t('Decision table giving `fee` (its id)')
    };
    for (const key of (FEE_KEYS[kind] || [])) {
      if (key === 'per_copy') {
        parts.push(el('label', { className: 'mf-sub mf-check' },
          el('input', {
            type: 'checkbox', name: 'fee_per_copy', checked: rule.per_copy === true,
            onchange: (event) => this.setFee('per_copy', event.target.checked ? true : undefined)
          }), this.t('per copy')));
        continue;
      }
      if (key === 'decision') {
        parts.push(el('label', { className: 'mf-sub' }, labels[key],
          el('input', {
            type: 'text', name: 'fee_decision', maxlength: 200, value: rule.decision ?? '', required: true,
            oninput: (event) => this.setFee('decision', event.target.value.trim() || undefined)
          })));
        continue;
      }
      parts.push(el('label', { className: 'mf-sub' }, labels[key],
        el('input', {
          type: 'number', name: `fee_${key}`, min: 0, step: 1, value: rule[key] ?? '',
          required: FEE_REQUIRED.has(key),
          oninput: (event) => this.setFee(key, count(event.target.value))
        })));
    }
    return el('div', { className: 'mf-fee' }, parts);
  }

  setFee(key, value) {
    const rule = { ...(this.meta.fee || {}) };
    if (value === undefined) delete rule[key];
    else rule[key] = value;
    this.set('fee', rule);
  }

  legalBasis() {
    const items = this.meta.legal_basis || [];
    const list = el('ol', { className: 'mf-rows' });
    items.forEach((text, index) => {
      list.append(el('li', {},
        el('textarea', {
          name: `legal_basis_${index}`, rows: 2, maxlength: 500, 'aria-label': `${this.t('Legal basis')} ${index + 1}`,
          oninput: (event) => {
            this.meta.legal_basis[index] = event.target.value;
            this.changed();
          }
        }, items[index]),
        this.rowButton('✕', this.t('Remove'), () => this.removeRow('legal_basis', index), 'remove')));
    });
    return el('div', {}, list,
      this.readonly ? null : el('button', {
        type: 'button', className: 'mf-add', 'data-action': 'add-legal-basis',
        text: `+ ${this.t('Add a legal document')}`,
        onclick: () => this.addRow('legal_basis', '')
      }));
  }

  documents() {
    const items = this.meta.required_documents || [];
    const table = el('table', { className: 'mf-documents' },
      el('thead', {}, el('tr', {},
        el('th', { text: '#' }), el('th', { text: this.t('Paper') }), el('th', { text: this.t('Original or copy') }),
        el('th', { text: this.t('Count') }), el('th', {}))));
    const body = el('tbody');
    items.forEach((item, index) => {
      const kind = el('select', {
        name: `document_kind_${index}`, 'aria-label': this.t('Original or copy'),
        onchange: (event) => this.setDocument(index, 'kind', event.target.value)
      }, DOCUMENT_KINDS.map((value) => el('option', {
        value, text: this.t(`document ${value}`), selected: (item.kind || 'copy') === value
      })));
      body.append(el('tr', { 'data-document': index },
        el('td', { text: String(index + 1) }),
        el('td', {}, el('input', {
          type: 'text', name: `document_name_${index}`, maxlength: 300, value: item.name || '',
          'aria-label': this.t('Paper'),
          oninput: (event) => this.setDocument(index, 'name', event.target.value)
        })),
        el('td', {}, kind),
        el('td', {}, el('input', {
          type: 'number', name: `document_count_${index}`, min: 1, max: 20, step: 1,
          value: item.count ?? 1, 'aria-label': this.t('Count'),
          oninput: (event) => this.setDocument(index, 'count', count(event.target.value))
        })),
        el('td', { className: 'mf-row-actions' },
          this.rowButton('↑', this.t('Move up'), () => this.moveRow('required_documents', index, -1), 'up', index === 0),
          this.rowButton('↓', this.t('Move down'), () => this.moveRow('required_documents', index, 1), 'down', index === items.length - 1),
          this.rowButton('✕', this.t('Remove'), () => this.removeRow('required_documents', index), 'remove'))));
    });
    if (!items.length) {
      body.append(el('tr', {}, el('td', { colspan: 5, className: 'mf-empty', text: this.t('No paper listed') })));
    }
    table.append(body);
    return el('div', {}, table,
      this.readonly ? null : el('button', {
        type: 'button', className: 'mf-add', 'data-action': 'add-document',
        text: `+ ${this.t('Add a paper')}`,
        onclick: () => this.addRow('required_documents', { name: '', kind: 'copy', count: 1 })
      }));
  }

  setDocument(index, key, value) {
    const item = this.meta.required_documents[index];
    if (value === undefined) delete item[key];
    else item[key] = value;
    this.changed();
  }

  unconfirmed() {
    const marked = new Set(this.meta.unconfirmed || []);
    const known = UNCONFIRMED_KEYS.concat([...marked].filter((key) => !UNCONFIRMED_KEYS.includes(key)));
    return el('div', { className: 'mf-checks' }, known.map((key) => el('label', { className: 'mf-check' },
      el('input', {
        type: 'checkbox', name: `unconfirmed_${key}`, value: key, checked: marked.has(key),
        onchange: (event) => {
          const next = new Set(this.meta.unconfirmed || []);
          if (event.target.checked) next.add(key);
          else next.delete(key);
          this.set('unconfirmed', known.filter((name) => next.has(name)));
        }
      }), UNCONFIRMED_KEYS.includes(key) ? this.t(`figure ${key}`) : key)));
  }

  rowButton(symbol, title, handler, action, disabled = false) {
    if (this.readonly) return null;
    return el('button', {
      type: 'button', className: 'mf-row-button', title, 'aria-label': title, 'data-action': action,
      text: symbol, disabled, onclick: handler
    });
  }

  addRow(key, item) {
    this.meta[key] = [...(this.meta[key] || []), item];
    this.changed();
    this.render();
    const rows = this.form.querySelectorAll(`[data-field="${key}"] input[type=text], [data-field="${key}"] textarea`);
    if (rows.length) rows[rows.length - 1].focus();
  }

  removeRow(key, index) {
    this.meta[key] = this.meta[key].filter((_, at) => at !== index);
    this.changed();
    this.render();
  }

  moveRow(key, index, step) {
    const items = [...this.meta[key]];
    const [moved] = items.splice(index, 1);
    items.splice(index + step, 0, moved);
    this.meta[key] = items;
    this.changed();
    this.render();
  }
}
