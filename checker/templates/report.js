/* checker report: the conflict list, filters, detail view, article view and decisions.
 *
 * Everything the page shows comes from the JSON model in #checker-data. Data is
 * untrusted (article text, outlet names, rule-derived subjects): it is written
 * with textContent, setAttribute and createElement only, never parsed as HTML.
 * Decisions go to `checker serve` when the page is served (the <meta> tags
 * checker-api / checker-csrf / checker-run are present), else to localStorage,
 * and can be exported as a file `checker decisions import` reads.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("nojs");
  root.classList.add("js");

  function perfMark(name) { if (window.performance && performance.mark) performance.mark("checker:" + name); }
  perfMark("start");
  var M = JSON.parse(document.getElementById("checker-data").textContent);
  perfMark("parsed");
  var CONFLICTS = M.conflicts || [];
  var SOURCES = M.sources || {};
  var ARTICLES = null;  // id -> {text, marks}: decoded on first use (see loadArticles)
  var articlesPromise = null;
  var RUN = String((M.run && M.run.key) || "run");
  var byId = new Map();
  // Change badges mean something only against a previous run.
  var HAS_PREVIOUS = !!(M.changes && M.changes.previous);
  var CHANGED = new Map(((M.changes && M.changes.changed) || []).map(function (x) { return [x.id, x]; }));
  // Quoted claims come as arrays (see claim_fields); a quote's outlet, date, title and
  // address are its article's unless it says otherwise. A conflict's outlets and dates
  // are rebuilt from its quotes.
  var IDS = M.article_ids || [];
  function decodeClaim(a) {
    if (!Array.isArray(a)) return a;
    var id = typeof a[0] === "number" ? IDS[a[0]] : a[0];
    var s = SOURCES[id] || {}, x = a[10] || {};
    return {
      article: id, start: a[1], end: a[2], attribution: a[3], low: a[4], high: a[5],
      quote: { before: a[6], match: a[7], after: a[8] }, text: a[7], display: a[9] == null ? a[7] : a[9],
      scope: x.scope || {}, source: "source" in x ? x.source : s.source,
      published: "published" in x ? x.published : s.published, title: s.title, url: s.url,
      published_estimate: s.published_estimate, published_basis: s.published_basis
    };
  }
  // Decoded when a conflict is first shown, searched or exported: at 5,000 conflicts,
  // decoding every quote up front would cost more than reading the page.
  function quotes(v) {
    if (!v._decoded) { v.claims = v.claims.map(decodeClaim); v._decoded = true; }
    return v.claims;
  }
  CONFLICTS.forEach(function (c, i) {
    c._i = i;
    byId.set(c.id, c);
    var outlets = {}, dates = {};
    c.values.forEach(function (v) {
      v.claims.forEach(function (a) {
        var id = typeof a[0] === "number" ? IDS[a[0]] : a[0], x = a[10], s = SOURCES[id] || {};
        var src = x && "source" in x ? x.source : s.source, pub = x && "published" in x ? x.published : s.published;
        outlets[src || id] = 1;
        if (pub) dates[pub] = 1;
      });
    });
    c.outlets = Object.keys(outlets).sort();
    c.dates = Object.keys(dates).sort();
  });

  var API = metaContent("checker-api");
  var CSRF = metaContent("checker-csrf");
  var SERVED_RUN = metaContent("checker-run");
  var LS_DECISIONS = "checker:decisions:" + RUN;
  var LS_WHO = "checker:who";

  var SEV_RANK = { high: 0, medium: 1, low: 2 };
  var REVIEW_LABEL = { open: "To review", confirmed: "Confirmed", dismissed: "Not a conflict", follow_up: "Follow up" };
  var REVIEW_RANK = { open: 0, follow_up: 1, confirmed: 2, dismissed: 3 };
  var KEYS_FOR = { confirmed: "c", dismissed: "x", follow_up: "f", open: "u" };
  var PALETTE_SIZE = 7;

  var $ = function (sel) { return document.querySelector(sel); };
  var listEl = $("#list");
  var detailEl = $("#detail");
  var state = { q: "", kind: "", story: "", outlet: "", severity: "", change: "", review: "", sort: "severity" };
  var ordered = CONFLICTS.slice();
  var visible = [];
  var selected = null;
  var decisions = new Map();   // conflict id -> {status, note, who, at, reopened, new_values, local}
  var madeHere = new Set();    // ids decided in this browser (exported)
  var lastFocus = null;

  // ---------------------------------------------------------------- helpers
  function metaContent(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function token(s) { return String(s == null ? "" : s).toLowerCase().replace(/[^a-z0-9_-]/g, ""); }
  function httpUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u.trim()) ? u.trim() : null; }
  function fin(x) { return typeof x === "number" && isFinite(x) ? x : null; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
  function when(at) {
    if (!at) return "";
    var d = new Date(at);
    if (isNaN(d.getTime())) return String(at);
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function button(text, cls, title) {
    var b = el("button", cls, text);
    b.type = "button";
    if (title) b.title = title;
    return b;
  }
  function link(href, text) {
    var a = el("a", "ext", text);
    a.href = href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }
  // Scroll only the container (scrollIntoView would scroll the page too).
  function scrollWithin(box, item, center) {
    var b = box.getBoundingClientRect(), r = item.getBoundingClientRect();
    if (center) box.scrollTop += r.top - b.top - (b.height - r.height) / 2;
    else if (r.top < b.top) box.scrollTop += r.top - b.top - 4;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + 4;
  }
  function shorten(s, n) {
    s = String(s);
    if (s.length <= n) return s;
    var tail = Math.floor((n - 1) * 0.6);
    return s.slice(0, n - 1 - tail) + "…" + s.slice(s.length - tail);
  }
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // ---------------------------------------------------------------- decisions
  function review(c) {
    var d = decisions.get(c.id);
    if (!d || d.reopened || !REVIEW_LABEL[d.status] || d.status === "open") return "open";
    return d.status;
  }
  function valuesOf(c) {
    return c.values.map(function (v) {
      return { value: v.value, low: fin(v.low), high: fin(v.high),
        claims: quotes(v).map(function (q) { return { display: q.display || q.text }; }) };
    });
  }
  function loadDecisions() {
    CONFLICTS.forEach(function (c) { if (c.decision) decisions.set(c.id, c.decision); });
    var ls = storage();
    if (!ls) return;
    var saved = {};
    try { saved = JSON.parse(ls.getItem(LS_DECISIONS) || "{}") || {}; } catch (e) { saved = {}; }
    Object.keys(saved).forEach(function (id) {
      var d = saved[id];
      if (!byId.has(id) || !d || !d.status) return;
      var cur = decisions.get(id);
      if (!cur || String(d.at || "") >= String(cur.at || "")) decisions.set(id, d);
      madeHere.add(id);
    });
  }
  function saveLocal() {
    var ls = storage();
    if (!ls) return false;
    var out = {};
    madeHere.forEach(function (id) { if (decisions.has(id)) out[id] = decisions.get(id); });
    try { ls.setItem(LS_DECISIONS, JSON.stringify(out)); return true; } catch (e) { return false; }
  }
  function exportEntry(id) {
    var d = decisions.get(id), c = byId.get(id);
    return { conflict: id, status: d.status, note: d.note || "", who: d.who || "", at: d.at,
      values: d.values || valuesOf(c), kind: c.kind, story: c.story, subject: c.subject, run: RUN };
  }
  function fetchServerDecisions() {
    if (!API) return;
    var url = API + "?run=" + encodeURIComponent(SERVED_RUN || "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (doc) {
        var got = (doc && doc.decisions) || {};
        Object.keys(got).forEach(function (id) {
          if (!byId.has(id)) return;
          var cur = decisions.get(id);
          if (cur && cur.pending && String(cur.at) > String(got[id].at)) return;
          decisions.set(id, got[id]);
        });
        CONFLICTS.forEach(updateRow);
        renderCounts();
        if (selected) renderDetail(selected);
        setMode("Decisions are saved on the server");
      })
      .catch(function (e) { setMode("Server unreachable (" + e.message + "): decisions stay in this browser", true); });
  }
  function setDecision(c, status, note) {
    var who = $("#who").value.trim();
    var d = { status: status, note: note || "", who: who, at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      reopened: false, new_values: [], values: valuesOf(c) };
    decisions.set(c.id, d);
    madeHere.add(c.id);
    updateRow(c);
    renderCounts();
    renderDetail(c);
    if (API) {
      d.pending = true;
      saveLocal();
      flash("Saving…");
      fetch(API, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Checker-CSRF": CSRF || "" },
        body: JSON.stringify(Object.assign(exportEntry(c.id), { run: SERVED_RUN || RUN }))
      }).then(function (r) {
        if (!r.ok) return r.text().then(function (t) { throw new Error(t || ("HTTP " + r.status)); });
        return r.json();
      }).then(function (saved) {
        if (decisions.get(c.id) === d) {
          d.pending = false;
          d.at = saved.at || d.at;
          saveLocal();
        }
        root.dataset.lastSaved = c.id + ":" + status;
        flash(status === "open" ? "Cleared" : "Saved: " + REVIEW_LABEL[status]);
      }).catch(function (e) {
        flash("Not saved on the server (" + e.message + "); kept in this browser", true);
      });
    } else {
      flash(saveLocal() ? (status === "open" ? "Cleared" : "Saved in this browser: " + REVIEW_LABEL[status])
        : "This browser does not keep data for files: export the decisions", !storage());
    }
    root.dataset.lastDecision = c.id + ":" + status;
  }
  function exportDecisions() {
    var ids = Array.from(madeHere).filter(function (id) { return decisions.has(id); });
    if (!ids.length) { flash("No decisions made in this browser yet", true); return; }
    var doc = { decisions: ids.map(exportEntry), run: RUN, exported: new Date().toISOString() };
    var blob = new Blob([JSON.stringify(doc, null, 1) + "\n"], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "checker-decisions-" + token(RUN) + ".json";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    flash("Exported " + plural(ids.length, "decision"));
  }
  function setMode(text, warn) {
    var m = $("#save-mode");
    m.textContent = text;
    m.classList.toggle("warn", !!warn);
  }
  var flashTimer = null;
  function flash(text, warn) {
    var f = document.getElementById("flash");
    if (!f) { f = el("div", "flash"); f.id = "flash"; f.setAttribute("role", "status"); document.body.appendChild(f); }
    f.textContent = text;
    f.classList.toggle("warn", !!warn);
    f.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () { f.hidden = true; }, warn ? 6000 : 2200);
  }

  // ---------------------------------------------------------------- list
  function valuesLine(c) {
    var vs = c.values.map(function (v) { return v.value; });
    var s = vs.slice(0, 5).join("  ·  ");
    return vs.length > 5 ? s + "  · +" + (vs.length - 5) : s;
  }
  function latestDate(c) { return c.dates && c.dates.length ? c.dates[c.dates.length - 1] : ""; }

  function rowFor(c) {
    return c._row || buildRow(c);
  }
  function buildRow(c) {
    var r = el("div", "row");
    r.id = "r-" + c.id;
    r.setAttribute("role", "option");
    r.setAttribute("aria-selected", "false");
    r.dataset.id = c.id;
    r.dataset.kind = c.kind;
    r.dataset.story = c.story;
    r.dataset.severity = c.severity;
    r.dataset.status = c.status || "new";
    r.appendChild(el("span", "sev sev-" + token(c.severity), c.severity));
    var main = el("div", "row-main");
    var line1 = el("div", "row-line");
    line1.appendChild(el("strong", "subject", c.subject));
    line1.appendChild(el("span", "row-values", valuesLine(c)));
    main.appendChild(line1);
    var n = c.outlets.length;
    main.appendChild(el("div", "row-meta meta", c.kind.replace("_", " ") + " · " + c.story + " · " + plural(n, "outlet") +
      (latestDate(c) ? " · " + latestDate(c) : "")));
    r.appendChild(main);
    var badges = el("span", "badges");
    if (HAS_PREVIOUS && (c.status === "new" || c.status === "changed")) badges.appendChild(el("span", "badge change-" + c.status, c.status));
    var rb = el("span", "badge review");
    badges.appendChild(rb);
    r.appendChild(badges);
    c._row = r;
    c._rb = rb;
    updateRow(c);
    return r;
  }
  function updateRow(c) {
    if (!c._row) return;
    var rv = review(c);
    var d = decisions.get(c.id);
    c._row.dataset.review = rv;
    c._rb.className = "badge review review-" + rv;
    c._rb.textContent = d && d.reopened ? "reopened" : rv === "open" ? "" : REVIEW_LABEL[rv];
    if (d && d.note) c._rb.title = d.note;
  }

  function haystack(c) {
    if (c._hay === undefined) {
      var parts = [c.subject, c.story, c.kind, c.explanation, c.hint || ""];
      c.values.forEach(function (v) {
        parts.push(v.value);
        quotes(v).forEach(function (q) {
          parts.push(q.source || "", q.attribution || "", q.article, q.quote ? q.quote.before + q.quote.match + q.quote.after : q.text);
        });
      });
      c._hay = parts.join("\n").toLowerCase();
    }
    var d = decisions.get(c.id);
    return d && d.note ? c._hay + "\n" + d.note.toLowerCase() : c._hay;
  }
  function matches(c, terms) {
    if (state.kind && c.kind !== state.kind) return false;
    if (state.story && c.story !== state.story) return false;
    if (state.severity && c.severity !== state.severity) return false;
    if (state.outlet && c.outlets.indexOf(state.outlet) < 0) return false;
    if (state.change && state.change.split(",").indexOf(c.status || "new") < 0) return false;
    var rv = review(c);
    if (state.review === "") { if (rv === "dismissed") return false; }
    else if (state.review !== "*" && rv !== state.review) return false;
    if (terms.length) {
      var h = haystack(c);
      for (var i = 0; i < terms.length; i++) if (h.indexOf(terms[i]) < 0) return false;
    }
    return true;
  }
  var SORTS = {
    severity: function (a, b) { return (sev(a.severity) - sev(b.severity)) || cmp(a.story, b.story) || cmp(a.subject, b.subject) || a._i - b._i; },
    story: function (a, b) { return cmp(a.story, b.story) || (sev(a.severity) - sev(b.severity)) || cmp(a.subject, b.subject) || a._i - b._i; },
    subject: function (a, b) { return cmp(a.subject, b.subject) || cmp(a.story, b.story) || a._i - b._i; },
    values: function (a, b) { return (b.values.length - a.values.length) || SORTS.severity(a, b); },
    outlets: function (a, b) { return (b.outlets.length - a.outlets.length) || SORTS.severity(a, b); },
    date: function (a, b) { return cmp(latestDate(b), latestDate(a)) || SORTS.severity(a, b); },
    review: function (a, b) { return (REVIEW_RANK[review(a)] - REVIEW_RANK[review(b)]) || SORTS.severity(a, b); },
    // A fixed shuffle (by id): review the first N to measure precision on a fair sample.
    sample: function (a, b) { return (sampleRank(a) - sampleRank(b)) || cmp(a.id, b.id); }
  };
  function sampleRank(c) {
    if (c._sample === undefined) {
      var h = 2166136261;  // FNV-1a
      for (var i = 0; i < c.id.length; i++) { h ^= c.id.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
      c._sample = h;
    }
    return c._sample;
  }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function sev(s) { return Object.prototype.hasOwnProperty.call(SEV_RANK, s) ? SEV_RANK[s] : 9; }

  function resort() {
    var f = SORTS[state.sort] || SORTS.severity;
    ordered = CONFLICTS.slice().sort(f);
  }
  // The list is virtual: only the rows in view (and a margin) are in the page,
  // absolutely placed in a spacer as tall as the whole list, so 5,000 conflicts
  // cost what 40 do.
  var spacer = el("div", "spacer");
  var emptyMsg = el("p", "empty meta", "No conflict matches these filters.");
  var ROW_H = 0;
  function rowHeight() {
    if (!ROW_H && CONFLICTS.length) {
      var probe = rowFor(CONFLICTS[0]);
      spacer.appendChild(probe);
      ROW_H = probe.offsetHeight || 56;
    }
    return ROW_H || 56;
  }
  function renderWindow() {
    var h = rowHeight();
    var view = listEl.clientHeight || window.innerHeight;
    var first = Math.max(0, Math.floor(listEl.scrollTop / h) - 6);
    var last = Math.min(visible.length, first + Math.ceil(view / h) + 14);
    var rows = [];
    for (var i = first; i < last; i++) {
      var r = rowFor(visible[i]);
      r.style.top = (i * h) + "px";
      r.setAttribute("aria-posinset", String(i + 1));
      r.setAttribute("aria-setsize", String(visible.length));
      rows.push(r);
    }
    spacer.replaceChildren.apply(spacer, rows);
  }
  var scrollPending = false;
  function onListScroll() {
    if (scrollPending) return;
    scrollPending = true;
    requestAnimationFrame(function () { scrollPending = false; renderWindow(); });
  }
  function scrollToRow(c) {
    var i = visible.indexOf(c);
    if (i < 0) return;
    var h = rowHeight(), top = i * h, view = listEl.clientHeight;
    if (top < listEl.scrollTop) listEl.scrollTop = top;
    else if (top + h > listEl.scrollTop + view) listEl.scrollTop = top + h - view;
    renderWindow();
  }
  function apply() {
    var t0 = performance.now();
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    visible = [];
    for (var i = 0; i < ordered.length; i++) {
      if (matches(ordered[i], terms)) visible.push(ordered[i]);
    }
    emptyMsg.hidden = visible.length > 0;
    spacer.style.height = (visible.length * rowHeight()) + "px";
    if (listEl.scrollTop > visible.length * rowHeight()) listEl.scrollTop = 0;
    renderWindow();
    $("#shown").textContent = "Showing " + visible.length + " of " + plural(CONFLICTS.length, "conflict");
    $("#reset").disabled = !(state.q || state.kind || state.story || state.outlet || state.severity || state.change || state.review);
    document.querySelectorAll(".facet").forEach(function (b) {
      b.classList.toggle("active", state[b.dataset.facet] === b.dataset.value);
    });
    root.dataset.filterMs = String(Math.round((performance.now() - t0) * 10) / 10);
  }

  function renderCounts() {
    var counts = { open: 0, confirmed: 0, dismissed: 0, follow_up: 0 };
    CONFLICTS.forEach(function (c) { counts[review(c)]++; });
    var box = document.querySelector(".review-counts");
    box.textContent = "";
    Object.keys(counts).forEach(function (k) {
      var b = button("", "facet by-review", "Show " + REVIEW_LABEL[k].toLowerCase());
      b.dataset.facet = "review";
      b.dataset.value = k;
      b.dataset.review = k;
      b.appendChild(document.createTextNode(REVIEW_LABEL[k].toLowerCase() + " "));
      b.appendChild(el("b", null, counts[k]));
      b.classList.toggle("active", state.review === k);
      box.appendChild(b);
    });
  }

  // ---------------------------------------------------------------- selection
  function select(c, opts) {
    opts = opts || {};
    if (selected && selected._row) {
      selected._row.classList.remove("selected");
      selected._row.setAttribute("aria-selected", "false");
    }
    selected = c;
    if (!c) { detailEl.textContent = ""; detailEl.appendChild(el("p", "empty meta", "Select a conflict (j / k).")); return; }
    rowFor(c).classList.add("selected");
    c._row.setAttribute("aria-selected", "true");
    listEl.setAttribute("aria-activedescendant", c._row.id);
    if (opts.scroll !== false) scrollToRow(c);
    else renderWindow();
    renderDetail(c);
    detailEl.scrollTop = 0;
    if (opts.hash !== false) history.replaceState(null, "", "#c-" + encodeURIComponent(c.id));
    root.dataset.selected = c.id;
  }
  function move(step) {
    if (!visible.length) return;
    var i = selected ? visible.indexOf(selected) : -1;
    var j = i < 0 ? (step > 0 ? 0 : visible.length - 1) : Math.max(0, Math.min(visible.length - 1, i + step));
    select(visible[j]);
  }

  // ---------------------------------------------------------------- detail
  function renderDetail(c) {
    detailEl.textContent = "";
    detailEl.appendChild(conflictCard(c, false));
  }
  function conflictCard(c, printing) {
    var card = el("article", "conflict-card");
    card.dataset.id = c.id;
    card.dataset.kind = c.kind;
    card.dataset.story = c.story;
    card.dataset.severity = c.severity;
    card.dataset.status = c.status || "new";
    card.dataset.review = review(c);
    var h = el("header", "card-head");
    h.appendChild(el("span", "sev sev-" + token(c.severity), c.severity));
    h.appendChild(el("h2", "subject", c.subject));
    h.appendChild(el("span", "kind meta", c.kind.replace("_", " ") + " · " + c.disagreement));
    if (HAS_PREVIOUS && (c.status === "new" || c.status === "changed")) h.appendChild(el("span", "badge change-" + c.status, c.status + " since the last run"));
    var ch = CHANGED.get(c.id);
    if (ch && (ch.added_values || []).length) h.appendChild(el("span", "meta", "new values: " + ch.added_values.join(", ")));
    card.appendChild(h);
    var st = el("div", "story-line meta");
    st.appendChild(document.createTextNode("story: "));
    if (printing) st.appendChild(el("span", "story", c.story));
    else {
      var sb = button(c.story, "linklike story", "Show only this story");
      sb.addEventListener("click", function () { setFilter("story", c.story); });
      st.appendChild(sb);
    }
    if (!printing && TABLE_STORIES.has(c.story)) {
      st.appendChild(document.createTextNode(" · "));
      var tl = el("a", "story-table-link", "story table");
      tl.href = storyHash(c.story);
      tl.title = "Every subject of this story against every outlet";
      st.appendChild(tl);
    }
    st.appendChild(document.createTextNode(" · " + plural(c.outlets.length, "outlet") + " · id " + c.id));
    card.appendChild(st);
    card.appendChild(el("p", "explanation", c.explanation));
    if (c.hint) card.appendChild(el("p", "hint", c.hint));
    card.appendChild(printing ? decisionLine(c) : decisionPanel(c));
    if (c.kind === "quantity") {
      var ch = chart(c);
      if (ch) card.appendChild(ch);
    }
    var vals = el("div", "values");
    c.values.forEach(function (v, i) {
      var col = el("section", "value g" + (i % PALETTE_SIZE));
      col.dataset.value = v.value;
      if (v.role) col.dataset.role = v.role;
      var vh = el("h3", null);
      vh.appendChild(el("span", "swatch g" + (i % PALETTE_SIZE)));
      vh.appendChild(el("span", "value-text", v.value));
      if (v.role) vh.appendChild(el("span", "meta role", v.role));
      vh.appendChild(el("span", "meta count", plural(quotes(v).length, "quote")));
      col.appendChild(vh);
      quotes(v).forEach(function (q) { col.appendChild(quoteBlock(c, q, printing)); });
      vals.appendChild(col);
    });
    card.appendChild(vals);
    return card;
  }
  function quoteBlock(c, q, printing) {
    var box = el("div", "claim");
    box.dataset.article = q.article;
    box.dataset.start = q.start;
    box.dataset.end = q.end;
    var bq = el("blockquote", null);
    var qt = q.quote || { before: "", match: q.text, after: "" };
    bq.appendChild(document.createTextNode(qt.before));
    bq.appendChild(el("mark", null, qt.match));
    bq.appendChild(document.createTextNode(qt.after));
    box.appendChild(bq);
    var meta = el("div", "meta");
    meta.appendChild(el("span", "outlet", q.source || q.article));
    if (q.published) { meta.appendChild(document.createTextNode(" · ")); meta.appendChild(el("span", "date", q.published)); }
    else if (q.published_estimate) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("span", "date", estimated(q)));
    }
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("span", "attribution", q.attribution ? "according to " + q.attribution : "no one cited"));
    var scope = q.scope || {};
    ["place", "status_word", "time"].forEach(function (k) {
      if (scope[k]) meta.appendChild(document.createTextNode(" · " + k.replace("_word", "") + ": " + scope[k]));
    });
    box.appendChild(meta);
    var actions = el("div", "claim-actions meta");
    if (!printing && SOURCES[q.article]) {
      var rb = button("Read the article", "read linklike", "Whole article with every claim marked (a)");
      rb.addEventListener("click", function () { openArticle(q.article, q.start, q.end, c.id, rb); });
      actions.appendChild(rb);
    }
    var url = httpUrl(q.url);
    if (url && !printing) actions.appendChild(link(url, "original ↗"));
    var name = el("span", "article-id", q.title && q.title !== q.article ? q.title : q.article);
    name.title = (q.title ? q.title + "\n" : "") + q.article;
    actions.appendChild(name);
    box.appendChild(actions);
    return box;
  }
  function decisionLine(c) {
    var d = decisions.get(c.id);
    var p = el("p", "decision-line");
    if (!d || d.status === "open") { p.textContent = "Review: to review"; return p; }
    p.textContent = "Review: " + REVIEW_LABEL[d.status] + (d.who ? " by " + d.who : "") + (d.at ? ", " + when(d.at) : "") +
      (d.note ? ". Note: " + d.note : "") + (d.reopened ? ". Reopened: new values " + (d.new_values || []).join(", ") : "");
    return p;
  }
  function decisionPanel(c) {
    var d = decisions.get(c.id);
    var rv = review(c);
    var box = el("div", "decision review-" + rv);
    var status = el("p", "decision-status");
    if (!d || d.status === "open") status.textContent = "Not reviewed yet.";
    else {
      status.appendChild(el("strong", null, REVIEW_LABEL[d.status] || d.status));
      status.appendChild(document.createTextNode((d.who ? " by " + d.who : "") + (d.at ? " · " + when(d.at) : "") +
        (d.pending ? " · saving…" : "")));
    }
    box.appendChild(status);
    if (d && d.new_values && d.new_values.length) {
      box.appendChild(el("p", "reopened", (d.reopened ? "Back for review: " : "New since the decision: ") +
        plural(d.new_values.length, "value") + " joined (" + d.new_values.join(", ") + ")."));
    }
    var btns = el("div", "decision-buttons");
    ["confirmed", "dismissed", "follow_up"].forEach(function (s) {
      var b = button(REVIEW_LABEL[s] + " (" + KEYS_FOR[s] + ")", "mark mark-" + s);
      b.dataset.mark = s;
      b.setAttribute("aria-pressed", String(rv === s));
      b.addEventListener("click", function () { mark(s); });
      btns.appendChild(b);
    });
    var clear = button("Clear (u)", "mark mark-open");
    clear.dataset.mark = "open";
    clear.disabled = !d || d.status === "open";
    clear.addEventListener("click", function () { mark("open"); });
    btns.appendChild(clear);
    box.appendChild(btns);
    var note = el("textarea", "note-field");
    note.id = "note";
    note.rows = 2;
    note.maxLength = 10000;
    note.placeholder = "Note (n): what you checked, whom to call…";
    note.setAttribute("aria-label", "Note");
    note.value = (d && d.note) || "";
    box.appendChild(note);
    var decided = d && d.status !== "open";
    var save = button(decided ? "Save note" : "Save note as follow up", "save-note",
      (decided ? "Keeps the mark" : "Marks follow up") + " and saves the note (Ctrl+Enter)");
    save.addEventListener("click", function () { mark(d && d.status !== "open" ? d.status : "follow_up"); });
    note.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save.click(); }
    });
    box.appendChild(save);
    return box;
  }
  function mark(status) {
    if (!selected) return;
    var note = document.getElementById("note");
    setDecision(selected, status, status === "open" ? "" : (note ? note.value : ""));
  }

  // ---------------------------------------------------------------- chart
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function fmt(x) {
    var a = Math.abs(x);
    if (a >= 1e9) return +(x / 1e9).toPrecision(3) + "B";
    if (a >= 1e6) return +(x / 1e6).toPrecision(3) + "M";
    if (a >= 1e4) return +(x / 1e3).toPrecision(3) + "k";
    return String(+x.toPrecision(4));
  }
  function chart(c) {
    var rows = [];
    c.values.forEach(function (v, g) {
      quotes(v).forEach(function (q) {
        rows.push({ g: g, lo: fin(q.low), hi: fin(q.high), label: q.source || q.article, value: q.display || q.text });
      });
    });
    var xs = [];
    rows.forEach(function (r) { if (r.lo !== null) xs.push(r.lo); if (r.hi !== null) xs.push(r.hi); });
    if (xs.length < 2) return null;
    var min = Math.min.apply(null, xs), max = Math.max.apply(null, xs);
    if (min === max) return null;
    var log = min > 0 && max / min >= 50;
    var f = log ? Math.log10 : function (x) { return x; };
    var lo = f(min), hi = f(max), pad = (hi - lo) * 0.06;
    lo -= pad; hi += pad;
    var shown = rows.slice(0, 18);
    var W = 640, L = 180, R = 16, RH = 20, T = 6, H = T + shown.length * RH + 30;
    var X = function (x) { return L + (f(x) - lo) / (hi - lo) * (W - L - R); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "class": "numberline", preserveAspectRatio: "xMinYMin meet" });
    s.appendChild(svg("title", {}, "Values per source for " + c.subject + (log ? " (log scale)" : "")));
    // axis and ticks
    var ay = T + shown.length * RH + 6;
    s.appendChild(svg("line", { x1: L, x2: W - R, y1: ay, y2: ay, "class": "axis" }));
    ticks(min, max, log).forEach(function (t) {
      var x = X(t);
      s.appendChild(svg("line", { x1: x, x2: x, y1: T, y2: ay + 4, "class": "grid" }));
      s.appendChild(svg("text", { x: x, y: ay + 17, "text-anchor": "middle", "class": "tick" }, fmt(t)));
    });
    shown.forEach(function (r, i) {
      var y = T + i * RH + RH / 2;
      var lab = shorten(r.label, 26);
      var t = svg("text", { x: L - 8, y: y + 4, "text-anchor": "end", "class": "label" }, lab);
      t.appendChild(svg("title", {}, r.label + ": " + r.value));
      s.appendChild(t);
      var cls = "g" + (r.g % PALETTE_SIZE);
      var x1 = r.lo === null ? L : X(r.lo), x2 = r.hi === null ? W - R : X(r.hi);
      if (x2 - x1 < 3) {
        s.appendChild(svg("circle", { cx: (x1 + x2) / 2, cy: y, r: 4.5, "class": "pt " + cls }));
      } else {
        s.appendChild(svg("rect", { x: x1, y: y - 4, width: x2 - x1, height: 8, rx: 3, "class": "bar " + cls }));
        if (r.lo === null) s.appendChild(svg("path", { d: "M" + L + " " + y + " l7 -6 v12 z", "class": "pt " + cls }));
        if (r.hi === null) s.appendChild(svg("path", { d: "M" + (W - R) + " " + y + " l-7 -6 v12 z", "class": "pt " + cls }));
      }
      var vx = Math.min(x2 + 7, W - R - 4);
      var anchor = x2 + 7 > W - 90 ? "end" : "start";
      s.appendChild(svg("text", { x: anchor === "end" ? x1 - 7 : vx, y: y + 4, "text-anchor": anchor, "class": "val" }, r.value));
    });
    var fig = el("figure", "chart");
    fig.appendChild(s);
    fig.appendChild(el("figcaption", "meta", "Each row is one quote: the range its figure allows after hedges and rounding" +
      (log ? " (log scale)" : "") + (rows.length > shown.length ? "; " + (rows.length - shown.length) + " more quotes not drawn" : "") + "."));
    return fig;
  }
  function ticks(min, max, log) {
    var out = [];
    if (log) {
      for (var e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
        var v = Math.pow(10, e);
        if (v >= min / 1.5 && v <= max * 1.5) out.push(v);
      }
      if (out.length >= 2) return out;
      return [min, max];
    }
    var span = max - min, step = Math.pow(10, Math.floor(Math.log10(span / 4)));
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= 5) { step *= m; return true; } return false; });
    for (var t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  // ---------------------------------------------------------------- article view
  // Large reports embed the texts gzip-compressed; they are decoded once, when first needed.
  function loadArticles() {
    if (articlesPromise) return articlesPromise;
    var node = document.getElementById("checker-articles");
    var enc = node ? node.dataset.encoding : "json";
    articlesPromise = new Promise(function (resolve, reject) {
      if (!node) { resolve({}); return; }
      if (enc === "json") { resolve(JSON.parse(node.textContent)); return; }
      if (typeof DecompressionStream === "undefined") { reject(new Error("this browser cannot decompress the embedded articles")); return; }
      var bin = atob(node.textContent.trim());
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      new Response(stream).text().then(function (t) { resolve(JSON.parse(t)); }, reject);
    }).then(function (arts) { ARTICLES = arts; return arts; });
    return articlesPromise;
  }
  function openArticle(id, start, end, conflictId, from) {
    var s = SOURCES[id];
    if (!s) return;
    lastFocus = from || document.activeElement;
    loadArticles().then(function (arts) {
      var a = arts[id];
      if (a) showArticle(id, s, a, start, end, conflictId);
    }, function (e) { flash(e.message, true); });
  }
  // An undated article's estimated date (checker/dating.py), marked as such: "2008-12-13/.." is "on or after".
  function estimated(s) {
    return "≈ " + s.published_estimate.replace("/..", " or later") + " (estimated from the " + s.published_basis + ")";
  }
  function showArticle(id, s, a, start, end, conflictId) {
    var view = $("#article-view");
    $("#article-title").textContent = s.title || id;
    var meta = $("#article-meta");
    meta.textContent = [s.source !== id ? s.source : null, s.published || (s.published_estimate ? estimated(s) : null), id].filter(Boolean).join(" · ");
    var url = httpUrl(s.url);
    if (url) { meta.appendChild(document.createTextNode(" · ")); meta.appendChild(link(url, "original ↗")); }
    var legend = $("#article-legend");
    legend.textContent = "";
    legend.appendChild(el("mark", "claim-mark this-conflict", "this conflict"));
    legend.appendChild(el("mark", "claim-mark in-conflict", "another conflict (click to open)"));
    legend.appendChild(el("mark", "claim-mark other", "other claims"));
    var box = $("#article-text");
    box.textContent = "";
    var text = a.text, pos = 0, current = null;
    var frag = document.createDocumentFragment();
    (a.marks || []).forEach(function (m) {
      if (m.start < pos || m.end <= m.start || m.end > text.length) return;
      frag.appendChild(document.createTextNode(text.slice(pos, m.start)));
      var cls = "claim-mark " + (conflictId && m.conflict === conflictId ? "this-conflict" : m.conflict ? "in-conflict" : "other");
      var mk = el("mark", cls, text.slice(m.start, m.end));
      mk.dataset.start = m.start;
      mk.dataset.end = m.end;
      if (m.kind) mk.dataset.kind = m.kind;
      mk.title = [m.kind, m.subject].filter(Boolean).join(": ");
      if (m.conflict && byId.has(m.conflict)) {
        mk.dataset.conflict = m.conflict;
        var other = byId.get(m.conflict);
        mk.title = (mk.title ? mk.title + " · " : "") + "conflict: " + other.subject;
        if (m.conflict !== conflictId) {
          mk.tabIndex = 0;
          mk.addEventListener("click", function () { closeArticle(); select(other); });
        }
      }
      if (m.start === start && m.end === end) { mk.classList.add("current"); current = mk; }
      frag.appendChild(mk);
      pos = m.end;
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    box.appendChild(frag);
    view.hidden = false;
    root.classList.add("modal-open");
    $("#article-close").focus();
    box.scrollTop = 0;
    if (current) scrollWithin(box, current, true);
  }
  function closeArticle() {
    var view = $("#article-view");
    if (view.hidden) return;
    view.hidden = true;
    root.classList.remove("modal-open");
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  // ---------------------------------------------------------------- story table
  // Subjects down, outlets across (normalize.story_tables). The tables are parsed
  // only when one is opened, and a table is built once per story opened; filters,
  // the kind and hidden columns then only toggle `hidden` on rows and cells.
  var TABLES = null;
  var TABLE_STORIES = new Set((M.stories || []).map(function (s) { return s.id; }));
  var story = { id: null, q: "", kind: "", only: false, rows: [], cols: [], hidden: {} };
  var KIND_LABEL = { quantity: "Quantities", date: "Dates", location: "Places", title: "Titles", name: "Names" };
  function tables() {
    if (!TABLES) {
      var node = document.getElementById("checker-tables");
      TABLES = node ? JSON.parse(node.textContent) : { stories: {} };
    }
    return TABLES;
  }
  function storyHash(id) { return "#story=" + encodeURIComponent(id); }
  function decodeEntry(a) {
    return { value: a[0], attribution: a[1], article: typeof a[2] === "number" ? IDS[a[2]] : a[2], start: a[3], end: a[4],
      conflict: a[5], role: a[6], count: a[7] };
  }
  function openStory(id) {
    var t = tables().stories[id];
    if (!t) { flash("No table for story " + id, true); return false; }
    closeArticle();
    root.classList.add("story-mode");
    $("#story-view").hidden = false;
    if (story.id !== id) {
      var t0 = performance.now();
      story.id = id;
      story.hidden = {};
      buildStory(t);
      root.dataset.storyBuildMs = String(Math.round((performance.now() - t0) * 10) / 10);
    }
    $("#story-select").value = id;
    applyStory();
    root.dataset.story = id;
    window.scrollTo(0, 0);
    // The first frame with the table on screen (the benchmark's time to open a table).
    requestAnimationFrame(function () { setTimeout(function () { window.__checkerStoryPaintedMs = performance.now(); }, 0); });
    return true;
  }
  function closeStory() {
    if (!root.classList.contains("story-mode")) return;
    root.classList.remove("story-mode");
    $("#story-view").hidden = true;
    delete root.dataset.story;
    sizeToolbar();
    renderWindow();
    if (!selected && visible.length) select(visible[0], { hash: false, scroll: false });
  }
  function columnLabel(c) {
    // An article column (outlet unknown) shows the article's title when it has one.
    if (c[1]) return c[0];
    var s = SOURCES[c[0]] || {};
    return s.title && s.title !== c[0] ? s.title : c[0];
  }
  function buildStory(t) {
    var scroll = $("#story-scroll");
    scroll.textContent = "";
    var table = el("table", "story-table");
    table.dataset.story = story.id;
    var cg = el("colgroup");
    cg.appendChild(el("col", "subject-col"));
    t.columns.forEach(function () { cg.appendChild(el("col", "outlet-col")); });
    table.appendChild(cg);
    var head = el("tr");
    var corner = el("th", "corner", "Subject");
    corner.scope = "col";
    head.appendChild(corner);
    story.cols = t.columns.map(function (c, i) {
      var th = el("th", null);
      th.scope = "col";
      th.dataset.column = c[0];
      var label = columnLabel(c);
      var name = el("span", "col-name", label);
      th.appendChild(name);
      var arts = c[2].map(function (a) { return typeof a === "number" ? IDS[a] : a; });
      th.title = (label !== c[0] ? c[0] + "\n" : "") + arts.join("\n");
      var meta = [c[3], arts.length > 1 ? plural(arts.length, "article") : null].filter(Boolean).join(" · ");
      if (meta) th.appendChild(el("span", "meta col-date", meta));
      var hide = button("×", "col-hide", "Hide this column");
      hide.setAttribute("aria-label", "Hide column " + label);
      hide.addEventListener("click", function () { setColumn(i, false); });
      th.appendChild(hide);
      head.appendChild(th);
      return { key: c[0], label: label, th: th };
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    story.tbody = tbody;
    story.ncols = t.columns.length;
    story.built = 0;
    story.groups = {};
    // What the filters read is known before any row is built.
    story.rows = t.rows.map(function (r) {
      var hay = [r[2], r[1]];
      r[5].forEach(function (cell) { (cell || []).forEach(function (a) { hay.push(a[0], a[1] || ""); }); });
      return { data: r, kind: r[1], conflict: r[3].length > 0, hay: hay.join("\n").toLowerCase(), tr: null, show: true };
    });
    clearTimeout(story.timer);
    table.appendChild(tbody);
    scroll.appendChild(table);
    // The first rows at once, the rest in slices after the first paint: a 200-row table
    // is on screen in the time 40 rows take, and the page stays responsive meanwhile.
    $("#story-view").dataset.complete = "0";
    buildRows(FIRST_ROWS);
    var sid = story.id;
    var more = function () {
      if (story.id !== sid) return;
      buildRows(story.built + MORE_ROWS);
      if (story.built < story.rows.length) story.timer = setTimeout(more, 0);
    };
    if (story.built < story.rows.length) story.timer = setTimeout(more, 30);
    // The column list (checkboxes) and the kinds present.
    var list = $("#column-list");
    list.textContent = "";
    var all = button("Show all", "linklike");
    all.addEventListener("click", function () { story.cols.forEach(function (c, i) { setColumn(i, true); }); });
    list.appendChild(all);
    story.cols.forEach(function (c, i) {
      var lab = el("label", "check");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", function () { setColumn(i, box.checked); });
      c.box = box;
      lab.appendChild(box);
      lab.appendChild(document.createTextNode(" " + shorten(c.label, 50)));
      list.appendChild(lab);
    });
    var kinds = $("#story-kind");
    var keep = story.kind;
    kinds.length = 1;
    var present = {};
    t.rows.forEach(function (r) { present[r[1]] = (present[r[1]] || 0) + 1; });
    Object.keys(KIND_LABEL).forEach(function (k) { if (present[k]) kinds.appendChild(new Option(KIND_LABEL[k] + " (" + present[k] + ")", k)); });
    story.kind = present[keep] ? keep : "";
    kinds.value = story.kind;
  }
  var FIRST_ROWS = 40, MORE_ROWS = 40;
  function buildRows(upto) {
    var n = Math.min(upto, story.rows.length);
    if (story.built >= n) return;
    var frag = document.createDocumentFragment();
    for (var i = story.built; i < n; i++) {
      var row = story.rows[i];
      var g = story.groups[row.kind];
      if (!g) {
        g = story.groups[row.kind] = { tr: el("tr", "kind-group"), rows: [] };
        var gth = el("th", null, KIND_LABEL[row.kind] || row.kind);
        gth.colSpan = story.ncols + 1;
        gth.scope = "colgroup";
        g.tr.appendChild(gth);
        frag.appendChild(g.tr);
      }
      g.rows.push(row);
      row.tr = rowElement(row.data);
      row.tr.hidden = !row.show;
      frag.appendChild(row.tr);
    }
    story.tbody.appendChild(frag);
    story.built = n;
    Object.keys(story.hidden).forEach(function (c) { setColumn(+c, false); });
    groupsShown();
    if (n >= story.rows.length) {
      $("#story-view").dataset.complete = "1";
      window.__checkerStoryCompleteMs = performance.now();
    }
  }
  function rowElement(r) {
    var kind = r[1];
    var tr = el("tr", r[3].length ? "has-conflict" : null);
    tr.dataset.kind = kind;
    tr.dataset.subject = r[2];
    tr.dataset.key = r[0];
    var th = el("th", null);
    th.scope = "row";
    th.appendChild(el("span", "row-subject", r[2]));
    r[3].forEach(function (cid) {
      var c = byId.get(cid);
      var a = el("a", "to-conflict", "⚑ conflict");
      a.href = "#c-" + encodeURIComponent(cid);
      a.title = c ? c.explanation : "Open the conflict";
      th.appendChild(document.createTextNode(" "));
      th.appendChild(a);
    });
    r[4].forEach(function (h) { th.appendChild(el("span", "row-hint meta", h)); });
    tr.appendChild(th);
    r[5].forEach(function (cell) {
      var td = el("td", null);
      if (cell) {
        var entries = cell.map(decodeEntry);
        var conflicted = null, sides = false;
        entries.forEach(function (e) {
          if (e.conflict && !conflicted) conflicted = e.conflict;
          if (e.conflict && e.role !== "majority") sides = true;
        });
        if (conflicted) {
          // Cells with the majority's figure are quiet; the ones that differ stand out.
          td.className = sides ? "in-conflict" : "in-conflict with-majority";
          var flag = el("a", "cell-flag", "⚑");
          flag.href = "#c-" + encodeURIComponent(conflicted);
          flag.title = "Open the conflict" + (byId.has(conflicted) ? ": " + byId.get(conflicted).subject : "");
          flag.setAttribute("aria-label", flag.title);
          td.appendChild(flag);
        }
        entries.forEach(function (e) { td.appendChild(entryButton(e)); });
      }
      tr.appendChild(td);
    });
    return tr;
  }
  function groupsShown() {
    Object.keys(story.groups).forEach(function (k) {
      var g = story.groups[k];
      g.tr.hidden = !g.rows.some(function (r) { return r.show; });
    });
  }
  function entryButton(e) {
    var b = el("button", "entry" + (e.conflict ? " entry-conflict" : ""));
    b.type = "button";
    if (e.role) b.dataset.role = e.role;
    b.dataset.article = e.article;
    b.dataset.start = e.start;
    b.dataset.end = e.end;
    if (e.conflict) b.dataset.conflict = e.conflict;
    b.appendChild(el("span", "entry-value", e.value));
    if (e.count > 1) b.appendChild(el("span", "meta count", " ×" + e.count));
    if (e.role === "outlier") { b.appendChild(document.createTextNode(" ")); b.appendChild(el("span", "role-badge role-outlier", "outlier")); }
    if (e.attribution) b.appendChild(el("span", "entry-who meta", e.attribution));
    b.title = (e.role ? e.role + " · " : "") + "Read it in " + ((SOURCES[e.article] || {}).title || e.article);
    return b;
  }
  function setColumn(i, show) {
    var c = story.cols[i];
    if (!c) return;
    if (show) delete story.hidden[i]; else story.hidden[i] = true;
    c.th.hidden = !show;
    if (c.box) c.box.checked = show;
    story.rows.forEach(function (r) { if (r.tr) r.tr.cells[i + 1].hidden = !show; });
    var n = Object.keys(story.hidden).length;
    $("#story-columns").querySelector("summary").textContent = n ? "Columns (" + n + " hidden)" : "Columns";
  }
  function applyStory() {
    var t0 = performance.now();
    var terms = story.q.toLowerCase().split(/\s+/).filter(Boolean);
    var shownRows = 0;
    story.rows.forEach(function (r) {
      var ok = (!story.kind || r.kind === story.kind) && (!story.only || r.conflict);
      for (var i = 0; ok && i < terms.length; i++) if (r.hay.indexOf(terms[i]) < 0) ok = false;
      r.show = ok;
      if (r.tr) r.tr.hidden = !ok;
      if (ok) shownRows++;
    });
    groupsShown();
    var inConflict = story.rows.filter(function (r) { return r.conflict; }).length;
    $("#story-shown").textContent = shownRows + " of " + plural(story.rows.length, "subject") + " · " +
      plural(story.cols.length, "column") + " · " + inConflict + " in conflict";
    root.dataset.storyFilterMs = String(Math.round((performance.now() - t0) * 10) / 10);
  }
  function initStory() {
    var sel = $("#story-select");
    (M.stories || []).forEach(function (s) {
      sel.appendChild(new Option(s.id + " (" + plural(s.articles, "article") + (s.conflicts ? ", " + plural(s.conflicts, "conflict") : "") + ")", s.id));
    });
    sel.addEventListener("change", function () { location.hash = storyHash(sel.value); });
    $("#story-q").addEventListener("input", function () { story.q = $("#story-q").value; applyStory(); });
    $("#story-kind").addEventListener("change", function () { story.kind = $("#story-kind").value; applyStory(); });
    $("#story-only").addEventListener("change", function () { story.only = $("#story-only").checked; applyStory(); });
    $("#story-scroll").addEventListener("click", function (ev) {
      var b = ev.target.closest && ev.target.closest("button.entry");
      if (!b) return;
      var cid = b.dataset.conflict || null;
      openArticle(b.dataset.article, +b.dataset.start, +b.dataset.end, cid, b);
    });
    $("#story-back").addEventListener("click", function (e) {
      e.preventDefault();
      history.pushState(null, "", selected ? "#c-" + encodeURIComponent(selected.id) : location.pathname + location.search);
      closeStory();
    });
    // Links to a story's table: the summary's, which without script point at the static tables.
    document.querySelectorAll("a.story-table-link").forEach(function (a) { a.href = storyHash(a.dataset.story); });
    $("#open-table").addEventListener("click", function () {
      var id = state.story || (selected && selected.story) || ((M.stories || [])[0] || {}).id;
      if (id) location.hash = storyHash(id);
    });
    $("#open-table").disabled = !(M.stories || []).length;
  }

  // ---------------------------------------------------------------- print
  function buildPrint() {
    var p = $("#print");
    p.textContent = "";
    if (root.classList.contains("story-mode")) { buildRows(story.rows.length); return; }  // the table prints whole
    var n = Math.min(visible.length, 2000);
    p.appendChild(el("h2", null, "Conflicts: " + n + " of " + CONFLICTS.length + " (as filtered)"));
    for (var i = 0; i < n; i++) p.appendChild(conflictCard(visible[i], true));
  }

  // ---------------------------------------------------------------- filters and events
  function fillSelect(sel, entries) {
    entries.forEach(function (e) { sel.appendChild(new Option(e[1], e[0])); });
  }
  function setFilter(name, value) {
    state[name] = value;
    var sel = document.querySelector('[data-filter="' + name + '"]');
    if (sel) {
      if (value && !Array.from(sel.options).some(function (o) { return o.value === value; })) sel.appendChild(new Option(value, value));
      sel.value = value;
    }
    apply();
  }
  function initControls() {
    var s = M.summary || {};
    fillSelect($("#f-kind"), Object.keys(s.by_kind || {}).map(function (k) { return [k, k.replace("_", " ") + " (" + s.by_kind[k] + ")"]; }));
    fillSelect($("#f-severity"), Object.keys(s.by_severity || {}).map(function (k) { return [k, k + " (" + s.by_severity[k] + ")"]; }));
    var stories = Object.keys(s.by_story || {}).sort();
    fillSelect($("#f-story"), stories.map(function (k) { return [k, k + " (" + s.by_story[k] + ")"]; }));
    var outlets = new Map();
    CONFLICTS.forEach(function (c) { c.outlets.forEach(function (o) { outlets.set(o, (outlets.get(o) || 0) + 1); }); });
    fillSelect($("#f-outlet"), Array.from(outlets.keys()).sort().map(function (o) { return [o, o + " (" + outlets.get(o) + ")"]; }));

    document.querySelectorAll("[data-filter]").forEach(function (sel) {
      sel.addEventListener("change", function () { state[sel.dataset.filter] = sel.value; apply(); });
    });
    $("#sort").addEventListener("change", function () { state.sort = $("#sort").value; resort(); listEl.scrollTop = 0; apply(); });
    var pending = 0;
    $("#q").addEventListener("input", function () {
      state.q = $("#q").value;
      if (CONFLICTS.length < 2000) { apply(); return; }
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(apply);
    });
    $("#reset").addEventListener("click", function () {
      ["q", "kind", "story", "outlet", "severity", "change", "review"].forEach(function (k) { state[k] = ""; });
      $("#q").value = "";
      document.querySelectorAll("[data-filter]").forEach(function (sel) { sel.value = ""; });
      apply();
    });
    document.addEventListener("click", function (e) {
      var f = e.target.closest && e.target.closest(".facet");
      if (f) { setFilter(f.dataset.facet, state[f.dataset.facet] === f.dataset.value ? "" : f.dataset.value); return; }
      var row = e.target.closest && e.target.closest(".row");
      if (row && listEl.contains(row)) select(byId.get(row.dataset.id), { scroll: false });
    });
    var bars = document.querySelector(".story-bars");
    var more = bars ? bars.querySelectorAll("li.more").length : 0;
    if (more) {
      var tog = button("show all " + (more + 5) + " stories", "linklike more-stories");
      tog.addEventListener("click", function () {
        var all = bars.classList.toggle("all");
        tog.textContent = all ? "show fewer" : "show all " + (more + 5) + " stories";
      });
      bars.parentNode.appendChild(tog);
    }
    var who = $("#who");
    var ls = storage();
    try { who.value = (ls && ls.getItem(LS_WHO)) || ""; } catch (e) { who.value = ""; }
    who.addEventListener("change", function () { try { if (ls) ls.setItem(LS_WHO, who.value.trim()); } catch (e) { /* private mode */ } });
    $("#export").addEventListener("click", exportDecisions);
    var help = $("#help");
    $("#help-button").addEventListener("click", toggleHelp);
    function toggleHelp() { help.hidden = !help.hidden; $("#help-button").setAttribute("aria-expanded", String(!help.hidden)); }
    $("#article-close").addEventListener("click", closeArticle);
    $("#article-view").addEventListener("click", function (e) { if (e.target.id === "article-view") closeArticle(); });
    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      var typing = t && t.matches && t.matches("input, textarea, select");
      var modal = !$("#article-view").hidden;
      if (e.key === "Escape") {
        if (modal) closeArticle();
        else if (typing) t.blur();
        else if (!help.hidden) toggleHelp();
        return;
      }
      if (typing || modal) return;
      if (root.classList.contains("story-mode")) {
        if (e.key === "/") { e.preventDefault(); $("#story-q").focus(); }
        return;
      }
      var handled = true;
      switch (e.key) {
        case "j": case "ArrowDown": move(1); break;
        case "k": case "ArrowUp": move(-1); break;
        case "c": mark("confirmed"); break;
        case "x": mark("dismissed"); break;
        case "f": mark("follow_up"); break;
        case "u": mark("open"); break;
        case "n": if (document.getElementById("note")) document.getElementById("note").focus(); break;
        case "/": $("#q").focus(); break;
        case "?": toggleHelp(); break;
        case "a": {
          var q = selected && selected.values[0] && quotes(selected.values[0])[0];
          if (q) openArticle(q.article, q.start, q.end, selected.id);
          break;
        }
        default: handled = false;
      }
      if (handled) e.preventDefault();
    });
    window.addEventListener("hashchange", fromHash);
    window.addEventListener("beforeprint", buildPrint);
    if (window.matchMedia) {
      var mq = window.matchMedia("print");
      if (mq.addEventListener) mq.addEventListener("change", function (e) { if (e.matches) buildPrint(); });
    }
    window.addEventListener("resize", function () { sizeToolbar(); ROW_H = 0; apply(); });
  }
  function fromHash() {
    var st = /^#story=(.*)$/.exec(location.hash);
    if (st) return openStory(decodeURIComponent(st[1]));
    var m = /^#c-(.+)$/.exec(location.hash);
    if (!m) { closeStory(); return false; }
    var c = byId.get(decodeURIComponent(m[1]));
    var fromTable = root.classList.contains("story-mode");
    closeStory();
    if (c) {
      if (fromTable && visible.indexOf(c) < 0) {
        // Opened from a story table: show it even when the filters would hide it.
        ["q", "kind", "story", "outlet", "severity", "change"].forEach(function (k) { state[k] = ""; });
        state.review = "*";
        $("#q").value = "";
        document.querySelectorAll("[data-filter]").forEach(function (sel) { sel.value = state[sel.dataset.filter]; });
        apply();
      }
      select(c, { hash: false });
      return true;
    }
    return false;
  }
  function sizeToolbar() {
    root.style.setProperty("--toolbar-h", $("#toolbar").offsetHeight + "px");
  }

  // ---------------------------------------------------------------- start
  loadDecisions();
  initControls();
  initStory();
  listEl.appendChild(spacer);
  listEl.parentNode.insertBefore(emptyMsg, listEl);
  emptyMsg.hidden = true;
  listEl.addEventListener("scroll", onListScroll, { passive: true });
  perfMark("rows");
  resort();
  apply();
  perfMark("filtered");
  renderCounts();
  sizeToolbar();
  setMode(API ? "Decisions are saved on the server" : "Decisions are kept in this browser: export them to share");
  fromHash();
  // Opened at a story table, the first conflict is shown when the editor goes back to the list.
  if (!selected && visible.length && !root.classList.contains("story-mode")) select(visible[0], { hash: false, scroll: false });
  fetchServerDecisions();
  perfMark("ready");
  window.__checkerReadyMs = performance.now();
  root.dataset.ready = "1";
  // The first frame with the list on screen (the benchmark's load time).
  requestAnimationFrame(function () { setTimeout(function () { window.__checkerPaintedMs = performance.now(); }, 0); });
  // Decode the article texts while the editor reads, so "Read the article" opens at once.
  setTimeout(function () { loadArticles().catch(function () { /* reported when an article is opened */ }); }, 400);
})();
