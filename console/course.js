// The Course and Application pages, and the search by phone. app.js hands over its helpers (ctx);
// the server masks numbers for viewers and refuses their actions, the page only hides the buttons.
import { renderCourseTools } from './course_edit.js';
import { mayAct } from './common.js';

const LIVE = ['awaiting_quorum', 'awaiting_exam', 'awaiting_payment', 'confirmed', 'waitlisted'];
const PAGE_SIZE = 50;

const page = {
  course: null,
  applicants: [],
  next: null,
  filter: { state: '', q: '' },
  application: null,
};

function applicantsQuery(extra = {}) {
  const p = new URLSearchParams();
  if (page.filter.state) p.set('state', page.filter.state);
  if (page.filter.q) p.set('q', page.filter.q);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function detail(ctx, dl, key, value, attrs = {}) {
  dl.append(ctx.el('div', attrs, ctx.el('dt', { text: ctx.t(key) }), ctx.el('dd', { text: value })));
}

function showError(ctx, id, r) {
  const code = ctx.errorCode(r);
  const key = `error_${code}`;
  $text(ctx, id, key in ctx.state.strings ? ctx.t(key, { message: r.body?.error?.message ?? '' }) : ctx.t('error_generic', { code }));
}

function $text(ctx, id, text) {
  ctx.$(id).textContent = text;
}

function renderCourse(ctx) {
  const c = page.course;
  if (!c) return;
  const { t, el, $ } = ctx;
  $('course-title').textContent = t('course_details_title', { code: c.code, title: ctx.courseTitle(c) });
  const dl = $('course-details');
  dl.replaceChildren();
  detail(ctx, dl, 'dates', `${ctx.formatTime(c.start_at)} – ${ctx.formatTime(c.end_at)}`);
  detail(ctx, dl, 'location', c.location);
  const cap = c.capacity === null ? t('capacity_none') : ctx.formatNumber(c.capacity);
  detail(ctx, dl, 'min_capacity', `${ctx.formatNumber(c.min_participants)} / ${cap}`);
  detail(ctx, dl, 'quorum', t('quorum_progress', { active: ctx.formatNumber(c.active), min: ctx.formatNumber(c.min_participants) }));
  detail(ctx, dl, 'fee', c.fee_jod === '0.000' ? t('fee_free') : t('fee_value', { amount: c.fee_jod }));
  detail(ctx, dl, 'exam', c.prerequisite ? t('exam_value', { name: c.prerequisite }) : t('exam_none'));
  detail(ctx, dl, 'decision_at', ctx.formatTime(c.decision_at));
  detail(ctx, dl, 'course_status', t(`status_${c.status}`), { id: 'course-status' });

  const select = $('filter-state');
  select.replaceChildren(el('option', { value: '', text: t('filter_all') }));
  for (const s of ctx.STATES) {
    const o = el('option', { value: s, text: t(`state_${s}`) });
    if (s === page.filter.state) o.selected = true;
    select.append(o);
  }
  $('filter-q').value = page.filter.q;
  $('export-link').href = `/console/api/courses/${c.id}/export${applicantsQuery()}`;
  renderApplicants(ctx);
  renderCourseTools(ctx, c);
}

function renderApplicants(ctx) {
  const { t, el, $ } = ctx;
  const tbody = $('applicants-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const a of page.applicants) {
    const actions = el('td');
    if (mayAct(ctx) && LIVE.includes(a.state)) {
      const b = el('button', { type: 'button', class: 'danger', 'data-action': 'cancel', 'aria-label': t('cancel_named', { name: a.name }), text: t('cancel_application') });
      b.addEventListener('click', () => cancelApplication(ctx, a, b));
      actions.append(b);
    }
    if (mayAct(ctx) && page.course?.prerequisite && a.state === 'awaiting_exam') {
      const b = el('button', { type: 'button', 'data-action': 'pass', 'aria-label': t('record_pass_named', { name: a.name }), text: t('record_pass') });
      b.addEventListener('click', () => recordPass(ctx, a, b));
      actions.append(' ', b);
    }
    const name = el('a', { href: `#/application/${a.id}`, text: a.name });
    tbody.append(
      el(
        'tr',
        { 'data-application-id': a.id, 'data-state': a.state },
        el('td', {}, ctx.ltr(String(a.seq))),
        el('td', {}, name),
        el('td', { class: 'number' }, ctx.ltr(a.phone)),
        el('td', { class: 'number' }, ctx.ltr(a.id_number)),
        el('td', { text: t(`state_${a.state}`) }),
        el('td', { class: 'number' }, ctx.ltr(a.billing_number ?? '')),
        actions,
      ),
    );
  }
  $('applicants-empty').hidden = page.applicants.length > 0;
  $('applicants-more').hidden = page.next === null;
}

async function loadApplicants(ctx, more) {
  $text(ctx, 'applicants-error', '');
  const extra = { limit: String(PAGE_SIZE) };
  if (more && page.next !== null) extra.after = String(page.next);
  const r = await ctx.api('GET', `/console/api/courses/${page.course.id}/applications${applicantsQuery(extra)}`);
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'applicants-error', r);
    return;
  }
  page.applicants = more ? page.applicants.concat(r.body.items) : r.body.items;
  page.next = r.body.next_after;
  renderApplicants(ctx);
}

export async function loadCourse(ctx, id) {
  if (!page.course || String(page.course.id) !== String(id)) {
    page.filter = { state: '', q: '' };
    page.applicants = [];
  }
  const r = await ctx.api('GET', `/console/api/courses/${encodeURIComponent(id)}`);
  if (!r.ok) {
    if (r.status !== 401) ctx.setStatus(ctx.t('error_generic', { code: ctx.errorCode(r) }));
    return;
  }
  page.course = r.body;
  renderCourse(ctx);
  await loadApplicants(ctx, false);
}

async function cancelApplication(ctx, a, button) {
  if (!window.confirm(ctx.t('confirm_cancel', { name: a.name }))) return;
  // One click is enough: the button stays off while the request runs (the server cancels once anyway).
  button.disabled = true;
  const r = await ctx.api('POST', `/console/api/applications/${a.id}/cancel`, {});
  if (r.ok) ctx.setStatus(ctx.t('application_cancelled', { name: a.name }));
  else showError(ctx, 'applicants-error', r);
  await loadCourse(ctx, page.course.id);
}

async function recordPass(ctx, a, button) {
  if (!window.confirm(ctx.t('confirm_pass', { name: a.name, prerequisite: page.course.prerequisite }))) return;
  button.disabled = true;
  const r = await ctx.api('POST', `/console/api/applications/${a.id}/prerequisite`, {});
  if (r.ok) ctx.setStatus(ctx.t(r.body.recorded ? 'pass_recorded' : 'pass_known', { name: a.name }));
  else showError(ctx, 'applicants-error', r);
  await loadCourse(ctx, page.course.id);
}

export async function filterApplicants(ctx, event) {
  event.preventDefault();
  page.filter = { state: ctx.$('filter-state').value, q: ctx.$('filter-q').value.trim() };
  ctx.$('export-link').href = `/console/api/courses/${page.course.id}/export${applicantsQuery()}`;
  await loadApplicants(ctx, false);
}

export async function moreApplicants(ctx) {
  await loadApplicants(ctx, true);
}

function renderApplication(ctx) {
  const v = page.application;
  if (!v) return;
  const { t, el, $ } = ctx;
  const a = v.application;
  $('application-title').textContent = a.name;
  $('application-back').href = `#/course/${v.course.id}`;
  const dl = $('application-details');
  dl.replaceChildren();
  detail(ctx, dl, 'course', `${v.course.code} ${ctx.courseTitle(v.course)}`);
  detail(ctx, dl, 'state', t(`state_${a.state}`), { id: 'application-state' });
  detail(ctx, dl, 'phone', a.phone, { class: 'number' });
  detail(ctx, dl, 'document', a.id_number, { class: 'number' });
  detail(ctx, dl, 'channel', a.channel);
  detail(ctx, dl, 'language', a.language);
  detail(ctx, dl, 'created_at', ctx.formatTime(a.created_at));
  if (v.masked) dl.append(el('p', { class: 'hint', text: t('masked_note') }));

  const ol = $('application-timeline');
  ol.replaceChildren();
  for (const h of v.history) {
    const vars = { when: ctx.formatTime(h.at), from: h.from ? t(`state_${h.from}`) : '', to: t(`state_${h.to}`), step: h.step, event: h.event };
    ol.append(el('li', { 'data-step': h.step, text: t(h.from ? 'timeline_item' : 'timeline_received', vars) }));
  }

  const box = $('application-messages');
  box.replaceChildren();
  if (v.messages.length === 0) box.append(el('p', { text: t('messages_none') }));
  for (const m of v.messages) {
    const d = el('details', { class: 'sms', 'data-template': m.template });
    d.append(el('summary', { text: t('sms_summary', { when: ctx.formatTime(m.created_at), template: m.template, step: m.step, status: m.status }) }));
    const info = el('dl', { class: 'details' });
    detail(ctx, info, 'phone', m.to, { class: 'number' });
    detail(ctx, info, 'sms_provider', m.provider || '—');
    detail(ctx, info, 'sms_delivery', m.delivery_status ? `${m.delivery_status} ${m.delivery_error} ${ctx.formatTime(m.delivery_at)}`.trim() : '—');
    if (m.last_error) detail(ctx, info, 'sms_error', m.last_error);
    detail(ctx, info, 'sms_text', m.text);
    d.append(info, el('h4', { text: t('sms_exchanges') }));
    if (m.channel_log.length === 0) d.append(el('p', { text: t('sms_no_exchange') }));
    for (const e of m.channel_log) {
      d.append(el('pre', { dir: 'ltr', text: `${ctx.formatTime(e.at)} ${e.provider} ${e.outcome} ${e.http_status} (${e.elapsed_ms} ms)\n${e.request}\n\n${e.response}` }));
    }
    for (const rep of m.reports) d.append(el('p', { text: `${ctx.formatTime(rep.at)} ${rep.provider}: ${rep.status} ${rep.error_code} ${rep.detail}` }));
    box.append(d);
  }

  const bill = $('application-bill');
  bill.replaceChildren();
  if (!v.bill) bill.append(el('p', { text: t('bill_none') }));
  else {
    detail(ctx, bill, 'billing_number', v.bill.billing_number, { class: 'number' });
    detail(ctx, bill, 'bill_amount', t('fee_value', { amount: v.bill.amount_jod }));
    detail(ctx, bill, 'bill_issued', ctx.formatTime(v.bill.issued_at));
    detail(ctx, bill, 'bill_due', ctx.formatTime(v.bill.due_at));
  }
  const pay = $('application-payments');
  pay.replaceChildren();
  if (v.bill && v.payments.length === 0) pay.append(el('li', { text: t('payments_none') }));
  for (const p of v.payments)
    pay.append(el('li', { text: t('payment_item', { when: ctx.formatTime(p.received_at), paid: p.paid_jod, trx: p.joebpps_trx, outcome: p.outcome }) }));
}

export async function loadApplication(ctx, id) {
  const r = await ctx.api('GET', `/console/api/applications/${encodeURIComponent(id)}`);
  if (!r.ok) {
    if (r.status !== 401) ctx.setStatus(ctx.t('error_generic', { code: ctx.errorCode(r) }));
    return;
  }
  page.application = r.body;
  renderApplication(ctx);
}

export async function findByPhone(ctx, event) {
  event.preventDefault();
  const { t, el, $ } = ctx;
  $text(ctx, 'find-error', '');
  const list = $('find-results');
  list.replaceChildren();
  const phone = $('find-phone').value.trim();
  if (!phone) return;
  const r = await ctx.api('GET', `/console/api/applications?phone=${encodeURIComponent(phone)}`);
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'find-error', r);
    return;
  }
  if (r.body.items.length === 0) list.append(el('li', { text: t('find_none') }));
  const courses = new Map((ctx.state.overview?.courses ?? []).map((c) => [c.id, c]));
  for (const a of r.body.items) {
    const c = courses.get(a.course_id);
    const label = t('find_item', { name: a.name, course: c ? `${c.code} ${ctx.courseTitle(c)}` : String(a.course_id), state: t(`state_${a.state}`) });
    list.append(el('li', {}, el('a', { href: `#/application/${a.id}`, 'data-application-id': a.id, text: label })));
  }
}

// After a language switch: the same data in the other language.
export function rerender(ctx) {
  if (ctx.state.page === 'course') renderCourse(ctx);
  if (ctx.state.page === 'application') renderApplication(ctx);
}
