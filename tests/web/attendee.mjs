// One attendee's whole journey through GESS 2028 (issue 19, "must hold"), in
// one browser: log in → the edition page's register link → the form (category,
// mode, answers) → 303 with the "confirmed" notice and the badge code → /me
// shows the badge QR (the <img> screenshotted alone, for pytest's zbarimg) →
// star a session on the programme page and another on its own page → both on
// /me/agenda, and the .ics fetched with the browser's cookie → an organizer,
// in a second browser context, checks THAT badge in at the desk by typing its
// code, and a second scan shows the first time.
// ARGS: account, organizer {email, password}; slug; category; mode; answers
// {field name: value}; star [idOnProgramme, idOnSessionPage].
import path from 'node:path';
import * as w from './lib.mjs';

w.run(async () => {
  await w.launch();
  const slug = w.ARGS.slug;
  const reg = `/editions/${slug}/register`;
  const [onProgramme, onSession] = w.ARGS.star;
  const out = {};
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);

  await w.step('the attendee logs in', () => w.login(page, w.ARGS.account));

  await w.step('the edition page links to the register page', async () => {
    await w.go(page, `/editions/${slug}`);
    const res = await w.follow(page, page.locator(`a[href="${reg}"]`), `to ${reg}`);
    w.check(res.status === 200 && res.path === reg, `the register link led to ${res.path} (${res.status})`);
  });

  await w.step('registered: 303 to the page with the notice and the badge code', async () => {
    await w.set(page, 'category', w.ARGS.category);
    await w.set(page, 'mode', w.ARGS.mode);
    for (const [k, v] of Object.entries(w.ARGS.answers || {})) await w.set(page, k, v);
    const res = await w.submit(page, 'category');
    w.expect303(res, 'the registration');
    w.check(res.path === `${reg}?notice=confirmed`, `after registering: ${res.path}`);
    w.check(await page.locator('p.notice[role=status]').count() === 1, 'no notice after registering');
    out.page_code = (await page.locator('.reg-facts code').first().innerText()).trim();
  });

  await w.step('/me shows the badge QR', async () => {
    await w.go(page, '/me');
    const img = page.locator('img[src$="/badge.svg"]');
    w.check(await img.count() === 1, `${await img.count()} badge images on /me`);
    await img.scrollIntoViewIfNeeded();
    w.check(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the badge image did not load');
    out.alt = await img.getAttribute('alt');
    out.me_text = await w.text(page);
    out.png = path.join(w.ARGS.shots, `attendee-badge-${w.MODE}.png`);
    await img.screenshot({ path: out.png });
  });

  await w.step('star a session on the programme page', async () => {
    await w.go(page, `/editions/${slug}/programme`);
    const res = await w.postTo(page, `/sessions/${onProgramme}/star`);
    w.expect303(res, 'the star form on the programme');
    w.check(res.path.startsWith(`/editions/${slug}/programme?notice=starred`), `the star form led to ${res.path}`);
    w.check((await w.text(page)).includes('La sesión se guardó en su agenda.'), 'no notice after starring');
    w.check(await page.locator(`form[action="/sessions/${onProgramme}/unstar"]`).count() === 1,
      'the starred session offers no unstar form');
  });

  await w.step('star a session on its own page', async () => {
    await w.go(page, `/sessions/${onSession}`);
    const res = await w.postTo(page, `/sessions/${onSession}/star`);
    w.expect303(res, 'the star form on the session page');
    w.check(res.path.startsWith(`/sessions/${onSession}?notice=starred`), `the star form led to ${res.path}`);
    w.check((await w.text(page)).includes('En su agenda'), 'the session page does not say it is in the agenda');
  });

  await w.step('both on my agenda, and in its .ics', async () => {
    const res = await w.follow(page, page.locator('main a[href="/me/agenda"]'), 'to /me/agenda');
    w.check(res.status === 200 && res.path === '/me/agenda', `the agenda link led to ${res.path} (${res.status})`);
    out.titles = await page.locator('.ag-session .ag-title').allInnerTexts();
    w.check(await page.locator('main a[href="/v1/me/agenda?format=ics"]').count() === 1, 'no .ics link on /me/agenda');
    if (w.MODE === 'js') await w.shots(page, 'attendee-agenda');
    const resp = await page.request.get('/v1/me/agenda?format=ics');
    w.check(resp.status() === 200, `GET /v1/me/agenda?format=ics answered ${resp.status()}`);
    out.ics_type = resp.headers()['content-type'];
    out.ics = await resp.text();
  });

  // the organizer: another browser context (other cookies), the same browser
  const octx = await w.newContext();
  const desk = await w.newPage(octx);
  const at = `/manage/editions/${slug}/checkin`;
  await w.step('the organizer logs in', () => w.login(desk, w.ARGS.organizer));

  await w.step('the desk checks the badge in (typed)', async () => {
    await w.go(desk, at);
    // typed as people type it: lower case, with a space
    const code = out.page_code;
    await w.set(desk, 'badge_code', `${code.slice(0, 4).toLowerCase()} ${code.slice(4).toLowerCase()}`);
    const res = await w.submit(desk, 'badge_code');
    w.expect303(res, 'the check-in');
    const t = await w.text(desk);
    w.check(/Llegada registrada/.test(t), `no "Llegada registrada" after the scan: ${t.slice(0, 600)}`);
  });

  await w.step('a second scan shows when the first was', async () => {
    await w.set(desk, 'badge_code', out.page_code);
    const res = await w.submit(desk, 'badge_code');
    w.expect303(res, 'the second scan');
    const t = await w.text(desk);
    const m = t.match(/La primera lectura fue el ([^.\n]+)/);
    w.check(/Este gafete ya se registró/.test(t) && m, `the second scan does not say the first time: ${t.slice(0, 600)}`);
    out.first_time = m[1].trim();
    out.desk_text = t;
    if (w.MODE === 'js') await w.shots(desk, 'attendee-checkin-again');
  });
  return out;
});
