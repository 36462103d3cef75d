// mot-cua/lane-role (error): every user, manual or plain task lies in a lane named by a known role.
import { settings, label, is } from '../context.js';

const STEP_TYPES = ['bpmn:UserTask', 'bpmn:ManualTask'];

function isStep(node) {
  return STEP_TYPES.some((type) => is(node, type)) || node.$type === 'bpmn:Task';
}

function lanesOf(process) {
  const byNode = new Map();
  const visit = (laneSet) => {
    for (const lane of (laneSet && laneSet.lanes) || []) {
      for (const node of lane.flowNodeRef || []) byNode.set(node, lane);
      visit(lane.childLaneSet);
    }
  };
  for (const laneSet of process.laneSets || []) visit(laneSet);
  return byNode;
}

export default function laneRole() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Process')) return;
    const lanes = lanesOf(node);
    for (const element of node.flowElements || []) {
      if (!isStep(element)) continue;
      const lane = lanes.get(element);
      if (!lane) {
        reporter.report(
          element.id,
          `Bước ${label(element)} không nằm trong làn nào; đặt nó vào làn của một vai trò ` +
            `(step ${label(element)} lies in no lane; put it in a role's lane)`
        );
      } else if (!settings.roles.includes(lane.name)) {
        reporter.report(
          element.id,
          `Bước ${label(element)} nằm trong làn "${lane.name || ''}" không phải vai trò đã biết: ` +
            `${settings.roles.join(', ')} (step ${label(element)} lies in lane ` +
            `"${lane.name || ''}", which is not a known role)`
        );
      }
    }
  }
  return { check };
}
