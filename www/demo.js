// Demo page only (CSP: no inline script): language switcher, remembered participant, event log.
const lang = document.getElementById('lang');
const record = document.getElementById('record');
const cards = () => document.querySelectorAll('redcap-resume');

lang.value = localStorage.getItem('redcap-resume-demo-lang') || 'en';
const applyLang = () => {
  localStorage.setItem('redcap-resume-demo-lang', lang.value);
  for (const card of cards()) card.setAttribute('lang', lang.value);
};
lang.addEventListener('change', applyLang);
applyLang();

const saved = sessionStorage.getItem('redcap-resume-demo-record');
if (saved) record.value = saved;
record.form.addEventListener('submit', () => sessionStorage.setItem('redcap-resume-demo-record', record.value));

const log = document.getElementById('events');
for (const type of ['ready', 'error', 'resume']) {
  document.addEventListener('redcap-resume:' + type, (e) => {
    const li = document.createElement('li');
    li.textContent = `#${e.target.id} ${e.type} ${JSON.stringify(e.detail)}`;
    log.prepend(li);
  });
}
