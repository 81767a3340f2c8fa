// The organizers' pages in the browser (issue 19): the check-in desk checks a
// badge in by its typed code and a second scan shows the first time; the
// registrations page filters and approves a pending registration; an attendee
// opening a staff page gets the 403 page. JavaScript on (keys only) or off.
// ARGS: organizer {email, password}, attendee {email, password}, slug,
// badge (a confirmed registration's code), pending (a pending one's badge).
import * as w from './lib.mjs';

w.run(async () => {
  await w.launch();
  const out = {};
  const desk = `/manage/editions/${w.ARGS.slug}/checkin`;
  const ctx = await w.newContext();
  const page = await w.newPage(ctx);
  await w.step('the organizer logs in', () => w.login(page, w.ARGS.organizer));
  await w.step('the desk checks the badge in (typed)', async () => {
    await w.go(page, desk);
    // typed as people type it: lower case, with a space
    const code = w.ARGS.badge;
    await w.set(page, 'badge_code', `${code.slice(0, 4).toLowerCase()} ${code.slice(4).toLowerCase()}`);
    const res = await w.submit(page, 'badge_code');
    w.expect303(res, 'the check-in');
    const t = await w.text(page);
    w.check(/Llegada registrada/.test(t), `no "Llegada registrada" after the scan: ${t.slice(0, 600)}`);
    out.first = t;
    if (w.ARGS.shots) await w.shots(page, `checkin-first-${w.MODE}`);
  });
  await w.step('a second scan shows when the first was', async () => {
    await w.set(page, 'badge_code', w.ARGS.badge);
    const res = await w.submit(page, 'badge_code');
    w.expect303(res, 'the second scan');
    const t = await w.text(page);
    const m = t.match(/La primera lectura fue el ([^.\n]+)/);
    w.check(/Este gafete ya se registró/.test(t) && m, `the second scan does not say the first time: ${t.slice(0, 600)}`);
    out.first_time = m[1];
    if (w.ARGS.shots) await w.shots(page, `checkin-again-${w.MODE}`);
  });
  await w.step('an unknown code is refused at its field', async () => {
    await w.set(page, 'badge_code', 'NOEXISTE1');
    const res = await w.submit(page, 'badge_code');
    w.check(res.status === 422, `an unknown code answered ${res.status}`);
    const invalid = await page.locator('#badge_code').getAttribute('aria-invalid');
    w.check(invalid === 'true', 'the code field is not marked invalid');
  });
  await w.step('the registrations page filters and approves', async () => {
    await w.go(page, `/manage/editions/${w.ARGS.slug}/registrations`);
    await w.set(page, 'status', 'pending');
    const res = await w.submit(page, 'status');
    w.check(res.status === 200 && /status=pending/.test(res.path), `the filter led to ${res.path} (${res.status})`);
    const t = await w.text(page);
    w.check(t.includes(w.ARGS.pending), `the pending registration ${w.ARGS.pending} is not listed`);
    w.check(!t.includes(w.ARGS.badge), 'a checked-in registration is listed under "pending"');
    const approve = page.locator('form[action$="/approve"] button').first();
    w.check(await approve.count() === 1, 'no approve button');
    if (w.KEYBOARD) await w.tabTo(page, approve, 'the approve button', 150);
    const nav = page.waitForNavigation({ waitUntil: 'load' });
    if (w.KEYBOARD) await page.keyboard.press('Enter');
    else await approve.click();
    const resp = await nav;
    const chain = await w.chain(resp);
    w.check(chain[0].status === 303 && resp.status() === 200, `approve answered ${JSON.stringify(chain)}`);
    w.check(/Inscripción aprobada/.test(await w.text(page)), 'no notice after approving');
    if (w.ARGS.shots) await w.shots(page, `manage-registrations-${w.MODE}`);
  });
  await w.step('an attendee gets the 403 page', async () => {
    const c2 = await w.newContext();
    const p2 = await w.newPage(c2);
    await w.login(p2, w.ARGS.attendee);
    for (const path of ['/manage', desk, `/manage/editions/${w.ARGS.slug}/registrations`]) {
      await w.go(p2, path, 403);
      w.check(/Acceso denegado/.test(await w.text(p2)), `${path}: not the 403 page`);
    }
    await c2.close();
  });
  return { first_time: out.first_time };
});
