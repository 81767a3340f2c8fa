// Text typed by a user is text: a sign-up whose full_name and organization
// hold markup (<script>, <b>, <img onerror>), first refused (a password too
// weak: 422, the form re-rendered with the values kept and the error next to
// its field), then accepted; the name on /me; the same in a search query.
// ARGS.account: {email, password, weak_password, full_name, organization, ...}.
import * as w from './lib.mjs';

const A = w.ARGS.account;

// Elements the markup in the user's text would have made, were it not escaped.
async function injected(page) {
  return page.evaluate(() => ({
    scripts: [...document.querySelectorAll('script')].filter((s) => /__xss/.test(s.textContent)).length,
    bold: [...document.querySelectorAll('b')].filter((b) => b.textContent === 'Rosa').length,
    imgs: document.querySelectorAll('img[src="x"]').length,
    flag: window.__xss === undefined ? null : window.__xss,
  }));
}

function clean(i, where) {
  w.check(!i.scripts && !i.bold && !i.imgs && i.flag === null,
    `${where}: the user's markup became HTML: ${JSON.stringify(i)}`);
}

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const out = {};

  await w.step('a sign-up refused: 422, values kept, the error next to its field', async () => {
    await w.go(page, '/signup');
    for (const k of ['email', 'full_name', 'organization', 'sector', 'country', 'region']) await w.set(page, k, A[k]);
    await w.set(page, 'password', A.weak_password);
    await w.set(page, 'consent', true);
    const res = await w.submit(page, 'email');
    w.check(res.chain[0].method === 'POST' && res.status === 422,
      `a too weak password: POST /signup answered ${res.status} (${JSON.stringify(res.chain)}), want 422`);
    clean(await injected(page), 'the 422 sign-up page');
    const vals = await page.evaluate(() => Object.fromEntries(
      [...document.querySelectorAll('input, select, textarea')].map((e) => [e.name, e.type === 'checkbox' ? e.checked : e.value])));
    for (const k of ['email', 'full_name', 'organization', 'region']) {
      w.check(vals[k] === A[k], `the 422 form lost ${k}: ${JSON.stringify(vals[k])}, typed ${JSON.stringify(A[k])}`);
    }
    w.check(!vals.password, 'the 422 form gives the password back');
    const pw = page.locator('[name=password]');
    w.check(await pw.getAttribute('aria-invalid') === 'true', 'the password field lacks aria-invalid="true"');
    const desc = (await pw.getAttribute('aria-describedby')) || '';
    w.check(desc.split(/\s+/).includes('password-error'), `the password field's aria-describedby is "${desc}", want password-error`);
    const err = page.locator('p#password-error');
    w.check(await err.count() === 1 && (await err.innerText()).trim().length > 0, 'no <p id="password-error"> with the message');
    const summary = page.locator('a[href="#password"]');
    w.check(await summary.count() > 0, 'the error summary has no link to #password');
    const others = await page.locator('[aria-invalid=true]').evaluateAll((els) => els.map((e) => e.name));
    out.invalid_fields = others;
    if (w.MODE === 'js') await w.shots(page, 'signup-422');
  });

  await w.step('the sign-up accepted', async () => {
    await w.set(page, 'password', A.password);
    const consent = page.locator('[name=consent]');
    if (!(await consent.isChecked())) await w.set(page, 'consent', true);
    const res = await w.submit(page, 'email');
    w.expect303(res, 'sign-up');
    clean(await injected(page), `after the sign-up (${res.path})`);
  });

  await w.step('log in; /me shows the name as text', async () => {
    await w.go(page, '/login');
    await w.set(page, 'email', A.email);
    await w.set(page, 'password', A.password);
    const res = await w.submit(page, 'password');
    w.expect303(res, 'login');
    clean(await injected(page), `after the login (${res.path})`);
    await w.go(page, '/me');
    clean(await injected(page), '/me');
    const t = await w.text(page);
    const vals = await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
    w.check(t.includes(A.full_name) || vals.includes(A.full_name),
      `/me shows neither as text nor as a field value the name ${A.full_name}`);
    if (w.MODE === 'js') await w.shots(page, 'me-markup-name');
  });

  await w.step('a search query with markup', async () => {
    const q = '<script>window.__xss=3</script><b>Rosa</b>';
    await w.go(page, '/practices?q=' + encodeURIComponent(q));
    clean(await injected(page), '/practices?q=<script>');
    const v = await page.locator('[name=q]').first().inputValue();
    w.check(v === q, `the search field shows ${JSON.stringify(v)}, want the query as typed`);
  });
  return out;
});
