// axe-core on every page of the list, signed out and then signed in (with
// JavaScript on and bypassCSP: axe is injected into the page), and the
// screenshots of each at 1280 and 390 px. Nothing is asserted here: the
// result lists, per page, the status and axe's violations, and pytest judges.
// ARGS.out / ARGS.in: [{path, want, invalid?}]; ARGS.account {email, password}.
import { createRequire } from 'node:module';
import * as w from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

async function audit(page, entry, state) {
  const r = { path: entry.path, state, want: entry.want === undefined ? 200 : entry.want, want_lang: entry.lang || 'es' };
  try {
    const resp = await page.goto(entry.path, { waitUntil: 'load' });
    r.status = resp.status();
    if (entry.invalid) {
      // the form sent back with an error (422): a password too weak
      for (const [k, v] of Object.entries(entry.invalid)) await w.set(page, k, v);
      const res = await w.submit(page, Object.keys(entry.invalid)[0]);
      r.status = res.status;
      r.want = 422;
    }
    r.final = w.pathOf(page.url());
    r.headers = resp.headers();
    // before axe is injected: what the CSP forbids must not be in the page
    r.inline = await page.evaluate(() => ({
      style_attrs: [...document.querySelectorAll('[style]')].map((e) => e.tagName.toLowerCase()).slice(0, 5),
      inline_scripts: [...document.querySelectorAll('script:not([src])')]
        .filter((e) => !/json/.test(e.type || '')).length,
      handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes]
        .filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName.toLowerCase()}[${a.name}]`)).slice(0, 5),
      external: [...document.querySelectorAll('script[src], link[href], img[src]')]
        .map((e) => e.src || e.href).filter((u) => u && !u.startsWith(location.origin) && !u.startsWith('data:')),
    }));
    r.lang = await page.evaluate(() => document.documentElement.lang);
    await page.addScriptTag({ path: AXE });
    const res = await page.evaluate(async () => window.axe.run(document, {
      resultTypes: ['violations'],
      // WCAG 2.2's 24×24 px targets (off by default in axe 4)
      rules: { 'target-size': { enabled: true } },
    }));
    r.violations = res.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
    r.bytes = await page.evaluate(() => performance.getEntriesByType('resource')
      .concat(performance.getEntriesByType('navigation'))
      .filter((e) => e.entryType === 'navigation' || ['link', 'script', 'css'].includes(e.initiatorType))
      .reduce((s, e) => s + (e.decodedBodySize || 0), 0));
    // reflow (WCAG 1.4.10): on a phone the page fits its width
    await page.setViewportSize({ width: 390, height: 844 });
    r.scroll390 = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize({ width: 1280, height: 900 });
    if (w.ARGS.shots && entry.shot !== false) await w.shots(page, `${entry.name || w.slugOf(entry.path)}${entry.invalid ? '-422' : ''}-${state}`);
  } catch (e) {
    r.error = String(e.message || e).split('\n')[0];
  }
  return r;
}

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext({ js: true, bypassCSP: true });
  const page = await w.newPage(ctx);
  const pages = [];
  await w.step('signed out', async () => {
    for (const e of w.ARGS.out) pages.push(await audit(page, e, 'out'));
  });
  await w.step('log in', async () => {
    await w.go(page, '/login');
    await w.set(page, 'email', w.ARGS.account.email);
    await w.set(page, 'password', w.ARGS.account.password);
    // where the 303 leads is audited below, with the other pages
    const res = await w.submit(page, 'password');
    w.check(res.chain[0].status === 303 && await w.cookie(ctx, 'gess_session'),
      `the login answered ${JSON.stringify(res.chain)} and set no gess_session`);
  });
  await w.step('signed in', async () => {
    for (const e of w.ARGS.in) pages.push(await audit(page, e, 'in'));
  });
  return { pages };
});
