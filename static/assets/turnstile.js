// A Turnstile sale's page: once the widget is solved, the form (holding the widget's token)
// joins the line by itself; the button does the same without waiting.
(() => {
  "use strict";
  window.waitroomTurnstileSolved = () => {
    const form = document.getElementById("turnstile-form");
    if (form && !form.dataset.sent) {
      form.dataset.sent = "1";
      form.submit();
    }
  };
})();
