// Forgot password: /login → /forgot-password → the mail → /reset-password?token=…
// → the new password works, the old one does not, and the session opened
// before (another browser context, as another device) is gone.
// ARGS.account: {email, password, full_name}; ARGS.new_password.
import * as w from './lib.mjs';

const A = w.ARGS.account;

async function login(page, ctx, password) {
  await w.go(page, '/login');
  await w.set(page, 'email', A.email);
  await w.set(page, 'password', password);
  const res = await w.submit(page, 'password');
  return { res, cookie: await w.cookie(ctx, 'gess_session') };
}

w.run(async () => {
  await w.launch();
  const out = {};
  const old = await w.newContext();
  const oldPage = await w.newPage(old);

  await w.step('log in (the session that must end)', async () => {
    const { res, cookie } = await login(oldPage, old, A.password);
    w.expect303(res, 'login');
    w.check(cookie, 'logging in set no gess_session cookie');
    await w.go(oldPage, '/me');
    w.check((await w.text(oldPage)).includes(A.email), '/me does not show the account');
  });

  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  let notBefore = 0;
  await w.step('from /login to /forgot-password', async () => {
    await w.go(page, '/login');
    const link = page.locator('a[href*="/forgot-password"]');
    if (await link.count() > 0) {
      const res = await w.follow(page, link, 'to /forgot-password');
      w.check(res.status === 200 && res.path.startsWith('/forgot-password'),
        `the link led to ${res.path} (${res.status})`);
    } else {
      w.note('/login has no link to /forgot-password');
      await w.go(page, '/forgot-password');
    }
  });

  await w.step('ask for the reset mail', async () => {
    await w.set(page, 'email', A.email);
    notBefore = Date.now() - 1000;
    const res = await w.submit(page, 'email');
    w.expect303(res, 'forgot-password');
    out.after_forgot = res.path;
    if (w.MODE === 'js') await w.shots(page, 'forgot-password-done');
  });

  let link;
  await w.step('open the reset link of the mail (GET only shows the form)', async () => {
    link = await w.mailLink(A.email, '/reset-password', { notBefore });
    out.mailed_link = link.mailed;
    for (let i = 0; i < 2; i++) {
      await w.go(page, link.url);
      const tok = page.locator('form input[name=token]');
      w.check(await tok.count() === 1, `/reset-password?token= shows no form with the token (opening ${i + 1})`);
      w.check((await tok.inputValue()) === link.token, 'the form\'s token is not the mailed one');
    }
    if (w.MODE === 'js') await w.shots(page, 'reset-password-form');
  });

  await w.step('set the new password', async () => {
    await w.set(page, 'new_password', w.ARGS.new_password);
    const confirm = page.locator('[name=new_password_confirm], [name=password_confirm], [name=new_password2]');
    if (await confirm.count() > 0) {
      const name = await confirm.first().getAttribute('name');
      w.note(`the reset form has a confirmation field ${name}`);
      await w.set(page, name, w.ARGS.new_password);
    }
    const res = await w.submit(page, 'new_password');
    w.expect303(res, 'reset-password');
    out.after_reset = res.path;
    if (w.MODE === 'js') await w.shots(page, 'reset-password-done');
  });

  await w.step('the old password no longer logs in', async () => {
    const fresh = await w.newContext();
    const p = await w.newPage(fresh);
    const { res, cookie } = await login(p, fresh, A.password);
    w.check(res.chain[0].status !== 303 && !cookie,
      `the old password still logs in (${JSON.stringify(res.chain)})`);
    out.old_password_status = res.chain[0].status;
    await fresh.close();
  });

  await w.step('the new password logs in and /me shows the account', async () => {
    const { res, cookie } = await login(page, ctx, w.ARGS.new_password);
    w.expect303(res, 'login with the new password');
    w.check(cookie, 'logging in with the new password set no gess_session');
    await w.go(page, '/me');
    w.check((await w.text(page)).includes(A.email), '/me does not show the account');
  });

  await w.step('the session opened before the reset is gone', async () => {
    const resp = await w.go(oldPage, '/me', null);
    const ch = await w.chain(resp);
    w.check(ch[0].status === 303 && new URL(oldPage.url()).pathname === '/login',
      `/me with the old session answered ${JSON.stringify(ch)}, want 303 to /login`);
    const api = await old.request.get('/v1/me', { headers: { Accept: 'application/json' } });
    w.check(api.status() === 401, `GET /v1/me with the old session cookie answered ${api.status()}, want 401`);
  });
  return out;
});
