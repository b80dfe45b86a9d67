// Polls a run's status and shows its progress; the page stays usable while the run works.
"use strict";
window.ceasefirePoll = function (statusUrl, el, onDone) {
  const started = Date.now();
  el.className = "run-status busy";
  el.innerHTML = '<span class="spinner" aria-hidden="true"></span> <span class="run-text">queued…</span>';
  const text = el.querySelector(".run-text");
  async function tick() {
    let status;
    try {
      const res = await fetch(statusUrl, { cache: "no-store" });
      status = await res.json();
      if (!res.ok) throw new Error(status.error || res.statusText);
    } catch (err) {
      text.textContent = `lost contact with the server (${err.message}); retrying…`;
      setTimeout(tick, 2000);
      return;
    }
    const secs = Math.round((Date.now() - started) / 1000);
    if (status.status === "done") {
      text.textContent = `done in ${status.seconds} s — opening the results…`;
      el.className = "run-status good";
      onDone(status);
    } else if (status.status === "failed") {
      el.className = "run-status bad";
      el.textContent = `the run failed: ${status.error}`;
    } else {
      text.textContent = `${status.status}… ${secs} s`;
      setTimeout(tick, 500);
    }
  }
  tick();
};
