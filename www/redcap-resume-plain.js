// redcap-resume-plain.js: the card without WebAssembly. The loader (redcap-resume.js) imports
// this module only when the wasm cannot run: the page's Content-Security-Policy lacks
// 'wasm-unsafe-eval' in script-src, or the wasm file failed to load or compile. It shows, in
// each waiting element's shadow root (already styled by the loader), a plain card from the
// answer the loader already fetched: the title, the status, the return code with a link to
// REDCap's return page where it is typed (or the survey link), else a link to the hosted page
// ({base}/embed) and the contact line. Inside a frame the links open at the top level. It
// speaks the full card's language, as the loader's `words` chooses it (the element's lang,
// else the closest [lang], else the browser's languages; pt-BR → pt, zh, zh-CN, zh-SG →
// zh-Hans; else English), with the same texts: the language's i18n/{tag}.json beside the
// loader (already fetched) and the study's `strings` file, English as in src/i18n.rs. Only its
// own three texts are kept here, in all eleven languages. A right-to-left language (Arabic)
// gets dir="rtl"; the return code stays left to right. The cause is logged once, naming the
// directive when the CSP refused it.

// The widget's English for the keys this card shares with it (src/i18n.rs `EN`).
const EN = {
  not_started: 'Not started yet.',
  in_progress: 'In progress — you can continue where you stopped.',
  completed: 'You have completed this survey — thank you.',
  unknown: 'You can continue where you stopped.',
  code_label: 'Your return code',
  resume: 'Resume survey',
  start: 'Start survey',
};
// This card's own texts by primary subtag (zh: Simplified, the only Chinese file): after
// "Resume survey" on the link to REDCap's return page, no card, the hosted page's link.
const OWN = {
  en: [' (enter the code there)', 'The survey card could not load on this page.', 'Open your survey card'],
  es: [' (introduzca allí el código)', 'La tarjeta de la encuesta no pudo cargarse en esta página.',
    'Abrir la tarjeta de su encuesta'],
  fr: [' (saisissez-y le code)', 'La carte du questionnaire n’a pas pu se charger sur cette page.',
    'Ouvrir la carte de votre questionnaire'],
  pt: [' (digite o código lá)', 'O cartão do questionário não pôde ser carregado nesta página.',
    'Abrir o cartão do seu questionário'],
  de: [' (geben Sie dort den Code ein)', 'Die Fragebogen-Karte konnte auf dieser Seite nicht geladen werden.',
    'Ihre Fragebogen-Karte öffnen'],
  zh: ['（请在该页面输入返回码）', '此页面无法加载问卷卡片。', '打开您的问卷卡片'],
  vi: [' (nhập mã của quý vị tại đó)', 'Không thể tải thẻ khảo sát trên trang này.', 'Mở thẻ khảo sát của quý vị'],
  ko: [' (해당 페이지에서 코드를 입력해 주십시오)', '이 페이지에서 설문 카드를 불러올 수 없습니다.', '설문 카드 열기'],
  ru: [' (введите там код)', 'Не удалось загрузить карточку опроса на этой странице.', 'Открыть карточку вашего опроса'],
  ht: [' (antre kòd ou sou paj sa a)', 'Kat sondaj la pa t ka chaje sou paj sa a.', 'Louvri kat sondaj ou a'],
  ar: [' (يُرجى إدخال الرمز هناك)', 'تعذّر تحميل بطاقة الاستبيان على هذه الصفحة.', 'فتح بطاقة استبيانك'],
};

// The card's language as the full card speaks it: `{tag, rtl, t(key), own}`.
async function speech(el) {
  let w = null;
  try {
    w = await el.constructor.words?.(el);
  } catch {}
  // A key's text: the study's, else the language file's, else English.
  const t = (k) => [w?.study?.[k], w?.file?.[k]].find((v) => typeof v == 'string') ?? EN[k];
  const own = (w?.file && OWN[w.tag.split('-')[0].toLowerCase()]) || OWN.en;
  return { tag: w?.tag || 'en', rtl: !!w?.rtl, t, own };
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

function survey(el, s, { t, own }) {
  const item = node('div', {});
  item.append(node('h2', { part: 'title' }, s.title));
  const status = /^(not_started|in_progress|completed)$/.test(s.status) ? s.status : 'unknown';
  item.append(node('p', { part: 'status', class: 'status' }, t(status)));
  const link = s.resume_link || s.survey_link;
  // The code even with hide-code: this card cannot hand it to REDCap for the participant (no
  // form), and its link leads to where the code is typed (as the full card does when the
  // page refuses its form).
  if (s.return_code) {
    const code = node('p', { class: 'code' });
    code.append(node('span', { class: 'label' }, t('code_label')), node('code', { part: 'code', dir: 'ltr' }, s.return_code));
    item.append(code);
  }
  if (link) {
    const a = node('a', { part: 'resume', class: 'primary', href: link, target: target(el), rel: 'noopener noreferrer' },
      s.return_code ? t('resume') + own[0] : t(status == 'not_started' ? 'start' : 'resume'));
    const p = node('p', { class: 'link' });
    p.append(a);
    item.append(p);
  }
  return item;
}

async function card(el) {
  const say = await speech(el);
  const card = node('div', { part: 'card', class: 'card', role: 'status', lang: say.tag, dir: say.rtl ? 'rtl' : 'ltr' });
  let body = null;
  try {
    const res = await el.__redcapResumePrefetch?.res;
    if (res?.ok) body = await res.json();
  } catch {}
  const list = body?.surveys ?? (body?.key ? [body] : null);
  if (list?.length) for (const s of list) card.append(survey(el, s, say));
  else {
    card.append(node('p', {}, say.own[1]));
    card.append(node('a', { part: 'link', class: 'primary', href: hostedPage(el, say.tag), target: target(el), rel: 'noopener' },
      say.own[2]));
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
