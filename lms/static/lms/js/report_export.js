// Follow an export in the background: poll its JSON until it is ready or failed.
(function () {
  "use strict";
  var box = document.getElementById("export-state");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  var download = document.getElementById("export-download");
  var message = document.getElementById("export-message");
  function poll() {
    fetch(box.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        status.textContent = data.status_label + " · " + data.progress + "%";
        message.textContent = data.message;
        message.hidden = !data.message;
        message.classList.toggle("error-box", data.status === "failed");
        if (data.status === "done") { download.hidden = false; return; }
        if (data.status !== "failed") { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (box.getAttribute("data-status") !== "done" && box.getAttribute("data-status") !== "failed") { poll(); }
})();
