// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive or final actions (forms carrying data-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A second click while the first request is on its way does nothing.
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 8000);
  });
  // After a refused submission the error summary takes the focus, so it is read out first.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // Live character count for textareas that carry data-minlength.
  document.querySelectorAll("textarea[data-minlength]").forEach(function (area) {
    var out = document.getElementById(area.id + "-count");
    if (!out) { return; }
    var update = function () {
      var n = area.value.trim().length;
      out.textContent = "已输入 " + n + " 字（至少 " + area.dataset.minlength + " 字）";
    };
    area.addEventListener("input", update);
    update();
  });
})();
