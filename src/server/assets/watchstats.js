/* watchstats.js: the watchstats player tracker (SPEC 5.2; docs/tracker.md).
 *
 * Attach it to an HTML5 <video>:
 *   var t = WatchStats.attach(video, {collector: "https://stats.example.com",
 *                                     key: "wsk_...", userId: "u1", contentId: "c1"});
 * or to another player through an adapter (see WatchStats.html5Adapter for
 * the interface: position(), duration(), height(), ended(), seeking(),
 * autoplay(), on(name, fn) with the names "play", "pause", "seeking",
 * "seeked", "waiting", "playing", "ended", "resize", "timeupdate").
 *
 * It sends SPEC 1 events: start on the first play, heartbeat every 10 s
 * while playing, pause/resume, seek with from_position, buffer_start and
 * buffer_end on stalls after the first frame, quality_change when the
 * rendition's height changes, complete on ended, and stop when the page is
 * hidden or closed (navigator.sendBeacon). Each playback gets a new
 * session_id and each event an event_id, so a batch sent twice (a retry)
 * is counted once by the server. Batches are retried with exponential
 * backoff. No dependencies; ES5, so it runs in any browser that plays video.
 */
(function (global) {
  "use strict";

  var DEFAULTS = {
    heartbeatSeconds: 10,
    flushMs: 1000,          // events wait at most this long before a POST
    maxBatch: 100,          // events per POST
    retryBaseMs: 1000,      // first retry delay; doubled up to retryMaxMs
    retryMaxMs: 30000
  };

  function randomId() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }

  function round3(x) { return Math.round(x * 1000) / 1000; }

  function copy(into, from) {
    for (var k in from) if (Object.prototype.hasOwnProperty.call(from, k)) into[k] = from[k];
    return into;
  }

  // The adapter for an HTML5 <video> (or <audio>) element.
  function html5Adapter(el) {
    return {
      position: function () { return el.currentTime; },
      duration: function () { return el.duration; },
      height: function () { return el.videoHeight || 0; },
      ended: function () { return el.ended; },
      seeking: function () { return el.seeking; },
      autoplay: function () { return !!el.autoplay; },
      on: function (name, fn) { el.addEventListener(name, fn); }
    };
  }

  // Sends batches of events to the collector, in order, with retries.
  function Sender(options) {
    this.url = options.collector.replace(/\/+$/, "") + "/v1/events" +
      (options.key ? "?key=" + encodeURIComponent(options.key) : "");
    this.o = options;
    this.queue = [];
    this.inFlight = null;
    this.timer = null;
    this.retryMs = options.retryBaseMs;
  }

  Sender.prototype.push = function (event) {
    this.queue.push(event);
    if (this.queue.length >= this.o.maxBatch) this.flush();
    else if (!this.timer && !this.inFlight) this.schedule(this.o.flushMs);
  };

  Sender.prototype.schedule = function (ms) {
    var self = this;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.timer = null; self.flush(); }, ms);
  };

  Sender.prototype.flush = function () {
    if (this.inFlight || this.queue.length === 0) return;
    var batch = this.queue.splice(0, this.o.maxBatch);
    var self = this;
    this.inFlight = batch;
    // text/plain needs no CORS preflight; the collector reads NDJSON in any
    // content type.
    var body = batch.map(function (e) { return JSON.stringify(e); }).join("\n");
    var done = function (ok) {
      self.inFlight = null;
      if (ok) {
        self.retryMs = self.o.retryBaseMs;
        if (self.queue.length) self.schedule(0);
        if (self.o.onSent) self.o.onSent(batch);
        return;
      }
      // Put the batch back in front and retry later: its event ids make a
      // resend harmless.
      self.queue = batch.concat(self.queue);
      self.schedule(self.retryMs);
      self.retryMs = Math.min(self.retryMs * 2, self.o.retryMaxMs);
    };
    if (typeof fetch === "function") {
      fetch(this.url, {method: "POST", body: body, headers: {"Content-Type": "text/plain"}, keepalive: true})
        .then(function (r) { done(r.ok || (r.status >= 400 && r.status < 500 && r.status !== 429)); },
              function () { done(false); });
    } else {
      var x = new XMLHttpRequest();
      x.open("POST", this.url);
      x.setRequestHeader("Content-Type", "text/plain");
      x.onload = function () { done(x.status < 500 && x.status !== 429); };
      x.onerror = function () { done(false); };
      x.send(body);
    }
  };

  // The page goes away: everything queued (and what is in flight, which
  // may never be answered) goes out in one beacon.
  Sender.prototype.beacon = function () {
    var all = (this.inFlight || []).concat(this.queue);
    this.queue = [];
    if (!all.length) return;
    var body = all.map(function (e) { return JSON.stringify(e); }).join("\n");
    var sent = false;
    if (global.navigator && navigator.sendBeacon) {
      sent = navigator.sendBeacon(this.url, new Blob([body], {type: "text/plain"}));
    }
    if (!sent && typeof fetch === "function") {
      fetch(this.url, {method: "POST", body: body, headers: {"Content-Type": "text/plain"}, keepalive: true});
    }
  };

  // One tracked player.
  function Tracker(adapter, options) {
    if (!options || !options.collector || !options.userId || !options.contentId) {
      throw new Error("watchstats: collector, userId and contentId are required");
    }
    this.p = adapter;
    this.o = copy(copy({}, DEFAULTS), options);
    this.sender = new Sender(this.o);
    this.session = null;     // the current playback's session_id (null: none yet)
    this.playing = false;
    this.buffering = false;
    this.firstFrame = false;
    this.lastPosition = 0;   // position before a seek starts
    this.lastHeight = 0;
    this.heartbeat = null;
    this.closed = false;     // the current playback ended (complete or stop)
    this.bind();
  }

  Tracker.prototype.send = function (type, extra) {
    if (!this.session) return;
    var e = {
      event_id: randomId(),
      session_id: this.session,
      user_id: this.o.userId,
      content_id: this.o.contentId,
      type: type,
      ts: new Date().toISOString(),
      position: round3(this.p.position())
    };
    if (this.o.deviceType) e.device_type = this.o.deviceType;
    if (this.o.deviceId) e.device_id = this.o.deviceId;
    if (this.o.platform) e.platform = this.o.platform;
    if (this.o.appVersion) e.app_version = this.o.appVersion;
    if (this.o.country) e.country = this.o.country;
    e.tz = this.o.tz || (global.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone) || undefined;
    var d = this.p.duration();
    if (isFinite(d) && d > 0) e.content_length = round3(d);
    var h = this.p.height();
    if (h > 0) e.quality = h;
    if (extra) copy(e, extra);
    this.sender.push(e);
    if (this.o.onEvent) this.o.onEvent(e);
  };

  Tracker.prototype.startHeartbeat = function () {
    var self = this;
    this.stopHeartbeat();
    this.heartbeat = setInterval(function () { self.send("heartbeat"); }, this.o.heartbeatSeconds * 1000);
  };

  Tracker.prototype.stopHeartbeat = function () {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  };

  Tracker.prototype.bind = function () {
    var self = this, p = this.p;
    p.on("play", function () {
      if (!self.session || self.closed) {
        self.session = randomId();
        self.closed = false;
        self.firstFrame = false;
        self.lastHeight = p.height();
        self.send("start", {autoplay: p.autoplay()});
      } else if (!self.playing) {
        self.send("resume");
      }
      self.playing = true;
      self.startHeartbeat();
    });
    p.on("pause", function () {
      // A pause that ends playback is the end, not a pause.
      if (p.ended() || !self.playing || self.closed) return;
      self.playing = false;
      self.stopHeartbeat();
      self.send("pause");
    });
    p.on("timeupdate", function () {
      if (!p.seeking()) self.lastPosition = p.position();
    });
    p.on("seeking", function () {
      if (!self.session || self.closed) return;
      self.send("seek", {from_position: round3(self.lastPosition)});
      self.lastPosition = p.position();
    });
    p.on("playing", function () {
      self.firstFrame = true;
      if (self.buffering) {
        self.buffering = false;
        self.send("buffer_end");
      }
    });
    p.on("waiting", function () {
      // Stalls after the first frame; the wait a seek causes is the seek's.
      if (!self.firstFrame || p.seeking() || self.buffering || self.closed) return;
      self.buffering = true;
      self.send("buffer_start");
    });
    p.on("resize", function () {
      var h = p.height();
      if (self.session && !self.closed && h > 0 && h !== self.lastHeight) {
        self.lastHeight = h;
        self.send("quality_change");
      }
    });
    p.on("ended", function () {
      if (!self.session || self.closed) return;
      self.send("complete");
      self.end();
      self.sender.flush();
    });
    var leave = function () {
      if (self.session && !self.closed) {
        self.send("stop");
        self.end();
      }
      self.sender.beacon();
    };
    if (global.addEventListener) {
      global.addEventListener("pagehide", leave);
      if (global.document) {
        document.addEventListener("visibilitychange", function () {
          if (document.visibilityState === "hidden") leave();
        });
      }
    }
  };

  Tracker.prototype.end = function () {
    this.closed = true;
    this.playing = false;
    this.buffering = false;
    this.stopHeartbeat();
  };

  // Sends what is queued now (e.g. before a single-page app navigates).
  Tracker.prototype.flush = function () { this.sender.flush(); };
  // Ends the current playback with a stop (e.g. when the player is torn down).
  Tracker.prototype.stop = function () {
    if (this.session && !this.closed) {
      this.send("stop");
      this.end();
    }
    this.sender.flush();
  };

  global.WatchStats = {
    version: "1",
    html5Adapter: html5Adapter,
    Tracker: Tracker,
    attach: function (video, options) { return new Tracker(html5Adapter(video), options); }
  };
})(typeof window !== "undefined" ? window : this);
