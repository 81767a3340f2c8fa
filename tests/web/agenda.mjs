// An attendee plans GESS 2028 in the browser (issue 19): logs in, stars one
// session on the programme page and another on its own page, opens
// /me/agenda from the session page's link and reads what it lists (titles,
// overlap marks, the .ics link), downloads that .ics with the browser's own
// cookie, then confirms attendance to a series event (the online mode) and
// reads the online link the page then shows.
// ARGS.account {email, password}, ARGS.slug, ARGS.star [idOnProgramme, idOnSessionPage],
// ARGS.event {id, online_url}.
import * as w from './lib.mjs';

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  const [onProgramme, onSession] = w.ARGS.star;
  const out = {};

  await w.step('log in', async () => {
    await w.go(page, '/login');
    await w.set(page, 'email', w.ARGS.account.email);
    await w.set(page, 'password', w.ARGS.account.password);
    const res = await w.submit(page, 'password');
    w.expect303(res, 'the login');
  });

  await w.step('star a session on the programme page', async () => {
    await w.go(page, `/editions/${w.ARGS.slug}/programme`);
    const res = await w.postTo(page, `/sessions/${onProgramme}/star`);
    w.expect303(res, 'the star form on the programme');
    w.check(res.path.startsWith(`/editions/${w.ARGS.slug}/programme?notice=starred`),
      `the star form led to ${res.path}`);
    w.check((await w.text(page)).includes('La sesión se guardó en su agenda.'), 'no notice after starring');
    const unstar = page.locator(`form[action="/sessions/${onProgramme}/unstar"]`);
    w.check(await unstar.count() === 1, 'the starred session offers no unstar form');
  });

  await w.step('star a session on its own page', async () => {
    await w.go(page, `/sessions/${onSession}`);
    const res = await w.postTo(page, `/sessions/${onSession}/star`);
    w.expect303(res, 'the star form on the session page');
    w.check(res.path.startsWith(`/sessions/${onSession}?notice=starred`), `the star form led to ${res.path}`);
    w.check((await w.text(page)).includes('En su agenda'), 'the session page does not say it is in the agenda');
    if (w.MODE === 'js' && w.ARGS.shots) await w.shots(page, 'agenda-session-starred');
  });

  await w.step('open my agenda', async () => {
    const res = await w.follow(page, page.locator('main a[href="/me/agenda"]'), 'to /me/agenda');
    w.check(res.status === 200 && res.path === '/me/agenda', `the agenda link led to ${res.path} (${res.status})`);
    out.titles = await page.locator('.ag-session .ag-title').allInnerTexts();
    out.overlap_marks = await page.locator('.ag-session.ag-overlap').count();
    out.overlap_words = (await w.text(page)).split('Se cruza con:').length - 1;
    const ics = page.locator('main a[href="/v1/me/agenda?format=ics"]');
    w.check(await ics.count() === 1, 'no .ics link on /me/agenda');
    if (w.MODE === 'js' && w.ARGS.shots) await w.shots(page, 'agenda-full');
  });

  await w.step('download the .ics with the cookie', async () => {
    const resp = await page.request.get('/v1/me/agenda?format=ics');
    w.check(resp.status() === 200, `GET /v1/me/agenda?format=ics answered ${resp.status()}`);
    out.ics_type = resp.headers()['content-type'];
    out.ics = await resp.text();
  });

  await w.step('RSVP to a series event', async () => {
    const ev = w.ARGS.event;
    await w.go(page, `/series-events/${ev.id}`);
    w.check(await page.locator(`a[href="${ev.online_url}"]`).count() === 0, 'the online link shows before any RSVP');
    await w.set(page, 'mode', 'online');
    const res = await w.submit(page, 'mode');
    w.expect303(res, 'the RSVP form');
    w.check(res.path === `/series-events/${ev.id}?notice=rsvp`, `the RSVP led to ${res.path}`);
    out.online_links = await page.locator(`main a[href="${ev.online_url}"]`).count();
    out.rsvp_text = await w.text(page);
  });
  return out;
});
