// The ndgrad graph explorer: reads the graph from #ndgrad-data, lays it out in layers (module
// scopes laid out inside their boxes, recursively), and wires clicks, folding, search and the
// backward replay. No network, no libraries.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("ndgrad-data").textContent);
  const SVGNS = "http://www.w3.org/2000/svg";
  const NODE_H = 34, SCOPE_H = 34, HEAD = 20, PAD = 10, GAP_X = 16, GAP_Y = 30;

  // ---- the graph ----------------------------------------------------------------------------
  const nodes = DATA.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const succ = new Map(nodes.map((n) => [n.id, []]));  // forward direction: input -> consumer
  for (const [a, b] of DATA.edges) succ.get(a).push(b);

  // Scopes: every qualified name and its prefixes; "" is the root.
  const scopes = new Map();
  function scope(name) {
    let s = scopes.get(name);
    if (s) return s;
    s = { name, children: [], nodes: [], count: 0, bad: false, parent: null };
    scopes.set(name, s);
    if (name !== "") {
      const cut = name.lastIndexOf(".");
      s.parent = scope(cut < 0 ? "" : name.slice(0, cut));
      s.parent.children.push(s);
    }
    return s;
  }
  scope("");
  for (const n of nodes) {
    const s = scope(n.scope || "");
    s.nodes.push(n);
    for (let t = s; t; t = t.parent) {
      t.count += 1;
      if (n.origin) t.bad = true;
    }
  }
  const chain = (n) => {  // the scopes around a node, outermost first (root excluded)
    const out = [];
    for (let s = scopes.get(n.scope || ""); s && s.name !== ""; s = s.parent) out.unshift(s);
    return out;
  };
  const scopeChains = new Map(nodes.map((n) => [n.id, chain(n)]));

  // Folding: the root is always open; small graphs start open, big ones folded at the top.
  const open = new Set([""]);
  if (nodes.length <= 80) for (const name of scopes.keys()) open.add(name);

  function unitOf(id) {  // the visible element standing for a node: itself or a folded scope
    for (const s of scopeChains.get(id)) if (!open.has(s.name)) return "s:" + s.name;
    return "n:" + id;
  }

  // The edges of each scope's own layout: between its direct members (nodes and child scopes).
  const scopeEdges = new Map();
  for (const [a, b] of DATA.edges) {
    const ca = scopeChains.get(a), cb = scopeChains.get(b);
    let k = 0;
    while (k < ca.length && k < cb.length && ca[k] === cb[k]) k++;
    const owner = k === 0 ? "" : ca[k - 1].name;
    const ua = k < ca.length ? "s:" + ca[k].name : "n:" + a;
    const ub = k < cb.length ? "s:" + cb[k].name : "n:" + b;
    if (ua === ub) continue;
    if (!scopeEdges.has(owner)) scopeEdges.set(owner, []);
    scopeEdges.get(owner).push([ua, ub]);
  }

  // ---- sizes --------------------------------------------------------------------------------
  const ctx = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  function textWidth(text, px, weight) {
    const key = px + "|" + (weight || "") + "|" + text;
    let w = widths.get(key);
    if (w === undefined) {
      ctx.font = (weight || "") + " " + px + "px system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif";
      w = ctx.measureText(text).width;
      widths.set(key, w);
    }
    return w;
  }
  const shapeText = (o) => "[" + o[0].join(", ") + "] " + o[1];
  const metaOf = (n) => n.outputs.map(shapeText).join(" ");
  function nodeSize(n) {
    return [Math.max(textWidth(n.label, 11), textWidth(metaOf(n), 10)) + 16, NODE_H];
  }
  // Inside an open module a box shows its own name (ln1); at the top, the qualified one.
  const shortName = (s) => (s.parent && s.parent.name ? s.name.slice(s.parent.name.length + 1) : s.name);
  function foldedLabel(s) { return shortName(s) + "  ·  " + s.count + " nodes"; }

  // ---- layered layout of one scope ----------------------------------------------------------
  const boxes = new Map();  // unit key -> {x, y, w, h} (absolute, after place())

  function layoutScope(s) {
    const units = [];
    const size = new Map();
    for (const n of s.nodes) { units.push("n:" + n.id); size.set("n:" + n.id, nodeSize(n)); }
    const inner = new Map();
    for (const c of s.children) {
      const key = "s:" + c.name;
      units.push(key);
      if (open.has(c.name)) {
        const L = layoutScope(c);
        inner.set(key, L);
        size.set(key, [Math.max(L.w + 2 * PAD, textWidth("\u25BE " + c.name, 11, 600) + 24), L.h + HEAD + PAD]);
      } else {
        size.set(key, [textWidth("\u25B8 " + foldedLabel(c), 11, 600) + 24, SCOPE_H]);
      }
    }
    const out = new Map(units.map((u) => [u, []]));
    const inn = new Map(units.map((u) => [u, []]));
    const seen = new Set();
    for (const [a, b] of scopeEdges.get(s.name) || []) {
      const key = a + ">" + b;
      if (seen.has(key)) continue;
      seen.add(key);
      out.get(a).push(b);
      inn.get(b).push(a);
    }
    const given = DATA.layout && DATA.layout.orders ? DATA.layout.orders[s.name] : null;
    if (given && units.every((u) => given[u])) return coordinates(units, size, inner, inn, ranked(units, given));
    // Ranks: longest path from the sources (cycles, from a module called twice, are broken).
    const rank = new Map(), indeg = new Map(units.map((u) => [u, inn.get(u).length]));
    const done = new Set();
    let ready = units.filter((u) => indeg.get(u) === 0);
    let left = units.length;
    while (left > 0) {
      if (ready.length === 0) {  // a cycle: take the pending unit with the fewest inputs left
        let best = null;
        for (const u of units) if (!done.has(u) && (best === null || indeg.get(u) < indeg.get(best))) best = u;
        ready = [best];
      }
      const next = [];
      for (const u of ready) {
        if (done.has(u)) continue;
        done.add(u); left--;
        let r = 0;
        for (const p of inn.get(u)) if (rank.has(p)) r = Math.max(r, rank.get(p) + 1);
        rank.set(u, r);
        for (const v of out.get(u)) {
          indeg.set(v, indeg.get(v) - 1);
          if (indeg.get(v) === 0) next.push(v);
        }
      }
      ready = next;
    }
    // Sources (leaves) sit right above their first consumer, not all at the top.
    for (const u of units) {
      if (inn.get(u).length === 0 && out.get(u).length) {
        let r = Infinity;
        for (const v of out.get(u)) r = Math.min(r, rank.get(v) - 1);
        if (r >= 0 && r !== Infinity) rank.set(u, r);
      }
    }
    const layers = [];
    for (const u of units) {
      const r = rank.get(u);
      while (layers.length <= r) layers.push([]);
      layers[r].push(u);
    }
    // Order within layers: barycenters of the neighbours, a few sweeps down and up.
    const pos = new Map();
    const index = () => { for (const L of layers) L.forEach((u, i) => pos.set(u, i / Math.max(1, L.length))); };
    index();
    for (let sweep = 0; sweep < 6; sweep++) {
      const down = sweep % 2 === 0;
      for (let k = 0; k < layers.length; k++) {
        const L = layers[down ? k : layers.length - 1 - k];
        const bc = new Map();
        for (const u of L) {
          const nb = down ? inn.get(u) : out.get(u);
          let sum = 0, cnt = 0;
          for (const v of nb) { sum += pos.get(v); cnt++; }
          bc.set(u, cnt ? sum / cnt : pos.get(u));
        }
        L.sort((a, b) => bc.get(a) - bc.get(b));
        L.forEach((u, i) => pos.set(u, i / Math.max(1, L.length)));
      }
    }
    return coordinates(units, size, inner, inn, layers);
  }

  function ranked(units, given) {  // layers from dot's [rank, order] per unit
    const layers = [];
    for (const u of units) {
      const r = given[u][0];
      while (layers.length <= r) layers.push([]);
      layers[r].push(u);
    }
    for (const L of layers) L.sort((a, b) => given[a][1] - given[b][1]);
    return layers.filter((L) => L.length);
  }

  function coordinates(units, size, inner, inn, layers) {
    // Each unit as close as it can be to the middle of what feeds it.
    const x = new Map(), y = new Map();
    let top = 0;
    for (const L of layers) {
      let h = 0;
      for (const u of L) h = Math.max(h, size.get(u)[1]);
      const want = L.map((u) => {
        const feeds = inn.get(u).filter((v) => x.has(v));
        if (!feeds.length) return null;
        return feeds.reduce((acc, v) => acc + x.get(v) + size.get(v)[0] / 2, 0) / feeds.length;
      });
      let cursor = -Infinity;
      L.forEach((u, i) => {
        const w = size.get(u)[0];
        let cx = want[i] !== null ? want[i] - w / 2 : cursor + GAP_X;
        if (cursor === -Infinity && want[i] === null) cx = 0;
        cx = Math.max(cx, cursor + GAP_X);
        x.set(u, cx);
        cursor = cx + w;
      });
      for (const u of L) y.set(u, top + (h - size.get(u)[1]) / 2);
      top += h + GAP_Y;
    }
    let minX = Infinity, maxX = -Infinity, maxY = 0;
    for (const u of units) {
      minX = Math.min(minX, x.get(u));
      maxX = Math.max(maxX, x.get(u) + size.get(u)[0]);
      maxY = Math.max(maxY, y.get(u) + size.get(u)[1]);
    }
    if (!units.length) { minX = 0; maxX = 0; }
    return { units, size, x, y, inner, minX, w: maxX - minX, h: maxY };
  }

  function place(L, ox, oy) {
    for (const u of L.units) {
      const ax = ox + L.x.get(u) - L.minX, ay = oy + L.y.get(u);
      const [w, h] = L.size.get(u);
      boxes.set(u, { x: ax, y: ay, w, h });
      const I = L.inner.get(u);
      if (I) place(I, ax + (w - I.w) / 2, ay + HEAD);
    }
  }

  // ---- drawing ------------------------------------------------------------------------------
  const svg = document.getElementById("graph");
  const view = { x: 0, y: 0, k: 1 };
  let world, edgeLayer, scopeLayer, nodeLayer;
  const elements = new Map();  // unit key -> element
  let selected = null, active = null, matches = new Set(), pathSet = new Set();

  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, str, cls) {
    const t = el("text", { x, y, class: cls || "" }, parent);
    t.textContent = str;
    return t;
  }

  function render() {
    boxes.clear();
    elements.clear();
    const L = layoutScope(scopes.get(""));
    place(L, 20, 20);
    svg.textContent = "";
    const defs = el("defs", {}, svg);
    const m = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#9aa0a6" }, m);
    world = el("g", { id: "world" }, svg);
    scopeLayer = el("g", {}, world);
    edgeLayer = el("g", {}, world);
    nodeLayer = el("g", {}, world);
    for (const [key, b] of boxes) {
      if (key.startsWith("s:")) drawScope(scopes.get(key.slice(2)), b);
      else drawNode(byId.get(key.slice(2)), b);
    }
    const drawn = new Set();
    for (const [a, b] of DATA.edges) {
      const ua = unitOf(a), ub = unitOf(b);
      if (ua === ub || drawn.has(ua + ">" + ub)) continue;
      drawn.add(ua + ">" + ub);
      const p = boxes.get(ua), q = boxes.get(ub);
      const x1 = p.x + p.w / 2, y1 = p.y + p.h, x2 = q.x + q.w / 2, y2 = q.y;
      const dy = Math.max(20, Math.abs(y2 - y1) / 2);
      el("path", { class: "edge", "data-from": ua, "data-to": ub, "marker-end": "url(#arrow)",
        d: `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}` }, edgeLayer);
    }
    applyView();
    restyle();
  }

  function drawNode(n, b) {
    const cls = ["node", n.kind];
    if (n.root) cls.push("root");
    if (n.bad) cls.push(n.bad + (n.origin ? "-origin" : "-received"));
    const g = el("g", { class: cls.join(" "), "data-node": n.id, "data-op": n.op, transform: `translate(${b.x},${b.y})` }, nodeLayer);
    el("rect", { width: b.w, height: b.h }, g);
    text(g, 8, 14, n.label, "label");
    text(g, 8, 27, metaOf(n), "meta");
    const t = el("title", {}, g);
    t.textContent = n.op + (n.scope ? "  in " + n.scope : "");
    g.addEventListener("click", (ev) => { ev.stopPropagation(); select(n.id); });
    elements.set("n:" + n.id, g);
  }

  function drawScope(s, b) {
    const isOpen = open.has(s.name);
    const cls = ["scope", isOpen ? "open" : "folded"];
    if (s.bad) cls.push("has-nan");
    const g = el("g", { class: cls.join(" "), "data-scope": s.name, transform: `translate(${b.x},${b.y})` }, isOpen ? scopeLayer : nodeLayer);
    el("rect", { width: b.w, height: b.h }, g);
    if (isOpen) {
      const head = el("g", { class: "head" }, g);
      el("rect", { width: b.w, height: HEAD, fill: "transparent", stroke: "none" }, head);
      text(head, 8, 14, "\u25BE " + s.name, "scope-name");
      head.addEventListener("click", (ev) => { ev.stopPropagation(); fold(s.name, false); });
    } else {
      text(g, 10, 21, "\u25B8 " + foldedLabel(s), "scope-name");
      g.addEventListener("click", (ev) => { ev.stopPropagation(); fold(s.name, true); });
    }
    elements.set("s:" + s.name, g);
  }

  function restyle() {  // the classes that follow state: selection, replay, search, path
    const visiblePath = new Set([...pathSet].map(unitOf));
    const visibleMatch = new Set([...matches].map(unitOf));
    const activeUnit = active ? unitOf(active) : null;
    const ran = new Set(DATA.order.slice(0, step + 1));
    for (const [key, e] of elements) {
      const isNode = key.startsWith("n:");
      const id = key.slice(2);
      e.classList.toggle("path", visiblePath.has(key));
      e.classList.toggle("match", visibleMatch.has(key));
      if (isNode) {
        e.classList.toggle("selected", id === selected);
        e.classList.toggle("active", id === active);
        e.classList.toggle("done", ran.has(id) && id !== active);
      } else {
        e.classList.toggle("has-active", key === activeUnit);
      }
    }
    for (const p of edgeLayer.children) {
      p.classList.toggle("path", visiblePath.has(p.dataset.from) && visiblePath.has(p.dataset.to));
    }
  }

  // ---- view: pan and zoom -------------------------------------------------------------------
  function applyView() { world.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`); }
  function fit() {
    let maxX = 0, maxY = 0;
    for (const b of boxes.values()) { maxX = Math.max(maxX, b.x + b.w); maxY = Math.max(maxY, b.y + b.h); }
    const r = svg.getBoundingClientRect();
    view.k = Math.min(1.5, (r.width - 10) / (maxX + 20), (r.height - 10) / (maxY + 20));
    view.x = Math.max(0, (r.width - (maxX + 20) * view.k) / 2);
    view.y = 5;
    applyView();
  }
  function centerOn(key, always) {
    const b = boxes.get(key);
    if (!b) return;
    const r = svg.getBoundingClientRect();
    const sx = view.x + (b.x + b.w / 2) * view.k, sy = view.y + (b.y + b.h / 2) * view.k;
    if (always || sx < 20 || sy < 20 || sx > r.width - 20 || sy > r.height - 20) {
      view.x = r.width / 2 - (b.x + b.w / 2) * view.k;
      view.y = r.height / 2 - (b.y + b.h / 2) * view.k;
      applyView();
    }
  }
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    const f = Math.exp(-ev.deltaY * 0.0015);
    view.x = mx - (mx - view.x) * f; view.y = my - (my - view.y) * f; view.k *= f;
    applyView();
  }, { passive: false });
  let drag = null;
  svg.addEventListener("mousedown", (ev) => { drag = [ev.clientX, ev.clientY, view.x, view.y]; });
  window.addEventListener("mousemove", (ev) => {
    if (!drag) return;
    document.getElementById("canvas").classList.add("dragging");
    view.x = drag[2] + ev.clientX - drag[0]; view.y = drag[3] + ev.clientY - drag[1];
    applyView();
  });
  window.addEventListener("mouseup", () => { drag = null; document.getElementById("canvas").classList.remove("dragging"); });

  // ---- folding ------------------------------------------------------------------------------
  function fold(name, opening) {
    if (name === "") return;
    if (opening) open.add(name);
    else for (const k of [...open]) if (k === name || k.startsWith(name + ".")) open.delete(k);
    render();
    centerOn("s:" + name);
  }
  function reveal(id) {  // open every scope around a node; true if the layout changed
    let changed = false;
    for (const s of scopeChains.get(id)) if (!open.has(s.name)) { open.add(s.name); changed = true; }
    if (changed) render();
    return changed;
  }
  document.getElementById("fold-all").onclick = () => { open.clear(); open.add(""); render(); fit(); };
  document.getElementById("unfold-all").onclick = () => { for (const k of scopes.keys()) open.add(k); render(); fit(); };
  document.getElementById("fit").onclick = fit;

  // ---- details ------------------------------------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const fmt = (v) => {
    if (v === null || v === undefined) return "-";
    const x = Number(v);
    if (!isFinite(x)) return String(v);
    if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(3);
    return String(Number(x.toPrecision(5)));
  };
  function values(v) {
    if (Array.isArray(v)) return "[" + v.map(values).join(", ") + "]";
    return fmt(v);
  }
  function gradTable(title, list, names) {
    if (!list) return "";
    let h = `<h4>${esc(title)}</h4>`;
    if (!list.length) return h + "<p class='hint'>nothing</p>";
    list.forEach((g, i) => {
      const who = names ? names[i] : "#" + i;
      if (!g) { h += `<p>${esc(who)}: None</p>`; return; }
      const bad = g.nan || g.inf;
      h += `<table class="grad" data-slot="${i}"><tr><th colspan="2">${esc(who)}: [${g.shape.join(", ")}] ${esc(g.dtype)}</th></tr>`;
      h += `<tr><th>norm</th><td class="norm">${fmt(g.norm)}</td></tr>`;
      h += `<tr><th>min / max</th><td><span class="min">${fmt(g.min)}</span> / <span class="max">${fmt(g.max)}</span></td></tr>`;
      h += `<tr><th>NaN / inf</th><td class="${bad ? "bad" : ""}"><span class="nan">${g.nan}</span> / <span class="inf">${g.inf}</span></td></tr>`;
      if (g.values !== undefined) h += `<tr><th>values</th><td><pre class="values">${esc(values(g.values))}</pre></td></tr>`;
      h += "</table>";
    });
    return h;
  }
  function showDetails(id) {
    const n = byId.get(id);
    let h = `<h3 class="op">${esc(n.kind === "leaf" ? n.label : n.op)}</h3><table>`;
    const row = (k, v, cls) => { h += `<tr><th>${esc(k)}</th><td class="${cls || ""}">${v}</td></tr>`; };
    row("op", esc(n.op), "f-op");
    if (n.kind === "leaf") row("leaf", esc(n.label), "f-label");
    row("module", esc(n.scope || "(top level)"), "f-scope");
    row(n.kind === "leaf" ? "shape" : "output", esc(n.outputs.map(shapeText).join(", ")), "f-output");
    if (n.saved) row("saved", n.saved.length ? esc(n.saved.map((s) => s[0] + " [" + s[1].join(", ") + "] " + s[2]).join("; ")) : "nothing", "f-saved");
    if (n.freed) row("saved values", "freed by backward", "f-freed");
    if (n.site) row("created at", `<pre>${esc(n.site)}</pre>`, "f-site");
    else if (n.kind === "op") row("created at", "<span class='hint'>not recorded (build the graph inside ndgrad.autograd.record_inputs())</span>", "f-site");
    if (n.step !== undefined) row("backward step", (n.step + 1) + " of " + DATA.order.length, "f-step");
    h += "</table>";
    if (n.origin) h += `<p class="bad">The gradient turns ${n.bad === "nan" ? "NaN" : "inf"} here: what this node received was finite.</p>`;
    if (n.grad_in) {
      h += gradTable(n.kind === "leaf" ? "gradient received (would go to .grad)" : "gradient received", n.grad_in, n.outputs.length > 1 ? null : ["grad"]);
      if (n.kind === "op") h += gradTable("gradient returned (one per input)", n.grad_out, null);
    } else if (n.kind === "leaf" && DATA.mode === "structure") {
      h += n.leaf_grad ? gradTable(".grad", [n.leaf_grad], [".grad"]) : "<h4>.grad</h4><p>None</p>";
    }
    document.getElementById("details").innerHTML = h;
  }

  function forwardReach(id) {
    const seen = new Set([id]), stack = [id];
    while (stack.length) for (const v of succ.get(stack.pop())) if (!seen.has(v)) { seen.add(v); stack.push(v); }
    return seen;
  }
  function select(id) {
    selected = id;
    pathSet = forwardReach(id);
    showDetails(id);
    restyle();
  }
  svg.addEventListener("click", (ev) => { if (ev.target === svg) { selected = null; pathSet = new Set(); restyle(); } });

  // ---- replay -------------------------------------------------------------------------------
  let step = -1;
  const prev = document.getElementById("step-prev"), next = document.getElementById("step-next");
  function goto(k) {
    step = Math.max(-1, Math.min(DATA.order.length - 1, k));
    active = step >= 0 ? DATA.order[step] : null;
    const label = document.getElementById("step-label");
    if (active) {
      const n = byId.get(active);
      if (reveal(active)) {  // a module opened: readable size, centred on the step
        view.k = Math.max(view.k, 1);
        centerOn("n:" + active, true);
      }
      label.textContent = `step ${step + 1} / ${DATA.order.length}: ${n.kind === "leaf" ? "AccumulateGrad (" + n.label + ")" : n.op}`;
      selected = active;
      pathSet = new Set();
      showDetails(active);
      centerOn("n:" + active);
    } else {
      label.textContent = DATA.order.length ? `backward: ${DATA.order.length} steps` : "no replay (structure only)";
    }
    prev.disabled = step < 0;
    next.disabled = step >= DATA.order.length - 1;
    restyle();
  }
  prev.onclick = () => goto(step - 1);
  next.onclick = () => goto(step + 1);
  document.getElementById("step-first").onclick = () => goto(-1);
  window.addEventListener("keydown", (ev) => {
    if (ev.target.tagName === "INPUT") return;
    if (ev.key === "ArrowRight") goto(step + 1);
    else if (ev.key === "ArrowLeft") goto(step - 1);
    else if (ev.key === "Home") goto(-1);
  });

  // ---- search -------------------------------------------------------------------------------
  const search = document.getElementById("search");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    const box = document.getElementById("search-results");
    matches = new Set();
    box.textContent = "";
    if (q) {
      for (const n of nodes) {
        if (n.op.toLowerCase().includes(q) || n.label.toLowerCase().includes(q) || (n.scope || "").toLowerCase().includes(q)) matches.add(n.id);
      }
      let shown = 0;
      for (const id of matches) {
        if (shown++ >= 100) break;
        const n = byId.get(id);
        const d = document.createElement("div");
        d.dataset.result = id;
        d.textContent = (n.kind === "leaf" ? n.label + " (AccumulateGrad)" : n.op) + (n.scope ? "  in " + n.scope : "");
        d.onclick = () => { reveal(id); select(id); centerOn("n:" + id); };
        box.appendChild(d);
      }
    }
    document.getElementById("search-count").textContent = q ? matches.size + " found" : "";
    restyle();
  });

  // ---- start --------------------------------------------------------------------------------
  document.getElementById("mode").textContent =
    `${nodes.length} nodes · output ${DATA.output}` +
    (DATA.mode === "traced" ? ` · backward traced${DATA.implicit_ones ? " (gradient of ones)" : ""}` : ` · structure only: ${DATA.reason}`) +
    ` · layout: ${DATA.layout && DATA.layout.engine === "dot" ? "Graphviz dot" : "built-in"}`;
  document.getElementById("legend").innerHTML =
    '<span class="sw" style="background:#f2f2f2"></span>op<span class="sw" style="background:#cfe2ff"></span>leaf' +
    '<span class="sw" style="background:#e8f0fe;border-color:#4285f4"></span>module (click to open)' +
    '<span class="sw" style="background:#fde293"></span>current step<span class="sw" style="background:#f28b82"></span>gradient turns NaN/inf';
  render();
  fit();
  if (view.k < 0.7) {  // too big to read whole: start readable, at the output (where backward starts)
    view.k = 0.9;
    const root = nodes.find((n) => n.root);
    if (root) centerOn(unitOf(root.id), true);
  }
  goto(-1);
  document.body.dataset.ready = "1";
})();
