// mot-cua/no-implicit-split (warning): a task or event with several outgoing flows.
import { label, is } from '../context.js';

export default function noImplicitSplit() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:FlowNode') || is(node, 'bpmn:Gateway')) return;
    const outgoing = (node.outgoing || []).filter((flow) => is(flow, 'bpmn:SequenceFlow'));
    if (outgoing.length > 1) {
      reporter.report(
        node.id,
        `${label(node)} có ${outgoing.length} luồng ra; dùng một cổng rẽ nhánh ` +
          `(${label(node)} splits without a gateway)`
      );
    }
  }
  return { check };
}
