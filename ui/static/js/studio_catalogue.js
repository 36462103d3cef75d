// The procedures page (/studio): discarding a draft asks first, then posts to the JSON endpoint
// with the page's CSRF token in the X-CSRFToken header; a refusal is shown, not swallowed.
(function () {
  "use strict";
  var problem = document.getElementById("studio-error");

  function show(text) {
    problem.textContent = text;
    problem.hidden = false;
  }

  document.querySelectorAll("form[data-studio-discard]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(form.dataset.confirm)) {
        return;
      }
      var token = form.querySelector("input[name=csrf_token]").value;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, "Content-Type": "application/json" },
        body: "{}",
      })
        .then(function (response) {
          if (response.ok) {
            window.location.reload();
            return null;
          }
          return response.json().then(function (body) {
            show(body.detail || body.title || String(response.status));
          });
        })
        .catch(function (error) {
          show(String(error));
        });
    });
  });
})();
