// The survey queue link and "Continue on another device" of a <redcap-resume> card with the
// `queue` or `qr` attribute. The loader imports this module only for such a card, so other
// pages never load it, and the wasm carries no code for either: this module adds its own
// markup to the card's shadow root, in the card's words (the wasm's `text(el, key)`, the same
// table, study wording included, that the card speaks):
//  - queue: GET {endpoint}/surveys/{key}/queue → "Open your survey queue" at the end of the
//    card, once the card has answered (no link when the study's REDCap has no survey queue);
//  - qr: a button after the return code; on the first press, GET {endpoint}/surveys/{key}/qr.svg
//    (the return page as a QR code; it needs the card's headers, so it is fetched here and shown
//    as a data: URL, which the page's CSP allows with img-src data:) beside the code to type.

// Each card's update, once attached (the loader attaches again when `queue` or `qr` change).
const attached = new WeakMap();
const asked = {};

/**
 * Completes `el`'s card now and whenever it renders again. `api(el)` is the loader's (where
 * and how the card asks its server); `text(el, key)` the card's words.
 */
export function attach(el, api, text) {
  if (attached.has(el)) return attached.get(el)();
  const root = el.shadowRoot;
  if (!root) return;
  const say = (key) => text(el, key) ?? '';
  // GET {endpoint}/surveys/{key}/{what} as the card asks (same headers, ticket, language),
  // the body as text; `once`: one request per URL and ticket on the page, its outcome kept.
  const get = (key, what, once) => {
    const a = api(el);
    if (!a) return Promise.reject(new Error('endpoint'));
    const url = `${a.base}/surveys/${encodeURIComponent(key)}/${what}${a.query}`;
    const ask = () =>
      fetch(url, { headers: a.headers, credentials: 'same-origin' }).then((r) => {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      });
    return once ? (asked[url + ' ' + a.ticket] ??= ask()) : ask();
  };
  const update = () => {
    queue(el, root, say, get);
    if (!el.hasAttribute('qr')) for (const old of root.querySelectorAll('.code > [data-more]')) old.remove();
    else for (const box of root.querySelectorAll('.code:not(:has(> [data-more]))')) qr(el, box, say, get);
  };
  attached.set(el, update);
  // The card renders again on its own (an answer, a language, a look): add to it again.
  new MutationObserver(update).observe(root, { childList: true, subtree: true });
  update();
}

// The queue link at the end of a card that has answered (not while loading, not an error).
function queue(el, root, say, get) {
  const card = root.querySelector('[part~=card]');
  const p = root.querySelector('[data-more=queue]');
  const key = el.getAttribute('survey')?.trim();
  const answered = card?.getAttribute('aria-busy') === 'false' && !root.querySelector('[part~=error]');
  if (!answered || !key || !el.hasAttribute('queue')) return p?.remove();
  get(key, 'queue', true)
    .then((body) => {
      const href = JSON.parse(body).queue_link;
      if (!/^https?:/.test(href) || !card.isConnected) return;
      let a = root.querySelector('[data-more=queue] a');
      if (!a) {
        const p = Object.assign(document.createElement('p'), { className: 'link' });
        p.dataset.more = 'queue';
        a = Object.assign(p.appendChild(document.createElement('a')), { rel: 'noopener noreferrer' });
        a.setAttribute('part', 'queue');
        card.insertBefore(p, card.querySelector('slot[name=help]'));
      }
      a.href = href;
      a.target = el.getAttribute('target') || '_self';
      if (a.textContent !== say('queue')) a.textContent = say('queue');
    })
    .catch(() => {}); // queue off, or no answer: no link
}

function qr(el, box, say, get) {
  const key = el.getAttribute('survey')?.trim() || box.closest('li')?.querySelector('[data-survey]')?.dataset.survey;
  const code = box.querySelector('[part~=code]')?.textContent;
  if (!key || !code) return;
  const make = (tag, props, parent = panel) => Object.assign(parent.appendChild(document.createElement(tag)), props);
  const button = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'secondary',
    textContent: say('qr'),
  });
  button.dataset.more = 'qr';
  button.setAttribute('part', 'qr');
  button.setAttribute('aria-expanded', 'false');
  const panel = Object.assign(document.createElement('div'), { className: 'qr', hidden: true });
  panel.setAttribute('part', 'qr-panel');
  panel.dataset.more = 'panel';
  const img = make('img', { alt: say('qr_alt'), width: 192, height: 192 });
  img.setAttribute('part', 'qr-image');
  const help = make('p', { textContent: say('qr_help') + ' ' });
  make('code', { textContent: code, dir: 'ltr' }, help);
  const failed = make('p', { className: 'refused', hidden: true, textContent: say('qr_failed') });
  failed.dataset.more = 'failed';
  box.append(button, panel);
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', open);
    panel.hidden = !open;
    if (!open || img.getAttribute('src')) return;
    try {
      const svg = await get(key, 'qr.svg');
      img.src = 'data:image/svg+xml;base64,' + btoa(svg);
      failed.hidden = !(img.hidden = false);
    } catch {
      // Said in the panel; pressing the button again tries again.
      failed.hidden = !(img.hidden = true);
    }
  });
}
