// The "Một Cửa" group of the properties panel: what the engine executes, written where
// SpiffWorkflow 3.2's SpiffBpmnParser reads it (spiffworkflow:properties, preScript, postScript,
// serviceTaskOperator, calledDecisionId, messageVariable, messagePayload, ...).
import { h } from '@bpmn-io/properties-panel/preact';
import { useState } from '@bpmn-io/properties-panel/preact/hooks';
import {
  Group,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is, getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

import { parseLimit, property } from './lint/context.js';
import { studio } from './bridge.js';

const MULTI = 'properties-panel.multi-command-executor';

/**
 * Runs `commands` as one undoable step, unless the element left the diagram meanwhile (a field's
 * debounced change arriving after another diagram was imported).
 */
function execute(injector, element, commands) {
  if (!commands.length || injector.get('elementRegistry').get(element.id) !== element) return;
  injector.get('commandStack').execute(MULTI, commands);
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

/** Commands that give `target` an extensionElements (returned) when it has none. */
function extensionsOf(element, target, bpmnFactory, commands) {
  let extensions = target.extensionElements;
  if (!extensions) {
    extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensions.$parent = target;
    commands.push(update(element, target, { extensionElements: extensions }));
  }
  return extensions;
}

function findExtension(target, type) {
  const values = (target.extensionElements && target.extensionElements.values) || [];
  return values.find((value) => value.$type === type);
}

/** Sets (or removes, when empty) a spiffworkflow:property of `target`, as one undoable step. */
export function setProperty(injector, element, target, name, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commands = [];
  const extensions = extensionsOf(element, target, bpmnFactory, commands);
  let properties = (extensions.values || []).find((v) => v.$type === 'spiffworkflow:Properties');
  if (!properties) {
    if (!value) return;
    properties = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    properties.$parent = extensions;
    commands.push(update(element, extensions, { values: [...(extensions.values || []), properties] }));
  }
  const list = properties.properties || [];
  const found = list.find((p) => p.name === name);
  if (!value) {
    if (found) commands.push(update(element, properties, { properties: list.filter((p) => p !== found) }));
  } else if (found) {
    commands.push(update(element, found, { value }));
  } else {
    const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
    created.$parent = properties;
    commands.push(update(element, properties, { properties: [...list, created] }));
  }
  execute(injector, element, commands);
}

/** The text of a spiffworkflow:<type> child of `target`'s extensions (preScript, ...). */
function textOf(target, type) {
  const found = findExtension(target, type);
  return (found && found.value) || '';
}

function setText(injector, element, target, type, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commands = [];
  const extensions = extensionsOf(element, target, bpmnFactory, commands);
  const found = findExtension(target, type);
  const values = extensions.values || [];
  if (!value) {
    if (found) commands.push(update(element, extensions, { values: values.filter((v) => v !== found) }));
  } else if (found) {
    commands.push(update(element, found, { value }));
  } else {
    const created = bpmnFactory.create(type, { value });
    created.$parent = extensions;
    commands.push(update(element, extensions, { values: [...values, created] }));
  }
  execute(injector, element, commands);
}

// ---- entries ---------------------------------------------------------------------------------

function PropertySelect({ element, id, name, label, options, target }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const bo = target || getBusinessObject(element);
  const current = property(bo, name) || '';
  const getOptions = () => {
    const list = [{ value: '', label: translate('<none>') }, ...options];
    if (current && !list.some((o) => o.value === current)) {
      list.push({ value: current, label: `${current} (${translate('unknown')})` });
    }
    return list;
  };
  return h(SelectEntry, {
    element, id, label: translate(label), getOptions,
    getValue: () => property(bo, name) || '',
    setValue: (value) => setProperty(injector, element, bo, name, value)
  });
}

function LimitEntry({ element, id }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element, id, debounce,
    label: translate('Step time limit'),
    description: translate('Working days ("2d", "0d" = same day) or working hours ("4h")'),
    getValue: () => property(bo, 'time_limit') || '',
    setValue: (value) => setProperty(injector, element, bo, 'time_limit', (value || '').trim()),
    validate: (value) => (value && !parseLimit(value) ? translate('Write "2d", "0d" or "4h"') : null)
  });
}

/** A "check" button under an expression: asks the server which variables it reads. */
function CheckButton({ element, kind, getExpression }) {
  const translate = useService('translate');
  const [answer, setAnswer] = useState(null);
  if (!studio.config || !studio.config.urls.check_expression) return null;
  const run = async () => {
    setAnswer({ pending: true });
    try {
      const body = await studio.checkExpression({
        expression: getExpression(), kind, element_id: element.id
      });
      setAnswer(body);
    } catch (error) {
      setAnswer({ problems: [{ message: String(error.message || error) }] });
    }
  };
  const lines = [];
  if (answer && !answer.pending) {
    for (const p of answer.problems || []) lines.push(h('li', { class: 'error' }, p.message));
    if ((answer.unknown || []).length) {
      lines.push(h('li', { class: 'warn' }, `${translate('Unknown variables')}: ${answer.unknown.join(', ')}`));
    }
    if (!lines.length) lines.push(h('li', { class: 'ok' }, translate('The expression is fine')));
  }
  return h('div', { class: 'mc-check' },
    h('button', { type: 'button', class: 'mc-check-button', onClick: run }, translate('Check')),
    answer && answer.pending ? h('span', null, '…') : h('ul', null, lines));
}

function ExpressionEntry({ element, id, label, kind, getValue, setValue }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  return h('div', null,
    h(TextAreaEntry, { element, id, label: translate(label), getValue, setValue, debounce, monospace: true, rows: 3 }),
    h(CheckButton, { element, kind, getExpression: getValue }));
}

function ScriptEntry({ element, id }) {
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  return h(ExpressionEntry, {
    element, id, label: 'Script', kind: 'script',
    getValue: () => bo.script || '',
    setValue: (value) => modeling.updateProperties(element, { scriptFormat: 'python', script: value || undefined })
  });
}

function ConditionEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const bo = getBusinessObject(element);
  return h(ExpressionEntry, {
    element, id, label: 'Condition', kind: 'condition',
    getValue: () => (bo.conditionExpression && bo.conditionExpression.body) || '',
    setValue: (value) => {
      const expression = value
        ? bpmnFactory.create('bpmn:FormalExpression', { body: value })
        : undefined;
      modeling.updateProperties(element, { conditionExpression: expression });
    }
  });
}

function TextExtensionEntry({ element, id, type, label, description, target, kind }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bo = target || getBusinessObject(element);
  const getValue = () => textOf(bo, type);
  const setValue = (value) => setText(injector, element, bo, type, value);
  if (kind) return h(ExpressionEntry, { element, id, label, kind, getValue, setValue });
  return h(TextFieldEntry, {
    element, id, debounce, label: translate(label),
    description: description && translate(description), getValue, setValue
  });
}

function DecisionEntry({ element, id }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  const current = textOf(bo, 'spiffworkflow:CalledDecisionId');
  const getOptions = () => {
    const ids = studio.decisionIds();
    const list = [{ value: '', label: translate('<none>') }, ...ids.map((d) => ({ value: d, label: d }))];
    if (current && !ids.includes(current)) list.push({ value: current, label: `${current} (${translate('unknown')})` });
    return list;
  };
  return h(SelectEntry, {
    element, id, label: translate('Decision table'), getOptions,
    getValue: () => textOf(bo, 'spiffworkflow:CalledDecisionId'),
    setValue: (value) => setText(injector, element, bo, 'spiffworkflow:CalledDecisionId', value)
  });
}

function LaneRoleEntry({ element, id }) {
  const modeling = useService('modeling');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  const getOptions = () => {
    const roles = (studio.config && studio.config.roles) || [];
    const list = [{ value: '', label: translate('<none>') }, ...roles.map((r) => ({ value: r.id, label: r.label }))];
    if (bo.name && !roles.some((r) => r.id === bo.name)) {
      list.push({ value: bo.name, label: `${bo.name} (${translate('unknown')})` });
    }
    return list;
  };
  return h(SelectEntry, {
    element, id, label: translate('Role of the lane'), getOptions,
    getValue: () => bo.name || '',
    setValue: (value) => modeling.updateProperties(element, { name: value })
  });
}

function OperatorEntry({ element, id }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const bo = getBusinessObject(element);
  const operator = () => findExtension(bo, 'spiffworkflow:ServiceTaskOperator');
  const getOptions = () => {
    const ops = (studio.config && studio.config.operators) || [];
    return [{ value: '', label: translate('<none>') }, ...ops.map((o) => ({ value: o, label: o }))];
  };
  const setValue = (value) => {
    const bpmnFactory = injector.get('bpmnFactory');
    const found = operator();
    if (found) {
      if (value) execute(injector, element, [update(element, found, { id: value })]);
      else setText(injector, element, bo, 'spiffworkflow:ServiceTaskOperator', '');
      return;
    }
    if (!value) return;
    const commands = [];
    const extensions = extensionsOf(element, bo, bpmnFactory, commands);
    const created = bpmnFactory.create('spiffworkflow:ServiceTaskOperator', { id: value });
    created.$parent = extensions;
    commands.push(update(element, extensions, { values: [...(extensions.values || []), created] }));
    execute(injector, element, commands);
  };
  return h(SelectEntry, {
    element, id, label: translate('Operator'), getOptions,
    getValue: () => (operator() && operator().id) || '', setValue
  });
}

function OperatorField({ element, id, field, label, description, multiline }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bo = getBusinessObject(element);
  const operator = () => findExtension(bo, 'spiffworkflow:ServiceTaskOperator');
  const props = {
    element, id, debounce, label: translate(label), description: description && translate(description),
    getValue: () => (operator() ? (field === 'parameters' ? parametersText(operator()) : operator()[field] || '') : ''),
    setValue: (value) => {
      const found = operator();
      if (!found) return;
      if (field === 'parameters') setParameters(injector, element, found, value);
      else execute(injector, element, [update(element, found, { [field]: value || undefined })]);
    }
  };
  if (!operator()) return null;
  return multiline ? h(TextAreaEntry, { ...props, monospace: true, rows: 4 }) : h(TextFieldEntry, props);
}

/** Parameters as lines `id (type) = value`, the way a designer reads them. */
function parametersText(operator) {
  const list = (operator.parameterList && operator.parameterList.parameters) || [];
  return list.map((p) => `${p.id} (${p.type || 'any'}) = ${p.value || ''}`).join('\n');
}

const PARAMETER_LINE = /^\s*([A-Za-z_][\w]*)\s*(?:\(\s*([\w]+)\s*\))?\s*=\s*(.*)$/;

function setParameters(injector, element, operator, text) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commands = [];
  let holder = operator.parameterList;
  if (!holder) {
    holder = bpmnFactory.create('spiffworkflow:Parameters', { parameters: [] });
    holder.$parent = operator;
    commands.push(update(element, operator, { parameterList: holder }));
  }
  const parameters = [];
  for (const line of (text || '').split('\n')) {
    const match = PARAMETER_LINE.exec(line);
    if (!match) continue;
    const parameter = bpmnFactory.create('spiffworkflow:Parameter', {
      id: match[1], type: match[2] || 'any', value: match[3].trim()
    });
    parameter.$parent = holder;
    parameters.push(parameter);
  }
  commands.push(update(element, holder, { parameters }));
  execute(injector, element, commands);
}

function CollectionEntry({ element, id, field, label }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const loop = getBusinessObject(element).loopCharacteristics;
  const isItem = field === 'inputDataItem' || field === 'outputDataItem';
  return h(TextFieldEntry, {
    element, id, debounce, label: translate(label),
    getValue: () => {
      const value = loop[field];
      return (value && (isItem ? value.name : value.id)) || '';
    },
    setValue: (value) => {
      const moddle = injector.get('moddle');
      let created;
      if (value && isItem) created = moddle.create('bpmn:DataInput', { id: value, name: value });
      else if (value) created = moddle.create('bpmn:ItemAwareElement', { id: value });
      if (created && isItem) created.$parent = loop;
      execute(injector, element, [update(element, loop, { [field]: created })]);
    }
  });
}

// ---- the group -------------------------------------------------------------------------------

function entry(id, component, extra = {}) {
  return { id, component, isEdited: extra.isEdited || isTextFieldEntryEdited, ...extra };
}

function eventDefinition(bo, type) {
  return (bo.eventDefinitions || []).find((d) => is(d, type));
}

function entriesFor(element) {
  const bo = getBusinessObject(element);
  const entries = [];
  const forms = () => studio.formNames().map((name) => ({ value: name, label: name }));
  if (is(bo, 'bpmn:Lane')) entries.push(entry('mc-lane-role', LaneRoleEntry, { isEdited: isSelectEntryEdited }));
  if (is(bo, 'bpmn:UserTask')) {
    entries.push(entry('mc-form', PropertySelect, { name: 'form', label: 'Form', options: forms(), isEdited: isSelectEntryEdited }));
  }
  if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) entries.push(entry('mc-time-limit', LimitEntry));
  if (is(bo, 'bpmn:ScriptTask')) entries.push(entry('mc-script', ScriptEntry, { isEdited: isTextAreaEntryEdited }));
  if (is(bo, 'bpmn:SequenceFlow') && bo.sourceRef && is(bo.sourceRef, 'bpmn:Gateway')) {
    entries.push(entry('mc-condition', ConditionEntry, { isEdited: isTextAreaEntryEdited }));
  }
  if (is(bo, 'bpmn:BusinessRuleTask')) entries.push(entry('mc-decision', DecisionEntry, { isEdited: isSelectEntryEdited }));
  if (is(bo, 'bpmn:ServiceTask')) {
    entries.push(entry('mc-operator', OperatorEntry, { isEdited: isSelectEntryEdited }));
    entries.push(entry('mc-result-variable', OperatorField, { field: 'resultVariable', label: 'Result variable' }));
    entries.push(entry('mc-parameters', OperatorField, { field: 'parameters', label: 'Parameters', multiline: true,
      description: 'One per line: name (type) = expression', isEdited: isTextAreaEntryEdited }));
  }
  const messageTarget = is(bo, 'bpmn:ReceiveTask') || is(bo, 'bpmn:SendTask')
    ? bo : eventDefinition(bo, 'bpmn:MessageEventDefinition');
  if (messageTarget) {
    const throws = is(bo, 'bpmn:SendTask') || is(bo, 'bpmn:ThrowEvent');
    entries.push(throws
      ? entry('mc-message-payload', TextExtensionEntry, { type: 'spiffworkflow:MessagePayload', label: 'Message payload', target: messageTarget, kind: 'script', isEdited: isTextAreaEntryEdited })
      : entry('mc-message-variable', TextExtensionEntry, { type: 'spiffworkflow:MessageVariable', label: 'Variable receiving the message', target: messageTarget }));
    entries.push(entry('mc-correlation', CorrelationEntry));
  }
  for (const type of ['bpmn:SignalEventDefinition', 'bpmn:ErrorEventDefinition']) {
    const definition = eventDefinition(bo, type);
    if (!definition) continue;
    if (is(bo, 'bpmn:ThrowEvent')) {
      entries.push(entry('mc-payload', TextExtensionEntry, { type: 'spiffworkflow:PayloadExpression', label: 'Payload', target: definition, kind: 'script', isEdited: isTextAreaEntryEdited }));
    } else {
      entries.push(entry('mc-variable', TextExtensionEntry, { type: 'spiffworkflow:VariableName', label: 'Variable receiving the payload', target: definition }));
    }
  }
  if (bo.loopCharacteristics && is(bo.loopCharacteristics, 'bpmn:MultiInstanceLoopCharacteristics')) {
    entries.push(entry('mc-collection', CollectionEntry, { field: 'loopDataInputRef', label: 'Collection (one instance per item)' }));
    entries.push(entry('mc-item', CollectionEntry, { field: 'inputDataItem', label: 'Item variable' }));
    entries.push(entry('mc-results', CollectionEntry, { field: 'loopDataOutputRef', label: 'Results collection' }));
    entries.push(entry('mc-result-item', CollectionEntry, { field: 'outputDataItem', label: 'Result variable of an instance' }));
  }
  if (is(bo, 'bpmn:Activity') && !is(bo, 'bpmn:ScriptTask')) {
    entries.push(entry('mc-prescript', TextExtensionEntry, { type: 'spiffworkflow:PreScript', label: 'Script before the step', kind: 'script', isEdited: isTextAreaEntryEdited }));
    entries.push(entry('mc-postscript', TextExtensionEntry, { type: 'spiffworkflow:PostScript', label: 'Script after the step', kind: 'script', isEdited: isTextAreaEntryEdited }));
  }
  if (is(bo, 'bpmn:EndEvent')) {
    const outcomes = ((studio.config && studio.config.outcomes) || []).map((o) => ({ value: o, label: o }));
    entries.push(entry('mc-outcome', PropertySelect, { name: 'outcome', label: 'Outcome', options: outcomes, isEdited: isSelectEntryEdited }));
  }
  return entries;
}

/** The correlation property of this event's message: its name and the expression giving it. */
function CorrelationEntry({ element, id }) {
  const injector = useService('injector');
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const bo = getBusinessObject(element);
  const definition = eventDefinition(bo, 'bpmn:MessageEventDefinition') || bo;
  const message = definition.messageRef;
  const definitions = () => injector.get('canvas').getRootElement().businessObject.$parent;
  const find = () => {
    if (!message) return null;
    for (const root of definitions().rootElements || []) {
      if (!is(root, 'bpmn:CorrelationProperty')) continue;
      const expression = (root.correlationPropertyRetrievalExpression || []).find((e) => e.messageRef === message);
      if (expression) return { property: root, expression };
    }
    return null;
  };
  if (!message) return null;
  return h(TextFieldEntry, {
    element, id, debounce,
    label: translate('Correlation key'),
    description: translate('property = expression, e.g. request_number = request_number'),
    getValue: () => {
      const found = find();
      return found ? `${found.property.id} = ${(found.expression.messagePath && found.expression.messagePath.body) || ''}` : '';
    },
    setValue: (value) => setCorrelation(injector, element, definitions(), message, find(), value)
  });
}

function setCorrelation(injector, element, definitions, message, found, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const match = /^\s*([A-Za-z_][\w]*)\s*=\s*(.+)$/.exec(value || '');
  const commands = [];
  if (found) {
    const rest = found.property.correlationPropertyRetrievalExpression.filter((e) => e !== found.expression);
    commands.push(update(element, found.property, { correlationPropertyRetrievalExpression: rest }));
  }
  if (match) {
    let property = (definitions.rootElements || []).find((r) => is(r, 'bpmn:CorrelationProperty') && r.id === match[1]);
    const path = bpmnFactory.create('bpmn:FormalExpression', { body: match[2].trim() });
    const expression = bpmnFactory.create('bpmn:CorrelationPropertyRetrievalExpression', { messageRef: message, messagePath: path });
    if (!property) {
      property = bpmnFactory.create('bpmn:CorrelationProperty', { id: match[1], name: match[1], correlationPropertyRetrievalExpression: [] });
      property.$parent = definitions;
      commands.push(update(element, definitions, { rootElements: [...definitions.rootElements, property] }));
    }
    expression.$parent = property;
    const existing = (property.correlationPropertyRetrievalExpression || []).filter((e) => !found || e !== found.expression);
    commands.push(update(element, property, { correlationPropertyRetrievalExpression: [...existing, expression] }));
  }
  execute(injector, element, commands);
}

export default function SpiffPropertiesProvider(propertiesPanel, translate) {
  this.getGroups = (element) => (groups) => {
    const entries = entriesFor(element);
    if (entries.length) {
      groups.splice(1, 0, { id: 'mot-cua', label: translate('One-stop procedure'), entries, component: Group });
    }
    return groups;
  };
  propertiesPanel.registerProvider(500, this);
}

SpiffPropertiesProvider.$inject = ['propertiesPanel', 'translate'];

export const spiffPropertiesModule = {
  __init__: ['spiffPropertiesProvider'],
  spiffPropertiesProvider: ['type', SpiffPropertiesProvider]
};
