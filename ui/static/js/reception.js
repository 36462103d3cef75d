// The reception desk: the checklist of papers and the reception form shown are those of the
// procedure chosen, and only those.
(function () {
  'use strict';
  var select = document.getElementById('f-procedure_code');
  if (!select) { return; }
  function show() {
    var chosen = select.value;
    document.querySelectorAll('#reception-form [data-procedure]').forEach(function (block) {
      block.hidden = block.getAttribute('data-procedure') !== chosen;
    });
    document.querySelectorAll('#papers .papers-none').forEach(function (hint) {
      hint.hidden = Boolean(chosen);
    });
  }
  select.addEventListener('change', show);
  show();
}());
