// The Payments page: eFAWATEERcom payments of one statement day (today in Amman unless a date is
// picked) with the day's count, total and refunds, and the open bills, soonest due first. Both
// lists page on by the server's next_after key. app.js hands over its helpers (ctx).
const PAGE_SIZE = 50;

const view = {
  day: null, // the last answer for the day: {date, count, total_jod, refunds, totals}
  payments: [],
  paymentsNext: null,
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
  item('refunds_to_settle', ctx.ltr(t('refunds_value', { count: ctx.formatNumber(d.refunds.count), amount: d.refunds.paid_jod })));
  const body = $('payments-table').tBodies[0];
  body.replaceChildren();
  for (const p of view.payments) {
    const tr = el('tr', p.refund ? { class: 'refund' } : {});
    tr.append(
      cell(ctx, ctx.formatTime(p.received_at)),
      cell(ctx, ctx.ltr(p.joebpps_trx), true),
      cell(ctx, ctx.ltr(p.billing_number), true),
      cell(ctx, ctx.ltr(p.paid_jod), true),
      cell(ctx, outcomeLabel(ctx, p.outcome)),
    );
    body.append(tr);
  }
  $('payments-empty').hidden = view.payments.length > 0;
  $('payments-more').hidden = !view.paymentsNext;
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

async function fetchDay(ctx, date, after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (date) p.set('date', date);
  if (after) p.set('after', after);
  const r = await ctx.api('GET', `/console/api/payments?${p}`);
  if (!r.ok) {
    showError(ctx, 'payments-error', r);
    return;
  }
  ctx.$('payments-error').textContent = '';
  view.day = r.body;
  view.payments = after ? view.payments.concat(r.body.items) : r.body.items;
  view.paymentsNext = r.body.next_after;
  renderDay(ctx);
}

async function fetchBills(ctx, after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (after) p.set('after', after);
  const r = await ctx.api('GET', `/console/api/bills?${p}`);
  if (!r.ok) {
    showError(ctx, 'bills-error', r);
    return;
  }
  ctx.$('bills-error').textContent = '';
  view.bills = r.body;
  view.billItems = after ? view.billItems.concat(r.body.items) : r.body.items;
  view.billsNext = r.body.next_after;
  renderBills(ctx);
}

export async function loadPayments(ctx) {
  await Promise.all([fetchDay(ctx, view.day?.date ?? ''), fetchBills(ctx)]);
}

export async function pickDay(ctx, event) {
  event.preventDefault();
  await fetchDay(ctx, ctx.$('payments-date').value);
}

export async function morePayments(ctx) {
  if (view.paymentsNext) await fetchDay(ctx, view.day.date, view.paymentsNext);
}

export async function moreBills(ctx) {
  if (view.billsNext) await fetchBills(ctx, view.billsNext);
}

export function rerenderPayments(ctx) {
  renderDay(ctx);
  renderBills(ctx);
}
