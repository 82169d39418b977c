// Small helpers the page scripts share; app.js keeps the ones that need its state (ctx).

// A form's Idempotency-Key: 128 random bits as hex (crypto.randomUUID needs a secure context; this
// does not). One per form, kept while the same submission is sent again.
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Whether the signed-in operator may act (operator or admin) rather than only read (viewer). The
// server decides; this only hides controls a viewer could not use.
export function mayAct(ctx) {
  const role = ctx.state.me?.role;
  return role === 'operator' || role === 'admin';
}
