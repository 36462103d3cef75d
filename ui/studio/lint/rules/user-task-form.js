// mot-cua/user-task-form (warning): every user task names a form.
import { label, is, property } from '../context.js';

export default function userTaskForm() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) return;
    if (!property(node, 'form')) {
      reporter.report(
        node.id,
        `Bước ${label(node)} chưa có biểu mẫu (user task ${label(node)} names no form)`
      );
    }
  }
  return { check };
}
