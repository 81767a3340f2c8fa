// An author submits a case through /practices/new (a title with an accent),
// sees its status on the case's page; a curator publishes it in
// /manage/practices; a search typed without accents finds it; the author
// (no staff role) gets the 403 page at /manage/practices.
// ARGS.author, ARGS.curator: {email, password}; ARGS.case {title, summary,
// context, theme}; ARGS.query.
import * as w from './lib.mjs';

const C = w.ARGS.case;

async function login(page, who) {
  await w.go(page, '/login');
  await w.set(page, 'email', who.email);
  await w.set(page, 'password', who.password);
  const res = await w.submit(page, 'password');
  w.expect303(res, `login of ${who.email}`);
}

// Presses one button (Tab to it and Enter with the keyboard, a click
// otherwise) and waits for the page that answers.
async function press(page, btn, what) {
  w.check(await btn.count() === 1, `${await btn.count()} buttons ${what} on ${w.pathOf(page.url())}`);
  if (w.KEYBOARD) await w.tabTo(page, btn, `the button ${what}`, 600);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  if (w.KEYBOARD) await page.keyboard.press('Enter');
  else await btn.click();
  const resp = await nav;
  return { status: resp.status(), chain: await w.chain(resp), path: w.pathOf(page.url()) };
}

w.run(async () => {
  await w.launch();
  const out = {};
  const actx = await w.newContext();
  const page = await w.newPage(actx);

  await w.step('the author logs in and opens /practices/new', async () => {
    await login(page, w.ARGS.author);
    await w.go(page, '/practices/new');
    const h1 = await page.locator('h1').allInnerTexts();
    w.check(h1.length === 1, `the form page has ${h1.length} <h1>`);
  });

  await w.step('a case without consent is refused (422), what was typed kept', async () => {
    await w.set(page, 'title', C.title);
    await w.set(page, 'summary', C.summary);
    const res = await press(page, page.getByRole('button', { name: C.submit_label, exact: true }),
      `"${C.submit_label}"`);
    w.check(res.chain[0].method === 'POST' && res.status === 422,
      `without consent: POST answered ${res.status} (${JSON.stringify(res.chain)}), want 422`);
    const consent = page.locator('[name=consent]');
    w.check(await consent.getAttribute('aria-invalid') === 'true', 'the consent box lacks aria-invalid');
    const desc = (await consent.getAttribute('aria-describedby')) || '';
    w.check(desc.split(/\s+/).includes('consent-error'), `consent's aria-describedby is "${desc}"`);
    w.check(await page.locator('a[href="#consent"]').count() === 1, 'no summary link to #consent');
    w.check(await page.locator('[name=title]').inputValue() === C.title, 'the 422 form lost the title');
  });

  await w.step('the case filled and "save and submit" pressed', async () => {
    // in the order of the form: Tab only goes forward
    await w.set(page, 'context', C.context);
    await w.set(page, `theme_${C.theme}`, true);
    await w.set(page, 'consent', true);
    const res = await press(page, page.getByRole('button', { name: C.submit_label, exact: true }),
      `"${C.submit_label}"`);
    w.expect303(res, 'save and submit');
    const m = res.path.match(/^\/practices\/([0-9a-f-]{36})\?notice=submitted$/);
    w.check(m, `the case form led to ${res.path}, want /practices/{id}?notice=submitted`);
    out.id = m[1];
    const t = await w.text(page);
    w.check(t.includes(C.status_text), `the case page does not say "${C.status_text}"`);
    const h1 = await page.locator('h1').allInnerTexts();
    w.check(h1.length === 1 && h1[0].includes(C.title), `the case's <h1> is ${JSON.stringify(h1)}`);
  });

  await w.step('the author is no curator: 403 at /manage/practices', async () => {
    await w.go(page, '/manage/practices', 403);
  });

  const cctx = await w.newContext();
  const cpage = await w.newPage(cctx);
  await w.step('the curator publishes it in /manage/practices', async () => {
    await login(cpage, w.ARGS.curator);
    await w.go(cpage, '/manage/practices');
    const item = cpage.locator('li.curate-item', { has: cpage.locator(`a[href="/practices/${out.id}"]`) });
    w.check(await item.count() === 1, `the case ${out.id} is not once in the submissions`);
    const words = await item.innerText();
    w.check(words.includes(C.title), `the queue's item reads ${JSON.stringify(words.slice(0, 300))}`);
    const res = await press(cpage, item.getByRole('button', { name: C.publish_label, exact: true }),
      `"${C.publish_label}" of the case`);
    w.expect303(res, 'publish');
    w.check(res.path === '/manage/practices?notice=published', `publishing led to ${res.path}`);
    w.check(await cpage.locator(`li.curate-item a[href="/practices/${out.id}"]`).count() === 0,
      'the published case is still in the queue');
    if (w.MODE === 'js') await w.shots(cpage, 'manage-practices');
  });

  await w.step(`a search for "${w.ARGS.query}" finds it`, async () => {
    await w.go(page, '/practices');
    await w.set(page, 'q', w.ARGS.query);
    const res = await w.submit(page, 'q');
    w.check(res.status === 200, `the search answered ${res.status}`);
    const link = page.locator(`main a[href$="/practices/${out.id}"]`);
    w.check(await link.count() > 0, `no link to the published case in the results of ${res.path}`);
    const texts = await link.allInnerTexts();
    w.check(texts.some((x) => x.includes(C.title)), `the result reads ${JSON.stringify(texts)}`);
  });
  return out;
});
