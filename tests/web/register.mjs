// An attendee registers for an edition through its page and finds the badge
// on /me: log in → the edition's page → its register link → the form sent
// without a category (422, the error at its field) → category, mode and the
// answers → 303 to the page with the "confirmed" notice and the badge code →
// /me shows the badge QR as <img> (alt with the code, the code as text too),
// screenshotted alone as a PNG for pytest to decode with zbarimg.
// ARGS.account {email, password}; ARGS.slug; ARGS.category; ARGS.mode;
// ARGS.answers {field name: value}.
import path from 'node:path';
import * as w from './lib.mjs';

const A = w.ARGS.account;

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const out = {};
  const reg = `/editions/${w.ARGS.slug}/register`;

  await w.step('log in', async () => {
    await w.go(page, '/login');
    await w.set(page, 'email', A.email);
    await w.set(page, 'password', A.password);
    w.expect303(await w.submit(page, 'password'), 'login');
  });

  await w.step('the edition page links to the register page', async () => {
    await w.go(page, `/editions/${w.ARGS.slug}`);
    const ics = page.locator(`a[href="/v1/editions/${w.ARGS.slug}?format=ics"]`);
    w.check(await ics.count() === 1, 'the edition page has no "add to my calendar" link');
    const res = await w.follow(page, page.locator(`a[href="${reg}"]`), `to ${reg}`);
    w.check(res.status === 200 && res.path === reg, `the register link led to ${res.path} (${res.status})`);
  });

  await w.step('sent without a category: 422, the error at its field', async () => {
    await w.set(page, 'mode', w.ARGS.mode);
    const res = await w.submit(page, 'mode');
    w.check(res.chain[0].method === 'POST' && res.status === 422,
      `POST ${reg} without a category answered ${res.status}, want 422`);
    const err = page.locator('p#category-error');
    w.check(await err.count() === 1 && (await err.innerText()).trim(), 'no <p id="category-error">');
    w.check(await page.locator('a[href="#category"]').count() === 1, 'the summary has no link to #category');
    const inv = await page.locator(`[name=category][aria-invalid=true]`).count();
    w.check(inv > 0, 'the category radios lack aria-invalid');
    w.check(await page.locator(`[name=mode][value="${w.ARGS.mode}"]`).isChecked(), 'the 422 form lost the mode');
    if (w.MODE === 'js') await w.shots(page, 'register-422');
  });

  await w.step('registered: 303 to the page with the notice and the badge code', async () => {
    await w.set(page, 'category', w.ARGS.category);
    if (!(await page.locator(`[name=mode][value="${w.ARGS.mode}"]`).isChecked())) await w.set(page, 'mode', w.ARGS.mode);
    for (const [k, v] of Object.entries(w.ARGS.answers || {})) await w.set(page, k, v);
    const res = await w.submit(page, 'category');
    w.expect303(res, 'register');
    w.check(res.path === `${reg}?notice=confirmed`, `after registering: ${res.path}`);
    w.check(await page.locator('p.notice[role=status]').count() === 1, 'no notice');
    out.page_code = (await page.locator('.reg-facts code').first().innerText()).trim();
    if (w.MODE === 'js') await w.shots(page, 'register-done');
  });

  await w.step('/me shows the badge QR', async () => {
    await w.go(page, '/me');
    const img = page.locator('img[src$="/badge.svg"]');
    w.check(await img.count() === 1, `${await img.count()} badge images on /me`);
    await img.scrollIntoViewIfNeeded();
    const loaded = await img.evaluate((el) => el.complete && el.naturalWidth > 0);
    w.check(loaded, 'the badge image did not load');
    out.alt = await img.getAttribute('alt');
    out.text = await w.text(page);
    const file = path.join(w.ARGS.shots, `badge-${w.MODE}${w.KEYBOARD ? '-keys' : ''}.png`);
    await img.screenshot({ path: file });
    out.png = file;
    if (w.MODE === 'js') await w.shots(page, 'me-badge');
  });
  return out;
});
