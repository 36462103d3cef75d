// The migration preview: "select all" toggles every movable dossier; the move asks first.
(function () {
  'use strict';
  var all = document.querySelector('[data-select-all]');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name="dossier_ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) { event.preventDefault(); }
    });
  });
})();
