// Follow-up in the browser (issue 19): a party contact opens the pact's page,
// follows the link to the commitment, reports a value in the indicator's form
// (the date left at its default, today); a verifier finds it in
// /manage/measurements and verifies it; the public pact page then shows the
// progress, read back for pytest to compare with the API; the follow-up team
// marks a milestone done on the commitment's page. Each person's browser
// carries their session cookie (gess_session is the API token; the login
// form has its own journeys).
// ARGS: pact, commitment, indicator {id, name}, milestone {id, title}, value,
// evidence, comment; contact, verifier, followup: {token}.
import * as w from './lib.mjs';

const A = w.ARGS;

async function browserOf(who) {
  const ctx = await w.newContext();
  await ctx.addCookies([{ name: 'gess_session', value: who.token, url: A.base }]);
  return ctx;
}

// Sets the field `name` inside the form `form` (a locator): pages with one
// form per item repeat the names, so lib's set() (one per page) cannot. The
// label tied to the field must find it; keys only in the keyboard variant.
async function setIn(page, form, name, value) {
  const loc = form.locator(`[name="${name}"]:not([type=hidden])`).first();
  w.check(await loc.count() === 1, `no field "${name}" in the form`);
  const type = await loc.evaluate((el) => (el.type || el.tagName).toLowerCase());
  const target = type === 'radio' ? form.locator(`[name="${name}"][value="${value}"]`) : loc;
  const id = await target.getAttribute('id');
  const label = (await page.locator(`label[for="${id}"]`).innerText()).trim();
  w.check(label, `the field "${name}" (#${id}) has no label`);
  w.check(await page.getByLabel(label, { exact: true }).count() >= 1, `getByLabel(${label}) finds nothing`);
  if (!w.KEYBOARD) {
    if (type === 'radio') await target.check();
    else await loc.fill(String(value));
    return;
  }
  await w.tabTo(page, type === 'radio' ? form.locator(`[name="${name}"]`).first() : loc, `the field "${name}"`, 120);
  if (type === 'radio') {
    for (let i = 0; i < 10 && !(await target.isChecked()); i++) {
      const here = await target.evaluate((el) => el === document.activeElement);
      await page.keyboard.press(here ? 'Space' : 'ArrowDown');
    }
    w.check(await target.isChecked(), `the keys did not check ${name}=${value}`);
  } else {
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(String(value));
  }
}

// Sends the form (Enter on its button with keys, a click otherwise).
async function send(page, form, what) {
  const btn = form.locator('button[type=submit]').last();
  w.check(await btn.count() === 1, `${what}: no submit button`);
  if (w.KEYBOARD) await w.tabTo(page, btn, `the button of ${what}`, 120);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  if (w.KEYBOARD) await page.keyboard.press('Enter');
  else await btn.click();
  const resp = await nav;
  return { status: resp.status(), chain: await w.chain(resp), path: w.pathOf(page.url()) };
}

w.run(async () => {
  await w.launch();
  const out = {};

  const contact = await browserOf(A.contact);
  let page = await w.newPage(contact);
  await w.step('the contact opens the commitment from the pact page', async () => {
    await w.go(page, `/pacts/${A.pact}`);
    const res = await w.follow(page, page.locator(`main a[href="/commitments/${A.commitment}"]`),
      `to the commitment ${A.commitment}`);
    w.check(res.status === 200 && res.path === `/commitments/${A.commitment}`, `the link led to ${res.path} (${res.status})`);
  });
  await w.step('the contact reports a value', async () => {
    const form = page.locator(`form:has(input[name=indicator_id][value="${A.indicator.id}"])`);
    w.check(await form.count() === 1, 'no measurement form for the indicator');
    await setIn(page, form, 'value', A.value);
    await setIn(page, form, 'evidence', A.evidence);
    const res = await send(page, form, 'the measurement form');
    w.expect303(res, 'the measurement');
    w.check(res.path === `/commitments/${A.commitment}?notice=reported`, `the form led to ${res.path}`);
    const t = await w.text(page);
    w.check(t.includes('espera la revisión'), 'no notice that the value awaits review');
    w.check(t.includes('Por revisar'), 'the value is not shown as awaiting review');
    if (w.MODE === 'js') await w.shots(page, 'commitment-reported');
  });

  const verifier = await browserOf(A.verifier);
  page = await w.newPage(verifier);
  await w.step('the verifier verifies it in /manage/measurements', async () => {
    await w.go(page, '/manage/measurements');
    const item = page.locator('section.followup-item', { hasText: A.evidence });
    w.check(await item.count() === 1, `${await item.count()} values with the evidence "${A.evidence}" in the queue`);
    const form = item.locator('form');
    await setIn(page, form, 'decision', 'verified');
    await setIn(page, form, 'comment', A.comment);
    const res = await send(page, form, 'the review form');
    w.expect303(res, 'the review');
    w.check(res.path === '/manage/measurements?notice=verified', `the review led to ${res.path}`);
    w.check(await page.locator('section.followup-item', { hasText: A.evidence }).count() === 0,
      'the value verified is still in the queue');
    if (w.MODE === 'js') await w.shots(page, 'manage-measurements');
  });

  const anyone = await w.newContext();
  page = await w.newPage(anyone);
  await w.step('the public pact page shows the new progress', async () => {
    await w.go(page, `/pacts/${A.pact}`);
    out.bars = await page.evaluate(() => [...document.querySelectorAll('main progress')]
      .map((b) => ({ value: b.value, label: b.getAttribute('aria-label') || '' })));
  });

  const followup = await browserOf(A.followup);
  page = await w.newPage(followup);
  await w.step('the follow-up team marks the milestone done', async () => {
    await w.go(page, `/commitments/${A.commitment}`);
    const form = page.locator(`form:has(input[name=milestone_id][value="${A.milestone.id}"])`);
    w.check(await form.count() === 1, 'no "mark done" form for the milestone');
    const res = await send(page, form, 'the milestone form');
    w.expect303(res, 'the milestone');
    w.check(res.path === `/commitments/${A.commitment}?notice=milestone_done`, `the form led to ${res.path}`);
    const li = page.locator(`li#ms-${A.milestone.id}`);
    out.milestone_text = (await li.innerText()).replace(/\s+/g, ' ');
    w.check(await li.locator('form[action$="/milestones/undone"]').count() === 1, 'no "not done" form after marking it done');
  });
  return out;
});
