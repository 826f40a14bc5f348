// The watchstats dashboard (issue 9, item 7): charts of the reports over the
// query API, with the common filters, a clock selector, "compare with
// previous period" and a CSV download of every chart's data. It holds no
// analytics of its own: every number comes from GET /v1/reports/{name}.
import { Chart, registerables } from "chart.js";
import { MatrixController, MatrixElement } from "chartjs-chart-matrix";

Chart.register(...registerables, MatrixController, MatrixElement);

const KEY_STORAGE = "watchstats.analystKey";
const LIVE_REFRESH_MS = 5000;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const PALETTE = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00"];

// ---- the API ---------------------------------------------------------------

function apiKey() {
  const m = location.hash.match(/key=([^&]+)/);
  if (m) {
    localStorage.setItem(KEY_STORAGE, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname);
  }
  return localStorage.getItem(KEY_STORAGE) || "";
}

async function api(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== undefined && v !== null) q.set(k, v);
  const res = await fetch(`${path}${q.toString() ? "?" + q : ""}`, {
    headers: { Authorization: `Bearer ${apiKey()}` },
  });
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try {
      msg = JSON.parse(text).error;
    } catch (e) {
      msg = `${res.status} ${text.slice(0, 200)}`;
    }
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return params.format === "csv" ? text : JSON.parse(text);
}

// ---- the filters -----------------------------------------------------------

const $ = (id) => document.getElementById(id);

function filters() {
  const clock = $("clock").value;
  return {
    from: $("from").value,
    to: $("to").value,
    country: $("country").value.trim().toUpperCase(),
    device_type: $("device").value,
    genre: $("genre").value.trim(),
    tz: clock === "named" ? $("zone").value.trim() : clock,
  };
}

const comparing = () => $("compare").checked;

// ---- charts ----------------------------------------------------------------

function sum(rows, col) {
  return rows.reduce((s, r) => s + (typeof r[col] === "number" ? r[col] : 0), 0);
}

// "+12.3 % vs previous period" for a measure of a compared report.
function delta(rows, col) {
  const now = sum(rows, col);
  const prev = sum(rows, `${col}_prev`);
  if (!prev) return "no data in the previous period";
  const pct = ((now - prev) / prev) * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)} % ${col.replace(/_/g, " ")} vs previous period`;
}

const CHARTS = [
  {
    id: "trends",
    title: "Daily trends: watch hours and sessions",
    report: "trends",
    measure: "watch_hours",
    draw: (rows, compare) => ({
      type: "line",
      data: {
        labels: rows.map((r) => r.date),
        datasets: [
          { label: "watch hours", data: rows.map((r) => r.watch_hours), borderColor: PALETTE[0], yAxisID: "y" },
          { label: "sessions", data: rows.map((r) => r.sessions), borderColor: PALETTE[1], yAxisID: "y1" },
          ...(compare
            ? [{ label: "watch hours, previous period", data: rows.map((r) => r.watch_hours_prev), borderColor: PALETTE[0], borderDash: [5, 4], yAxisID: "y" }]
            : []),
        ],
      },
      options: { scales: { y: { position: "left" }, y1: { position: "right", grid: { drawOnChartArea: false } } } },
    }),
  },
  {
    id: "peak",
    title: "Peak hours: sessions by weekday and hour (the selected clock)",
    report: "breakdown",
    params: { by: "weekday,hour" },
    measure: "sessions",
    draw: (rows) => {
      const max = Math.max(1, ...rows.map((r) => r.sessions));
      return {
        type: "matrix",
        data: {
          datasets: [
            {
              label: "sessions",
              data: rows.map((r) => ({ x: r.hour, y: WEEKDAYS[r.weekday - 1] || String(r.weekday), v: r.sessions })),
              backgroundColor: (c) => `rgba(51, 102, 204, ${0.08 + 0.92 * ((c.raw && c.raw.v) || 0) / max})`,
              width: ({ chart }) => (chart.chartArea || {}).width / 24 - 1,
              height: ({ chart }) => (chart.chartArea || {}).height / 7 - 1,
            },
          ],
        },
        options: {
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${c.raw.y} ${c.raw.x}:00 — ${c.raw.v} sessions` } } },
          scales: {
            x: {
              type: "linear",
              min: -0.5,
              max: 23.5,
              offset: false,
              afterBuildTicks: (axis) => {
                axis.ticks = Array.from({ length: 24 }, (_, h) => ({ value: h }));
              },
            },
            y: { type: "category", labels: WEEKDAYS, offset: true },
          },
        },
      };
    },
  },
  {
    id: "popular",
    title: "Popular titles",
    report: "popular",
    params: { limit: 10 },
    measure: "sessions",
    draw: (rows, compare) => ({
      type: "bar",
      data: {
        labels: rows.map((r) => r.title || r.title_id),
        datasets: [
          { label: "sessions", data: rows.map((r) => r.sessions), backgroundColor: PALETTE[0] },
          ...(compare ? [{ label: "previous period", data: rows.map((r) => r.sessions_prev), backgroundColor: "#a9bde6" }] : []),
        ],
      },
      options: { indexAxis: "y" },
    }),
  },
  {
    id: "genre-country",
    title: "Watch hours by genre and country",
    report: "breakdown",
    params: { by: "genre,country" },
    measure: "watch_hours",
    draw: (rows) => {
      const total = (key) => {
        const m = new Map();
        for (const r of rows) m.set(r[key], (m.get(r[key]) || 0) + r.watch_hours);
        return [...m.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
      };
      const genres = total("genre").slice(0, 10);
      const countries = total("country").slice(0, 6);
      return {
        type: "bar",
        data: {
          labels: genres,
          datasets: countries.map((c, i) => ({
            label: c || "unknown",
            backgroundColor: PALETTE[i % PALETTE.length],
            data: genres.map((g) => (rows.find((r) => r.genre === g && r.country === c) || {}).watch_hours || 0),
          })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true } } },
      };
    },
  },
  {
    id: "devices",
    title: "Completion by device type",
    report: "devices",
    measure: "sessions",
    draw: (rows, compare) => ({
      type: "bar",
      data: {
        labels: rows.map((r) => r.device_type || "unknown"),
        datasets: [
          { label: "average completion %", data: rows.map((r) => r.avg_completion_percentage), backgroundColor: PALETTE[3] },
          ...(compare ? [{ label: "previous period", data: rows.map((r) => r.avg_completion_percentage_prev), backgroundColor: "#9fd39f" }] : []),
        ],
      },
      options: { scales: { y: { min: 0, max: 100 } } },
    }),
  },
  {
    id: "reach",
    title: "Reach versus hours per title",
    report: "reach",
    params: { limit: 50 },
    measure: "viewers",
    draw: (rows) => ({
      type: "scatter",
      data: {
        datasets: [
          {
            label: "titles",
            data: rows.map((r) => ({ x: r.reach_pct, y: r.watch_hours, title: r.title || r.title_id })),
            backgroundColor: PALETTE[4],
          },
        ],
      },
      options: {
        plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.title}: reach ${c.raw.x} %, ${c.raw.y} h` } } },
        scales: { x: { title: { display: true, text: "reach % of viewers" } }, y: { title: { display: true, text: "watch hours" } } },
      },
    }),
  },
  {
    id: "concurrency",
    title: "Concurrent sessions (peak per hour)",
    report: "concurrency",
    measure: "peak_sessions",
    draw: (rows) => ({
      type: "line",
      data: {
        labels: rows.map((r) => r.bucket_start.slice(0, 13).replace("T", " ")),
        datasets: [
          { label: "peak sessions", data: rows.map((r) => r.peak_sessions), borderColor: PALETTE[5], pointRadius: 0 },
          { label: "average sessions", data: rows.map((r) => r.avg_sessions), borderColor: PALETTE[2], pointRadius: 0 },
        ],
      },
    }),
  },
];

let reportsMeta = {};
const charts = {};
let generation = 0;

function card(def) {
  const el = document.createElement("section");
  el.className = "card";
  el.dataset.chart = def.id;
  el.innerHTML = `<header><h2></h2><button class="csv" type="button">CSV</button></header>
    <p class="note"></p><div class="plot"><canvas></canvas></div>`;
  el.querySelector("h2").textContent = def.title;
  el.querySelector(".csv").addEventListener("click", () => downloadCsv(def));
  return el;
}

function paramsFor(def) {
  const meta = reportsMeta[def.report] || { params: [], comparable: false };
  const all = { ...filters(), ...(def.params || {}) };
  const out = {};
  for (const [k, v] of Object.entries(all)) if (meta.params.includes(k) || k === "format") out[k] = v;
  if (comparing() && meta.comparable) out.compare = "previous";
  return out;
}

async function downloadCsv(def) {
  const text = await api(`/v1/reports/${def.report}`, { ...paramsFor(def), format: "csv" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  a.download = `${def.id}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

async function drawChart(def, gen) {
  const el = document.querySelector(`[data-chart="${def.id}"]`);
  el.dataset.state = "loading";
  try {
    const res = await api(`/v1/reports/${def.report}`, paramsFor(def));
    if (gen !== generation) return;
    const compare = comparing() && (reportsMeta[def.report] || {}).comparable;
    const cfg = def.draw(res.rows, compare);
    cfg.options = { responsive: true, maintainAspectRatio: false, animation: false, ...(cfg.options || {}) };
    if (charts[def.id]) charts[def.id].destroy();
    charts[def.id] = new Chart(el.querySelector("canvas"), cfg);
    el.querySelector(".note").textContent = compare
      ? delta(res.rows, def.measure)
      : `${res.rows.length} rows, ${res.params.from} to ${res.params.to}`;
    el.dataset.rows = String(res.rows.length);
    el.dataset.signature = JSON.stringify(res.rows).length + ":" + sum(res.rows, def.measure);
    el.dataset.compare = compare ? "on" : "off";
    el.dataset.state = "ready";
    if (def.id === "trends" && !$("from").value) {
      $("from").value = res.params.from;
      $("to").value = res.params.to;
    }
  } catch (e) {
    if (gen !== generation) return;
    el.dataset.state = "error";
    el.querySelector(".note").textContent = e.message;
    if (e.status === 401) showKeyForm(e.message);
  }
}

async function drawLive() {
  const el = document.querySelector(`[data-chart="live"]`);
  try {
    const res = await api("/v1/active", { tz: filters().tz });
    const total = sum(res.rows, "open_sessions");
    el.querySelector(".note").textContent = `${total} open session${total === 1 ? "" : "s"} now (refreshed every ${LIVE_REFRESH_MS / 1000} s)`;
    const rows = res.rows.slice().sort((a, b) => b.open_sessions - a.open_sessions).slice(0, 12);
    el.querySelector("tbody").innerHTML = "";
    for (const r of rows) {
      const tr = document.createElement("tr");
      for (const v of [r.content_id, r.device_type || "—", r.country || "—", r.open_sessions, r.viewers]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.appendChild(td);
      }
      el.querySelector("tbody").appendChild(tr);
    }
    el.dataset.rows = String(res.rows.length);
    el.dataset.state = "ready";
  } catch (e) {
    el.dataset.state = "error";
    el.querySelector(".note").textContent = e.message;
  }
}

function refresh() {
  generation += 1;
  const gen = generation;
  document.body.dataset.generation = String(gen);
  return Promise.all(CHARTS.map((def) => drawChart(def, gen)));
}

// ---- the key form ------------------------------------------------------------

function showKeyForm(message) {
  $("keyform").hidden = false;
  $("keymsg").textContent = message || "";
}

// ---- start -------------------------------------------------------------------

async function main() {
  const grid = $("charts");
  for (const def of CHARTS) grid.appendChild(card(def));
  const live = document.createElement("section");
  live.className = "card";
  live.dataset.chart = "live";
  live.innerHTML = `<header><h2>Open sessions, live</h2></header><p class="note"></p>
    <table><thead><tr><th>content</th><th>device</th><th>country</th><th>open</th><th>viewers</th></tr></thead><tbody></tbody></table>`;
  grid.appendChild(live);

  $("keyform").addEventListener("submit", (ev) => {
    ev.preventDefault();
    localStorage.setItem(KEY_STORAGE, $("key").value.trim());
    $("keyform").hidden = true;
    start();
  });
  for (const id of ["from", "to", "country", "device", "genre", "clock", "zone", "compare"]) {
    $(id).addEventListener("change", () => {
      $("zone").hidden = $("clock").value !== "named";
      refresh();
      drawLive();
    });
  }
  if (!apiKey()) {
    showKeyForm("Paste an analyst key (watchstats keys create --role analyst).");
    return;
  }
  start();
}

async function start() {
  try {
    const meta = await api("/v1/reports");
    for (const r of meta.reports) reportsMeta[r.name] = r;
  } catch (e) {
    showKeyForm(e.message);
    return;
  }
  refresh();
  drawLive();
  setInterval(drawLive, LIVE_REFRESH_MS);
}

main();
