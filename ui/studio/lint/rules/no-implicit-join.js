// mot-cua/no-implicit-join (warning): a task or event with several incoming flows.
import { label, is } from '../context.js';

export default function noImplicitJoin() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:FlowNode') || is(node, 'bpmn:Gateway')) return;
    const incoming = (node.incoming || []).filter((flow) => is(flow, 'bpmn:SequenceFlow'));
    if (incoming.length > 1) {
      reporter.report(
        node.id,
        `${label(node)} có ${incoming.length} luồng vào; dùng một cổng gộp nhánh ` +
          `(${label(node)} joins without a gateway)`
      );
    }
  }
  return { check };
}
