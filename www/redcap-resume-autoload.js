// redcap-resume-autoload.js: a classic script a site admin adds once, site-wide:
//   <script src="/redcap-resume/redcap-resume-autoload.js" defer></script>
// Page editors then place the card with markup their editor keeps (only a div and data-*):
//   <div data-redcap-resume data-survey="baseline" data-lang="es"><a href="…">Resume your survey</a></div>
// Each such div, also one inserted later, gets a <redcap-resume> in place of its content (the
// content is what shows when scripts do not run). Only these data-* become attributes:
// data-survey, data-endpoint, data-ticket, data-lang, data-target, data-hide-code,
// data-strings, data-queue, data-qr (never any other, so a data-onclick cannot become an
// onclick). The module (redcap-resume.js, next to
// this file) is loaded only when the first placeholder appears.
(function () {
  var me = document.currentScript;
  if (!me || !me.src) return;
  var ATTRS = ['survey', 'endpoint', 'ticket', 'lang', 'target', 'hide-code', 'strings', 'queue', 'qr'];
  var SEL = '[data-redcap-resume]:not([data-redcap-resume=ready])';
  var loading = false;
  function upgrade(div) {
    div.setAttribute('data-redcap-resume', 'ready');
    if (!loading) {
      loading = true;
      import(new URL('redcap-resume.js', me.src).href).catch(function (e) {
        console.error(
          "redcap-resume: the module could not load (does this page's Content-Security-Policy allow it in script-src?); " +
            'the iframe snippet (redcap-resume snippet --mode iframe) or the link works on any page',
          e
        );
      });
    }
    var el = document.createElement('redcap-resume');
    ATTRS.forEach(function (a) {
      var v = div.getAttribute('data-' + a);
      if (v !== null) el.setAttribute(a, v);
    });
    div.replaceChildren(el);
  }
  function scan(root) {
    if (root.nodeType !== 1) return;
    if (root.matches(SEL)) upgrade(root);
    root.querySelectorAll(SEL).forEach(upgrade);
  }
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(scan);
      if (r.type === 'attributes') scan(r.target);
    });
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-redcap-resume'],
  });
  scan(document.documentElement);
})();
