// <redcap-resume> loader (served as redcap-resume.js; finds its files next to itself).
//
// One module, no other script on the critical path. When it runs it, at once:
//  - starts the glue import and the wasm download (URLs relative to import.meta.url),
//  - defines the element: each <redcap-resume> already on the page gets its shadow root and
//    styles, and its first API request starts right away (same URL, headers and ticket the Rust
//    side would use); the wasm takes that response over when it is ready.
// The Rust side (`sync`) renders the card; see src/lib.rs for the element's attributes,
// events, parts, slots and custom properties.

const CSS = `
:host{display:block;max-width:36rem;font-family:var(--redcap-resume-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--redcap-resume-fg,#1b1f24);line-height:1.45}
:host([hidden]){display:none}
.card{background:var(--redcap-resume-bg,#fff);border:1px solid #c3c9d1;border-radius:var(--redcap-resume-radius,12px);padding:1.25rem;box-shadow:0 1px 3px rgb(0 0 0/.08)}
h2{font-size:1.25rem;line-height:1.3;margin:0 0 .25rem}
h3{font-size:1.05rem;margin:0 0 .125rem}
p{margin:0}
.status{margin-bottom:1rem}
[part~=status]{color:#454d59}
[part=error]{display:block;color:#9b1c1c;font-weight:500}
ul{list-style:none;margin:0;padding:0}
li+li{margin-top:1rem;padding-top:1rem;border-top:1px solid #e1e4e8}
li [part=status]{margin-bottom:.75rem}
.primary,.secondary{display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;font:inherit;font-weight:600;text-decoration:none;cursor:pointer;border-radius:calc(var(--redcap-resume-radius,12px)*.6)}
.primary{min-height:2.75rem;padding:.55rem 1.25rem;background:var(--redcap-resume-accent,#0b5cad);color:#fff;border:1px solid transparent}
.primary:hover{filter:brightness(1.1)}
.secondary{min-height:2.25rem;min-width:1.5rem;padding:.3rem .9rem;background:transparent;color:var(--redcap-resume-accent,#0b5cad);border:1px solid currentColor}
button:disabled{opacity:.55;cursor:not-allowed}
:focus-visible{outline:3px solid var(--redcap-resume-accent,#0b5cad);outline-offset:2px}
form{margin:0}
.code{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .75rem;margin-top:1rem;padding-top:1rem;border-top:1px solid #e1e4e8}
.label{flex-basis:100%;font-size:.875rem;color:#454d59}
code{font:600 1.5rem/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em;user-select:all;-webkit-user-select:all;overflow-wrap:anywhere}
.copied{font-size:.875rem;color:#1a6b32}
.refused{color:#9b1c1c}
.link,[part=contact]{margin-top:.75rem;font-size:.9375rem}
a{color:var(--redcap-resume-accent,#0b5cad)}
a.primary{color:#fff}
.skeleton span{display:block;height:.9rem;width:70%;margin-top:.5rem;border-radius:4px;background:linear-gradient(90deg,#e6e9ed,#f4f5f7,#e6e9ed);background-size:200% 100%;animation:rr 1.2s linear infinite}
.skeleton span+span{width:45%;height:2.75rem}
@keyframes rr{to{background-position:-200% 0}}
@media (prefers-reduced-motion:reduce){.skeleton span{animation:none}}
@media (forced-colors:active){.primary,.secondary{border:1px solid ButtonText}}
.qr{flex-basis:100%}
.qr img{display:block;width:12rem;height:12rem;margin-block:.5rem;background:#fff}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

const PREFETCH = '__redcapResumePrefetch';
// The languages besides English, each a file i18n/{tag}.json beside this one (src/i18n.rs).
const LANGS = ['es', 'fr', 'pt', 'de', 'zh-Hans', 'vi', 'ko', 'ru', 'ht', 'ar'];
// Right-to-left: by language (Arabic, Hebrew, Persian, Urdu, …) or by script subtag.
const RTL = /^(ar|arc|ckb|dv|fa|he|iw|ks|ku-arab|ps|sd|ug|ur|yi)(-|$)|-(arab|hebr|syrc|thaa|nkoo|adlm)(-|$)/i;
const ATTRS = ['survey', 'endpoint', 'ticket', 'lang', 'target', 'hide-code', 'strings', 'queue', 'qr'];
// The property of each attribute (`lang` is the platform's own); booleans end the list.
const PROPS = ['survey', 'endpoint', 'ticket', 'lang', 'target', 'hideCode', 'strings', 'queue', 'qr'];
const BOOLS = ['hide-code', 'queue', 'qr'];
const files = {};
const chosen = {};
const studies = {};
const more = new WeakSet();
let sheet;

const attr = (el, n) => (el.getAttribute(n) || '').trim();
// A JSON file (parsed, or null when it could not be had), fetched once per page.
const file = (url) =>
  (files[url] ??= fetch(url)
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null));
const builtIn = (tag) => (tag === 'en' ? null : file(new URL(`i18n/${tag}.json`, import.meta.url).href));
// The page's tags for `el`, most wanted first: the closest [lang], then the browser's.
const wanted = (el) => [el.closest('[lang]')?.getAttribute('lang'), ...navigator.languages];
// The first of `have` that a tag in `want` asks for: the tag itself, else its language
// (pt-BR → pt); Chinese by script (zh, zh-CN, zh-SG → zh-Hans). English when none.
function pick(want, have) {
  for (const w of want) {
    const t = (w || '').trim().replace(/_/g, '-').toLowerCase();
    const p = t.split('-')[0];
    // Chinese: the script if given, else the region's (Taiwan, Hong Kong, Macau: Traditional).
    const hant = /-hant\b/.test(t) || (!/-hans\b/.test(t) && /-(tw|hk|mo)\b/.test(t));
    const sub = p === 'zh' ? (hant ? 'zh-hant' : 'zh-hans') : p;
    for (const c of t ? [t, sub] : []) {
      const hit = have.find((h) => h.toLowerCase() === c);
      if (hit) return hit;
    }
  }
  return 'en';
}

// The study's wording file named by `strings` (same origin only): its languages, or null.
// A file that cannot be used is reported once.
function study(el) {
  const src = attr(el, 'strings');
  let u;
  try {
    u = src && new URL(src, document.baseURI);
  } catch {}
  if (!src) return null;
  return (studies[src] ??= (u?.origin === location.origin ? file(u.href) : Promise.resolve()).then((f) => {
    if (f && typeof f === 'object') return f;
    console.warn(`redcap-resume: the strings file ${src} is not a JSON object on this page's origin; the built-in texts are used`);
  }));
}

// The card's language and words (src/strings.rs): `{tag, rtl, file, study}`, one object per
// language and wording file, or null for English as built in.
async function words(el) {
  const want = wanted(el);
  builtIn(pick(want, LANGS)); // start the likely file beside the study's
  const mine = (await study(el)) ?? {};
  const tag = pick(want, ['en', ...LANGS, ...Object.keys(mine)]);
  const base = pick([tag], LANGS);
  const own = mine[tag];
  if (base === 'en' && !own) return null;
  const key = tag + ' ' + attr(el, 'strings');
  const found = { tag, rtl: RTL.test(tag), file: await builtIn(base), study: own ?? null };
  return (chosen[key] ??= found);
}

// The card's API: `{ base, query, headers, ticket }` as src/api.rs would ask, or null when
// the endpoint is not on this origin (the card then shows its configuration error).
function api(el) {
  try {
    const u = new URL(attr(el, 'endpoint') || '/redcap-resume/api', document.baseURI);
    if (u.origin !== location.origin) return null;
    u.search = u.hash = '';
    const ticket = attr(el, 'ticket') || undefined;
    // The participant's language as the page states it (src/element.rs `language`).
    const lang = (el.closest('[lang]')?.getAttribute('lang') ?? navigator.languages[0] ?? '').trim();
    const headers = { 'X-CSRF': '1' };
    if (ticket) headers.Authorization = 'Bearer ' + ticket;
    return { base: u.href.replace(/\/+$/, ''), query: lang ? '?lang=' + encodeURIComponent(lang) : '', headers, ticket };
  } catch {
    return null;
  }
}

// Starts the request the card will make first, and its language's files, when the endpoint
// is on this origin (else the card shows its configuration error and nothing is sent).
// Mirrors src/api.rs + src/element.rs.
function prefetch(el) {
  const a = api(el);
  if (!a) return;
  words(el);
  const survey = attr(el, 'survey');
  const url = a.base + '/surveys' + (survey ? '/' + encodeURIComponent(survey) : '') + a.query;
  // The body is read as it arrives, while the wasm may still be compiling: a response the
  // card reads later is then in memory, not a round trip to the network process away. Same
  // status and headers (`Retry-After`); no body for a status that has none.
  const res = fetch(url, { headers: a.headers, credentials: 'same-origin' }).then(
    async (r) => new Response(r.body && (await r.text()), r),
  );
  res.catch(() => {}); // the card reports failures; never an unhandled rejection here
  el[PREFETCH] = { url, ticket: a.ticket, res };
}

/**
 * Defines the custom element `name`, rendered by `rust` (the wasm exports `{ sync }`, or a
 * promise of them). Elements connected before the wasm is ready get their first request
 * started now and are synced once it is.
 */
export function define(name, rust) {
  if (customElements.get(name)) return;
  let ready = typeof rust.then === 'function' ? null : rust;
  const waiting = new Set();
  if (!ready) {
    rust.then(
      (m) => {
        ready = m;
        for (const el of waiting) m.sync(el);
        waiting.clear();
      },
      (e) => import('./redcap-resume-plain.js').then((p) => p.show(waiting, e)),
    );
  }
  const Card = class extends HTMLElement {
    static observedAttributes = ATTRS;
    static words = words;
    connectedCallback() {
      if (!this.shadowRoot) {
        if (!sheet) {
          sheet = new CSSStyleSheet();
          sheet.replaceSync(CSS);
        }
        this.attachShadow({ mode: 'open' }).adoptedStyleSheets = [sheet];
      }
      // A property set before the element was defined is an own property that hides the
      // class's accessor: move it onto the attribute (now that the shadow root exists).
      for (const p of PROPS) {
        if (Object.hasOwn(this, p)) {
          const v = this[p];
          delete this[p];
          this[p] = v;
        }
      }
      // Attributes written in HTML reach attributeChangedCallback before this, so `waiting`
      // may already hold the element: whether its first request was started is its own mark.
      if (!ready && !(PREFETCH in this)) prefetch(this);
      this.sync();
    }
    disconnectedCallback() {
      this.sync();
    }
    attributeChangedCallback() {
      this.sync();
    }
    sync() {
      if (ready) ready.sync(this);
      else if (this.isConnected) waiting.add(this);
      // The survey queue link and the QR code: their own module, only for a card with them
      // (or that had them: it takes them away again).
      if (this.isConnected && (this.hasAttribute('queue') || this.hasAttribute('qr') || more.has(this))) {
        more.add(this);
        import('./redcap-resume-more.js').then((m) => m.attach(this, api, (el, key) => ready?.text(el, key)));
      }
    }
  };
  // Each attribute as a property reflecting it both ways (`el.survey = 'x'` is
  // `setAttribute('survey', 'x')`, null removes it; `el.hideCode = true` sets `hide-code`).
  // `lang` is the platform's own reflecting property already.
  ATTRS.forEach((a, i) => {
    const p = PROPS[i];
    if (p in HTMLElement.prototype) return;
    Object.defineProperty(Card.prototype, p, BOOLS.includes(a)
      ? { get() { return this.hasAttribute(a); }, set(v) { this.toggleAttribute(a, !!v); } }
      : {
          get() { return this.getAttribute(a) ?? ''; },
          set(v) { v == null ? this.removeAttribute(a) : this.setAttribute(a, v); },
        });
  });
  customElements.define(name, Card);
}

const wasm = fetch(new URL('redcap-resume-widget_bg.wasm', import.meta.url));
define(
  'redcap-resume',
  Promise.all([import('./redcap-resume-widget.js'), wasm]).then(async ([m, w]) => {
    await m.default({ module_or_path: w });
    return m;
  }),
);
