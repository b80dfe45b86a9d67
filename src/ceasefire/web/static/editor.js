// The scenario editor: collects the tables and the raw TOML, saves them to the server (which
// validates with the same code as the CLI) and puts every problem on its cell.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const statusEl = document.getElementById("save-status");
  const runStatus = document.getElementById("run-status");
  let dirty = false;
  let timer = null;
  let saving = null;

  function rows(tableId) {
    const table = document.getElementById(tableId);
    return table ? Array.from(table.tBodies[0].rows) : [];
  }

  function cells(row, part) {
    const out = {};
    row.querySelectorAll(`[data-part="${part}"]`).forEach((el) => { out[el.dataset.dim] = el.value; });
    return out;
  }

  function field(row, name) {
    const el = row.querySelector(`[data-field="${name}"]`);
    return el ? el.value : "";
  }

  function orig(row) {
    return row.dataset.orig === "" ? null : Number(row.dataset.orig);
  }

  function collect() {
    const body = { rest: document.getElementById("rest").value, note: document.getElementById("draft-note").value };
    if (document.getElementById("actors")) {
      body.actors = rows("actors").map((r) => ({
        orig: orig(r), id: field(r, "id"), name: field(r, "name"),
        capability: field(r, "capability"), war_cost: field(r, "war_cost"),
        position: cells(r, "position"), salience: cells(r, "salience"), red_lines: cells(r, "red_lines"),
        range: cells(r, "range"), source: field(r, "source"),
      }));
    }
    if (document.getElementById("proposals")) {
      body.proposals = rows("proposals").map((r) => ({
        orig: orig(r), id: field(r, "id"), label: field(r, "label"), proposer: field(r, "proposer"),
        invitation: field(r, "invitation"), guarantee: field(r, "guarantee"), territory: field(r, "territory"),
        ceasefire_before_accession: field(r, "ceasefire_before_accession"),
        mechanisms: field(r, "mechanisms"), requires: field(r, "requires"), position: cells(r, "position"),
      }));
    }
    return body;
  }

  // Row numbers are part of every cell's path (actors[3].position.alliance): renumber after
  // adding or removing a row so the server's locations still name the right cell.
  function renumber(tableId, prefix) {
    rows(tableId).forEach((row, i) => {
      row.querySelectorAll("[data-path]").forEach((el) => {
        el.dataset.path = el.dataset.path.replace(/^\w+\[\d+\]/, `${prefix}[${i}]`);
      });
    });
  }

  function findCell(path) {
    let p = path;
    while (p) {
      const el = document.querySelector(`[data-path="${CSS.escape(p)}"]`);
      if (el) return el;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    const row = path.match(/^(actors|proposals)\[(\d+)\]/);
    if (row) {
      const r = rows(row[1])[Number(row[2])];
      if (r) return r;
    }
    return null;
  }

  function showProblems(problems) {
    document.querySelectorAll(".invalid").forEach((el) => { el.classList.remove("invalid"); el.removeAttribute("title"); });
    const box = document.getElementById("problems-box");
    const list = document.getElementById("problems");
    list.textContent = "";
    problems.forEach((p) => {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = p.text;
      li.appendChild(code);
      li.dataset.cell = p.cell || p.path;
      list.appendChild(li);
      const el = findCell(p.cell || p.path) || (p.cell === "rest" || !p.cell ? document.getElementById("rest") : null);
      if (el) {
        el.classList.add("invalid");
        el.title = (el.title ? el.title + "\n" : "") + p.message;
      }
    });
    document.getElementById("problem-count").textContent =
      `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    box.classList.toggle("hidden", problems.length === 0);
  }

  document.getElementById("problems").addEventListener("click", (ev) => {
    const li = ev.target.closest("li");
    if (!li) return;
    const el = findCell(li.dataset.cell) || document.getElementById("rest");
    el.scrollIntoView({ block: "center", inline: "center" });
    if (el.focus) el.focus();
  });

  async function save() {
    clearTimeout(timer);
    if (saving) await saving;
    statusEl.textContent = "saving…";
    statusEl.className = "save-status busy";
    saving = (async () => {
      let res, data;
      try {
        res = await fetch(`/api/drafts/${config.draft}`, {
          method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(collect()),
        });
        data = await res.json();
      } catch (err) {
        statusEl.textContent = "not saved: the server did not answer";
        statusEl.className = "save-status bad";
        return { saved: false, valid: false };
      }
      if (data.problems) showProblems(data.problems);
      if (!data.saved) {
        statusEl.textContent = data.error ? `not saved: ${data.error}` : "not saved: fix the TOML syntax error";
        statusEl.className = "save-status bad";
        return data;
      }
      dirty = false;
      statusEl.textContent = data.valid ? "saved · no problems" : `saved · ${data.problems.length} problem${data.problems.length === 1 ? "" : "s"}`;
      statusEl.className = "save-status " + (data.valid ? "good" : "bad");
      if (JSON.stringify(data.dimensions) !== JSON.stringify(config.dimensions)) {
        // the dimensions changed in the raw TOML: the tables need new columns
        window.location.reload();
      }
      return data;
    })();
    const result = await saving;
    saving = null;
    return result;
  }

  function changed() {
    dirty = true;
    statusEl.textContent = "unsaved changes";
    statusEl.className = "save-status busy";
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }

  document.querySelector("main").addEventListener("input", (ev) => {
    if (ev.target.closest("#toolbar")) return;
    if (ev.target.matches("input, select, textarea")) changed();
  });
  document.querySelector("main").addEventListener("change", (ev) => {
    if (ev.target.closest("#toolbar")) return;
    if (ev.target.matches("select")) changed();
  });

  document.querySelector("main").addEventListener("click", (ev) => {
    const btn = ev.target.closest(".remove-row");
    if (!btn) return;
    const row = btn.closest("tr");
    const table = row.closest("table");
    row.remove();
    renumber(table.id, table.id);
    changed();
  });

  function addRow(tableId) {
    const body = document.getElementById(tableId).tBodies[0];
    const template = body.rows[0];
    if (!template) return;
    const row = template.cloneNode(true);
    row.dataset.orig = "";
    row.querySelectorAll("input").forEach((el) => { el.value = ""; el.classList.remove("invalid"); el.removeAttribute("title"); });
    row.querySelectorAll("select").forEach((el) => { el.selectedIndex = 0; });
    body.appendChild(row);
    renumber(tableId, tableId);
    row.querySelector("input").focus();
    changed();
  }
  const addActor = document.getElementById("add-actor");
  if (addActor) addActor.addEventListener("click", () => addRow("actors"));
  const addProposal = document.getElementById("add-proposal");
  if (addProposal) addProposal.addEventListener("click", () => addRow("proposals"));

  document.getElementById("save").addEventListener("click", save);
  if (config.problems.length) {
    showProblems(config.problems);
    statusEl.textContent = `saved · ${config.problems.length} problem${config.problems.length === 1 ? "" : "s"}`;
    statusEl.className = "save-status bad";
  } else {
    statusEl.textContent = "saved · no problems";
    statusEl.className = "save-status good";
  }

  window.addEventListener("beforeunload", (ev) => {
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });

  // single run or sweep: the draws field's limit follows (the server checks it again)
  function runKind() {
    const checked = document.querySelector('input[name="run-kind"]:checked');
    return checked ? checked.value : "single";
  }
  function kindChanged() {
    const draws = document.getElementById("draws");
    draws.max = runKind() === "sweep" ? draws.dataset.maxSweep : draws.dataset.maxSingle;
    document.getElementById("run").textContent = runKind() === "sweep" ? "Run the sweep" : "Run analysis";
  }
  document.querySelectorAll('input[name="run-kind"]').forEach((el) => el.addEventListener("change", kindChanged));
  kindChanged();

  async function run() {
    const button = document.getElementById("run");
    button.disabled = true;
    try {
      const saved = await save();
      if (!saved.saved || !saved.valid) {
        runStatus.textContent = "fix the problems listed above first";
        runStatus.className = "run-status bad";
        return;
      }
      const seed = document.getElementById("seed").value;
      const res = await fetch(`/api/drafts/${config.draft}/runs`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({
          kind: runKind(), draws: Number(document.getElementById("draws").value), seed: seed === "" ? null : Number(seed),
          note: document.getElementById("run-note-input").value,
        }),
      });
      const data = await res.json();
      if (!res.ok) {
        runStatus.textContent = data.error + (data.problems && data.problems.length ? ": " + data.problems.join("; ") : "");
        runStatus.className = "run-status bad";
        return;
      }
      window.ceasefirePoll(data.status_url, runStatus, (status) => { window.location.href = status.url; });
    } finally {
      button.disabled = false;
    }
  }
  document.getElementById("run").addEventListener("click", run);
})();
