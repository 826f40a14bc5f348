// The dashboard in a real browser (issue 9, "Must show"): against a server
// with generated data, every chart renders with data; a filter changes the
// charts; the comparison switches on; a screenshot is saved.
//
// Usage: node dashboard.test.mjs URL ANALYST_KEY SCREENSHOT.png
import { launch, check, fail } from "./lib.mjs";

const [url, key, shot] = process.argv.slice(2);
const CHARTS = ["trends", "peak", "popular", "genre-country", "devices", "reach", "concurrency"];

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));
  await page.goto(`${url}/#key=${encodeURIComponent(key)}`);
  const settled = async () =>
    page.waitForFunction(
      (ids) => ids.every((id) => ["ready", "error"].includes(document.querySelector(`[data-chart="${id}"]`)?.dataset.state)),
      CHARTS,
      { timeout: 60000 },
    );
  const read = () =>
    page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
      const el = document.querySelector(`[data-chart="${id}"]`);
      return [id, { state: el.dataset.state, rows: Number(el.dataset.rows || 0), signature: el.dataset.signature,
                    compare: el.dataset.compare, note: el.querySelector(".note").textContent }];
    })), CHARTS);

  await settled();
  const first = await read();
  for (const id of CHARTS) {
    check(first[id].state === "ready" && first[id].rows > 0, `chart ${id} rendered with data (${first[id].rows} rows; ${first[id].note})`);
  }
  // Each chart drew pixels: its canvas is not blank.
  const painted = await page.evaluate((ids) => ids.map((id) => {
    const c = document.querySelector(`[data-chart="${id}"] canvas`);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return [id, n];
  }), CHARTS);
  for (const [id, n] of painted) check(n > 1000, `chart ${id} painted ${n} pixels`);
  await page.waitForFunction(() => document.querySelector('[data-chart="live"]')?.dataset.state === "ready");

  // A filter: one device type. The charts change.
  await page.selectOption("#device", "tv");
  await page.waitForFunction(() => [...document.querySelectorAll("[data-chart]")].every((e) => e.dataset.state !== "loading"));
  await settled();
  const filtered = await read();
  for (const id of CHARTS) {
    if (id === "devices") {
      check(filtered[id].rows === 1, `devices shows only tv after the filter (${filtered[id].rows} rows)`);
    } else {
      check(filtered[id].signature !== first[id].signature, `chart ${id} changed with the device filter`);
    }
  }

  // The comparison.
  await page.check("#compare");
  await settled();
  const compared = await read();
  for (const id of ["trends", "popular", "devices"]) {
    check(compared[id].compare === "on" && /previous period/.test(compared[id].note), `chart ${id} compares: ${compared[id].note}`);
  }

  // A CSV download of a chart's data.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-chart="popular"] .csv'),
  ]);
  const path = await download.path();
  const fs = await import("node:fs");
  const csv = fs.readFileSync(path, "utf8");
  check(csv.startsWith("title_id,") && csv.trim().split("\n").length > 1, `the popular chart's CSV downloads (${csv.split("\n")[0]})`);

  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser.close();
}
