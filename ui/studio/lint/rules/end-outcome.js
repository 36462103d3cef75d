// mot-cua/end-outcome (error): an end event's `outcome`, if set, is one the engine knows.
import { settings, label, is, property } from '../context.js';

export default function endOutcome() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:EndEvent')) return;
    const outcome = property(node, 'outcome');
    if (outcome !== undefined && !settings.outcomes.includes(outcome)) {
      reporter.report(
        node.id,
        `Kết quả "${outcome}" của ${label(node)} không hợp lệ; dùng: ${settings.outcomes.join(', ')} ` +
          `(outcome "${outcome}" of ${label(node)} is not one of them)`
      );
    }
  }
  return { check };
}
