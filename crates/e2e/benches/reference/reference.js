// The benchmark's reference: a small hand-written <redcap-resume-ref> with the widget's contract
// (same request: X-CSRF, same-origin credentials, optional bearer ticket; same card parts).
// Not shipped; `cargo xtask bench` compares the widget's time to card against it.
const CSS = `
:host{display:block;max-width:36rem;font-family:system-ui,sans-serif;color:#1b1f24;line-height:1.45}
.card{background:#fff;border:1px solid #c3c9d1;border-radius:12px;padding:1.25rem}
h2{font-size:1.25rem;margin:0 0 .25rem}
.primary{min-height:2.75rem;padding:.55rem 1.25rem;background:#0b5cad;color:#fff;border:0;font:inherit;font-weight:600}
code{font:600 1.5rem/1.2 ui-monospace,monospace;letter-spacing:.12em}
`;
const STATUS = {
  not_started: 'Not started yet.',
  in_progress: 'In progress — you can continue where you stopped.',
  completed: 'You have completed this survey — thank you.',
  unknown: 'You can continue where you stopped.',
};
let sheet;

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
};

customElements.define(
  'redcap-resume-ref',
  class extends HTMLElement {
    async connectedCallback() {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      const root = this.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = [sheet];
      const status = el('p', { part: 'status', role: 'status' }, 'Loading your survey…');
      const card = el('article', { part: 'card', class: 'card' }, el('h2', { part: 'title' }, 'Your survey'), status);
      root.append(card);
      const survey = this.getAttribute('survey');
      const ticket = this.getAttribute('ticket');
      const headers = { 'X-CSRF': '1' };
      if (ticket) headers.Authorization = 'Bearer ' + ticket;
      try {
        const res = await fetch('/redcap-resume/api/surveys/' + encodeURIComponent(survey), {
          headers,
          credentials: 'same-origin',
        });
        const a = await res.json();
        if (!res.ok) throw new Error(a.error.code);
        card.firstChild.textContent = a.title;
        status.textContent = STATUS[a.status] || STATUS.unknown;
        if (a.resume_form && a.return_code) {
          card.append(
            el('form', { method: 'post', action: a.resume_form.action },
              el('input', { type: 'hidden', name: a.resume_form.field, value: a.return_code }),
              el('button', { type: 'submit', part: 'resume', class: 'primary' }, 'Resume survey')),
            el('div', { class: 'code' }, el('code', { part: 'code' }, a.return_code),
              el('button', { type: 'button', part: 'copy' }, 'Copy code')),
            el('p', {}, el('a', { part: 'link', href: a.resume_link }, 'Or open this link and enter your code')),
          );
        }
      } catch (e) {
        status.textContent = 'We could not reach the server. Check your connection and try again.';
      }
    }
  },
);
