// semsearch search page. No framework, no build step.
//
// Safety: every value from the API is inserted with textContent, except
// passage.highlight, which the API guarantees is HTML-escaped text with only
// <mark> tags. Links are only made from http(s) URLs.
"use strict";

(function () {
  const form = document.getElementById("search");
  const input = document.getElementById("q");
  const modeSelect = document.getElementById("mode");
  const statusEl = document.getElementById("status");
  const list = document.getElementById("results");
  const template = document.getElementById("result-template");
  const modes = ["hybrid", "vector", "lexical"];
  let inflight = null; // AbortController of the running search
  let relatedSeq = 0;

  function setStatus(el, text, kind) {
    el.textContent = text;
    el.dataset.kind = kind || "";
  }

  // apiError turns a failed response into a readable message.
  async function apiError(resp) {
    try {
      const body = await resp.json();
      if (body && body.error && body.error.message) {
        return body.error.message;
      }
    } catch (_) {
      // not JSON: fall through
    }
    return "the server answered " + resp.status + " " + resp.statusText;
  }

  async function getJSON(url, signal) {
    const resp = await fetch(url, { signal: signal, headers: { Accept: "application/json" } });
    if (!resp.ok) {
      throw new Error(await apiError(resp));
    }
    return resp.json();
  }

  // safeHref returns an absolute http(s) URL, or null: a post without a
  // URL (or with a relative one) is shown without a link, never linked to
  // this page.
  function safeHref(url) {
    if (!url) return null;
    try {
      const u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  function formatDate(iso) {
    if (!iso) return null;
    const d = new Date(iso);
    if (isNaN(d.getTime())) return null;
    return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  function fillTitle(link, r) {
    link.textContent = r.title || r.url || r.id;
    const href = safeHref(r.url);
    if (href) {
      link.href = href;
      link.rel = "noopener noreferrer";
    }
  }

  function fillMeta(meta, r) {
    const source = meta.querySelector(".source");
    const date = meta.querySelector(".date");
    const author = meta.querySelector(".author");
    source.textContent = r.source || "";
    const when = formatDate(r.published);
    if (when) {
      date.textContent = when;
      date.dateTime = r.published;
    } else {
      date.remove();
    }
    if (r.author) {
      author.textContent = r.author;
    } else {
      author.remove();
    }
    if (!r.source) source.remove();
  }

  function renderPassages(box, passages) {
    for (const p of (passages || []).slice(0, 3)) {
      const block = document.createElement("blockquote");
      block.className = "passage";
      if (p.heading) {
        const h = document.createElement("p");
        h.className = "passage-heading";
        h.textContent = p.heading;
        block.appendChild(h);
      }
      const text = document.createElement("p");
      text.className = "passage-text";
      if (p.highlight) {
        text.innerHTML = p.highlight; // HTML-escaped by the API; <mark> only
      } else {
        text.textContent = p.text || "";
      }
      block.appendChild(text);
      const href = safeHref(p.link);
      if (href) {
        // Lands on the passage itself (a #:~:text= fragment).
        const a = document.createElement("a");
        a.className = "passage-link";
        a.href = href;
        a.rel = "noopener noreferrer";
        a.textContent = "Go to passage";
        a.setAttribute("aria-label", "Go to passage" + (p.heading ? ": " + p.heading : ""));
        block.appendChild(a);
      }
      box.appendChild(block);
    }
  }

  function renderResult(r) {
    const node = template.content.firstElementChild.cloneNode(true);
    fillTitle(node.querySelector(".title-link"), r);
    fillMeta(node.querySelector(".meta"), r);
    renderPassages(node.querySelector(".passages"), r.passages);

    const toggle = node.querySelector(".related-toggle");
    const panel = node.querySelector(".related");
    const panelId = "related-" + ++relatedSeq;
    panel.id = panelId;
    toggle.setAttribute("aria-controls", panelId);
    toggle.addEventListener("click", function () {
      toggleRelated(r.id, toggle, panel);
    });
    return node;
  }

  function renderRelatedItem(r) {
    const li = document.createElement("li");
    li.className = "related-item";
    const link = document.createElement("a");
    link.className = "related-title";
    fillTitle(link, r);
    li.appendChild(link);
    const meta = document.createElement("p");
    meta.className = "meta";
    for (const cls of ["source", "date", "author"]) {
      const el = document.createElement(cls === "date" ? "time" : "span");
      el.className = cls;
      meta.appendChild(el);
    }
    fillMeta(meta, r);
    li.appendChild(meta);
    return li;
  }

  async function toggleRelated(id, toggle, panel) {
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    panel.hidden = open;
    toggle.textContent = open ? "Related posts" : "Hide related";
    if (open || panel.dataset.loaded === "true") return;

    const status = panel.querySelector(".related-status");
    const rl = panel.querySelector(".related-list");
    setStatus(status, "Finding related posts…", "loading");
    try {
      const body = await getJSON("/api/posts/" + encodeURIComponent(id) + "/related?k=5");
      rl.replaceChildren(...(body.results || []).map(renderRelatedItem));
      panel.dataset.loaded = "true";
      setStatus(status, rl.children.length ? "" : "No related posts found.", rl.children.length ? "" : "empty");
    } catch (err) {
      setStatus(status, "Could not load related posts: " + err.message, "error");
    }
  }

  async function runSearch(q, mode) {
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    list.replaceChildren();
    list.setAttribute("aria-busy", "true");
    document.title = q + " – semsearch";
    setStatus(statusEl, "Searching…", "loading");

    const params = new URLSearchParams({ q: q, k: "10" });
    if (mode !== "hybrid") params.set("mode", mode);
    try {
      const body = await getJSON("/api/search?" + params.toString(), ctl.signal);
      const results = body.results || [];
      list.replaceChildren(...results.map(renderResult));
      if (results.length === 0) {
        setStatus(statusEl, "No posts match “" + q + "”. Try other words or another mode.", "empty");
      } else {
        const n = results.length === 1 ? "1 post" : results.length + " posts";
        setStatus(statusEl, n + " in " + Math.max(1, Math.round(body.took_ms)) + " ms", "done");
      }
    } catch (err) {
      if (err.name === "AbortError") return;
      setStatus(statusEl, "Search failed: " + err.message, "error");
    } finally {
      if (inflight === ctl) {
        inflight = null;
        list.removeAttribute("aria-busy");
      }
    }
  }

  // fromURL fills the form from ?q=&mode= and searches, so a results page
  // can be shared, reloaded and navigated with back/forward.
  function fromURL() {
    const params = new URLSearchParams(window.location.search);
    const q = (params.get("q") || "").trim();
    const mode = modes.includes(params.get("mode")) ? params.get("mode") : "hybrid";
    input.value = q;
    modeSelect.value = mode;
    if (q) {
      runSearch(q, mode);
    } else {
      list.replaceChildren();
      setStatus(statusEl, "", "");
      document.title = "semsearch";
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const q = input.value.trim();
    if (!q) {
      setStatus(statusEl, "Type a question or some words to search for.", "error");
      input.focus();
      return;
    }
    const params = new URLSearchParams({ q: q });
    if (modeSelect.value !== "hybrid") params.set("mode", modeSelect.value);
    const url = "?" + params.toString();
    if (url !== window.location.search) {
      window.history.pushState(null, "", url);
    }
    runSearch(q, modeSelect.value);
  });

  modeSelect.addEventListener("change", function () {
    if (input.value.trim()) form.requestSubmit();
  });

  window.addEventListener("popstate", fromURL);
  fromURL();
  if (!input.value) input.focus();
})();
