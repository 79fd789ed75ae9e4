// installation operator panel: one websocket for state pushes and commands; reconnects by itself.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // ---------- connection ----------
  let ws = null;
  let attempt = 0;
  let nextId = 1;
  let connected = false;
  let hello = { params: [], replays: [], speed: [1, 60] };
  let last = { state: null, presence: null, rig: null, audio: null, health: null };
  const pending = new Map();

  function wsUrl() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}/ws`;
  }

  function setConnected(up) {
    connected = up;
    $("conn").classList.toggle("up", up);
    $("conn-text").textContent = up ? "connected" : "offline";
    document.body.classList.toggle("offline", !up);
    $("banner").classList.toggle("hidden", up);
  }

  function connect() {
    let sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      setConnected(true);
    };
    sock.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "state") onState(msg);
      else if (msg.type === "result") onResult(msg);
      else if (msg.type === "hello") onHello(msg);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      setConnected(false);
      scheduleReconnect();
    };
    sock.onerror = () => { /* onclose follows */ };
  }

  function scheduleReconnect() {
    attempt += 1;
    const delay = Math.min(5000, 250 * 2 ** Math.min(attempt - 1, 5)) * (0.8 + Math.random() * 0.4);
    $("banner").textContent = `reconnecting… (attempt ${attempt})`;
    setTimeout(connect, delay);
  }

  function send(cmd, args) {
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      toast(`not connected: ${cmd} was not sent`, false);
      return null;
    }
    const id = nextId++;
    pending.set(id, cmd);
    ws.send(JSON.stringify({ id, cmd, args: args || {} }));
    return id;
  }

  const resultHandlers = new Map();
  function sendThen(cmd, args, handler) {
    const id = send(cmd, args);
    if (id !== null && handler) resultHandlers.set(id, handler);
  }

  function onResult(msg) {
    pending.delete(msg.id);
    const h = resultHandlers.get(msg.id);
    if (h) { resultHandlers.delete(msg.id); h(msg); }
    if (msg.status !== "ok") toast(`${msg.cmd}: ${msg.message || msg.status}`, false);
  }

  let toastTimer = null;
  function toast(text, ok) {
    const t = $("toast");
    t.textContent = text;
    t.classList.toggle("ok", !!ok);
    t.classList.remove("hidden");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.add("hidden"), ok ? 1500 : 4500);
  }

  function onHello(msg) {
    hello = msg;
    const sel = $("replay-file");
    sel.textContent = "";
    for (const f of msg.replays || []) {
      const o = el("option", "", f);
      o.value = f;
      sel.appendChild(o);
    }
    $("replay-start").disabled = !(msg.replays && msg.replays.length);
  }

  // ---------- state ----------
  function fmtTime(s) {
    if (s === null || s === undefined) return "";
    if (s >= 60) {
      const m = Math.floor(s / 60);
      const r = Math.floor(s % 60);
      return `${m}:${String(r).padStart(2, "0")}`;
    }
    return `${s.toFixed(1)}s`;
  }

  function onState(msg) {
    if (msg.state) renderState(msg.state);
    if ("presence" in msg) { last.presence = msg.presence; drawPresence(); }
    if ("rig" in msg) { last.rig = msg.rig; drawRig(); }
    if ("audio" in msg) renderAudio(msg.audio);
    if (msg.health) { last.health = msg.health; renderHealth(msg.health); drawPresence(); }
    if (msg.log) appendLog(msg.log);
  }

  let actsKey = "";
  let armedAct = null;
  let armTimer = null;

  function renderState(s) {
    last.state = s;
    $("show-name").textContent = s.show || "—";
    document.title = `${s.show || "installation"} · ${s.act || ""}`;
    const mode = $("mode");
    mode.textContent = (s.mode || "?").toUpperCase();
    mode.className = `badge ${s.mode === "live" ? "live" : "rehearse"}`;
    $("open").classList.toggle("hidden", s.open !== false);
    $("open").className = `badge closed${s.open === false ? "" : " hidden"}`;
    $("paused").classList.toggle("hidden", !s.paused);
    $("panicked").classList.toggle("hidden", !s.panicked);
    renderHours(s);
    renderLight(s.light);
    const pause = $("pause");
    pause.textContent = s.paused ? "RESUME" : "PAUSE";
    pause.classList.toggle("on", !!s.paused);
    $("act-name").textContent = s.act || "—";
    $("act-time").textContent = s.act_elapsed_s !== undefined ? fmtTime(s.act_elapsed_s) : "";
    $("go-next").textContent = s.selected ? `next: ${s.selected}` : "→ next act";
    document.body.classList.toggle("rehearse", s.mode === "rehearse");
    $("rehearse-tools").classList.toggle("hidden", s.mode !== "rehearse");

    // acts (rebuilt only when the list or the current act changes)
    const key = JSON.stringify([s.acts, s.act, s.idle_act, armedAct]);
    if (key !== actsKey) {
      actsKey = key;
      const ol = $("acts");
      ol.textContent = "";
      for (const name of s.acts || []) {
        const li = el("li");
        const b = el("button");
        b.type = "button";
        b.dataset.act = name;
        b.appendChild(el("span", "", name));
        const tag = name === armedAct ? "TAP AGAIN" : name === s.act ? "NOW" : name === s.idle_act ? "IDLE" : "";
        b.appendChild(el("span", "tag", tag));
        if (name === s.act) b.classList.add("current");
        if (name === armedAct) b.classList.add("armed");
        b.addEventListener("click", () => onActClick(name));
        li.appendChild(b);
        ol.appendChild(li);
      }
    }
    renderCues(s);
  }

  function onActClick(name) {
    if (armedAct === name) {
      armedAct = null;
      clearTimeout(armTimer);
      send("goto_act", { name });
    } else {
      armedAct = name;
      clearTimeout(armTimer);
      armTimer = setTimeout(() => { armedAct = null; actsKey = ""; if (last.state) renderState(last.state); }, 3000);
    }
    actsKey = "";
    if (last.state) renderState(last.state);
  }

  function cdCell(left, total, kind, active) {
    const td = el("td", "cd");
    if (!total && left === null) { td.appendChild(el("span", "num mono dim", "—")); return td; }
    const shown = left !== null && left !== undefined ? left : total;
    td.appendChild(el("span", `num mono${active ? "" : " dim"}`, fmtTime(shown)));
    if (total > 0) {
      const bar = el("div", `bar ${kind}`);
      const fill = el("i");
      const done = left !== null && left !== undefined ? 1 - left / total : 0;
      fill.style.width = `${Math.max(0, Math.min(1, done)) * 100}%`;
      bar.appendChild(fill);
      td.appendChild(bar);
    }
    return td;
  }

  let cuesKey = "";
  function renderCues(s) {
    const cues = s.cues || [];
    $("cue-count").textContent = `${s.act || ""} · ${cues.length}`;
    const body = $("cues").tBodies[0];
    const names = JSON.stringify(cues.map((c) => c.name));
    if (names !== cuesKey) {
      cuesKey = names;
      body.textContent = "";
      for (const c of cues) {
        const tr = el("tr");
        tr.dataset.cue = c.name;
        tr.addEventListener("click", () => send("select_cue", { name: c.name }));
        body.appendChild(tr);
      }
    }
    cues.forEach((c, i) => {
      const tr = body.rows[i];
      tr.className = `st-${c.state}${c.name === s.selected ? " selected" : ""}`;
      tr.textContent = "";
      tr.appendChild(el("td", "mark", c.name === s.selected ? "▶" : ""));
      const name = el("td", "name", `${"  ".repeat(c.depth || 0)}${c.name}`);
      const kind = el("span", "kind", c.kind || "");
      if (c.continue_mode && c.continue_mode !== "none") kind.appendChild(el("span", "cont", ` · ${c.continue_mode}`));
      name.appendChild(kind);
      tr.appendChild(name);
      const st = el("td");
      st.appendChild(el("span", `state ${c.state}`, c.state));
      tr.appendChild(st);
      tr.appendChild(cdCell(c.pre_wait_left_s, c.pre_wait_s, "pre", c.state === "pre-wait"));
      tr.appendChild(cdCell(c.action_left_s, c.duration_s, "act", c.state === "running"));
      tr.appendChild(cdCell(c.post_wait_left_s, c.post_wait_s, "post", c.post_wait_left_s !== null && c.post_wait_left_s !== undefined));
    });
  }

  // ---------- presence view (camera frame + zones + people; rehearse: add/drag/remove visitors) ----------
  const pcan = $("presence");
  let camBitmap = null;
  let drag = null; // {id, x, y, lastSent}
  let selectedVisitor = null;

  function fitCanvas(canvas, aspect) {
    const w = canvas.clientWidth || 300;
    const h = Math.round(w / aspect);
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.height = `${h}px`;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { ctx, w, h };
  }

  const zoneColors = ["#38bdf8", "#a78bfa", "#f472b6", "#facc15", "#34d399", "#fb923c"];

  function drawPresence() {
    const p = last.presence;
    const none = !p || p.source === "none";
    $("presence-none").classList.toggle("hidden", !none);
    const aspect = (p && p.aspect) || 4 / 3;
    const { ctx, w, h } = fitCanvas(pcan, aspect);
    ctx.clearRect(0, 0, w, h);
    if (camBitmap) {
      ctx.globalAlpha = 0.85;
      ctx.drawImage(camBitmap, 0, 0, w, h);
      ctx.globalAlpha = 1;
    } else {
      ctx.fillStyle = "#0c1016";
      ctx.fillRect(0, 0, w, h);
    }
    if (!p) return;
    // unknown presence while the camera reports itself up (degraded: e.g. still learning the empty room)
    // is a camera starting, not a camera down
    const cam = (last.health || []).find((d) => d.name === "camera");
    const starting = p.known === false && !!cam && (cam.state === "degraded" || cam.state === "ok");
    $("presence-count").textContent = p.known === false ? (starting ? "camera starting" : "camera down")
      : `${p.count ?? 0} ${p.count === 1 ? "person" : "people"}`;
    for (const poly of p.mask || []) {
      ctx.fillStyle = "rgba(0,0,0,0.55)";
      ctx.beginPath();
      poly.forEach(([x, y], i) => (i ? ctx.lineTo(x * w, y * h) : ctx.moveTo(x * w, y * h)));
      ctx.closePath();
      ctx.fill();
    }
    Object.entries(p.zones || {}).forEach(([name, poly], k) => {
      const col = zoneColors[k % zoneColors.length];
      ctx.beginPath();
      poly.forEach(([x, y], i) => (i ? ctx.lineTo(x * w, y * h) : ctx.moveTo(x * w, y * h)));
      ctx.closePath();
      ctx.fillStyle = `${col}22`;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = col;
      ctx.setLineDash([6, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
      const [lx, ly] = poly[0];
      ctx.font = "700 12px sans-serif";
      const tw = ctx.measureText(name).width;
      const tx = Math.max(2, Math.min(lx * w + 4, w - tw - 8)), ty = Math.max(ly * h + 4, 2);
      ctx.fillStyle = "rgba(8,10,14,0.75)"; // readable over a bright camera picture
      ctx.fillRect(tx, ty, tw + 6, 16);
      ctx.fillStyle = col;
      ctx.fillText(name, tx + 3, ty + 12);
    });
    // what the camera tracks: a white ring (numbered); the visitors placed by hand: amber dots ("v1").
    // In rehearsal a dropped visitor that the detector sees is an amber dot inside a white ring.
    const placed = (p.people || []).filter((q) => q.simulated).map((q) =>
      (drag && drag.id === q.id ? [drag.x * w, drag.y * h] : [q.x * w, q.y * h]));
    for (const person of p.people || []) {
      if (person.simulated) continue;
      const px = person.x * w, py = person.y * h;
      ctx.beginPath();
      ctx.arc(px, py, 16, 0, Math.PI * 2);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#f8fafc";
      ctx.stroke();
      if (placed.some(([qx, qy]) => Math.hypot(qx - px, qy - py) < 24)) continue;
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, Math.PI * 2);
      ctx.fillStyle = "#f8fafc";
      ctx.fill();
      ctx.font = "700 11px sans-serif";
      ctx.fillStyle = "#e8ebf0";
      ctx.textAlign = "right";
      ctx.fillText(`#${person.id}`, px - 19, py + 4);
      ctx.textAlign = "left";
    }
    for (const person of p.people || []) {
      if (!person.simulated) continue;
      let { x, y } = person;
      if (drag && drag.id === person.id) { x = drag.x; y = drag.y; }
      const px = x * w, py = y * h;
      ctx.beginPath();
      ctx.arc(px, py, 10, 0, Math.PI * 2);
      ctx.fillStyle = "#fbbf24";
      ctx.fill();
      ctx.lineWidth = person.id === selectedVisitor ? 4 : 2;
      ctx.strokeStyle = person.id === selectedVisitor ? "#ffffff" : "#0b0d10";
      ctx.stroke();
      ctx.font = "700 11px sans-serif";
      ctx.fillStyle = "#e8ebf0";
      ctx.fillText(String(person.id), px + 20, py + 4);
    }
    if (p.known === false && !starting) {
      ctx.fillStyle = "rgba(120,0,0,0.45)";
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = "#fff";
      ctx.font = "800 22px sans-serif";
      ctx.textAlign = "center";
      ctx.fillText("CAMERA DOWN", w / 2, h / 2);
      ctx.font = "600 12px sans-serif";
      ctx.fillText("the show applies its fallback · see Devices", w / 2, h / 2 + 22);
      ctx.textAlign = "left";
    }
    if (starting || (p.known !== false && cam && cam.state === "degraded")) {
      // e.g. "learning the background": the picture is not trusted yet (a visitor dropped now is missed)
      ctx.fillStyle = "rgba(58,42,5,0.85)";
      ctx.fillRect(0, 0, w, 22);
      ctx.fillStyle = "#ffd166";
      ctx.font = "700 12px sans-serif";
      ctx.fillText(cam.detail || (starting ? "camera starting…" : "camera degraded"), 8, 15, w - 16);
    }
    if (p.replay) {
      const r = p.replay;
      $("replay-status").textContent = `replaying ${r.file} at ${r.speed}× · ${fmtTime(r.position_s)} / ${fmtTime(r.length_s)}`;
    } else {
      $("replay-status").textContent = "";
    }
  }

  function canvasPoint(ev) {
    const r = pcan.getBoundingClientRect();
    return { x: (ev.clientX - r.left) / r.width, y: (ev.clientY - r.top) / r.height };
  }

  function hitPerson(pt) {
    const p = last.presence;
    if (!p) return null;
    const r = pcan.getBoundingClientRect();
    let best = null, bestD = 18; // px
    for (const person of p.people || []) {
      if (!person.simulated) continue;
      const d = Math.hypot((person.x - pt.x) * r.width, (person.y - pt.y) * r.height);
      if (d < bestD) { best = person; bestD = d; }
    }
    return best;
  }

  const clamp01 = (v) => Math.max(0, Math.min(1, v));
  const rehearsing = () => last.state && last.state.mode === "rehearse";

  pcan.addEventListener("pointerdown", (ev) => {
    if (!rehearsing()) return;
    ev.preventDefault();
    const pt = canvasPoint(ev);
    const hit = hitPerson(pt);
    if (hit) {
      drag = { id: hit.id, x: hit.x, y: hit.y, lastSent: 0, moved: false };
      selectedVisitor = hit.id;
      $("visitor-remove").disabled = false;
      pcan.setPointerCapture(ev.pointerId);
    } else {
      sendThen("visitor_add", { x: clamp01(pt.x), y: clamp01(pt.y) }, (res) => {
        if (res.status === "ok" && res.data && res.data.id) {
          selectedVisitor = res.data.id;
          $("visitor-remove").disabled = false;
        }
      });
    }
    drawPresence();
  });
  pcan.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const pt = canvasPoint(ev);
    drag.x = clamp01(pt.x);
    drag.y = clamp01(pt.y);
    drag.moved = true;
    drag.outside = pt.x < -0.02 || pt.x > 1.02 || pt.y < -0.02 || pt.y > 1.02;
    const now = performance.now();
    if (now - drag.lastSent > 50 && !drag.outside) {
      drag.lastSent = now;
      send("visitor_move", { id: drag.id, x: drag.x, y: drag.y });
    }
    drawPresence();
  });
  const endDrag = () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.outside) {
      send("visitor_remove", { id: d.id });
      selectedVisitor = null;
      $("visitor-remove").disabled = true;
    } else if (d.moved) {
      send("visitor_move", { id: d.id, x: d.x, y: d.y });
    }
  };
  pcan.addEventListener("pointerup", endDrag);
  pcan.addEventListener("pointercancel", endDrag);
  pcan.addEventListener("dblclick", (ev) => {
    if (!rehearsing()) return;
    const hit = hitPerson(canvasPoint(ev));
    if (hit) {
      send("visitor_remove", { id: hit.id });
      selectedVisitor = null;
      $("visitor-remove").disabled = true;
    }
  });
  $("visitor-remove").addEventListener("click", () => {
    if (selectedVisitor) send("visitor_remove", { id: selectedVisitor });
    selectedVisitor = null;
    $("visitor-remove").disabled = true;
  });
  $("visitor-clear").addEventListener("click", () => {
    for (const person of (last.presence && last.presence.people) || []) {
      if (person.simulated) send("visitor_remove", { id: person.id });
    }
    selectedVisitor = null;
    $("visitor-remove").disabled = true;
  });

  // replay speed slider: logarithmic 1×..60×
  function sliderSpeed() {
    const [lo, hi] = hello.speed || [1, 60];
    const v = Number($("replay-speed").value);
    const s = lo * Math.pow(hi / lo, v);
    return s < 10 ? Math.round(s * 2) / 2 : Math.round(s);
  }
  $("replay-speed").addEventListener("input", () => { $("replay-speed-value").textContent = `${sliderSpeed()}×`; });
  $("replay-start").addEventListener("click", () => {
    const path = $("replay-file").value;
    if (path) send("replay", { path, speed: sliderSpeed() });
  });
  $("replay-stop").addEventListener("click", () => send("replay", { path: "", speed: 1 }));

  // ---------- rig view ----------
  const rcan = $("rig");

  // fixtures too close to label one by one (e.g. strip1..strip8) are labelled once as a run: "strip 1–8"
  function runLabels(fixtures, pts, crowded) {
    const runs = new Map();
    fixtures.forEach((f, i) => {
      if (!crowded[i]) return;
      const m = /^(.*?)(\d+)$/.exec(f.name);
      const key = m ? m[1] : f.name;
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key).push({ i, n: m ? Number(m[2]) : null });
    });
    const out = [];
    for (const [base, members] of runs) {
      const nums = members.map((m) => m.n).filter((n) => n !== null).sort((a, b) => a - b);
      const name = nums.length > 1 ? `${base} ${nums[0]}–${nums[nums.length - 1]}` : fixtures[members[0].i].name;
      const k = members.reduce((sum, m) => sum + Math.max(0, Math.min(1, fixtures[m.i].intensity ?? 0)), 0) / members.length;
      const x = members.reduce((sum, m) => sum + pts[m.i][0], 0) / members.length;
      const y = Math.max(...members.map((m) => pts[m.i][1]));
      out.push({ name, k, x, y });
    }
    return out;
  }

  function drawRig() {
    const rig = last.rig;
    const fixtures = (rig && rig.fixtures) || [];
    $("rig-none").classList.toggle("hidden", fixtures.length > 0);
    let [x0, y0, x1, y1] = (rig && rig.bounds) || [Infinity, Infinity, -Infinity, -Infinity];
    if (!(rig && rig.bounds)) {
      for (const f of fixtures) { x0 = Math.min(x0, f.x); y0 = Math.min(y0, f.y); x1 = Math.max(x1, f.x); y1 = Math.max(y1, f.y); }
      const pad = Math.max(0.5, (x1 - x0) * 0.1);
      x0 -= pad; y0 -= pad; x1 += pad; y1 += pad;
    }
    // a plan in room fractions (bounds 0..1 both ways) has no shape of its own: fill the canvas
    const normalised = !!(rig && rig.bounds) && x1 - x0 <= 1.0001 && y1 - y0 <= 1.0001;
    const aspect = normalised ? 1.6
      : fixtures.length ? Math.max(1.45, Math.min(2.6, (x1 - x0) / Math.max(1e-6, y1 - y0))) : 2.0;
    const { ctx, w, h } = fitCanvas(rcan, aspect);
    ctx.fillStyle = "#07090c";
    ctx.fillRect(0, 0, w, h);
    if (!fixtures.length) return;
    const padX = 30, padTop = 16, padBottom = 34;
    let sx = (w - 2 * padX) / Math.max(1e-6, x1 - x0), sy = (h - padTop - padBottom) / Math.max(1e-6, y1 - y0);
    if (!normalised) sx = sy = Math.min(sx, sy);
    const ox = (w - (x1 - x0) * sx) / 2, oy = padTop + (h - padTop - padBottom - (y1 - y0) * sy) / 2;
    ctx.strokeStyle = "#222a35";
    ctx.lineWidth = 1;
    ctx.strokeRect(ox, oy, (x1 - x0) * sx, (y1 - y0) * sy);
    const pts = fixtures.map((f) => [ox + (f.x - x0) * sx, oy + (f.y - y0) * sy]);
    // each fixture's nearest neighbour, in pixels: its glow must fit before it
    const near = pts.map(([px, py], i) => pts.reduce(
      (d, [qx, qy], j) => (i === j ? d : Math.min(d, Math.hypot(px - qx, py - qy))), Infinity));
    // its name and level go under it, unless they would run into another fixture or its labels
    ctx.font = "600 10px sans-serif";
    const boxes = fixtures.map((f, i) => {
      const half = Math.max(ctx.measureText(f.name).width, ctx.measureText("100%").width) / 2 + 3;
      return { x0: pts[i][0] - half, x1: pts[i][0] + half, y0: pts[i][1] + 11, y1: pts[i][1] + 35 };
    });
    const bodies = pts.map(([px, py]) => ({ x0: px - 11, x1: px + 11, y0: py - 11, y1: py + 11 }));
    const hit = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    const crowded = boxes.map((box, i) => near[i] < 14 || boxes.some((other, j) =>
      i !== j && (hit(box, other) || hit(box, bodies[j]))));
    fixtures.forEach((f, i) => {
      const [px, py] = pts[i];
      const glowR = Math.max(12, Math.min(40, near[i] * 0.65));
      const [r, g, b] = (f.rgb || [1, 1, 1]).map((c) => Math.round(Math.max(0, Math.min(1, c)) * 255));
      const k = Math.max(0, Math.min(1, f.intensity ?? 0));
      const glow = ctx.createRadialGradient(px, py, 2, px, py, glowR);
      glow.addColorStop(0, `rgba(${r},${g},${b},${0.9 * k})`);
      glow.addColorStop(1, `rgba(${r},${g},${b},0)`);
      ctx.fillStyle = glow;
      ctx.beginPath();
      ctx.arc(px, py, glowR, 0, Math.PI * 2);
      ctx.fill();
      // the body shows the colour even when dim (the glow and the % say how bright)
      const body = k > 0.005 ? 0.35 + 0.65 * k : 0;
      ctx.fillStyle = `rgb(${Math.round(r * body)},${Math.round(g * body)},${Math.round(b * body)})`;
      ctx.strokeStyle = "#5b6576";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      const strip = f.kind === "strip" || f.kind === "pixel";
      const half = strip ? Math.max(4, Math.min(22, near[i] / 2 - 2)) : 0;
      if (strip) ctx.rect(px - half, py - 5, 2 * half, 10);
      else if (f.kind === "hazer" || f.kind === "fog") ctx.rect(px - 7, py - 7, 14, 14);
      else ctx.arc(px, py, f.kind === "spot" || f.kind === "moving-head" || crowded[i] ? 7 : 10, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      if (crowded[i]) return;
      ctx.textAlign = "center";
      ctx.font = "600 10px sans-serif";
      ctx.fillStyle = "#a9b2c1";
      ctx.fillText(f.name, px, py + 21);
      ctx.font = "700 10px sans-serif";
      ctx.fillStyle = "#e8ebf0";
      ctx.fillText(`${Math.round(k * 100)}%`, px, py + 32);
      ctx.textAlign = "left";
    });
    for (const run of runLabels(fixtures, pts, crowded)) {
      ctx.textAlign = "center";
      ctx.font = "600 10px sans-serif";
      ctx.fillStyle = "#a9b2c1";
      const label = `${run.name} · ${Math.round(run.k * 100)}%`;
      const x = Math.max(ctx.measureText(label).width / 2 + 2, Math.min(w - ctx.measureText(label).width / 2 - 2, run.x));
      ctx.fillText(label, x, Math.min(h - 4, run.y + 19));
      ctx.textAlign = "left";
    }
  }

  // ---------- audio meters ----------
  const DB_MIN = -60;
  function renderAudio(audio) {
    const chans = (audio && audio.channels) || [];
    $("audio-none").classList.toggle("hidden", chans.length > 0);
    const box = $("meters");
    if (box.children.length !== chans.length) {
      box.textContent = "";
      for (const c of chans) {
        const m = el("div", "meter");
        const track = el("div", "track");
        track.appendChild(el("div", "rms"));
        track.appendChild(el("div", "peak"));
        m.appendChild(track);
        m.appendChild(el("div", "val mono", ""));
        m.appendChild(el("div", "lab", c.name));
        box.appendChild(m);
      }
    }
    chans.forEach((c, i) => {
      const m = box.children[i];
      const frac = (db) => (db === null || db === undefined ? 0 : Math.max(0, Math.min(1, (db - DB_MIN) / -DB_MIN)));
      const track = m.querySelector(".track");
      m.querySelector(".rms").style.height = `${frac(c.rms_db) * 100}%`;
      m.querySelector(".rms").style.setProperty("--h", `${track.clientHeight}px`);
      m.querySelector(".peak").style.bottom = `${frac(c.peak_db) * 100}%`;
      m.querySelector(".val").textContent = c.peak_db === null || c.peak_db <= -120 ? "-∞" : c.peak_db.toFixed(0);
    });
  }

  // ---------- health ----------
  function renderHealth(list) {
    const box = $("health");
    box.textContent = "";
    if (!list || !list.length) { box.appendChild(el("div", "hint", "no adapters reported")); return; }
    for (const d of list) {
      const card = el("div", `dev ${d.state}`);
      card.dataset.adapter = d.name;
      const top = el("div", "top");
      top.appendChild(el("span", "name", d.name));
      top.appendChild(el("span", "st", d.state));
      card.appendChild(top);
      if (d.detail) card.appendChild(el("div", "detail", d.detail));
      if (d.last_error && d.state !== "ok") card.appendChild(el("div", "err", d.last_error)); // never a stale one
      box.appendChild(card);
    }
    const bad = list.filter((d) => d.state === "down" || d.state === "degraded");
    const alarm = $("alarm");
    alarm.classList.toggle("hidden", bad.length === 0);
    alarm.classList.toggle("degraded", bad.length > 0 && bad.every((d) => d.state === "degraded"));
    alarm.textContent = bad.length === 1 ? `⚠ ${bad[0].name} ${bad[0].state}` : `⚠ ${bad.length} devices`;
    alarm.title = bad.map((d) => `${d.name}: ${d.state} ${d.last_error || d.detail || ""}`).join("\n");
  }

  // ---------- log ----------
  let lastSeq = 0;
  function appendLog(lines) {
    const box = $("log");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 30;
    for (const l of lines) {
      if (l.seq <= lastSeq) continue;
      lastSeq = l.seq;
      const row = el("div", l.level);
      const d = l.wall ? new Date(l.wall * 1000) : new Date();
      row.appendChild(el("span", "t", `${d.toLocaleTimeString([], { hour12: false })} `));
      row.appendChild(el("span", "src", `[${l.source}] `));
      row.appendChild(document.createTextNode(l.message));
      box.appendChild(row);
    }
    while (box.children.length > 300) box.removeChild(box.firstChild);
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  // ---------- images (camera under the presence view, projection preview) ----------
  async function fetchImage(url) {
    const r = await fetch(url, { cache: "no-store", credentials: "same-origin" });
    if (r.status !== 200) return null;
    return r.blob();
  }

  async function cameraLoop() {
    try {
      if (connected) {
        const blob = await fetchImage("/api/camera.jpg");
        camBitmap = blob ? await createImageBitmap(blob) : null;
        drawPresence();
      }
    } catch (e) { camBitmap = null; }
    setTimeout(cameraLoop, 250);
  }

  let projUrl = null;
  async function projectionLoop() {
    try {
      if (connected) {
        const blob = await fetchImage("/api/projection");
        $("projection-none").classList.toggle("hidden", !!blob);
        if (blob) {
          const url = URL.createObjectURL(blob);
          $("projection").src = url;
          if (projUrl) URL.revokeObjectURL(projUrl);
          projUrl = url;
        }
      }
    } catch (e) { /* next round */ }
    setTimeout(projectionLoop, 500);
  }

  // ---------- transport ----------
  let gmDragging = false;
  function renderLight(light) {
    if (!light) return;
    const b = $("blackout");
    b.setAttribute("aria-pressed", light.blackout ? "true" : "false");
    $("blackout-badge").classList.toggle("hidden", !light.blackout);
    const pct = Math.round(light.grand_master * 100);
    $("gm-value").textContent = `${pct}%`;
    if (!gmDragging) $("gm").value = String(pct);
  }
  $("blackout").addEventListener("click", () => {
    const on = $("blackout").getAttribute("aria-pressed") !== "true";
    send("blackout", { on });
  });
  $("gm").addEventListener("input", () => { gmDragging = true; $("gm-value").textContent = `${$("gm").value}%`; });
  $("gm").addEventListener("change", () => {
    gmDragging = false;
    send("grand_master", { level: Number($("gm").value) / 100 });
  });

  function renderHours(s) {
    const h = s.hours;
    $("hours").classList.toggle("hidden", !h);
    if (!h) return;
    $("hours-status").textContent = h.status || "";
    $("hours").classList.toggle("closed", s.open === false);
    $("hours").classList.toggle("rehearse", !h.honoured);
    $("hours-tools").classList.toggle("hidden", !h.honoured); // a rehearsal ignores the hours
    $("hours-schedule").classList.toggle("hidden", !h.override);
  }
  $("hours-open").addEventListener("click", () => send("hours_open", { until: $("hours-until").value }));
  $("hours-close").addEventListener("click", () => send("hours_close", { until: $("hours-until").value }));
  $("hours-schedule").addEventListener("click", () => send("hours_schedule"));

  $("go").addEventListener("click", () => send("go"));
  $("stop").addEventListener("click", () => send("stop"));
  $("panic").addEventListener("click", () => send("panic")); // never asks
  $("pause").addEventListener("click", () => send(last.state && last.state.paused ? "resume" : "pause"));
  document.addEventListener("keydown", (ev) => {
    if (ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT")) return;
    if (ev.key === "Escape") { ev.preventDefault(); send("panic"); }
    else if (ev.key === " " && !ev.repeat) { ev.preventDefault(); send("go"); }
  });
  // buttons never keep the focus, so Space always means GO (and never re-presses the last button)
  document.addEventListener("click", (ev) => {
    const b = ev.target && ev.target.closest ? ev.target.closest("button") : null;
    if (b) b.blur();
  });
  window.addEventListener("resize", () => { drawPresence(); drawRig(); });

  setConnected(false);
  $("banner").textContent = "connecting…";
  connect();
  cameraLoop();
  projectionLoop();
})();
