// Creating a course, editing or rescheduling one after a preview of its SMS, and broadcasting an
// SMS to chosen card states of a course. The server checks every field and counts the SMS (as
// core/sms does); the page shows what it answers. Each form carries a one-time Idempotency-Key,
// kept while the form is resent and replaced after a success, so a double click acts once.
import { newKey, mayAct } from './common.js';

const AMMAN_OFFSET = '+03:00'; // Asia/Amman, UTC+3 all year
const COUNT_DELAY_MS = 250;
const EDIT_FIELDS = ['title_ar', 'title_en', 'location', 'start_at', 'end_at', 'decision_at', 'capacity', 'exam_url', 'evaluation_url'];
const TIME_FIELDS = ['start_at', 'end_at', 'decision_at'];

const forms = {
  createKey: newKey(),
  editKey: newKey(),
  broadcastKey: newKey(),
  course: null,
  pendingEdit: null, // the body the shown preview was made for
  countTimer: null,
  lastCount: null,
};

// "2026-12-20T16:00" (Amman) <-> "2026-12-20T13:00:00Z".
function toIso(local) {
  return local ? `${local}:00${AMMAN_OFFSET}` : '';
}
function toLocal(iso) {
  if (!iso) return '';
  const shifted = new Date(Date.parse(iso) + 3 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
}

// The server's message starts with the field's name: that field is marked and focused.
function showFieldError(ctx, form, errorId, r) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const message = r.body?.error?.message ?? '';
  const field = message.match(/^[A-Za-z_-]+/)?.[0] ?? '';
  const input = form.querySelector(`[data-field="${field}"]`);
  const label = input ? (form.querySelector(`label[for="${input.id}"]`)?.textContent ?? input.querySelector('legend')?.textContent ?? field) : '';
  const code = ctx.errorCode(r);
  const known = `error_${code}`;
  let text;
  if (input) text = ctx.t('error_field', { field: label, message });
  else if (known in ctx.state.strings) text = ctx.t(known, { message });
  else text = message ? ctx.t('error_with_message', { code, message }) : ctx.t('error_generic', { code });
  ctx.$(errorId).textContent = text;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    // A group of boxes (the states) takes the focus on its first box.
    (input.tagName === 'FIELDSET' ? input.querySelector('input') ?? input : input).focus();
  }
}

function clearErrors(ctx, form, errorId) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  ctx.$(errorId).textContent = '';
}

// ---- create ----

export function showCreate(ctx) {
  clearErrors(ctx, ctx.$('create-form'), 'create-error');
}

export async function createCourse(ctx, event) {
  event.preventDefault();
  const form = ctx.$('create-form');
  clearErrors(ctx, form, 'create-error');
  const body = {};
  for (const input of form.querySelectorAll('[data-field]')) {
    const name = input.dataset.field;
    const value = input.value.trim();
    if (TIME_FIELDS.includes(name)) {
      if (value) body[name] = toIso(value);
    } else if (name === 'min_participants' || name === 'capacity') {
      if (value) body[name] = /^\d+$/.test(value) ? Number(value) : value;
    } else if (value || name === 'code' || name === 'title_ar' || name === 'title_en' || name === 'location' || name === 'evaluation_url') {
      body[name] = value;
    }
  }
  const button = ctx.$('create-submit');
  button.disabled = true;
  const r = await ctx.api('POST', '/console/api/courses', body, { 'Idempotency-Key': forms.createKey });
  button.disabled = false;
  if (!r.ok) return showFieldError(ctx, form, 'create-error', r);
  forms.createKey = newKey();
  form.reset();
  ctx.setStatus(ctx.t('course_created', { code: r.body.code }));
  location.hash = `#/course/${r.body.id}`;
}

// ---- edit and reschedule ----

function fillEdit(ctx, c) {
  const values = {
    title_ar: c.title_ar,
    title_en: c.title_en,
    location: c.location,
    start_at: toLocal(c.start_at),
    end_at: toLocal(c.end_at),
    decision_at: toLocal(c.decision_at),
    capacity: c.capacity === null ? '' : String(c.capacity),
    exam_url: c.exam_url ?? '',
    evaluation_url: c.evaluation_url ?? '',
  };
  for (const name of EDIT_FIELDS) ctx.$(`edit-${name}`).value = values[name];
  return values;
}

// Only what the operator changed goes to the server.
function editBody(ctx) {
  const c = forms.course;
  const before = {
    title_ar: c.title_ar,
    title_en: c.title_en,
    location: c.location,
    start_at: toLocal(c.start_at),
    end_at: toLocal(c.end_at),
    decision_at: toLocal(c.decision_at),
    capacity: c.capacity === null ? '' : String(c.capacity),
    exam_url: c.exam_url ?? '',
    evaluation_url: c.evaluation_url ?? '',
  };
  const body = {};
  for (const name of EDIT_FIELDS) {
    const value = ctx.$(`edit-${name}`).value.trim();
    if (value === before[name]) continue;
    if (TIME_FIELDS.includes(name)) body[name] = toIso(value);
    else if (name === 'capacity') body[name] = value === '' ? null : /^\d+$/.test(value) ? Number(value) : value;
    else body[name] = value;
  }
  return body;
}

function shownValue(ctx, name, value) {
  if (value === null) return name === 'capacity' ? ctx.t('capacity_none') : '—';
  if (TIME_FIELDS.includes(name)) return ctx.formatTime(value);
  if (name === 'status') return ctx.t(`status_${value}`);
  return String(value);
}

function renderPreview(ctx, p) {
  const { t, el, $ } = ctx;
  const list = $('edit-changes');
  list.replaceChildren();
  const changes = Object.entries(p.changes);
  if (changes.length === 0) list.append(el('li', { text: t('preview_no_change') }));
  for (const [name, { before, after }] of changes) {
    const label = t(`field_${name}`) === `field_${name}` ? name : t(`field_${name}`);
    list.append(el('li', { 'data-field': name, text: t('preview_change_item', { field: label, before: shownValue(ctx, name, before), after: shownValue(ctx, name, after) }) }));
  }
  const box = $('edit-sms');
  box.replaceChildren();
  if (p.seats) {
    const s = p.seats;
    box.append(
      el('p', {
        id: 'edit-seats',
        text: t('preview_seats', { count: ctx.formatNumber(s.offered), waitlisted: ctx.formatNumber(s.waitlisted), skipped: ctx.formatNumber(s.skipped_opted_out) }),
      }),
    );
    const line = el('ol', { id: 'edit-seats-list', class: 'results' });
    for (const a of s.applicants) line.append(el('li', { 'data-id': a.id }, `${a.name} `, ctx.ltr(a.phone)));
    box.append(line);
  }
  if (!p.sms) {
    if (!p.seats) box.append(el('p', { id: 'edit-sms-none', text: t('preview_no_sms') }));
  } else {
    const r = p.sms.recipients;
    box.append(
      el('p', {
        id: 'edit-sms-recipients',
        text: t('preview_recipients', { total: ctx.formatNumber(r.total), ar: ctx.formatNumber(r.ar), en: ctx.formatNumber(r.en), skipped: ctx.formatNumber(p.sms.skipped_opted_out) }),
      }),
    );
    for (const lang of ['ar', 'en']) {
      const m = p.sms.texts[lang];
      if (!m) continue;
      const fig = el('figure', { class: 'sms-preview', 'data-lang': lang });
      fig.append(
        el('figcaption', { text: t(`preview_sms_${lang}`, { segments: ctx.formatNumber(m.segments), encoding: t(`encoding_${m.encoding}`) }) }),
        el('p', { class: 'bubble', dir: lang === 'ar' ? 'rtl' : 'ltr', lang, text: m.text }),
      );
      box.append(fig);
    }
  }
  $('edit-preview-box').hidden = false;
}

export async function previewEdit(ctx, event) {
  event.preventDefault();
  const form = ctx.$('edit-form');
  clearErrors(ctx, form, 'edit-error');
  ctx.$('edit-preview-box').hidden = true;
  const body = editBody(ctx);
  if (Object.keys(body).length === 0) {
    ctx.$('edit-error').textContent = ctx.t('preview_no_change');
    return;
  }
  const r = await ctx.api('POST', `/console/api/courses/${forms.course.id}/preview`, body);
  if (!r.ok) return showFieldError(ctx, form, 'edit-error', r);
  forms.pendingEdit = body;
  renderPreview(ctx, r.body);
  ctx.$('edit-save').focus();
}

export async function saveEdit(ctx, reload) {
  const form = ctx.$('edit-form');
  const body = forms.pendingEdit;
  if (!body) return;
  // What was previewed is what is saved: a field changed since needs a new preview.
  if (JSON.stringify(editBody(ctx)) !== JSON.stringify(body)) {
    ctx.$('edit-preview-box').hidden = true;
    ctx.$('edit-error').textContent = ctx.t('preview_again');
    return;
  }
  const button = ctx.$('edit-save');
  button.disabled = true;
  const r = await ctx.api('PATCH', `/console/api/courses/${forms.course.id}`, body, { 'Idempotency-Key': forms.editKey });
  button.disabled = false;
  if (!r.ok) return showFieldError(ctx, form, 'edit-error', r);
  forms.editKey = newKey();
  forms.pendingEdit = null;
  ctx.$('edit-preview-box').hidden = true;
  ctx.setStatus(ctx.t('course_saved', { code: r.body.code }));
  await reload();
}

// ---- broadcast ----

function chosenStates(ctx) {
  return Array.from(ctx.$('broadcast-states').querySelectorAll('input:checked'), (i) => i.value);
}

function broadcastBody(ctx) {
  return { states: chosenStates(ctx), text_ar: ctx.$('broadcast-text_ar').value, text_en: ctx.$('broadcast-text_en').value };
}

function renderCount(ctx) {
  const p = forms.lastCount;
  const { t, $ } = ctx;
  for (const lang of ['ar', 'en']) {
    const out = $(`broadcast-count-${lang}`);
    if (!p) {
      out.textContent = '';
      continue;
    }
    const m = p.texts[lang];
    out.textContent = t('broadcast_count', { segments: ctx.formatNumber(m.segments), max: ctx.formatNumber(p.max_segments), encoding: t(`encoding_${m.encoding}`), units: ctx.formatNumber(m.units) });
    out.classList.toggle('over', m.segments > p.max_segments);
    out.dataset.segments = String(m.segments);
    out.dataset.encoding = m.encoding;
  }
  $('broadcast-recipients').textContent = p
    ? t('broadcast_recipients', { count: ctx.formatNumber(p.recipients), ar: ctx.formatNumber(p.by_language.ar), en: ctx.formatNumber(p.by_language.en), skipped: ctx.formatNumber(p.skipped_opted_out) })
    : '';
  if (p) $('broadcast-recipients').dataset.count = String(p.recipients);
}

// The live counter: the server counts as core/sms does, a moment after the typing stops.
export function countLater(ctx) {
  clearTimeout(forms.countTimer);
  forms.countTimer = setTimeout(() => countNow(ctx), COUNT_DELAY_MS);
}

async function countNow(ctx) {
  if (!forms.course) return;
  const r = await ctx.api('POST', `/console/api/courses/${forms.course.id}/broadcast/preview`, broadcastBody(ctx));
  if (!r.ok) return;
  forms.lastCount = r.body;
  renderCount(ctx);
}

export async function sendBroadcast(ctx, event) {
  event.preventDefault();
  const form = ctx.$('broadcast-form');
  clearErrors(ctx, form, 'broadcast-error');
  const body = broadcastBody(ctx);
  await countNow(ctx);
  const count = forms.lastCount?.recipients ?? 0;
  if (!window.confirm(ctx.t('confirm_broadcast', { count: ctx.formatNumber(count) }))) return;
  const button = ctx.$('broadcast-send');
  button.disabled = true;
  const r = await ctx.api('POST', `/console/api/courses/${forms.course.id}/broadcast`, body, { 'Idempotency-Key': forms.broadcastKey });
  button.disabled = false;
  if (!r.ok) return showFieldError(ctx, form, 'broadcast-error', r);
  forms.broadcastKey = newKey();
  ctx.setStatus(
    r.body.replayed ? ctx.t('broadcast_replayed') : ctx.t('broadcast_sent', { count: ctx.formatNumber(r.body.sent), skipped: ctx.formatNumber(r.body.skipped_opted_out) }),
  );
  form.reset();
  for (const box of form.querySelectorAll('input[type=checkbox]')) box.checked = false;
  forms.lastCount = null;
  renderCount(ctx);
}

// The Course page's tools, for roles that may act; called with each loaded course.
export function renderCourseTools(ctx, course) {
  const tools = ctx.$('course-tools');
  tools.hidden = !mayAct(ctx);
  if (tools.hidden) return;
  const changed = forms.course?.id !== course.id;
  forms.course = course;
  if (changed) {
    fillEdit(ctx, course);
    forms.pendingEdit = null;
    forms.lastCount = null;
    ctx.$('edit-preview-box').hidden = true;
    ctx.$('broadcast-form').reset();
    clearErrors(ctx, ctx.$('edit-form'), 'edit-error');
    clearErrors(ctx, ctx.$('broadcast-form'), 'broadcast-error');
  } else if (!forms.pendingEdit) {
    fillEdit(ctx, course);
  }
  renderStates(ctx);
  renderCount(ctx);
}

function renderStates(ctx) {
  const { t, el, $ } = ctx;
  const box = $('broadcast-states');
  const checked = new Set(chosenStates(ctx));
  for (const old of box.querySelectorAll('div')) old.remove();
  for (const s of ctx.STATES) {
    const id = `broadcast-state-${s}`;
    const input = el('input', { type: 'checkbox', id, value: s, name: 'states' });
    input.checked = checked.has(s);
    input.addEventListener('change', () => countLater(ctx));
    const n = forms.course?.tally?.[s] ?? 0;
    box.append(el('div', { class: 'check' }, input, el('label', { for: id, text: t('broadcast_state_item', { state: t(`state_${s}`), count: ctx.formatNumber(n) }) })));
  }
}

// After a language switch.
export function rerenderCourseTools(ctx) {
  if (ctx.state.page === 'course' && forms.course) {
    renderStates(ctx);
    renderCount(ctx);
    if (!ctx.$('edit-preview-box').hidden) ctx.$('edit-preview-box').hidden = true;
  }
}
