// The reception desk: the checklist shows the papers of the procedure chosen, and only those.
(function () {
  'use strict';
  var select = document.getElementById('f-procedure_code');
  if (!select) { return; }
  function show() {
    var chosen = select.value;
    document.querySelectorAll('#papers .papers').forEach(function (block) {
      block.hidden = block.getAttribute('data-procedure') !== chosen;
    });
    document.querySelectorAll('#papers .papers-none').forEach(function (hint) {
      hint.hidden = Boolean(chosen);
    });
  }
  select.addEventListener('change', show);
  show();
}());
