// The Simulator page: a phone on the screen. The operator picks a test number and writes as an
// applicant would; each message goes to the gateway's SMS conversation (provider "simulator") with
// an id made here once per message, so a double click or a retry is one turn. The conversation is
// read back from the server every few seconds (the card's notifications come later than the
// reply), each reply with its template, segments and encoding. The USSD tab dials the same menus as
// Africa's Talking, one session per dial. app.js hands over its helpers (ctx).
const POLL_MS = 2000;

const view = {
  settings: null, // {test_range, numbers, ussd: {gsm7_chars, ucs2_chars}}
  off: false, // the server said 404: console.simulator.enabled is false
  phone: null,
  items: new Map(), // "in:ID" / "out:ID" -> item
  afterIn: 0,
  afterOut: 0,
  pending: null, // {phone, text, id}: a send not yet answered, retried with the same id
  sending: false,
  timer: null,
  ussd: null, // {session, inputs: [], screen, ended}
};

// A message id or USSD session id: 128 random bits as hex (crypto.getRandomValues works without
// a secure context, unlike crypto.randomUUID).
function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function showError(ctx, id, r) {
  const msg = r.body?.error?.message ?? '';
  const code = ctx.errorCode(r);
  ctx.$(id).textContent = code === 'invalid_request' || code === 'invalid_query' ? ctx.t('error_invalid_query', { message: msg }) : ctx.t('error_generic', { code });
}

// "Test numbers {from} to {to}" with each number isolated left to right (in Arabic a bare "+962…"
// would show its sign at the wrong end).
function renderRange(ctx) {
  const { from, to } = view.settings.test_range;
  const numbers = { from, to };
  const parts = ctx.t('sim_range').split(/\{(\w+)\}/);
  ctx.$('sim-range').replaceChildren(...parts.map((p, i) => (i % 2 ? ctx.el('bdi', { dir: 'ltr', text: numbers[p] ?? '' }) : p)));
}

function encodingLabel(ctx, encoding) {
  return encoding === 'ucs2' ? ctx.t('sim_ucs2') : ctx.t('sim_gsm7');
}

function ordered() {
  // Arrival order: by time, the applicant's message before the replies it caused, then by id.
  return [...view.items.values()].sort((a, b) => {
    if (a.at !== b.at) return a.at < b.at ? -1 : 1;
    if (a.kind !== b.kind) return a.kind === 'in' ? -1 : 1;
    return a.id - b.id;
  });
}

function renderChat(ctx) {
  const { t, $, el } = ctx;
  const list = $('sim-chat');
  list.replaceChildren();
  for (const m of ordered()) {
    const li = el('li', { class: m.kind === 'in' ? 'bubble from-applicant' : 'bubble from-gateway', 'data-kind': m.kind, 'data-id': String(m.id) });
    li.append(el('p', { class: 'bubble-text', dir: 'auto', text: m.text }));
    let meta;
    if (m.kind === 'in') {
      meta = t('sim_meta_in', { when: ctx.formatTime(m.at) });
      if (m.outcome !== 'processed') meta += ` · ${t('sim_outcome', { outcome: m.outcome })}`;
    } else {
      meta = t('sim_meta_out', {
        template: m.template,
        segments: ctx.formatNumber(m.segments),
        encoding: encodingLabel(ctx, m.encoding),
        status: m.status,
      });
      li.dataset.template = m.template;
    }
    li.append(el('p', { class: 'bubble-meta', text: meta }));
    list.append(li);
  }
  $('sim-empty').hidden = view.items.size > 0;
  list.lastElementChild?.scrollIntoView({ block: 'nearest' });
}

async function poll(ctx) {
  if (!view.phone || view.off) return;
  const phone = view.phone;
  const q = `phone=${encodeURIComponent(phone)}&after_in=${view.afterIn}&after_out=${view.afterOut}`;
  const r = await ctx.api('GET', `/console/api/simulator/messages?${q}`);
  if (phone !== view.phone) return; // another number was picked meanwhile
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'sim-error', r);
    return;
  }
  let changed = false;
  for (const m of r.body.items) {
    const key = `${m.kind}:${m.id}`;
    const old = view.items.get(key);
    if (!old || old.status !== m.status) changed = true;
    view.items.set(key, m);
  }
  view.afterIn = r.body.next_after_in;
  view.afterOut = r.body.next_after_out;
  if (changed) renderChat(ctx);
}

function schedule(ctx) {
  clearTimeout(view.timer);
  view.timer = setTimeout(async () => {
    if (ctx.state.page !== 'simulator') return; // stops when the page is left
    await poll(ctx);
    schedule(ctx);
  }, POLL_MS);
}

async function pickNumber(ctx, phone) {
  view.phone = phone;
  view.items = new Map();
  view.afterIn = 0;
  view.afterOut = 0;
  view.pending = null;
  view.ussd = null;
  ctx.$('sim-error').textContent = '';
  renderChat(ctx);
  renderUssd(ctx);
  await poll(ctx);
}

export async function loadSimulator(ctx) {
  const { $, el } = ctx;
  if (!view.settings && !view.off) {
    const r = await ctx.api('GET', '/console/api/simulator');
    if (r.status === 404) view.off = true;
    else if (!r.ok) {
      if (r.status !== 401) showError(ctx, 'sim-error', r);
      return;
    } else {
      view.settings = r.body;
      const select = $('sim-number');
      select.replaceChildren(...view.settings.numbers.map((n) => el('option', { value: n, text: n })));
    }
  }
  $('sim-off').hidden = !view.off;
  $('sim-phone').hidden = view.off;
  if (view.off) return;
  renderRange(ctx);
  if (!view.phone) await pickNumber(ctx, $('sim-number').value);
  else await poll(ctx);
  schedule(ctx);
}

export async function sendSms(ctx, event) {
  event.preventDefault();
  const { $, t } = ctx;
  $('sim-error').textContent = '';
  const text = $('sim-text').value;
  if (!text.trim()) {
    $('sim-error').textContent = t('sim_error_empty');
    return;
  }
  if (view.sending) return; // a double click: the first send is still out
  // The same text again after a failure keeps its id: the server counts it once however often it arrives.
  if (!view.pending || view.pending.phone !== view.phone || view.pending.text !== text) view.pending = { phone: view.phone, text, id: newId() };
  const { phone, id } = view.pending;
  view.sending = true;
  $('sim-send').disabled = true;
  try {
    const r = await ctx.api('POST', '/console/api/simulator/sms', { phone, text, message_id: id });
    if (!r.ok) {
      if (r.status !== 401) showError(ctx, 'sim-error', r);
      return;
    }
    view.pending = null;
    $('sim-text').value = '';
    if (r.body.rate_limited) $('sim-error').textContent = t('sim_rate_limited');
    await poll(ctx);
  } finally {
    view.sending = false;
    $('sim-send').disabled = false;
    $('sim-text').focus();
  }
}

export async function changeNumber(ctx) {
  await pickNumber(ctx, ctx.$('sim-number').value);
}

// ---- USSD ----

function renderUssd(ctx) {
  const { $, t } = ctx;
  const u = view.ussd;
  $('sim-ussd-screen').textContent = u ? u.screen : t('sim_ussd_idle');
  const limits = view.settings?.ussd;
  if (u && limits) {
    // Arabic needs UCS-2, whose screens are shorter (conversation.ussd_ucs2_chars).
    const ucs2 = /[^\u0000-\u007f]/.test(u.screen);
    const chars = [...u.screen].length;
    $('sim-ussd-count').textContent = t('sim_ussd_count', { chars: ctx.formatNumber(chars), limit: ctx.formatNumber(ucs2 ? limits.ucs2_chars : limits.gsm7_chars) });
  } else {
    $('sim-ussd-count').textContent = '';
  }
  const live = !!u && !u.ended;
  $('sim-ussd-input').disabled = !live;
  $('sim-ussd-send').disabled = !live;
  $('sim-ussd-ended').hidden = !(u && u.ended);
}

async function ussdRequest(ctx, inputs) {
  const u = view.ussd;
  const r = await ctx.api('POST', '/console/api/simulator/ussd', { phone: view.phone, session: u.session, text: inputs.join('*') });
  if (view.ussd !== u) return; // redialled meanwhile
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'sim-ussd-error', r);
    return;
  }
  u.inputs = inputs;
  u.screen = r.body.screen;
  u.ended = r.body.ended;
  renderUssd(ctx);
  // What a menu did (an application, a cancellation) sends SMS too.
  await poll(ctx);
}

export async function dialUssd(ctx) {
  ctx.$('sim-ussd-error').textContent = '';
  view.ussd = { session: newId(), inputs: [], screen: '', ended: false };
  await ussdRequest(ctx, []);
  ctx.$('sim-ussd-input').focus();
}

export async function answerUssd(ctx, event) {
  event.preventDefault();
  const { $ } = ctx;
  $('sim-ussd-error').textContent = '';
  const u = view.ussd;
  const value = $('sim-ussd-input').value.trim();
  if (!u || u.ended || !value) return;
  $('sim-ussd-input').value = '';
  await ussdRequest(ctx, [...u.inputs, value]);
}

export function selectTab(ctx, which) {
  const { $ } = ctx;
  for (const name of ['sms', 'ussd']) {
    const on = name === which;
    $(`sim-tab-${name}`).setAttribute('aria-selected', on ? 'true' : 'false');
    $(`sim-tab-${name}`).tabIndex = on ? 0 : -1;
    $(`sim-panel-${name}`).hidden = !on;
  }
  $(`sim-tab-${which}`).focus();
}

// Left and right arrows move between the two tabs (the WAI-ARIA tabs pattern).
export function tabKeys(ctx, event) {
  if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
  event.preventDefault();
  selectTab(ctx, ctx.$('sim-tab-sms').getAttribute('aria-selected') === 'true' ? 'ussd' : 'sms');
}

export function rerenderSimulator(ctx) {
  if (view.off || !view.settings) return;
  renderRange(ctx);
  renderChat(ctx);
  renderUssd(ctx);
}
