// semsearch search page. No framework, no build step. It asks /api/ask:
// the answer card (sentences quoted from the posts, with citations and deep
// links, and a chat model's phrasing of them when the server has one; or a
// plain "nothing answers this") leads, the results follow, and
// the facets (source, author, tag, date range) and the query's date
// phrases are filters the reader can add and remove.
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
  const answerCard = document.getElementById("answer");
  const chipsEl = document.getElementById("chips");
  const facetsEl = document.getElementById("facets");
  const datesForm = document.getElementById("dates");
  const sinceInput = document.getElementById("since");
  const untilInput = document.getElementById("until");
  const modes = ["hybrid", "vector", "lexical"];
  // Filters kept in the URL beside q and mode.
  const filterKeys = ["source", "author", "tag", "since", "until", "interpret"];
  const facetGroups = [["source", "Source"], ["author", "Author"], ["tag", "Tag"]];
  let current = { q: "", mode: "hybrid" }; // the search on screen
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

  // renderAnswer fills the answer card: the quoted sentences with their
  // post and a link that lands on each, or a plain statement that nothing
  // in the index answers.
  function renderAnswer(body) {
    const note = answerCard.querySelector(".answer-note");
    const ol = answerCard.querySelector(".answer-sentences");
    const phrased = answerCard.querySelector(".answer-phrased");
    ol.replaceChildren();
    phrased.hidden = true;
    answerCard.dataset.answered = String(!!body.answered);
    const pct = Math.round((body.confidence || 0) * 100);
    if (!body.answered || !(body.answer || []).length) {
      note.textContent = (body.results || []).length
        ? "No post answers this question. The closest posts are below."
        : "No post answers this question.";
      answerCard.hidden = false;
      return;
    }
    note.textContent = "Quoted from the posts · confidence " + pct + "%";
    // A chat model's phrasing, when the server has one: shown above the
    // quotes it cites by number, never instead of them.
    if (body.phrased && body.phrased.text) {
      phrased.querySelector(".answer-phrased-text").textContent = body.phrased.text;
      phrased.querySelector(".answer-phrased-by").textContent =
        "— phrased by " + body.phrased.model + " from the quotes below";
      phrased.hidden = false;
    }
    for (const a of body.answer) {
      const li = document.createElement("li");
      li.className = "answer-sentence";
      const text = document.createElement("p");
      text.className = "answer-text";
      text.textContent = a.text;
      li.appendChild(text);
      const cite = document.createElement("p");
      cite.className = "answer-cite";
      const post = document.createElement("a");
      post.className = "answer-post";
      fillTitle(post, a);
      cite.appendChild(post);
      const href = safeHref(a.link);
      if (href) {
        const go = document.createElement("a");
        go.className = "answer-link";
        go.href = href;
        go.rel = "noopener noreferrer";
        go.textContent = "Go to sentence";
        cite.appendChild(go);
      }
      li.appendChild(cite);
      ol.appendChild(li);
    }
    answerCard.hidden = false;
  }

  function chip(label, onRemove) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.textContent = label + " ×";
    b.setAttribute("aria-label", "Remove " + label);
    b.addEventListener("click", onRemove);
    return b;
  }

  // renderChips shows the filters in use: those the reader chose and those
  // read from the query's date phrases ("latest", "in 2024"); removing a
  // date phrase searches the words as they are.
  function renderChips(state, interpreted) {
    const chips = [];
    for (const [key, label] of [["source", "Source"], ["author", "Author"], ["tag", "Tag"], ["since", "From"], ["until", "To"]]) {
      if (state[key]) {
        chips.push(chip(label + ": " + state[key], function () {
          const next = Object.assign({}, state);
          delete next[key];
          go(next);
        }));
      }
    }
    if (state.interpret !== "0" && interpreted) {
      for (const phrase of interpreted.phrases || []) {
        chips.push(chip("“" + phrase + "”: " + describeInterpretation(interpreted), function () {
          go(Object.assign({}, state, { interpret: "0" }));
        }));
      }
    }
    chipsEl.replaceChildren(...chips);
  }

  function describeInterpretation(i) {
    const parts = [];
    if (i.sort === "date") parts.push("newest first");
    const since = i.since ? i.since.slice(0, 10) : "";
    const until = i.until ? i.until.slice(0, 10) : "";
    if (since && until) parts.push(since + " to " + until);
    else if (since) parts.push("since " + since);
    else if (until) parts.push("until " + until);
    return parts.join(", ");
  }

  // renderFacets lists the counts of every candidate post by source,
  // author and tag; choosing one filters the results by it.
  function renderFacets(state, facets) {
    const groups = facetsEl.querySelector(".facet-groups");
    groups.replaceChildren();
    let any = false;
    for (const [key, label] of facetGroups) {
      const values = (facets && facets[key]) || [];
      if (!values.length || state[key]) continue;
      any = true;
      const h = document.createElement("h3");
      h.className = "facet-heading";
      h.textContent = label;
      const ul = document.createElement("ul");
      ul.className = "facet-list";
      ul.dataset.facet = key;
      for (const v of values.slice(0, 8)) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "facet-option";
        b.textContent = v.value;
        const n = document.createElement("span");
        n.className = "facet-count";
        n.textContent = String(v.count);
        b.appendChild(n);
        b.addEventListener("click", function () {
          go(Object.assign({}, state, { [key]: v.value }));
        });
        li.appendChild(b);
        ul.appendChild(li);
      }
      groups.append(h, ul);
    }
    sinceInput.value = state.since || "";
    untilInput.value = state.until || "";
    if (facets && facets.oldest) sinceInput.min = untilInput.min = facets.oldest.slice(0, 10);
    if (facets && facets.newest) sinceInput.max = untilInput.max = facets.newest.slice(0, 10);
    facetsEl.hidden = !any && !(facets && facets.oldest) && !state.since && !state.until;
  }

  function clearPage() {
    list.replaceChildren();
    answerCard.hidden = true;
    facetsEl.hidden = true;
    chipsEl.replaceChildren();
  }

  async function runSearch(state) {
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    current = state;
    clearPage();
    list.setAttribute("aria-busy", "true");
    document.title = state.q + " – semsearch";
    setStatus(statusEl, "Searching…", "loading");

    const params = new URLSearchParams({ q: state.q, k: "10" });
    if (state.mode !== "hybrid") params.set("mode", state.mode);
    for (const key of filterKeys) {
      if (state[key]) params.set(key, state[key]);
    }
    try {
      const body = await getJSON("/api/ask?" + params.toString(), ctl.signal);
      const results = body.results || [];
      renderChips(state, body.interpreted);
      if (results.length > 0 || body.answered) renderAnswer(body);
      list.replaceChildren(...results.map(renderResult));
      renderFacets(state, body.facets);
      if (results.length === 0) {
        setStatus(statusEl, "No posts match “" + state.q + "”. Try other words or another mode.", "empty");
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

  function urlOf(state) {
    const params = new URLSearchParams({ q: state.q });
    if (state.mode && state.mode !== "hybrid") params.set("mode", state.mode);
    for (const key of filterKeys) {
      if (state[key]) params.set(key, state[key]);
    }
    return "?" + params.toString();
  }

  // go shows the search for state and records it in the history.
  function go(state) {
    const url = urlOf(state);
    if (url !== window.location.search) {
      window.history.pushState(null, "", url);
    }
    runSearch(state);
  }

  // fromURL fills the form from ?q=&mode=&source=... and searches, so a
  // results page can be shared, reloaded and navigated with back/forward.
  function fromURL() {
    const params = new URLSearchParams(window.location.search);
    const q = (params.get("q") || "").trim();
    const mode = modes.includes(params.get("mode")) ? params.get("mode") : "hybrid";
    input.value = q;
    modeSelect.value = mode;
    if (q) {
      const state = { q: q, mode: mode };
      for (const key of filterKeys) {
        const v = (params.get(key) || "").trim();
        if (v) state[key] = v;
      }
      runSearch(state);
    } else {
      clearPage();
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
    // A new question starts without the last one's filters.
    go({ q: q, mode: modeSelect.value });
  });

  datesForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current.q) return;
    const next = Object.assign({}, current);
    delete next.since;
    delete next.until;
    if (sinceInput.value) next.since = sinceInput.value;
    if (untilInput.value) next.until = untilInput.value;
    go(next);
  });

  modeSelect.addEventListener("change", function () {
    if (input.value.trim()) form.requestSubmit();
  });

  window.addEventListener("popstate", fromURL);
  fromURL();
  if (!input.value) input.focus();
})();
