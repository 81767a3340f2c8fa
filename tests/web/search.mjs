// A search typed without accents finds a demo case: /practices, the query in
// the search field, the result with its accented title and a marked snippet,
// then the case's own page. ARGS.query, ARGS.expect {id, title}.
import * as w from './lib.mjs';

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const { id, title } = w.ARGS.expect;
  const out = {};

  await w.step('open /practices', async () => {
    await w.go(page, '/practices');
    const box = page.getByRole('searchbox');
    if (await box.count() === 0) w.note('the search field is not type=search (no searchbox role)');
  });

  await w.step(`search for "${w.ARGS.query}"`, async () => {
    await w.set(page, 'q', w.ARGS.query);
    const res = await w.submit(page, 'q');
    w.check(res.status === 200, `the search answered ${res.status}`);
    const u = new URL(page.url());
    w.check(u.pathname === '/practices' && u.searchParams.get('q') === w.ARGS.query,
      `the search led to ${res.path}, want /practices?q=${w.ARGS.query}`);
    if (w.MODE === 'js') await w.shots(page, 'practices-search');
  });

  await w.step('the case is among the results', async () => {
    const link = page.locator(`main a[href$="/practices/${id}"]`);
    w.check(await link.count() > 0, `no link to /practices/${id} ("${title}") in the results`);
    const texts = await link.allInnerTexts();
    w.check(texts.some((t) => t.includes(title)), `the result link reads ${JSON.stringify(texts)}, want "${title}"`);
    out.marks = await page.locator('main mark').allInnerTexts();
    w.check(out.marks.length > 0, 'the results mark no matched word (<mark>)');
  });

  await w.step('open the case', async () => {
    const res = await w.follow(page, page.locator(`main a[href$="/practices/${id}"]`), `to the case ${id}`);
    w.check(res.status === 200 && res.path === `/practices/${id}`, `the link led to ${res.path} (${res.status})`);
    const h1 = await page.locator('h1').allInnerTexts();
    w.check(h1.length === 1 && h1[0].includes(title), `the case's <h1> is ${JSON.stringify(h1)}, want "${title}"`);
  });
  return out;
});
