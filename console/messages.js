// The Messages page (the outbox by status and provider, newest first, failed ones with their reason,
// resending failed SMS one or many; the delivery funnel of the last 24 hours; the providers' state)
// and the Opt-outs page (numbers that sent STOP, newest first). Lists page on by the server's
// next_after key. app.js hands over its helpers (ctx).
import { mayAct } from './common.js';

const PAGE_SIZE = 50;
const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed'];
const FUNNEL = ['queued', 'waiting', 'sent', 'delivered', 'failed'];

const view = {
  funnel: null,
  providers: null, // {providers, active, failed_over}
  filter: { status: '', provider: '' },
  items: [],
  next: null,
  masked: false,
  selected: new Set(), // ids of failed messages ticked for resending
  optOuts: [],
  optOutsNext: null,
  optOutsMasked: false,
};

function cell(ctx, content, number = false) {
  const td = ctx.el('td', number ? { class: 'number' } : {});
  td.append(content);
  return td;
}

function showError(ctx, id, r) {
  const code = ctx.errorCode(r);
  const message = r.body?.error?.message ?? '';
  const key = `error_${code}`;
  let text;
  if (code === 'invalid_query') text = ctx.t('error_invalid_query', { message });
  else if (key in ctx.state.strings) text = ctx.t(key, { message });
  else text = ctx.t('error_generic', { code });
  ctx.$(id).textContent = text;
}

function statusLabel(ctx, status) {
  return ctx.t(`sms_status_${status}`);
}

function renderFunnel(ctx) {
  const f = view.funnel;
  if (!f) return;
  const dl = ctx.$('funnel');
  dl.replaceChildren();
  for (const key of FUNNEL)
    dl.append(ctx.el('div', { 'data-funnel': key }, ctx.el('dt', { text: ctx.t(`funnel_${key}`) }), ctx.el('dd', { text: ctx.formatNumber(f[key]) })));
}

function renderProviders(ctx) {
  const { t, $, el } = ctx;
  const p = view.providers;
  if (!p) return;
  let summary;
  if (p.providers.length === 0) summary = t('providers_none');
  else if (p.active === null) summary = t('providers_all_down');
  else if (p.failed_over) summary = t('providers_failed_over', { name: p.active });
  else summary = t('providers_preferred', { name: p.active });
  $('providers-summary').textContent = summary;
  const body = $('providers-table').tBodies[0];
  body.replaceChildren();
  for (const s of p.providers) {
    const rate = s.rate_per_second > 0 ? t('rate_value', { rate: ctx.formatNumber(s.rate_per_second) }) : t('rate_none');
    body.append(
      el(
        'tr',
        { 'data-provider': s.name },
        cell(ctx, ctx.ltr(s.name)),
        cell(ctx, s.kind),
        cell(ctx, s.preferred ? t('provider_preferred') : t('provider_fallback', { order: ctx.formatNumber(s.order) })),
        cell(ctx, el('span', { class: s.down ? 'quorum-short' : 'quorum-met', text: s.down ? t('provider_down') : t('provider_up') })),
        cell(ctx, ctx.formatNumber(s.consecutive_failures), true),
        cell(ctx, rate),
        cell(ctx, ctx.formatNumber(s.accepted), true),
        cell(ctx, ctx.formatNumber(s.failovers), true),
      ),
    );
  }
  // The provider filter offers every provider the dispatcher knows, and "none" (not yet taken).
  const select = $('messages-provider');
  const chosen = view.filter.provider;
  select.replaceChildren(el('option', { value: '', text: t('filter_any_provider') }), el('option', { value: 'none', text: t('filter_no_provider') }));
  for (const s of p.providers) select.append(el('option', { value: s.name, text: s.name }));
  select.value = chosen;
}

function renderStatusFilter(ctx) {
  const select = ctx.$('messages-status');
  select.replaceChildren(ctx.el('option', { value: '', text: ctx.t('filter_any_status') }));
  for (const s of STATUSES) select.append(ctx.el('option', { value: s, text: statusLabel(ctx, s) }));
  select.value = view.filter.status;
}

function renderMessages(ctx) {
  const { t, $, el } = ctx;
  const operator = mayAct(ctx);
  const body = $('messages-table').tBodies[0];
  body.replaceChildren();
  for (const m of view.items) {
    const pick = el('td');
    const act = el('td');
    if (operator && m.resendable) {
      const box = el('input', { type: 'checkbox', 'data-resend-pick': String(m.id), 'aria-label': t('resend_pick_named', { id: m.id }) });
      box.checked = view.selected.has(m.id);
      box.addEventListener('change', () => {
        if (box.checked) view.selected.add(m.id);
        else view.selected.delete(m.id);
        $('resend-selected').disabled = view.selected.size === 0;
      });
      pick.append(box);
      const b = el('button', { type: 'button', 'data-resend': String(m.id), 'aria-label': t('resend_named', { id: m.id }), text: t('resend') });
      b.addEventListener('click', () => resend(ctx, [m.id]));
      act.append(b);
    } else if (m.resent_as) {
      act.append(t('resent_as', { id: m.resent_as }));
    }
    const reason = m.status === 'failed' ? m.last_error : '';
    body.append(
      el(
        'tr',
        { 'data-message': String(m.id), 'data-status': m.status },
        pick,
        cell(ctx, ctx.ltr(String(m.id)), true),
        cell(ctx, ctx.formatTime(m.created_at)),
        cell(ctx, ctx.ltr(m.to), true),
        cell(ctx, m.template),
        cell(ctx, statusLabel(ctx, m.status)),
        cell(ctx, m.provider ? ctx.ltr(m.provider) : t('no_provider')),
        cell(ctx, ctx.formatNumber(m.attempts), true),
        cell(ctx, reason ? ctx.ltr(reason) : ''),
        act,
      ),
    );
  }
  $('messages-pick-head').hidden = !operator;
  $('resend-selected').hidden = !operator;
  $('resend-selected').disabled = view.selected.size === 0;
  $('messages-masked').hidden = !view.masked;
  $('messages-empty').hidden = view.items.length > 0;
  $('messages-more').hidden = !view.next;
}

async function fetchMessages(ctx, after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (view.filter.status) p.set('status', view.filter.status);
  if (view.filter.provider) p.set('provider', view.filter.provider);
  if (after) p.set('after', String(after));
  const r = await ctx.api('GET', `/console/api/messages?${p}`);
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'messages-error', r);
    return;
  }
  ctx.$('messages-error').textContent = '';
  view.items = after ? view.items.concat(r.body.items) : r.body.items;
  view.next = r.body.next_after;
  view.masked = r.body.masked;
  if (!after) view.selected.clear();
  renderMessages(ctx);
}

async function fetchFunnel(ctx) {
  const r = await ctx.api('GET', '/console/api/messages/funnel');
  if (!r.ok) return;
  view.funnel = r.body;
  renderFunnel(ctx);
}

async function fetchProviders(ctx) {
  const r = await ctx.api('GET', '/console/api/messages/providers');
  if (!r.ok) return;
  view.providers = r.body;
  renderProviders(ctx);
}

async function resend(ctx, ids) {
  ctx.$('messages-error').textContent = '';
  const r = await ctx.api('POST', '/console/api/messages/resend', { ids });
  if (!r.ok) {
    showError(ctx, 'messages-error', r);
    return;
  }
  const fresh = r.body.resent.filter((x) => !x.already).length;
  ctx.setStatus(ctx.t('resent_count', { count: ctx.formatNumber(fresh) }));
  await Promise.all([fetchMessages(ctx), fetchFunnel(ctx)]);
}

export async function loadMessages(ctx) {
  renderStatusFilter(ctx);
  await Promise.all([fetchFunnel(ctx), fetchProviders(ctx), fetchMessages(ctx)]);
}

export async function filterMessages(ctx, event) {
  event.preventDefault();
  view.filter = { status: ctx.$('messages-status').value, provider: ctx.$('messages-provider').value };
  await fetchMessages(ctx);
}

export async function moreMessages(ctx) {
  if (view.next) await fetchMessages(ctx, view.next);
}

export async function resendSelected(ctx) {
  if (view.selected.size === 0) return;
  await resend(ctx, [...view.selected]);
}

function renderOptOuts(ctx) {
  const body = ctx.$('optouts-table').tBodies[0];
  body.replaceChildren();
  for (const o of view.optOuts) body.append(ctx.el('tr', {}, cell(ctx, ctx.ltr(o.phone), true), cell(ctx, ctx.formatTime(o.at))));
  ctx.$('optouts-masked').hidden = !view.optOutsMasked;
  ctx.$('optouts-empty').hidden = view.optOuts.length > 0;
  ctx.$('optouts-more').hidden = !view.optOutsNext;
}

async function fetchOptOuts(ctx, after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (after) p.set('after', after);
  const r = await ctx.api('GET', `/console/api/opt-outs?${p}`);
  if (!r.ok) {
    if (r.status !== 401) showError(ctx, 'optouts-error', r);
    return;
  }
  ctx.$('optouts-error').textContent = '';
  view.optOuts = after ? view.optOuts.concat(r.body.items) : r.body.items;
  view.optOutsNext = r.body.next_after;
  view.optOutsMasked = r.body.masked;
  renderOptOuts(ctx);
}

export async function loadOptOuts(ctx) {
  await fetchOptOuts(ctx);
}

export async function moreOptOuts(ctx) {
  if (view.optOutsNext) await fetchOptOuts(ctx, view.optOutsNext);
}

export function rerenderMessages(ctx) {
  renderStatusFilter(ctx);
  renderFunnel(ctx);
  renderProviders(ctx);
  renderMessages(ctx);
  renderOptOuts(ctx);
}
