/* "Read aloud" buttons: the browser's own speech synthesis, no third-party code.
 * Progressive enhancement: buttons stay hidden where speechSynthesis is missing.
 * The language comes from the nearest lang attribute (vi -> vi-VN, en -> en-US). */
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) {
    return;
  }
  var VOICE_LANG = { vi: "vi-VN", en: "en-US" };
  var current = null;

  function speechLang(element) {
    var holder = element.closest("[lang]");
    var code = (holder ? holder.getAttribute("lang") : "vi").split("-")[0];
    return VOICE_LANG[code] || "vi-VN";
  }

  function pickVoice(lang) {
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.replace("_", "-").indexOf(lang) === 0) {
        return voices[i];
      }
    }
    return null;
  }

  function reset(button) {
    if (button) { button.setAttribute("aria-pressed", "false"); }
    if (current === button) { current = null; }
  }

  function toggle(button) {
    var wasSpeaking = current === button;
    window.speechSynthesis.cancel();
    reset(current);
    if (wasSpeaking) { return; }
    var target = document.getElementById(button.getAttribute("data-read-aloud"));
    if (!target) { return; }
    var text = (target.innerText || target.textContent || "").trim();
    if (!text) { return; }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = speechLang(target);
    var voice = pickVoice(utterance.lang);
    if (voice) { utterance.voice = voice; }
    utterance.rate = 0.95;
    utterance.onend = utterance.onerror = function () { reset(button); };
    current = button;
    button.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(utterance);
  }

  function init() {
    var buttons = document.querySelectorAll("button[data-read-aloud]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { toggle(button); });
    });
    window.addEventListener("pagehide", function () { window.speechSynthesis.cancel(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
