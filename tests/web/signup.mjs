// Sign up at /signup → open the verification mail's link → log in at /login
// → /me shows the account. ARGS.account: {email, password, full_name,
// organization, sector, country, region}.
import * as w from './lib.mjs';

const A = w.ARGS.account;

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const out = {};

  await w.step('open /signup', async () => {
    await w.go(page, '/signup');
    const pre = await w.cookie(ctx, 'gess_pre');
    w.check(pre, '/signup set no gess_pre cookie (the pre-session the form\'s csrf_token is bound to)');
    w.check(pre.httpOnly && pre.sameSite === 'Lax',
      `gess_pre must be HttpOnly and SameSite=Lax: ${JSON.stringify(pre)}`);
    const tok = await page.locator('form input[type=hidden][name=csrf_token]').first();
    w.check(await tok.count() === 1 && (await tok.inputValue()).length > 20,
      'the sign-up form carries no csrf_token');
  });

  if (w.KEYBOARD) {
    await w.step('the first Tab reaches the skip link, Enter goes to <main>', async () => {
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a.getBoundingClientRect();
        return { href: a.getAttribute('href'), text: a.innerText, w: r.width, h: r.height };
      });
      w.check(skip.href === '#main', `the first Tab focuses ${JSON.stringify(skip)}, want the skip link to #main`);
      w.check(skip.w >= 24 && skip.h >= 24 && skip.text.trim(), `the focused skip link is not visible: ${JSON.stringify(skip)}`);
      await page.keyboard.press('Enter');
      const at = await page.evaluate(() => {
        const m = document.getElementById('main');
        return { main: !!m && m.tagName, hash: location.hash, inside: !!m && (m === document.activeElement || m.contains(document.activeElement)) };
      });
      w.check(at.main === 'MAIN' && at.hash === '#main', `the skip link leads to ${JSON.stringify(at)}`);
      // from there, Tab goes on inside <main> (the form), not back through the header
      await page.keyboard.press('Tab');
      const inMain = await page.evaluate(() => document.getElementById('main').contains(document.activeElement));
      w.check(inMain, 'after the skip link, Tab does not go on inside <main>');
    });
  }

  await w.step('fill and send the sign-up form', async () => {
    for (const k of ['email', 'password', 'full_name', 'organization', 'sector', 'country', 'region']) {
      await w.set(page, k, A[k]);
    }
    await w.set(page, 'consent', true);
    const res = await w.submit(page, 'email');
    w.expect303(res, 'sign-up');
    out.after_signup = res.path;
    if (w.MODE === 'js') await w.shots(page, 'signup-done');
  });

  await w.step('open the verification link of the mail', async () => {
    const link = await w.mailLink(A.email, '/verify-email');
    out.mailed_link = link.mailed;
    const resp = await w.go(page, link.url);
    out.verify_status = resp.status();
    if (w.MODE === 'js') await w.shots(page, 'verify-email-done');
  });

  await w.step('/me before logging in leads to /login', async () => {
    const resp = await w.go(page, '/me');
    const ch = await w.chain(resp);
    w.check(ch[0].status === 303, `GET /me signed out answered ${ch[0].status}, want 303 to /login`);
    const u = new URL(page.url());
    w.check(u.pathname === '/login', `GET /me signed out led to ${w.pathOf(page.url())}, want /login?next=/me`);
    w.check(u.searchParams.get('next') === '/me', `/login got next=${u.searchParams.get('next')}, want /me`);
  });

  await w.step('log in', async () => {
    await w.set(page, 'email', A.email);
    await w.set(page, 'password', A.password);
    const res = await w.submit(page, 'password');
    w.expect303(res, 'login');
    out.after_login = res.path;
    const s = await w.cookie(ctx, 'gess_session');
    w.check(s, 'logging in set no gess_session cookie');
    w.check(s.httpOnly && s.sameSite === 'Lax', `gess_session must be HttpOnly, SameSite=Lax: ${JSON.stringify(s)}`);
    w.check(s.expires > Date.now() / 1000 + 3600, `gess_session has no lasting expiry: ${s.expires}`);
    out.session_expires = s.expires;
    if (new URL(page.url()).pathname !== '/me') w.note(`login with next=/me led to ${res.path}, not /me`);
  });

  await w.step('/me shows the account', async () => {
    await w.go(page, '/me');
    const t = await w.text(page);
    w.check(t.includes(A.email), `/me does not show the email ${A.email}`);
    const values = await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
    w.check(t.includes(A.full_name) || values.includes(A.full_name), `/me does not show the name ${A.full_name}`);
    const h1 = await page.locator('h1').count();
    w.check(h1 === 1, `/me has ${h1} <h1>, want one`);
  });
  return out;
});
