// A POST without a valid csrf_token is refused with 403 (and, pytest checks,
// changes nothing): the login, sign-up and forgot-password forms (bound to the
// pre-session cookie gess_pre), then signed in the profile, logout and erase
// forms, a form whose hidden csrf_token was taken out in the browser, and the
// API with the session cookie but no X-CSRF-Token. Positive controls show the
// same requests pass with the right token.
// ARGS.account {email, password, full_name}, ARGS.new_email.
import * as w from './lib.mjs';

const A = w.ARGS.account;
const BAD = 'A'.repeat(43);

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const out = { refused: {} };
  const post = async (path, form, headers = {}) => {
    const r = await ctx.request.post(path, { form, maxRedirects: 0, headers });
    return r.status();
  };
  const refused = (what, status) => {
    out.refused[what] = status;
    w.check(status === 403, `${what}: answered ${status}, want 403`);
  };
  let preToken;

  await w.step('signed out: forms without the token', async () => {
    await w.go(page, '/login');
    preToken = await page.locator('form input[name=csrf_token]').first().inputValue();
    w.check(preToken, '/login has no csrf_token');
    refused('POST /login without csrf_token', await post('/login', { email: A.email, password: A.password }));
    refused('POST /login with a wrong csrf_token', await post('/login', { email: A.email, password: A.password, csrf_token: BAD }));
    w.check(!(await w.cookie(ctx, 'gess_session')), 'a refused login set gess_session');
    refused('POST /signup without csrf_token', await post('/signup', {
      email: w.ARGS.new_email, password: A.password, full_name: 'Sin Token', sector: 'community', consent: 'true',
    }));
    refused('POST /forgot-password without csrf_token', await post('/forgot-password', { email: A.email }));
    refused('POST /forgot-password with a wrong csrf_token', await post('/forgot-password', { email: A.email, csrf_token: BAD }));
  });

  await w.step('another pre-session\'s token is refused', async () => {
    const other = await w.newContext();
    const op = await other.newPage();
    await w.go(op, '/login');
    const otherToken = await op.locator('form input[name=csrf_token]').first().inputValue();
    await other.close();
    w.check(otherToken !== preToken, 'two browsers got the same csrf_token');
    refused('POST /login with another browser\'s csrf_token',
      await post('/login', { email: A.email, password: A.password, csrf_token: otherToken }));
  });

  let token;
  await w.step('log in with the form', async () => {
    await w.go(page, '/login');
    await w.set(page, 'email', A.email);
    await w.set(page, 'password', A.password);
    w.expect303(await w.submit(page, 'password'), 'login');
    await w.go(page, '/me');
    token = await page.locator('form input[name=csrf_token]').first().inputValue();
    w.check(token && token !== preToken, 'signed in, the csrf_token is still the pre-session one');
  });

  await w.step('signed in: forms without the token', async () => {
    refused('POST /me without csrf_token', await post('/me', { full_name: 'Cambiado Sin Token' }));
    refused('POST /me with the pre-session csrf_token', await post('/me', { full_name: 'Cambiado Sin Token', csrf_token: preToken }));
    refused('POST /logout without csrf_token', await post('/logout', {}));
    refused('POST /me/data/erase without csrf_token', await post('/me/data/erase', { password: A.password }));
    const me = await ctx.request.get('/me', { maxRedirects: 0 });
    w.check(me.status() === 200, `after a refused logout, GET /me answered ${me.status()}, want 200 (still signed in)`);
  });

  await w.step('the profile form with its csrf_token taken out', async () => {
    await w.go(page, '/me');
    const n = await page.evaluate(() => {
      const f = document.querySelector('input[name=full_name]').form;
      const t = f.querySelectorAll('input[name=csrf_token]');
      t.forEach((e) => e.remove());
      return t.length;
    });
    w.check(n === 1, `the profile form holds ${n} csrf_token fields`);
    await w.set(page, 'full_name', 'Cambiado Sin Token');
    const res = await w.submit(page, 'full_name');
    out.refused['the /me form without its csrf_token'] = res.chain[0].status;
    w.check(res.chain[0].status === 403 && res.status === 403,
      `the /me form without csrf_token answered ${JSON.stringify(res.chain)}, want a 403 page`);
    const ct = await page.evaluate(() => document.contentType);
    w.check(ct === 'text/html', `the 403 answer is ${ct}, want an HTML page`);
    if (w.MODE === 'js') await w.shots(page, 'csrf-403');
  });

  await w.step('the API with the cookie: X-CSRF-Token needed for unsafe methods', async () => {
    const get = await ctx.request.get('/v1/me', { headers: { Accept: 'application/json' } });
    w.check(get.status() === 200, `GET /v1/me with the session cookie answered ${get.status()}, want 200`);
    const body = { full_name: A.full_name };
    let r = await ctx.request.patch('/v1/me', { data: body, headers: { Accept: 'application/json' } });
    out.refused['PATCH /v1/me without X-CSRF-Token'] = r.status();
    w.check(r.status() === 403, `PATCH /v1/me by cookie without X-CSRF-Token answered ${r.status()}, want 403`);
    const p = await r.json().catch(() => ({}));
    w.check(String(p.type || '').endsWith('/csrf-failed'), `the 403 problem is ${JSON.stringify(p)}, want csrf-failed`);
    r = await ctx.request.patch('/v1/me', { data: body, headers: { Accept: 'application/json', 'X-CSRF-Token': BAD } });
    w.check(r.status() === 403, `PATCH /v1/me with a wrong X-CSRF-Token answered ${r.status()}, want 403`);
    r = await ctx.request.patch('/v1/me', { data: body, headers: { Accept: 'application/json', 'X-CSRF-Token': token } });
    w.check(r.status() === 200, `PATCH /v1/me with the page's csrf_token as X-CSRF-Token answered ${r.status()}, want 200`);
  });

  await w.step('with the token, logout passes (the control)', async () => {
    const s = await post('/logout', { csrf_token: token });
    w.check(s === 303, `POST /logout with the token answered ${s}, want 303`);
    const me = await ctx.request.get('/me', { maxRedirects: 0 });
    w.check(me.status() === 303, `after the logout, GET /me answered ${me.status()}, want 303 to /login`);
  });
  return out;
});
