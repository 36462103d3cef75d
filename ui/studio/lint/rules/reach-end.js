// mot-cua/reach-end (warning): every element reached from the start can reach an end event.
import { label, is, flowNodes, successors, boundaryMap } from '../context.js';

function check(node, reporter) {
  if (!is(node, 'bpmn:Process') && !is(node, 'bpmn:SubProcess')) return;
  const nodes = flowNodes(node);
  const boundaries = boundaryMap(nodes);
  const starts = nodes.filter((n) => is(n, 'bpmn:StartEvent'));
  const reached = new Set();
  const queue = [...starts];
  while (queue.length) {
    const current = queue.pop();
    if (reached.has(current)) continue;
    reached.add(current);
    queue.push(...successors(current, boundaries));
  }
  const endsReach = new Set(nodes.filter((n) => is(n, 'bpmn:EndEvent')));
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of nodes) {
      if (endsReach.has(candidate)) continue;
      if (successors(candidate, boundaries).some((next) => endsReach.has(next))) {
        endsReach.add(candidate);
        grew = true;
      }
    }
  }
  for (const candidate of nodes) {
    if (reached.has(candidate) && !endsReach.has(candidate)) {
      reporter.report(
        candidate.id,
        `Từ ${label(candidate)} không đi tới được sự kiện kết thúc nào ` +
          `(${label(candidate)} cannot reach an end event)`
      );
    }
  }
}

export default function reachEnd() {
  return { check };
}
