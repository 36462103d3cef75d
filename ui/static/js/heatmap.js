/* Procedure bottlenecks page: the heat map as bpmn-js overlays. Each human step is coloured by
   the median of its total time (waiting + working, working hours) on a five-step scale from 0 to
   the slowest step's median, and carries a badge with its median waiting / working hours. */
(function () {
  'use strict';

  var BUCKETS = 5;
  var data = JSON.parse(document.getElementById('heat-data').textContent);
  var container = document.getElementById('heatmap');

  function bucket(value, top) {
    if (value === null || value === undefined) { return null; }
    if (top <= 0) { return 0; }
    return Math.min(BUCKETS - 1, Math.floor(value / top * BUCKETS));
  }

  function hours(value) {
    return value === null || value === undefined ? '—' : value.toFixed(1);
  }

  function label() {
    var top = data.max_hours;
    document.querySelectorAll('.heat-range').forEach(function (item) {
      if (!top) { item.parentNode.hidden = true; return; }  // nothing measured: no scale
      var index = Number(item.getAttribute('data-bucket'));
      var low = top * index / BUCKETS;
      var high = top * (index + 1) / BUCKETS;
      item.textContent = hours(low) + '–' + hours(high) + ' h';
    });
  }

  function draw() {
    if (!container || !window.BpmnJS) { return; }
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(data.bpmn_xml).then(function () {
      var canvas = viewer.get('canvas');
      var overlays = viewer.get('overlays');
      var registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      data.steps.forEach(function (step) {
        var element = registry.get(step.element_id);
        if (!element) { return; }
        var index = bucket(step.total.median, data.max_hours);
        canvas.addMarker(step.element_id, index === null ? 'heat-none' : 'heat-' + index);
        var badge = document.createElement('div');
        badge.className = 'heat-badge';
        badge.setAttribute('data-element', step.element_id);
        badge.title = step.name + ': n=' + step.count + ', P90 ' + hours(step.total.p90) + ' h';
        badge.textContent = step.count
          ? container.getAttribute('data-wait') + ' ' + hours(step.waiting.median) + ' · ' +
            container.getAttribute('data-work') + ' ' + hours(step.working.median) + ' h (n=' + step.count + ')'
          : 'n=0';
        overlays.add(step.element_id, 'heat', { position: { bottom: -4, left: -10 }, html: badge });
      });
      relabelLanes(viewer, registry);
      container.setAttribute('data-ready', 'true');
    }).catch(function (error) {
      container.textContent = String(error);
    });
  }

  function relabelLanes(viewer, registry) {
    var graphics = viewer.get('graphicsFactory');
    registry.filter(function (element) { return element.type === 'bpmn:Lane'; })
      .forEach(function (lane) {
        var name = (data.lane_labels || {})[lane.businessObject.name];
        if (name) {
          lane.businessObject.name = name;
          graphics.update('shape', lane, registry.getGraphics(lane));
        }
      });
  }

  label();
  draw();
})();
