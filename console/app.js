// The operator console: plain modern JavaScript, no framework. Every label comes from one strings
// table per language (strings.<lang>.json); the server decides what each role may see and do, the
// page only hides what would be refused anyway.
import { filterApplicants, findByPhone, loadApplication, loadCourse, moreApplicants, rerender } from './course.js';
import { countLater, createCourse, previewEdit, rerenderCourseTools, saveEdit, sendBroadcast, showCreate } from './course_edit.js';
import { filterMessages, loadMessages, loadOptOuts, moreMessages, moreOptOuts, rerenderMessages, resendSelected } from './messages.js';
import { loadPayments, moreBills, morePayments, moreRefunds, pickDay, rerenderPayments } from './payments.js';
import { answerUssd, changeNumber, dialUssd, loadSimulator, rerenderSimulator, selectTab, sendSms, tabKeys } from './simulator.js';

const LANG_KEY = 'cg-console-lang';
const LANGS = ['en', 'ar'];

const state = {
  lang: LANGS.includes(localStorage.getItem(LANG_KEY)) ? localStorage.getItem(LANG_KEY) : 'en',
  strings: {},
  me: null, // {username, role, csrf}
  page: null,
  overview: null,
  operators: null,
};

const $ = (id) => document.getElementById(id);

function t(key, vars = {}) {
  const text = state.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

async function loadStrings(lang) {
  const res = await fetch(`/console/assets/strings.${lang}.json`, { credentials: 'same-origin' });
  state.strings = await res.json();
  state.lang = lang;
  localStorage.setItem(LANG_KEY, lang);
  const root = document.documentElement;
  root.lang = lang;
  root.dir = lang === 'ar' ? 'rtl' : 'ltr';
  document.title = t('app_title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

function locale() {
  return state.lang === 'ar' ? 'ar-JO' : 'en-GB';
}

function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Amman',
  }).format(new Date(iso));
}

function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

// Answers as {ok, status, body}; a 401 on any call but sign-in returns to the sign-in page.
// A request to the console's API: JSON in and out, the CSRF token on every change, `headers` added
// (a form's Idempotency-Key); a 401 ends the session on the page.
async function api(method, path, body, headers = {}) {
  headers = { ...headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.me) headers['X-CSRF-Token'] = state.me.csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (res.status === 401 && path !== '/console/api/session') {
    state.me = null;
    show('signin');
    setStatus(t('error_expired'));
  }
  return { ok: res.ok, status: res.status, body: data, retryAfter: res.headers.get('Retry-After') };
}

function setStatus(text) {
  $('status').textContent = text;
}

function errorCode(r) {
  return r.body?.error?.code ?? String(r.status);
}

// ---- pages ----

const PAGES = ['signin', 'overview', 'operators', 'course', 'application', 'payments', 'new-course', 'messages', 'optouts', 'simulator', 'forbidden'];
// The card's order, not the JSON object's (whose keys come sorted).
const STATES = ['awaiting_quorum', 'awaiting_exam', 'awaiting_payment', 'confirmed', 'waitlisted', 'rejected_exam', 'expired', 'cancelled', 'attended'];

function show(page) {
  state.page = page;
  for (const p of PAGES) $(`page-${p}`).hidden = p !== page;
  const signedIn = !!state.me;
  $('nav').hidden = !signedIn;
  $('signout').hidden = !signedIn;
  $('whoami').hidden = !signedIn;
  $('nav-operators').hidden = !(signedIn && state.me.role === 'admin');
  $('nav-new-course').hidden = !(signedIn && state.me.role !== 'viewer');
  if (signedIn) $('whoami').textContent = t('signed_in_as', { name: state.me.username, role: t(`role_${state.me.role}`) });
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${page === 'optouts' ? 'opt-outs' : page}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

// Numbers, phones and codes read left to right inside Arabic text.
function ltr(text) {
  return el('bdi', { dir: 'ltr', text });
}

function courseTitle(c) {
  return state.lang === 'ar' ? c.title_ar : c.title_en;
}

function renderList(id, items, render, count) {
  const ul = $(id);
  ul.replaceChildren();
  if (items.length === 0) {
    ul.append(el('li', { text: t('attention_none') }));
    return;
  }
  for (const item of items) ul.append(el('li', { text: render(item) }));
  if (count !== undefined && count > items.length) ul.append(el('li', { text: t('attention_more', { count: formatNumber(count) }) }));
}

function renderOverview() {
  const o = state.overview;
  if (!o) return;
  const counts = $('state-counts');
  counts.replaceChildren();
  for (const name of STATES) {
    const n = o.applications_by_state[name] ?? 0;
    counts.append(el('div', { 'data-state': name }, el('dt', { text: t(`state_${name}`) }), el('dd', { text: formatNumber(n) })));
  }
  const a = o.attention;
  renderList('attention-deciding', a.courses_deciding_without_quorum, (c) =>
    t('attention_deciding_item', {
      code: c.code,
      title: courseTitle(c),
      active: formatNumber(c.active),
      min: formatNumber(c.min_participants),
      when: formatTime(c.decision_at),
    }),
  );
  renderList(
    'attention-bills',
    a.bills_due.items,
    (b) =>
      t('attention_bill_item', {
        number: b.billing_number,
        phone: b.phone,
        amount: (b.amount_fils / 1000).toFixed(3),
        when: formatTime(b.due_at),
      }),
    a.bills_due.count,
  );
  renderList('attention-sms', a.failed_sms.items, (f) => t('attention_sms_item', { to: f.to, template: f.template, error: f.error }), a.failed_sms.count);

  const tbody = $('courses-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const c of o.courses) {
    const progress = el('progress', {
      max: String(Math.max(c.min_participants, 1)),
      value: String(Math.min(c.active, c.min_participants)),
      'aria-label': t('quorum_progress', { active: c.active, min: c.min_participants }),
    });
    const label = el('span', {
      class: c.quorum_reached ? 'quorum-met' : 'quorum-short',
      text: ` ${t('quorum_progress', { active: formatNumber(c.active), min: formatNumber(c.min_participants) })}` +
        (c.quorum_reached ? ` (${t('quorum_reached')})` : ''),
    });
    const capacity =
      c.capacity === null ? t('capacity_none') : t('capacity_value', { taken: formatNumber(c.active), capacity: formatNumber(c.capacity) });
    tbody.append(
      el(
        'tr',
        { 'data-course-code': c.code },
        el('td', {}, el('a', { href: `#/course/${c.id}`, 'data-course-link': c.code, text: c.code })),
        el('td', { text: courseTitle(c) }),
        el('td', { text: t(`status_${c.status}`) }),
        el('td', {}, progress, label),
        el('td', { text: capacity }),
        el('td', { text: formatTime(c.decision_at) }),
      ),
    );
  }
  $('courses-empty').hidden = o.courses.length > 0;
}

async function loadOverview() {
  const r = await api('GET', '/console/api/overview');
  if (!r.ok) {
    if (r.status !== 401) setStatus(t('error_generic', { code: errorCode(r) }));
    return;
  }
  state.overview = r.body;
  renderOverview();
}

function renderOperators() {
  const list = state.operators;
  if (!list) return;
  const tbody = $('operators-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const op of list) {
    const cell = el('td');
    if (!op.disabled && op.username !== state.me.username) {
      const b = el('button', { type: 'button', class: 'danger', 'aria-label': t('disable_named', { name: op.username }), text: t('disable') });
      b.addEventListener('click', () => disableOperator(op.username));
      cell.append(b);
    }
    tbody.append(
      el(
        'tr',
        { 'data-username': op.username },
        el('td', { text: op.username }),
        el('td', { text: t(`role_${op.role}`) }),
        el('td', { text: op.disabled ? t('account_disabled') : t('account_enabled') }),
        cell,
      ),
    );
  }
}

async function loadOperators() {
  const r = await api('GET', '/console/api/operators');
  if (r.status === 403) return show('forbidden');
  if (!r.ok) {
    if (r.status !== 401) setStatus(t('error_generic', { code: errorCode(r) }));
    return;
  }
  state.operators = r.body.operators;
  renderOperators();
}

async function disableOperator(name) {
  if (!window.confirm(t('confirm_disable', { name }))) return;
  const r = await api('POST', `/console/api/operators/${encodeURIComponent(name)}/disable`, {});
  setStatus(r.ok ? t('operator_disabled', { name }) : t('error_generic', { code: errorCode(r) }));
  await loadOperators();
}

async function addOperator(event) {
  event.preventDefault();
  $('operator-error').textContent = '';
  $('operator-result').replaceChildren();
  const body = { username: $('new-username').value.trim(), role: $('new-role').value };
  if ($('new-password').value) body.password = $('new-password').value;
  const r = await api('POST', '/console/api/operators', body);
  if (!r.ok) {
    const code = errorCode(r);
    const key = `error_${code}`;
    $('operator-error').textContent = key in state.strings ? t(key) : t('error_generic', { code });
    return;
  }
  $('operator-form').reset();
  if (r.body.password) {
    $('operator-result').append(t('operator_added_password', { name: r.body.username }), ' ', el('code', { class: 'secret', id: 'generated-password', text: r.body.password }));
  } else {
    $('operator-result').textContent = t('operator_added', { name: r.body.username });
  }
  await loadOperators();
}

// ---- sign-in and navigation ----

async function signIn(event) {
  event.preventDefault();
  const err = $('signin-error');
  err.textContent = '';
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    err.textContent = t('error_missing_fields');
    return;
  }
  const r = await api('POST', '/console/api/session', { username, password });
  $('password').value = '';
  if (r.status === 429) {
    err.textContent = t('error_throttled', { seconds: r.retryAfter ?? '?' });
    return;
  }
  if (!r.ok) {
    err.textContent = r.status === 401 ? t('error_credentials') : t('error_generic', { code: errorCode(r) });
    return;
  }
  state.me = r.body;
  setStatus('');
  if (location.hash !== '#/overview') location.hash = '#/overview';
  else await route();
}

async function signOut() {
  await api('DELETE', '/console/api/session');
  state.me = null;
  state.overview = null;
  state.operators = null;
  show('signin');
  setStatus(t('signed_out'));
  $('username').focus();
}

async function route() {
  if (!state.me) return show('signin');
  const page = location.hash.replace(/^#\//, '') || 'overview';
  const [name, id] = page.split('/');
  if (name === 'course' && id) {
    show('course');
    await loadCourse(ctx, id);
  } else if (name === 'application' && id) {
    show('application');
    await loadApplication(ctx, id);
  } else if (page === 'new-course') {
    if (state.me.role === 'viewer') return show('forbidden');
    show('new-course');
    showCreate(ctx);
  } else if (page === 'payments') {
    show('payments');
    await loadPayments(ctx);
  } else if (page === 'messages') {
    show('messages');
    await loadMessages(ctx);
  } else if (page === 'opt-outs') {
    show('optouts');
    await loadOptOuts(ctx);
  } else if (page === 'simulator') {
    show('simulator');
    await loadSimulator(ctx);
  } else if (page === 'operators') {
    if (state.me.role !== 'admin') return show('forbidden');
    show('operators');
    await loadOperators();
  } else {
    show('overview');
    await loadOverview();
  }
  $('main').focus();
}

async function switchLanguage() {
  await loadStrings(state.lang === 'ar' ? 'en' : 'ar');
  show(state.page ?? 'signin');
  renderOverview();
  renderOperators();
  rerender(ctx);
  rerenderPayments(ctx);
  rerenderCourseTools(ctx);
  rerenderMessages(ctx);
  rerenderSimulator(ctx);
}

// What the Course and Application pages (course.js) use of this module.
const ctx = { state, t, api, el, ltr, $, formatTime, formatNumber, setStatus, errorCode, show, courseTitle, STATES };

async function start() {
  await loadStrings(state.lang);
  $('signin-form').addEventListener('submit', signIn);
  $('operator-form').addEventListener('submit', addOperator);
  $('find-form').addEventListener('submit', (e) => findByPhone(ctx, e));
  $('applicants-filter').addEventListener('submit', (e) => filterApplicants(ctx, e));
  $('applicants-more').addEventListener('click', () => moreApplicants(ctx));
  $('create-form').addEventListener('submit', (e) => createCourse(ctx, e));
  $('edit-form').addEventListener('submit', (e) => previewEdit(ctx, e));
  $('edit-save').addEventListener('click', () => saveEdit(ctx, () => route()));
  $('broadcast-form').addEventListener('submit', (e) => sendBroadcast(ctx, e));
  for (const id of ['broadcast-text_ar', 'broadcast-text_en']) $(id).addEventListener('input', () => countLater(ctx));
  $('payments-form').addEventListener('submit', (e) => pickDay(ctx, e));
  $('payments-more').addEventListener('click', () => morePayments(ctx));
  $('refunds-more').addEventListener('click', () => moreRefunds(ctx));
  $('bills-more').addEventListener('click', () => moreBills(ctx));
  $('messages-filter').addEventListener('submit', (e) => filterMessages(ctx, e));
  $('messages-more').addEventListener('click', () => moreMessages(ctx));
  $('resend-selected').addEventListener('click', () => resendSelected(ctx));
  $('optouts-more').addEventListener('click', () => moreOptOuts(ctx));
  $('sim-number').addEventListener('change', () => changeNumber(ctx));
  $('sim-number-form').addEventListener('submit', (e) => e.preventDefault());
  $('sim-sms-form').addEventListener('submit', (e) => sendSms(ctx, e));
  $('sim-tab-sms').addEventListener('click', () => selectTab(ctx, 'sms'));
  $('sim-tab-ussd').addEventListener('click', () => selectTab(ctx, 'ussd'));
  for (const id of ['sim-tab-sms', 'sim-tab-ussd']) $(id).addEventListener('keydown', (e) => tabKeys(ctx, e));
  $('sim-dial').addEventListener('click', () => dialUssd(ctx));
  $('sim-ussd-form').addEventListener('submit', (e) => answerUssd(ctx, e));
  $('lang-toggle').addEventListener('click', switchLanguage);
  $('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  const r = await api('GET', '/console/api/session');
  state.me = r.ok ? r.body : null;
  setStatus('');
  await route();
  document.body.dataset.ready = 'true';
}

start();
