/* 10-base.js — optional improvements only: every page works without it.
 * On a form re-rendered with errors, focus the error summary so a screen
 * reader announces it. Areas add web/assets/<nn>-<area>.js after it. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
