// redcap-resume-plain.js: the card without WebAssembly. The loader (redcap-resume.js) imports
// this module only when the wasm cannot run: the page's Content-Security-Policy lacks
// 'wasm-unsafe-eval' in script-src, or the wasm file failed to load or compile. It shows, in
// each waiting element's shadow root (already styled by the loader), a plain card from the
// answer the loader already fetched: the title, the status, the return code with a link to
// REDCap's return page where it is typed (or the survey link), else a link to the hosted page
// ({base}/embed) and the contact line. Inside a frame the links open at the top level. In
// English, Spanish or French, chosen as the widget does: the element's lang, else the closest
// [lang], else the browser's languages, else English. The cause is logged once, naming the
// directive when the CSP refused it.

// not started, in progress, completed, code label, resume (code), open (no code), no card, hosted page
const TEXT = {
  en: ['Not started yet', 'In progress', 'Completed', 'Your return code', 'Resume survey (enter the code there)',
    'Open survey', 'The survey card could not load on this page.', 'Open your survey card'],
  es: ['Aún no ha comenzado', 'En curso', 'Completada', 'Su código de retorno', 'Continuar encuesta (introduzca allí el código)',
    'Abrir encuesta', 'La tarjeta de la encuesta no pudo cargarse en esta página.', 'Abrir la tarjeta de su encuesta'],
  fr: ['Pas encore commencé', 'En cours', 'Terminé', 'Votre code de retour', 'Reprendre le questionnaire (saisissez-y le code)',
    'Ouvrir le questionnaire', 'La carte du questionnaire n’a pas pu se charger sur cette page.', 'Ouvrir la carte de votre questionnaire'],
};
const STATUS = ['not_started', 'in_progress', 'completed'];

function lang(el) {
  const tags = [el.closest('[lang]')?.getAttribute('lang'), ...(navigator.languages || [])];
  for (const tag of tags) {
    const l = String(tag || '').trim().toLowerCase().split('-')[0];
    if (TEXT[l]) return l;
  }
  return 'en';
}

function node(tag, attrs, text) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text) n.textContent = text;
  return n;
}

// The hosted page beside the endpoint: /redcap-resume/api -> /redcap-resume/embed?survey=KEY.
function hostedPage(el, l) {
  const u = new URL((el.getAttribute('endpoint') || '/redcap-resume/api').trim(), document.baseURI);
  u.pathname = u.pathname.replace(/\/+$/, '').replace(/\/[^/]*$/, '') + '/embed';
  u.search = u.hash = '';
  const survey = (el.getAttribute('survey') || '').trim();
  if (survey) u.searchParams.set('survey', survey);
  u.searchParams.set('lang', l);
  return u.href;
}

function target(el) {
  return window.top !== window ? '_top' : el.getAttribute('target') === '_blank' ? '_blank' : '_self';
}

function survey(el, s, t) {
  const item = node('div', {});
  item.append(node('h2', { part: 'title' }, s.title));
  item.append(node('p', { part: 'status', class: 'status' }, t[STATUS.indexOf(s.status)] || ''));
  const link = s.resume_link || s.survey_link;
  if (s.return_code && !el.hasAttribute('hide-code')) {
    const code = node('p', { class: 'code' });
    code.append(node('span', { class: 'label' }, t[3]), node('code', { part: 'code' }, s.return_code));
    item.append(code);
  }
  if (link) {
    const a = node('a', { part: 'resume', class: 'primary', href: link, target: target(el), rel: 'noopener noreferrer' },
      s.return_code ? t[4] : t[5]);
    const p = node('p', { class: 'link' });
    p.append(a);
    item.append(p);
  }
  return item;
}

async function card(el) {
  const l = lang(el);
  const t = TEXT[l];
  const card = node('div', { part: 'card', class: 'card', role: 'status', lang: l });
  let body = null;
  try {
    const res = await el.__redcapResumePrefetch?.res;
    if (res?.ok) body = await res.json();
  } catch {}
  const list = body?.surveys ?? (body?.key ? [body] : null);
  if (list?.length) for (const s of list) card.append(survey(el, s, t));
  else {
    card.append(node('p', {}, t[6]));
    card.append(node('a', { part: 'link', class: 'primary', href: hostedPage(el, l), target: target(el), rel: 'noopener' },
      t[7]));
  }
  if (body?.contact) card.append(node('p', { class: 'link' }, body.contact));
  el.shadowRoot?.replaceChildren(card);
}

/** Shows the plain card in each element of `elements`; `error` is why the wasm did not run. */
export function show(elements, error) {
  const refused = /unsafe-eval|Content.Security.Policy/i.test(String(error?.message));
  console.error(
    refused
      ? "redcap-resume: the page's Content-Security-Policy refused WebAssembly (script-src needs 'wasm-unsafe-eval'); showing the plain card. The iframe snippet (redcap-resume snippet --mode iframe) shows the full card without changing this page's policy"
      : 'redcap-resume: the widget could not load; showing the plain card. The iframe snippet (redcap-resume snippet --mode iframe) or the link works on any page',
    error,
  );
  for (const el of elements) card(el);
}
