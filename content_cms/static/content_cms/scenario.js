/* Scenario choices: each is a <details> that shows its feedback without JS. With
 * JS, opening one choice closes the others and the feedback is announced to
 * screen readers through the scenario's polite live region. */
(function () {
  "use strict";
  function init() {
    var groups = document.querySelectorAll("[data-scenario]");
    Array.prototype.forEach.call(groups, function (group) {
      var choices = group.querySelectorAll("details");
      var status = group.parentNode.querySelector("[data-scenario-status]");
      Array.prototype.forEach.call(choices, function (choice) {
        choice.addEventListener("toggle", function () {
          if (!choice.open) { return; }
          Array.prototype.forEach.call(choices, function (other) {
            if (other !== choice) { other.open = false; }
          });
          var feedback = choice.querySelector(".scenario-feedback");
          if (status && feedback) { status.textContent = feedback.textContent.trim(); }
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
