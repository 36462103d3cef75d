// The version comparison page: both diagrams in bpmn-js viewers, side by side, each element
// coloured by what the server's diff says of it (added, removed, changed, moved).
(function () {
  'use strict';
  var payloadElement = document.getElementById('diff-payload');
  var printButton = document.querySelector('[data-print]');
  if (printButton) { printButton.addEventListener('click', function () { window.print(); }); }
  if (!payloadElement || !window.BpmnJS) { return; }
  var payload = JSON.parse(payloadElement.textContent);

  function show(containerId, xml, marks) {
    var container = document.getElementById(containerId);
    if (!container || !xml) { return Promise.resolve(); }
    var viewer = new window.BpmnJS({ container: container });
    return viewer.importXML(xml).then(function () {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      Object.keys(marks).forEach(function (css) {
        marks[css].forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, css); }
        });
      });
      container.setAttribute('data-ready', 'true');
    }).catch(function (error) {
      container.textContent = String(error && error.message || error);
    });
  }

  show('diff-from', payload.diagrams.from, {
    'diff-removed': payload.removed, 'diff-changed': payload.changed, 'diff-moved': payload.moved
  });
  show('diff-to', payload.diagrams.to, {
    'diff-added': payload.added, 'diff-changed': payload.changed, 'diff-moved': payload.moved
  });
})();
