// mot-cua/no-implicit-split (warning): a task or event with several unconditional outgoing
// flows starts parallel branches without saying so. As the server's rule (and bpmnlint's of that
// name), flows with a condition and the default flow are not counted.
import { label, is } from '../context.js';

export default function noImplicitSplit() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:FlowNode') || is(node, 'bpmn:Gateway')) return;
    const plain = (node.outgoing || []).filter(
      (flow) => is(flow, 'bpmn:SequenceFlow') && !flow.conditionExpression && node.default !== flow
    );
    if (plain.length > 1) {
      reporter.report(
        node.id,
        `${label(node)} có ${plain.length} luồng ra không điều kiện: dùng cổng (gateway) để ` +
          `tách nhánh (the element splits into ${plain.length} flows without a gateway)`
      );
    }
  }
  return { check };
}
