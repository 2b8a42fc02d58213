// semsearch search box for any web page: one script tag defines the custom
// element <semsearch-search>, which searches a semsearch server as the
// reader types and lists the matching posts with their highlighted passages.
//
//   <script src="https://search.example.org/widget.js" defer></script>
//   <semsearch-search></semsearch-search>
//
// Attributes: server (base URL of the semsearch server; default: where this
// script came from), k (posts shown, default 5), placeholder, label (the
// accessible name of the box, default "Search posts"), answers (present:
// ask /api/ask instead of /api/search, and when a post answers the question
// show the sentence that answers first, linked to it in its post). The
// server must allow the page's origin with `serve --cors-origin`.
//
// It has no dependencies and no build step. Everything renders in a shadow
// root, so the host page's CSS does not leak in and the widget's does not
// leak out; restyle it with CSS custom properties on the element
// (--semsearch-font, --semsearch-fg, --semsearch-bg, --semsearch-muted,
// --semsearch-accent, --semsearch-mark, --semsearch-border,
// --semsearch-radius, --semsearch-max-height) or the parts input, results,
// result, answer, title, passage, status. Passages are built as text nodes and
// <mark> elements only: nothing from the server is inserted as markup.
(function () {
  "use strict";

  if (!window.customElements || customElements.get("semsearch-search")) return;

  // The server this script was loaded from, for the default API base.
  const scriptBase = document.currentScript && document.currentScript.src
    ? new URL("./", document.currentScript.src).href
    : location.href;

  const DEBOUNCE_MS = 200;
  const MIN_CHARS = 2;

  const css = `
:host {
  display: block;
  position: relative;
  font: var(--semsearch-font, inherit);
  color: var(--semsearch-fg, inherit);
}
.box {
  box-sizing: border-box;
  width: 100%;
  padding: 0.5em 0.7em;
  font: inherit;
  color: inherit;
  background: var(--semsearch-bg, Canvas);
  border: 1px solid var(--semsearch-border, #8889);
  border-radius: var(--semsearch-radius, 0.4em);
}
.box:focus { outline: 2px solid var(--semsearch-accent, #2563eb); outline-offset: 1px; }
.results {
  list-style: none;
  margin: 0.3em 0 0;
  padding: 0;
  max-height: var(--semsearch-max-height, 28em);
  overflow-y: auto;
  background: var(--semsearch-bg, Canvas);
  border: 1px solid var(--semsearch-border, #8889);
  border-radius: var(--semsearch-radius, 0.4em);
}
.results[hidden], .status:empty { display: none; }
.result { padding: 0.5em 0.7em; cursor: pointer; }
.result + .result { border-top: 1px solid var(--semsearch-border, #8889); }
.result[aria-selected="true"] {
  outline: 2px solid var(--semsearch-accent, #2563eb);
  outline-offset: -2px;
}
.title { color: var(--semsearch-accent, #2563eb); font-weight: 600; text-decoration: none; }
.title:hover { text-decoration: underline; }
.meta { color: var(--semsearch-muted, #6b7280); font-size: 0.85em; }
.passage { margin: 0.2em 0 0; font-size: 0.92em; overflow-wrap: anywhere; }
mark { background: var(--semsearch-mark, #fde68a); color: inherit; padding: 0 0.1em; border-radius: 0.15em; }
.answer { background: color-mix(in srgb, var(--semsearch-accent, #2563eb) 7%, transparent); }
.answer .label { color: var(--semsearch-muted, #6b7280); font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; }
.answer .passage { font-size: 1em; }
.status { margin: 0.3em 0 0; color: var(--semsearch-muted, #6b7280); font-size: 0.9em; }
`;

  let sheet = null;
  function styles(root) {
    // A constructed sheet needs no inline <style>, so a host page's
    // Content-Security-Policy does not block it.
    if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
      try {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
        }
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (_) { /* fall back to a <style> element */ }
    }
    const style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  function safeHref(url) {
    if (!url) return null;
    try {
      const u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  // appendHighlight adds a passage's highlight to el as text and <mark>
  // elements only. The API escapes the text and adds <mark> tags; parsing
  // it in an inert template and copying only text keeps any other markup out.
  function appendHighlight(el, highlight, text) {
    if (!highlight) {
      el.textContent = text || "";
      return;
    }
    const tpl = document.createElement("template");
    tpl.innerHTML = highlight;
    for (const node of tpl.content.childNodes) {
      if (node.nodeName === "MARK") {
        const m = document.createElement("mark");
        m.textContent = node.textContent;
        el.appendChild(m);
      } else {
        el.appendChild(document.createTextNode(node.textContent));
      }
    }
  }

  let seq = 0;

  class SemsearchSearch extends HTMLElement {
    constructor() {
      super();
      this.timer = 0;
      this.controller = null;
      this.generation = 0;
      this.active = -1;
      this.items = [];
      const id = "semsearch-" + ++seq;
      const root = this.attachShadow({ mode: "open" });
      styles(root);

      this.input = document.createElement("input");
      this.input.type = "search";
      this.input.className = "box";
      this.input.setAttribute("part", "input");
      this.input.setAttribute("role", "combobox");
      this.input.setAttribute("aria-autocomplete", "list");
      this.input.setAttribute("aria-expanded", "false");
      this.input.setAttribute("aria-controls", id + "-results");
      this.input.autocomplete = "off";
      this.input.spellcheck = false;

      this.list = document.createElement("ul");
      this.list.id = id + "-results";
      this.list.className = "results";
      this.list.setAttribute("part", "results");
      this.list.setAttribute("role", "listbox");
      this.list.hidden = true;

      this.status = document.createElement("p");
      this.status.className = "status";
      this.status.setAttribute("part", "status");
      this.status.setAttribute("role", "status");
      this.status.setAttribute("aria-live", "polite");

      root.append(this.input, this.status, this.list);

      this.input.addEventListener("input", () => this.schedule());
      this.input.addEventListener("keydown", (ev) => this.onKey(ev));
    }

    connectedCallback() {
      const label = this.getAttribute("label") || "Search posts";
      this.input.setAttribute("aria-label", label);
      this.list.setAttribute("aria-label", label + ": results");
      this.input.placeholder = this.getAttribute("placeholder") || label + "…";
    }

    disconnectedCallback() {
      clearTimeout(this.timer);
      if (this.controller) this.controller.abort();
    }

    get base() {
      return this.getAttribute("server") || scriptBase;
    }

    get answers() {
      return this.hasAttribute("answers");
    }

    get k() {
      const k = parseInt(this.getAttribute("k") || "5", 10);
      return k >= 1 && k <= 100 ? k : 5;
    }

    schedule() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
    }

    async search() {
      const q = this.input.value.trim();
      if (this.controller) this.controller.abort();
      const gen = ++this.generation;
      if (q.length < MIN_CHARS) {
        this.render([]);
        this.setStatus("", "idle");
        return;
      }
      this.controller = new AbortController();
      this.setStatus("Searching…", "loading");
      let body;
      try {
        const url = new URL(this.answers ? "api/ask" : "api/search", this.base);
        url.searchParams.set("q", q);
        url.searchParams.set("k", String(this.k));
        const res = await fetch(url.href, {
          signal: this.controller.signal,
          headers: { Accept: "application/json" },
          credentials: "omit",
        });
        body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error((body.error && body.error.message) || "HTTP " + res.status);
      } catch (err) {
        if (gen !== this.generation || (err && err.name === "AbortError")) return;
        this.render([]);
        this.setStatus("Search failed: " + (err.message || "network error"), "error");
        return;
      }
      if (gen !== this.generation) return; // a newer search is under way
      const results = body.results || [];
      const answer = body.answered && (body.answer || [])[0];
      this.render(results, answer);
      const posts = results.length + (results.length === 1 ? " post" : " posts");
      this.setStatus(results.length === 0 ? "No posts match." : answer ? "Answer and " + posts : posts,
        results.length === 0 ? "empty" : "done");
    }

    setStatus(text, kind) {
      this.status.textContent = text;
      this.status.dataset.kind = kind;
      this.dataset.state = kind;
    }

    // render lists the results, after the answer when there is one (the
    // first sentence of /api/ask's answer: an option like the others,
    // opening its post at that sentence).
    render(results, answer) {
      this.list.replaceChildren();
      this.items = [];
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      if (answer) {
        this.addOption("result answer", safeHref(answer.link) || safeHref(answer.url), answer.title || answer.url, (li, title) => {
          const label = document.createElement("div");
          label.className = "label";
          label.textContent = "Answer";
          const p = document.createElement("p");
          p.className = "passage";
          p.setAttribute("part", "passage");
          p.textContent = answer.text;
          li.append(label, p, title);
        });
      }
      for (const r of results) {
        const passage = (r.passages || [])[0];
        const href = safeHref(passage && passage.link) || safeHref(r.url);
        this.addOption("result", href, r.title || r.url || r.id, (li, title) => {
          li.appendChild(title);
          const meta = [r.source, r.published && new Date(r.published).toLocaleDateString()].filter(Boolean).join(" · ");
          if (meta) {
            const m = document.createElement("div");
            m.className = "meta";
            m.textContent = meta;
            li.appendChild(m);
          }
          if (passage) {
            const p = document.createElement("p");
            p.className = "passage";
            p.setAttribute("part", "passage");
            appendHighlight(p, passage.highlight, passage.text);
            li.appendChild(p);
          }
        });
      }
      const open = this.items.length > 0;
      this.list.hidden = !open;
      this.input.setAttribute("aria-expanded", String(open));
    }

    // addOption appends one option: an <li> of class (and part) kind whose
    // title links to href, filled by fill(li, title).
    addOption(kind, href, titleText, fill) {
      const i = this.items.length;
      const li = document.createElement("li");
      li.id = this.list.id + "-" + i;
      li.className = kind;
      li.setAttribute("part", kind);
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const title = document.createElement(href ? "a" : "span");
      title.className = "title";
      title.setAttribute("part", "title");
      title.textContent = titleText;
      if (href) {
        title.href = href;
        title.tabIndex = -1; // the box keeps focus; arrows move the selection
      }
      fill(li, title);
      li.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep focus in the box
      li.addEventListener("click", (ev) => {
        if (ev.target !== title) this.open(i);
      });
      this.list.appendChild(li);
      this.items.push({ li, href });
    }

    select(i) {
      if (this.items.length === 0) return;
      if (this.active >= 0) this.items[this.active].li.setAttribute("aria-selected", "false");
      this.active = (i + this.items.length) % this.items.length;
      const li = this.items[this.active].li;
      li.setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }

    open(i) {
      const item = this.items[i];
      if (item && item.href) location.assign(item.href);
    }

    onKey(ev) {
      switch (ev.key) {
        case "ArrowDown":
          ev.preventDefault();
          this.select(this.active + 1);
          break;
        case "ArrowUp":
          ev.preventDefault();
          this.select(this.active < 0 ? -1 : this.active - 1);
          break;
        case "Enter":
          if (this.active >= 0) {
            ev.preventDefault();
            this.open(this.active);
          } else {
            clearTimeout(this.timer);
            this.search();
          }
          break;
        case "Escape":
          if (!this.list.hidden) {
            ev.preventDefault();
            this.render([]);
            this.setStatus("", "idle");
          }
          break;
      }
    }
  }

  customElements.define("semsearch-search", SemsearchSearch);
})();
