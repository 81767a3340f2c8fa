// The pact dashboard /editions/{slug}/pacts: for each pact (a link to
// /pacts/{id}) the progress bar nearest to it (<progress>, <meter> or
// role=progressbar) and the text around it, for pytest to compare with
// GET /v1/editions/{slug}/pacts/dashboard. Then the first pact's page.
// ARGS.slug, ARGS.pacts [{id, title}].
import * as w from './lib.mjs';

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const out = { pacts: {} };
  const ids = w.ARGS.pacts.map((p) => p.id);

  await w.step(`open /editions/${w.ARGS.slug}/pacts`, async () => {
    await w.go(page, `/editions/${w.ARGS.slug}/pacts`);
    if (w.MODE === 'js') await w.shots(page, 'dashboard-journey');
  });

  await w.step('read each pact\'s progress', async () => {
    out.pacts = await page.evaluate((ids) => {
      const res = {};
      const linkOf = (id) => [...document.querySelectorAll('main a[href]')]
        .filter((a) => new URL(a.href).pathname === `/pacts/${id}`);
      const bars = (el) => [...el.querySelectorAll('progress, meter, [role=progressbar]')];
      const ratio = (b) => {
        if (b.tagName === 'PROGRESS' || b.tagName === 'METER') {
          const max = b.max || 1;
          return { value: b.value, max, ratio: b.value / max, label: b.getAttribute('aria-label') || (b.labels && b.labels[0] ? b.labels[0].innerText : '') };
        }
        const now = parseFloat(b.getAttribute('aria-valuenow'));
        const min = parseFloat(b.getAttribute('aria-valuemin') || '0');
        const max = parseFloat(b.getAttribute('aria-valuemax') || '100');
        return { value: now, max, ratio: (now - min) / (max - min), label: b.getAttribute('aria-label') || '' };
      };
      for (const id of ids) {
        const links = linkOf(id);
        const r = { links: links.length, bars: [], text: '' };
        if (links.length) {
          // the nearest ancestor that holds a bar and no other pact's link
          let el = links[0].parentElement;
          while (el && el !== document.body) {
            const others = ids.filter((o) => o !== id && [...el.querySelectorAll('a[href]')]
              .some((a) => new URL(a.href).pathname === `/pacts/${o}`));
            if (others.length) break;
            if (bars(el).length) {
              r.bars = bars(el).map(ratio);
              r.text = el.innerText;
              break;
            }
            el = el.parentElement;
          }
        }
        res[id] = r;
      }
      return res;
    }, ids);
  });

  await w.step('open the first pact', async () => {
    const first = w.ARGS.pacts[0];
    const res = await w.follow(page, page.locator(`main a[href$="/pacts/${first.id}"]`), `to the pact ${first.id}`);
    w.check(res.status === 200 && res.path === `/pacts/${first.id}`, `the link led to ${res.path} (${res.status})`);
    const h1 = await page.locator('h1').allInnerTexts();
    w.check(h1.length === 1 && h1[0].includes(first.title), `the pact's <h1> is ${JSON.stringify(h1)}, want "${first.title}"`);
    out.pact_svg = await page.locator('main svg').count();
  });
  return out;
});
