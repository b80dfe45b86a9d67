// Polls a run's status and shows its progress; the page stays usable while the run works.
// A sweep reports {stage, done, total}: a progress bar of the draws, then the sensitivity step.
"use strict";
window.ceasefirePoll = function (statusUrl, el, onDone) {
  const started = Date.now();
  const count = (x) => Number(x).toLocaleString("en");
  el.className = "run-status busy";
  el.innerHTML = '<span class="spinner" aria-hidden="true"></span> <span class="run-text">queued…</span>' +
    ' <progress class="run-bar hidden" max="1" value="0" aria-label="draws done"></progress>';
  const text = el.querySelector(".run-text");
  const bar = el.querySelector(".run-bar");
  // cancel: kills the run's worker process (queued: leaves the queue)
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "link cancel-run";
  cancel.textContent = "cancel";
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    await fetch(statusUrl + "/cancel", { method: "POST" });
  });
  el.append(" ", cancel);

  const ordinal = (n) => n + (n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th");

  function describe(status, secs) {
    const p = status.progress;
    if (status.status === "queued" && status.position) {
      return `queued: ${ordinal(status.position)} in the queue (the workers are busy)… ${secs} s`;
    }
    if (!p || !p.total || status.status !== "running") return `${status.status}… ${secs} s`;
    bar.classList.remove("hidden");
    bar.max = p.total;
    bar.value = p.done;
    el.dataset.done = p.done;
    el.dataset.total = p.total;
    if (p.stage === "analysis") return `central analysis, then ${count(p.total)} draws… ${secs} s`;
    if (p.stage === "sensitivity") {
      return `all ${count(p.total)} draws done; sensitivity and switch points… ${secs} s`;
    }
    const pct = Math.floor((100 * p.done) / p.total);
    return `sweep: ${count(p.done)} of ${count(p.total)} draws (${pct}%)… ${secs} s`;
  }

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
      if (status.progress) bar.value = bar.max;
      text.textContent = `done in ${status.seconds} s — opening the results…`;
      el.className = "run-status good";
      onDone(status);
    } else if (status.status === "failed") {
      el.className = "run-status bad";
      el.textContent = `the run failed: ${status.error}`;
    } else if (status.status === "cancelled") {
      el.className = "run-status bad";
      el.textContent = "the run was cancelled";
    } else {
      text.textContent = describe(status, secs);
      setTimeout(tick, 500);
    }
  }
  tick();
};
