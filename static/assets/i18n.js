// The page's words for its scripts, in the page's language (src/i18n.rs sends the messages the
// scripts use in <script type="application/json" id="i18n-messages">, from locales/*.ftl), and
// numbers, times and waits formatted for that language with the browser's Intl.
(() => {
  "use strict";
  const lang = document.documentElement.lang || "en";
  let messages = {};
  try {
    messages = JSON.parse(document.getElementById("i18n-messages").textContent);
  } catch (_) { /* no messages: the ids show, which a test would catch */ }
  const number = new Intl.NumberFormat(lang);
  const minutes = new Intl.NumberFormat(lang, { style: "unit", unit: "minute", unitDisplay: "long" });
  const hours = new Intl.NumberFormat(lang, { style: "unit", unit: "hour", unitDisplay: "long" });
  const list = typeof Intl.ListFormat === "function" ? new Intl.ListFormat(lang, { style: "narrow", type: "unit" }) : null;

  window.waitroomI18n = {
    lang,
    // A message with its { $variables } filled in.
    t(id, vars) {
      const pattern = messages[id];
      if (pattern === undefined) return id;
      return pattern.replace(/\{\$([A-Za-z0-9_-]+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ""));
    },
    num: (n) => number.format(n),
    dateTime: (date) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(date),
    time: (date) => new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" }).format(date),
    // An estimated wait in seconds, in words: "3 minutes", "1 hour, 5 minutes", "< 1 minute".
    wait(seconds) {
      if (seconds === null || seconds === undefined) return "–";
      if (seconds < 60) return `< ${minutes.format(1)}`;
      if (seconds < 3600) return minutes.format(Math.ceil(seconds / 60));
      const parts = [hours.format(Math.floor(seconds / 3600)), minutes.format(Math.floor((seconds % 3600) / 60))];
      return list ? list.format(parts) : parts.join(" ");
    },
  };
})();
