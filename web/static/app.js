// breachreg's own script: enhancement only; every page works without it.
// Loaded as a module, so it runs once the page is parsed, and only in
// browsers that GOV.UK Frontend supports.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

const govuk = document.body.dataset.govukJs;
if (govuk) {
  import(govuk).then((m) => m.initAll()).catch(() => {});
}

// The ICO 72-hour clock counts down while the page is open, from the
// server's time when it drew the page (data-now), not the browser's clock.
const loaded = Date.now();
function tick() {
  for (const el of document.querySelectorAll('[data-due]')) {
    const now = Date.parse(el.dataset.now) + (Date.now() - loaded);
    const due = Date.parse(el.dataset.due);
    if (Number.isNaN(due)) continue;
    const left = Math.round((due - now) / 60000);
    const h = Math.floor(Math.abs(left) / 60);
    const m = Math.abs(left) % 60;
    el.textContent = left >= 0 ? `${h} hours ${m} minutes left` : `overdue by ${h} hours ${m} minutes`;
    el.classList.toggle('app-clock--overdue', left < 0);
  }
}
if (document.querySelector('[data-due]')) {
  tick();
  setInterval(tick, 30000);
}

// "Print this notice": the browser's own print, from a button that only
// shows when this script runs (without it, people use the browser's menu).
for (const b of document.querySelectorAll('[data-app-print]')) {
  b.addEventListener('click', () => window.print());
}
