// mot-cua/limit-sum (warning): the step time limits on the longest path from the start do not
// add up to more than the statutory limit.
import { settings, label, is, flowNodes, successors, boundaryMap, parseLimit, inHours, property }
  from '../context.js';

const MAX_VISITS = 20000;

function stepHours(node) {
  const limit = parseLimit(property(node, 'time_limit'));
  return limit ? inHours(limit) : 0;
}

/** The heaviest simple path from `start` (a path never visits a node twice: loops count once). */
function longest(start, boundaries) {
  let best = { hours: 0, path: [] };
  let visits = 0;
  const onPath = new Set();
  const path = [];
  const walk = (node, hours) => {
    if (visits++ > MAX_VISITS) return;
    onPath.add(node);
    path.push(node);
    const total = hours + stepHours(node);
    if (total > best.hours) best = { hours: total, path: [...path] };
    for (const next of successors(node, boundaries)) {
      if (!onPath.has(next)) walk(next, total);
    }
    onPath.delete(node);
    path.pop();
  };
  walk(start, 0);
  return best;
}

function format(hours, unit) {
  return unit === 'days' ? `${+(hours / 8).toFixed(2)} ngày (days)` : `${hours} giờ (hours)`;
}

export default function limitSum() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Process') || !settings.limit) return;
    const nodes = flowNodes(node);
    const boundaries = boundaryMap(nodes);
    const statutory = inHours(settings.limit);
    for (const start of nodes.filter((n) => is(n, 'bpmn:StartEvent'))) {
      const best = longest(start, boundaries);
      if (best.hours > statutory) {
        const last = best.path[best.path.length - 1];
        const unit = settings.limit.unit;
        reporter.report(
          last.id,
          `Tổng thời hạn các bước trên đường dài nhất (tới ${label(last)}) là ` +
            `${format(best.hours, unit)}, vượt thời hạn giải quyết ${format(statutory, unit)} ` +
            `(the step limits on the longest path add up to more than the statutory limit)`
        );
      }
    }
  }
  return { check };
}
