// Poll a class bundle's status until its file is ready, then show the link.
(function () {
  "use strict";
  var box = document.getElementById("bundle");
  if (!box) return;
  var status = box.getAttribute("data-status");
  if (status === "done" || status === "failed") return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("bundle-progress");
  var label = document.getElementById("bundle-status-label");
  var count = document.getElementById("bundle-count");
  var template = count.getAttribute("data-template");
  var message = document.getElementById("bundle-message");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        label.textContent = data.status_label;
        count.textContent = template.replace("{done}", data.done).replace("{total}", data.total);
        message.textContent = data.message;
        message.hidden = !data.message;
        message.classList.toggle("error-box", data.status === "failed");
        if (data.status === "done") {
          document.getElementById("bundle-link").href = data.download_url;
          document.getElementById("bundle-download").hidden = false;
        } else if (data.status !== "failed") {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
