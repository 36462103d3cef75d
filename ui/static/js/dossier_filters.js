/* The dossier list's period boxes: a calendar to pick from (flatpickr, which form-js ships), in
   Vietnamese with weeks from Monday on a Vietnamese page; the day is still typed as dd/mm/yyyy,
   and the server reads and checks whatever is in the box. */
(function () {
  'use strict';
  if (typeof window.flatpickr !== 'function') { return; }
  var english = document.documentElement.getAttribute('lang') === 'en';
  var vietnamese = window.flatpickr.l10ns && window.flatpickr.l10ns.vn;
  var locale = Object.assign({}, english || !vietnamese ? {} : vietnamese, { firstDayOfWeek: 1 });
  document.querySelectorAll('form.filter-bar input.day').forEach(function (input) {
    window.flatpickr(input, {
      dateFormat: 'd/m/Y',
      allowInput: true,
      disableMobile: true,
      locale: locale
    });
  });
})();
