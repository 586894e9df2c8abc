/* The editor's own "save", "submit for review" or "publish" never races the
 * background save (Wagtail's autosave).
 *
 * On a new page, the first background save creates the page and only its answer
 * points the form at the page's edit address. An editor who presses a button
 * while that save is on its way (a slow connection, a busy server) would send the
 * form to "add a page" a second time: the address (slug) is then taken by the
 * page just saved, and the editor is told the address is already used, with a
 * stray draft left behind. So: while a background save is on its way, the
 * editor's submit waits for it and is then sent to wherever the form now points;
 * once the editor has pressed a button, no new background save starts. */
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form[data-w-autosave-interval-value]");
    if (!form) { return; }
    var saving = false;
    var waiting = null; // the button the editor pressed while a save was on its way

    form.addEventListener("w-autosave:save", function (event) {
      // Wagtail sends the background save unless this event is cancelled.
      if (waiting) { event.preventDefault(); return; }
      saving = true;
    });
    function settled() {
      saving = false;
      if (!waiting) { return; }
      var pressed = waiting;
      waiting = null;
      // The button itself may be greyed out by now, or replaced by the edit
      // page's own: its name and value travel in a hidden field instead.
      if (pressed.name) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = pressed.name;
        field.value = pressed.value;
        form.appendChild(field);
      }
      form.requestSubmit();
    }
    form.addEventListener("w-autosave:success", settled);
    form.addEventListener("w-autosave:error", settled);
    form.addEventListener("w-autosave:deactivated", settled);

    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (saving) {
        event.preventDefault();
        waiting = event.submitter || {};
        return;
      }
      // The editor's own save is on its way: no background save after it.
      form.setAttribute("data-w-autosave-active-value", "false");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
