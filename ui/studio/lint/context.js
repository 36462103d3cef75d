// What the one-stop rules need from the page: the role ids lanes may name, the outcomes an end
// event may state, the statutory limit and the supplement days. The modeler fills it from the
// page's config before the first lint.

export const settings = {
  roles: [],
  outcomes: ['result_returned', 'processed', 'refused'],
  limit: null, // {amount, unit: 'days' | 'hours'}
  supplementDays: 0
};

export function configure(config) {
  settings.roles = (config.roles || []).map((role) => role.id);
  settings.outcomes = config.outcomes || settings.outcomes;
  const meta = config.metadata || {};
  settings.limit = Number.isInteger(meta.time_limit)
    ? { amount: meta.time_limit, unit: meta.time_limit_unit || 'days' }
    : null;
  settings.supplementDays = meta.supplement_days ?? 0;
}

export const HOURS_PER_DAY = 8;
const LIMIT_TEXT = /^\s*(\d+)\s*([dh])\s*$/;

/** '2d' -> {amount: 2, unit: 'days'}, '4h' -> hours; null when the text is not a step limit. */
export function parseLimit(text) {
  const match = LIMIT_TEXT.exec(text || '');
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = match[2] === 'd' ? 'days' : 'hours';
  if (unit === 'days' ? amount > 365 : amount < 1 || amount > 365 * HOURS_PER_DAY) return null;
  return { amount, unit };
}

export function inHours(limit) {
  return limit.unit === 'days' ? limit.amount * HOURS_PER_DAY : limit.amount;
}

/** The value of a `spiffworkflow:property` of a BPMN element, or undefined. */
export function property(element, name) {
  const values = (element.extensionElements && element.extensionElements.values) || [];
  for (const value of values) {
    if (value.$type === 'spiffworkflow:Properties') {
      const found = (value.properties || []).find((p) => p.name === name);
      if (found) return found.value;
    }
  }
  return undefined;
}

export function label(element) {
  return element.name ? `"${element.name}" (${element.id})` : element.id;
}

export function is(element, type) {
  return element && typeof element.$instanceOf === 'function' && element.$instanceOf(type);
}

/** Flow nodes of a process or sub-process, sub-processes' own contents included. */
export function flowNodes(container) {
  const nodes = [];
  for (const element of container.flowElements || []) {
    if (is(element, 'bpmn:FlowNode')) nodes.push(element);
  }
  return nodes;
}

/** The nodes one step after `node`: its outgoing flows' targets and its boundary events. */
export function successors(node, boundaries) {
  const next = (node.outgoing || []).map((flow) => flow.targetRef).filter(Boolean);
  return next.concat(boundaries.get(node) || []);
}

export function boundaryMap(nodes) {
  const map = new Map();
  for (const node of nodes) {
    if (is(node, 'bpmn:BoundaryEvent') && node.attachedToRef) {
      const list = map.get(node.attachedToRef) || [];
      list.push(node);
      map.set(node.attachedToRef, list);
    }
  }
  return map;
}
