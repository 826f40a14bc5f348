// The player tracker on a real <video> in a real browser (issue 9, "Must
// show"). A page on its own origin loads /sdk/watchstats.js from the server
// and attaches it to a <video> playing a clip made with ffmpeg. The script
// plays, pauses, seeks back, seeks forward and plays to the end; the
// session the server reports must match: pauses, rewinds and forwards
// exact, status completed, watch time within 2 s of the time played. A
// second page is closed mid-play: the beacon's stop must arrive.
//
// Usage: node tracker.test.mjs SERVER_URL INGEST_KEY ANALYST_KEY CLIP.webm
import http from "node:http";
import fs from "node:fs";
import { launch, check, fail } from "./lib.mjs";

const [server, ingestKey, analystKey, clip] = process.argv.slice(2);
const WATCH_TOLERANCE_S = 2;

// The test page's own origin: the page and the clip.
const page = (user) => `<!doctype html><html><body>
<video id="v" src="/clip.webm" muted playsinline width="320"></video>
<script src="${server}/sdk/watchstats.js"></script>
<script>
  window.__events = [];
  window.__tracker = WatchStats.attach(document.getElementById("v"), {
    collector: ${JSON.stringify(server)}, key: ${JSON.stringify(ingestKey)},
    userId: ${JSON.stringify(user)}, contentId: "clip-1", deviceType: "web", country: "DE",
    onEvent: function (e) { window.__events.push(e); }
  });
  // The truth: media time actually played at normal speed.
  window.__played = 0;
  (function () {
    var v = document.getElementById("v"), last = null;
    v.addEventListener("timeupdate", function () {
      if (v.seeking || v.paused) { last = null; return; }
      if (last !== null) { var d = v.currentTime - last; if (d > 0 && d < 1) window.__played += d; }
      last = v.currentTime;
    });
    v.addEventListener("seeking", function () { last = null; });
    v.addEventListener("pause", function () { last = null; });
  })();
</script></body></html>`;

const site = http.createServer((req, res) => {
  if (req.url.startsWith("/clip.webm")) {
    // Byte ranges, so that the browser can seek in the clip.
    const data = fs.readFileSync(clip);
    const m = /bytes=(\d*)-(\d*)/.exec(req.headers.range || "");
    if (m) {
      const start = m[1] ? Number(m[1]) : 0;
      const end = m[2] ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
      res.writeHead(206, { "Content-Type": "video/webm", "Content-Length": end - start + 1, "Accept-Ranges": "bytes",
                           "Content-Range": `bytes ${start}-${end}/${data.length}` });
      res.end(data.subarray(start, end + 1));
    } else {
      res.writeHead(200, { "Content-Type": "video/webm", "Content-Length": data.length, "Accept-Ranges": "bytes" });
      res.end(data);
    }
  } else {
    const user = new URL(req.url, "http://x").searchParams.get("user") || "viewer";
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(page(user));
  }
});
await new Promise((r) => site.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${site.address().port}`;

async function api(path) {
  const r = await fetch(`${server}${path}`, { headers: { Authorization: `Bearer ${analystKey}` } });
  return { status: r.status, body: r.status === 200 ? await r.json() : await r.text() };
}

async function waitFor(fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await launch();
try {
  // ---- case 1: play, pause, seek back, seek forward, end --------------------
  const p = await browser.newPage();
  p.on("pageerror", (e) => fail(`page error: ${e.message}`));
  await p.goto(`${origin}/?user=scripted`);
  await p.waitForFunction(() => document.getElementById("v").readyState >= 1);
  const video = (fn, arg) => p.evaluate(fn, arg);
  const at = () => video(() => document.getElementById("v").currentTime);
  await video(() => document.getElementById("v").play());
  await p.waitForFunction(() => document.getElementById("v").currentTime >= 3);
  await video(() => document.getElementById("v").pause());
  await sleep(1500);
  await video(() => document.getElementById("v").play());
  await p.waitForFunction(() => document.getElementById("v").currentTime >= 5);
  await video(() => { document.getElementById("v").currentTime = 1; });          // seek back
  await p.waitForFunction(() => { const v = document.getElementById("v"); return !v.seeking && v.currentTime >= 3; });
  const duration = await video(() => document.getElementById("v").duration);
  await video((d) => { document.getElementById("v").currentTime = d - 4; }, duration);  // seek forward
  await p.waitForFunction(() => document.getElementById("v").ended, null, { timeout: 30000 });
  const played = await video(() => window.__played);
  const events = await video(() => window.__events.map((e) => e.type));
  const sid = await video(() => window.__events[0].session_id);
  console.log(`played ${played.toFixed(2)} s of ${duration} s; events ${events.join(" ")}; session ${sid}; position now ${await at()}`);
  await video(() => window.__tracker.flush());

  const session = await waitFor(async () => {
    const r = await api(`/v1/sessions/${sid}`);
    return r.status === 200 && r.body.session.completion_status !== "in_progress" ? r.body : null;
  });
  if (!session) {
    fail(`the session ${sid} never closed on the server: ${JSON.stringify((await api(`/v1/sessions/${sid}`)).body)}`);
  } else {
    const s = session.session;
    console.log(JSON.stringify(s));
    check(s.number_of_pauses === 1, `pauses exact: ${s.number_of_pauses} == 1`);
    check(s.number_of_rewinds === 1, `rewinds exact: ${s.number_of_rewinds} == 1`);
    check(s.number_of_forwards === 1, `forwards exact: ${s.number_of_forwards} == 1`);
    check(s.completion_status === "completed", `status completed: ${s.completion_status}`);
    check(Math.abs(s.watch_time_seconds - played) <= WATCH_TOLERANCE_S,
          `watch time ${s.watch_time_seconds} s within ${WATCH_TOLERANCE_S} s of the ${played.toFixed(2)} s played`);
    check(s.device_type === "web" && s.country === "DE", `device and country carried: ${s.device_type} ${s.country}`);
    check(session.events.length === events.length, `every event the tracker sent is stored once (${session.events.length} of ${events.length})`);
  }

  // ---- case 2: the page closes mid-play; the beacon's stop arrives ----------
  const q = await browser.newPage();
  await q.goto(`${origin}/?user=leaver`);
  await q.waitForFunction(() => document.getElementById("v").readyState >= 1);
  await q.evaluate(() => document.getElementById("v").play());
  await q.waitForFunction(() => document.getElementById("v").currentTime >= 2);
  const sid2 = await q.evaluate(() => window.__events[0].session_id);
  await q.close({ runBeforeUnload: true });
  const stopped = await waitFor(async () => {
    const r = await api(`/v1/sessions/${sid2}`);
    return r.status === 200 && r.body.events.some((e) => e.type === "stop") ? r.body : null;
  });
  check(stopped !== null, `the beacon's stop of session ${sid2} arrived`);
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser.close();
  site.close();
}
