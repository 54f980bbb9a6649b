// A Turnstile sale's page: once the widget is solved, the form (holding the widget's token)
// joins the line by itself; the button does the same without waiting. After a refused token (the
// page shows why, `#notice`), the fan presses the button: a check that keeps failing never loops.
(() => {
  "use strict";
  window.waitroomTurnstileSolved = () => {
    const form = document.getElementById("turnstile-form");
    if (form && !form.dataset.sent && !document.getElementById("notice")) {
      form.dataset.sent = "1";
      form.submit();
    }
  };
})();
