// mot-cua/supplement-path (warning): a procedure that allows supplements has a step or event that
// speaks of a supplement ("supplement" / "bổ sung") in its id or name.
import { settings, label, is } from '../context.js';

const WORDS = ['supplement', 'bổ sung'];

function speaksOfSupplement(element) {
  const text = `${element.id} ${element.name || ''}`.toLowerCase();
  return WORDS.some((word) => text.includes(word));
}

function anywhere(container) {
  return (container.flowElements || []).some(
    (element) =>
      (is(element, 'bpmn:FlowNode') && speaksOfSupplement(element)) ||
      (is(element, 'bpmn:SubProcess') && anywhere(element))
  );
}

export default function supplementPath() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Process') || !(settings.supplementDays > 0)) return;
    if (!anywhere(node)) {
      reporter.report(
        node.id,
        `Thủ tục cho phép bổ sung hồ sơ (${settings.supplementDays} ngày) nhưng quy trình ` +
          `${label(node)} không có bước hay sự kiện bổ sung (the procedure allows supplements but ` +
          `no step or event of ${label(node)} handles one)`
      );
    }
  }
  return { check };
}
