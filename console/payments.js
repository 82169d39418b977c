// The Payments page: eFAWATEERcom payments of one statement day (today in Amman unless a date is
// picked) with the day's count, total and refunds (settled ones marked), the refunds still to
// return with their count and sum, and the open bills, soonest due first. The lists page on by
// the server's next_after key. An operator settles a refund with the bank transfer's or cheque's
// reference: each row's form keeps one Idempotency-Key until it succeeds, so a double click
// settles once. app.js hands over its helpers (ctx).
import { newKey, mayAct } from './common.js';

const PAGE_SIZE = 50;

const view = {
  day: null, // the last answer for the day: {date, count, total_jod, refunds, totals}
  payments: [],
  paymentsNext: null,
  refunds: null, // {count, total_jod}
  refundItems: [],
  refundsNext: null,
  settleKeys: new Map(), // JOEBPPSTrx -> the Idempotency-Key of its settle form
  refundErrors: new Map(), // JOEBPPSTrx -> {text, field}: the server's last refusal, shown by the field
  bills: null, // {count, total_jod, masked}
  billItems: [],
  billsNext: null,
};

function cell(ctx, content, number = false) {
  const td = ctx.el('td', number ? { class: 'number' } : {});
  td.append(content);
  return td;
}

function outcomeLabel(ctx, outcome) {
  const key = `outcome_${outcome.replace(':', '_')}`;
  return key in ctx.state.strings ? ctx.t(key) : outcome;
}

// Why a refund is owed, in words ("refund:expired" -> "Bill expired").
function reasonLabel(ctx, outcome) {
  const key = `reason_${outcome.replace(/^refund:/, '')}`;
  return key in ctx.state.strings ? ctx.t(key) : outcomeLabel(ctx, outcome);
}

function showError(ctx, id, r) {
  const msg = r.body?.error?.message ?? '';
  ctx.$(id).textContent = r.body?.error?.code === 'invalid_query' ? ctx.t('error_invalid_query', { message: msg }) : ctx.t('error_generic', { code: ctx.errorCode(r) });
}

function renderDay(ctx) {
  const { t, $, el } = ctx;
  const d = view.day;
  if (!d) return;
  $('payments-date').value = d.date;
  const dl = $('payments-summary');
  dl.replaceChildren();
  const item = (key, value) => dl.append(el('div', {}, el('dt', { text: t(key) }), el('dd', {}, value)));
  item('payments_count', ctx.ltr(ctx.formatNumber(d.count)));
  item('payments_total', ctx.ltr(t('amount_jod_value', { amount: d.total_jod })));
  item('refunds_of_day', ctx.ltr(t('refunds_value', { count: ctx.formatNumber(d.refunds.count), amount: d.refunds.paid_jod })));
  const body = $('payments-table').tBodies[0];
  body.replaceChildren();
  for (const p of view.payments) {
    const tr = el('tr', p.refund ? { class: p.settlement ? 'refund settled' : 'refund' } : {});
    const outcome = cell(ctx, outcomeLabel(ctx, p.outcome));
    if (p.settlement) {
      outcome.append(
        el('br'),
        el('span', { class: 'settled-mark' }, t('refund_settled'), ' ', ctx.ltr(p.settlement.reference)),
      );
    } else if (p.refund) {
      outcome.append(el('br'), el('span', { class: 'unsettled-mark', text: t('refund_unsettled') }));
    }
    tr.append(
      cell(ctx, ctx.formatTime(p.received_at)),
      cell(ctx, ctx.ltr(p.joebpps_trx), true),
      cell(ctx, ctx.ltr(p.billing_number), true),
      cell(ctx, ctx.ltr(p.paid_jod), true),
      outcome,
    );
    body.append(tr);
  }
  $('payments-empty').hidden = view.payments.length > 0;
  $('payments-more').hidden = !view.paymentsNext;
}

// One refund's settle form: a labelled reference field, its error under it, and the button.
function settleForm(ctx, r, n, typed) {
  const { t, el } = ctx;
  const inputId = `refund-ref-${n}`;
  const errorId = `refund-error-${n}`;
  const input = el('input', { id: inputId, name: 'reference', type: 'text', maxlength: '100', autocomplete: 'off', 'data-field': 'reference', 'aria-describedby': errorId });
  const shown = view.refundErrors.get(r.joebpps_trx);
  if (shown?.field) input.setAttribute('aria-invalid', 'true');
  input.value = typed ?? shown?.value ?? '';
  const form = el(
    'form',
    { class: 'settle', 'data-trx': r.joebpps_trx, novalidate: '' },
    el('label', { for: inputId, text: t('settle_reference') }),
    input,
    el('p', { id: errorId, class: 'error', role: 'alert', text: shown?.text ?? '' }),
    el('button', { type: 'submit', text: t('settle_button') }),
  );
  form.addEventListener('submit', (e) => settle(ctx, e, r, form, input));
  return form;
}

function renderRefunds(ctx) {
  const { t, $, el } = ctx;
  const s = view.refunds;
  if (!s) return;
  $('refunds-summary').textContent = t('refunds_summary', { count: ctx.formatNumber(s.count), amount: s.total_jod });
  const acting = mayAct(ctx);
  $('refunds-settle-head').hidden = !acting;
  // What is typed in a row's form survives a re-render (another row settled, the language switched).
  const typed = new Map();
  for (const f of $('refunds-table').querySelectorAll('form.settle')) typed.set(f.dataset.trx, f.elements.reference.value);
  const body = $('refunds-table').tBodies[0];
  body.replaceChildren();
  view.refundItems.forEach((r, n) => {
    const tr = el(
      'tr',
      { 'data-trx': r.joebpps_trx },
      cell(ctx, ctx.formatTime(r.received_at)),
      cell(ctx, ctx.ltr(r.stmt_date), true),
      cell(ctx, ctx.ltr(r.billing_number), true),
      cell(ctx, ctx.ltr(r.paid_jod), true),
      cell(ctx, reasonLabel(ctx, r.outcome)),
    );
    if (acting) tr.append(cell(ctx, settleForm(ctx, r, n, typed.get(r.joebpps_trx))));
    body.append(tr);
  });
  $('refunds-empty').hidden = view.refundItems.length > 0;
  $('refunds-more').hidden = !view.refundsNext;
}

// The server's refusal, by the field its message names ("reference: ...") or for the row.
function refusal(ctx, r) {
  const code = ctx.errorCode(r);
  const message = r.body?.error?.message ?? '';
  if (message.startsWith('reference:')) return { field: 'reference', text: ctx.t('error_field', { field: ctx.t('settle_reference'), message: message.replace(/^reference:\s*/, '') }) };
  const key = `error_${code}`;
  if (key in ctx.state.strings) return { text: ctx.t(key, { message }) };
  return { text: message ? ctx.t('error_with_message', { code, message }) : ctx.t('error_generic', { code }) };
}

async function settle(ctx, event, r, form, input) {
  event.preventDefault();
  const trx = r.joebpps_trx;
  if (!view.settleKeys.has(trx)) view.settleKeys.set(trx, newKey());
  const button = form.querySelector('button');
  button.disabled = true;
  const res = await ctx.api('POST', `/console/api/refunds/${encodeURIComponent(trx)}/settle`, { reference: input.value }, { 'Idempotency-Key': view.settleKeys.get(trx) });
  button.disabled = false;
  if (res.status === 401) return; // api() went back to the sign-in page
  if (!res.ok) {
    const shown = refusal(ctx, res);
    view.refundErrors.set(trx, { ...shown, value: input.value });
    form.querySelector('.error').textContent = shown.text;
    if (shown.field) input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  view.settleKeys.delete(trx);
  view.refundErrors.delete(trx);
  ctx.setStatus(ctx.t(res.body.already ? 'refund_settled_before' : 'refund_settled_now', { trx, reference: res.body.reference }));
  await Promise.all([fetchRefunds(ctx), view.day ? fetchDay(ctx, view.day.date) : Promise.resolve()]);
  // The row is gone: the focus goes to the list's summary, which says what is left.
  ctx.$('refunds-summary').focus();
}

function renderBills(ctx) {
  const { t, $, el } = ctx;
  const b = view.bills;
  if (!b) return;
  $('bills-summary').textContent = t('bills_summary', { count: ctx.formatNumber(b.count), amount: b.total_jod });
  const body = $('bills-table').tBodies[0];
  body.replaceChildren();
  for (const a of view.billItems) {
    const link = el('a', { href: `#/application/${a.application_id}`, text: a.name });
    const due = ctx.formatTime(a.due_at) + (a.overdue ? ` (${t('overdue')})` : '');
    body.append(
      el(
        'tr',
        {},
        cell(ctx, due),
        cell(ctx, link),
        cell(ctx, ctx.ltr(a.phone), true),
        cell(ctx, ctx.ltr(a.billing_number), true),
        cell(ctx, ctx.ltr(a.amount_jod), true),
      ),
    );
  }
  $('bills-empty').hidden = view.billItems.length > 0;
  $('bills-more').hidden = !view.billsNext;
}

// One page of a key-paged list (after the key `after`, or the first): the server's answer, or
// null once the error is shown by the list (`errorId`).
async function fetchPage(ctx, path, errorId, after, params = {}) {
  const p = new URLSearchParams({ ...params, limit: String(PAGE_SIZE) });
  if (after) p.set('after', after);
  const r = await ctx.api('GET', `${path}?${p}`);
  if (!r.ok) {
    showError(ctx, errorId, r);
    return null;
  }
  ctx.$(errorId).textContent = '';
  return r.body;
}

async function fetchDay(ctx, date, after) {
  const body = await fetchPage(ctx, '/console/api/payments', 'payments-error', after, date ? { date } : {});
  if (!body) return;
  view.day = body;
  view.payments = after ? view.payments.concat(body.items) : body.items;
  view.paymentsNext = body.next_after;
  renderDay(ctx);
}

async function fetchRefunds(ctx, after) {
  const body = await fetchPage(ctx, '/console/api/refunds', 'refunds-error', after);
  if (!body) return;
  view.refunds = body;
  view.refundItems = after ? view.refundItems.concat(body.items) : body.items;
  view.refundsNext = body.next_after;
  renderRefunds(ctx);
}

async function fetchBills(ctx, after) {
  const body = await fetchPage(ctx, '/console/api/bills', 'bills-error', after);
  if (!body) return;
  view.bills = body;
  view.billItems = after ? view.billItems.concat(body.items) : body.items;
  view.billsNext = body.next_after;
  renderBills(ctx);
}

export async function loadPayments(ctx) {
  await Promise.all([fetchDay(ctx, view.day?.date ?? ''), fetchRefunds(ctx), fetchBills(ctx)]);
}

export async function pickDay(ctx, event) {
  event.preventDefault();
  await fetchDay(ctx, ctx.$('payments-date').value);
}

export async function morePayments(ctx) {
  if (view.paymentsNext) await fetchDay(ctx, view.day.date, view.paymentsNext);
}

export async function moreRefunds(ctx) {
  if (view.refundsNext) await fetchRefunds(ctx, view.refundsNext);
}

export async function moreBills(ctx) {
  if (view.billsNext) await fetchBills(ctx, view.billsNext);
}

export function rerenderPayments(ctx) {
  renderDay(ctx);
  renderRefunds(ctx);
  renderBills(ctx);
}
