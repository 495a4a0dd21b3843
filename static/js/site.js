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
  // The application form saves the draft on its own while the user types (intent=autosave), at most
  // every 30 seconds, so a long narrative outlives the 30-minute idle sign-out. The answer carries the
  // new version into the hidden field, so the user's own 保存草稿 afterwards is not taken for a
  // concurrent edit. Nothing is saved while the page is being submitted.
  var form = document.querySelector("form[data-autosave]");
  if (form) {
    var status = form.querySelector("[data-autosave-status]");
    var dirty = false;
    var busy = false;
    var say = function (text) { if (status) { status.textContent = text; } };
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    var save = function () {
      if (!dirty || busy || form.dataset.submitted === "1") { return; }
      busy = true;
      dirty = false;
      var data = new FormData(form);
      data.set("intent", "autosave");
      window.fetch(form.action || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) {
          dirty = true;
          say("登录已超时，本次未能自动保存。请勿关闭本页，在新窗口重新登录后点击“保存草稿”。");
          return null;
        }
        return response.json().then(function (answer) {
          if (answer.saved) {
            form.querySelector("input[name=version]").value = answer.version;
          } else {
            dirty = true;
          }
          say(answer.message);
        });
      }).catch(function () {
        dirty = true;
        say("网络连接中断，本次未能自动保存，恢复后将再次尝试。");
      }).then(function () { busy = false; });
    };
    window.setInterval(save, 30000);
  }
  // A zip of printed forms being built (form_bundle_detail.html): the page follows its progress and,
  // once it is done, shows itself again with the download. Without this file a link refreshes it.
  var bundle = document.querySelector("[data-bundle-status]");
  if (bundle && !bundle.hasAttribute("data-finished")) {
    var poll = function () {
      window.fetch(bundle.getAttribute("data-bundle-status"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json();
      }).then(function (state) {
        var bar = bundle.querySelector("progress");
        bar.max = state.total;
        bar.value = state.done;
        bundle.querySelector("[data-bundle-count]").textContent = "已生成 " + state.done + " / " + state.total + " 份";
        bundle.querySelector("[data-bundle-label]").textContent = state.label;
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      }).catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
