// Shared pieces of the browser journeys (tests/web/*.mjs): launching Debian's
// chromium through playwright-core, reading the arguments pytest passes (one
// JSON object in argv[2]), steps that fail with a clear message, fields found
// by their labels, the keyboard-only way through a form, the mails in the
// maildir `gessd notify` writes, and screenshots.
//
// A script prints one JSON line on stdout: {"ok": true, ...result} and exits 0,
// or {"ok": false, "step": ..., "error": ..., "url": ...} and exits 1.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ARGS = JSON.parse(process.argv[2] || '{}');
export const MODE = ARGS.js === false ? 'nojs' : 'js';
// The keyboard-only variant: no mouse, no fill(): Tab to each field, type,
// Space for boxes, Enter on the button.
export const KEYBOARD = !!ARGS.keyboard;

let browser = null;
let currentStep = 'start';
let lastPage = null;
const notes = [];

export function note(msg) {
  notes.push(msg);
}

export async function launch() {
  const exe = process.env.GESS_CHROMIUM || '/usr/bin/chromium';
  const args = ['--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  browser = await chromium.launch({ executablePath: exe, headless: true, args, timeout: 30000 });
  return browser;
}

// A context as the variant asks: JavaScript on or off, desktop width.
export async function newContext(opts = {}) {
  const ctx = await browser.newContext({
    javaScriptEnabled: opts.js !== undefined ? opts.js : ARGS.js !== false,
    bypassCSP: !!opts.bypassCSP,
    viewport: { width: opts.width || 1280, height: opts.height || 900 },
    locale: 'es-PE',
    baseURL: ARGS.base,
  });
  // generous: an Argon2id login on a loaded 2-core machine takes seconds
  ctx.setDefaultTimeout(opts.timeout || 20000);
  return ctx;
}

export async function newPage(ctx) {
  const page = await ctx.newPage();
  lastPage = page;
  return page;
}

export async function step(name, fn) {
  currentStep = name;
  return fn();
}

export class Fail extends Error {}

export function check(cond, msg) {
  if (!cond) throw new Fail(msg);
}

// Runs main(); prints the JSON result; exits 0 or 1.
export async function run(main) {
  let out;
  let code = 0;
  try {
    const result = (await main()) || {};
    out = { ok: true, notes, ...result };
  } catch (e) {
    code = 1;
    out = {
      ok: false,
      step: currentStep,
      error: e instanceof Fail ? e.message : String((e && e.stack) || e),
      url: lastPage ? lastPage.url() : null,
      notes,
    };
    if (lastPage) {
      try {
        out.title = await lastPage.title();
        const text = await lastPage.evaluate(() => document.body ? document.body.innerText : '');
        out.text = text.slice(0, 1500);
      } catch {
        /* the page is gone */
      }
      if (ARGS.shots) {
        try {
          fs.mkdirSync(ARGS.shots, { recursive: true });
          const f = path.join(ARGS.shots, `FAILED-${ARGS.name || 'journey'}-${MODE}.png`);
          await lastPage.screenshot({ path: f, fullPage: true });
          out.screenshot = f;
        } catch {
          /* no screenshot then */
        }
      }
    }
  }
  if (browser) {
    try {
      await browser.close();
    } catch {
      /* already gone */
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(code);
}

// --- navigation -------------------------------------------------------------

// goto that checks the status of the final answer (after redirects).
export async function go(page, url, want = 200) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  check(resp, `no answer for ${url}`);
  if (want !== null) {
    check(resp.status() === want,
      `GET ${url}: status ${resp.status()}, want ${want} (final URL ${page.url()})`);
  }
  return resp;
}

// The redirect chain of a navigation's final response: [{method, url, status}].
export async function chain(resp) {
  const out = [];
  let req = resp.request();
  const reqs = [];
  while (req) {
    reqs.unshift(req);
    req = req.redirectedFrom();
  }
  for (const r of reqs) {
    const rr = await r.response();
    out.push({ method: r.method(), url: r.url(), status: rr ? rr.status() : null });
  }
  return out;
}

export function pathOf(url) {
  const u = new URL(url);
  return u.pathname + u.search;
}

// --- fields ----------------------------------------------------------------------

// The field called `name` in the page (a hidden input never counts); for a
// radio group, the radio of that value. Its label must be tied to it
// (<label for> or wrapping): the field is then found again through
// getByLabel(label text), which is the locator returned, so every journey
// checks the labels it uses.
export async function field(page, name, value) {
  let sel = `[name="${name}"]:not([type=hidden])`;
  const first = page.locator(sel).first();
  check(await first.count() > 0, `no field named "${name}" on ${pathOf(page.url())}`);
  const type = await first.evaluate((el) => (el.type || el.tagName).toLowerCase());
  if (type === 'radio') sel = `[name="${name}"][value="${value}"]`;
  const loc = page.locator(sel);
  check(await loc.count() === 1,
    `${await loc.count()} fields match ${sel} on ${pathOf(page.url())}`);
  const labels = await loc.evaluate((el) =>
    [...(el.labels || [])].map((l) => l.innerText.replace(/\s+/g, ' ').trim()).filter(Boolean));
  check(labels.length > 0, `the field "${name}" has no <label> tied to it`);
  const byLabel = page.getByLabel(labels[0], { exact: true });
  const n = await byLabel.count();
  let same = false;
  for (let i = 0; i < n && !same; i++) {
    same = await byLabel.nth(i).evaluate((el, s) => el === document.querySelector(s), sel);
  }
  check(same, `getByLabel(${JSON.stringify(labels[0])}) does not find the field "${name}"`);
  return { loc, type, label: labels[0] };
}

// Tab until el has the focus (each Tab press counted); fails when it never does.
// With `sel`, any focused element matching that CSS selector will do.
export async function tabTo(page, loc, what, max = 80, sel = null) {
  for (let i = 0; i <= max; i++) {
    const there = sel
      ? await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), sel)
      : await loc.evaluate((el) => el === document.activeElement);
    if (there) {
      await checkFocusVisible(page, sel ? page.locator(':focus') : loc, what);
      return i;
    }
    await page.keyboard.press('Tab');
  }
  throw new Fail(`${what} never got the focus in ${max} Tab presses on ${pathOf(page.url())}`);
}

// A focused control must show it (WCAG 2.4.7): an outline or a box-shadow, or
// a style different from its unfocused one.
async function checkFocusVisible(page, loc, what) {
  const visible = await loc.evaluate((el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return outline || !!shadow;
  });
  check(visible, `focus not visible (no outline, no box-shadow) on ${what} at ${pathOf(page.url())}`);
}

// Sets a field the way the variant says: fill()/check()/selectOption() with
// JavaScript on or off, keys only in the keyboard variant.
export async function set(page, name, value) {
  const { loc, type } = await field(page, name, value);
  if (!KEYBOARD) {
    if (type === 'checkbox' || type === 'radio') {
      if (value) await loc.check();
    } else if (type === 'select-one') {
      await loc.selectOption(String(value));
    } else {
      await loc.fill(String(value));
    }
    return;
  }
  if (type === 'radio') {
    // Tab enters a radio group once, on its checked (or first) radio
    await tabTo(page, loc, `the radio group "${name}"`, 80, `[name="${name}"]`);
  } else {
    await tabTo(page, loc, `the field "${name}"`);
  }
  if (type === 'checkbox') {
    if (value && !(await loc.isChecked())) await page.keyboard.press('Space');
    check(await loc.isChecked() === !!value, `Space did not set the box "${name}"`);
  } else if (type === 'radio') {
    // Tab lands on the group's checked (or first) radio; arrows move and check.
    for (let i = 0; i < 20 && !(await loc.isChecked()); i++) {
      const focused = await loc.evaluate((el) => el === document.activeElement);
      await page.keyboard.press(focused ? 'Space' : 'ArrowDown');
    }
    check(await loc.isChecked(), `the keys did not check "${name}" = ${value}`);
  } else if (type === 'select-one') {
    const opts = await loc.evaluate((el) => [...el.options].map((o) => o.value));
    check(opts.includes(String(value)), `the select "${name}" has no option ${value}: ${opts}`);
    await page.keyboard.press('Home');
    for (let i = 0; i < opts.length && (await loc.inputValue()) !== String(value); i++) {
      await page.keyboard.press('ArrowDown');
    }
    check((await loc.inputValue()) === String(value), `the arrows did not select ${name}=${value}`);
  } else {
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(String(value));
  }
}

// The submit button of the form holding field `name`.
export async function submitButton(page, name) {
  const form = page.locator('form', { has: page.locator(`[name="${name}"]`) }).first();
  check(await form.count() === 1, `no form holds the field "${name}"`);
  const btn = form.locator('button:not([type=button]):not([type=reset]), input[type=submit]').last();
  check(await btn.count() === 1, `the form of "${name}" has no submit button`);
  const accName = (await btn.evaluate((el) => (el.innerText || el.value || el.getAttribute('aria-label') || '').trim()));
  check(accName, `the submit button of the form of "${name}" has no name`);
  return btn;
}

// Submits the form holding field `name` (Enter on its button in the keyboard
// variant, a click otherwise) and waits for the page that answers; returns
// {status, chain, path}.
export async function submit(page, name) {
  const btn = await submitButton(page, name);
  if (KEYBOARD) await tabTo(page, btn, `the submit button of the form of "${name}"`);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  if (KEYBOARD) await page.keyboard.press('Enter');
  else await btn.click();
  const resp = await nav;
  check(resp, `submitting the form of "${name}" answered nothing`);
  return { status: resp.status(), chain: await chain(resp), path: pathOf(page.url()) };
}

// Follows a link (Tab + Enter in the keyboard variant, a click otherwise).
export async function follow(page, loc, what) {
  check(await loc.count() > 0, `no link ${what} on ${pathOf(page.url())}`);
  const link = loc.first();
  if (KEYBOARD) await tabTo(page, link, `the link ${what}`, 150);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  if (KEYBOARD) await page.keyboard.press('Enter');
  else await link.click();
  const resp = await nav;
  return { status: resp.status(), chain: await chain(resp), path: pathOf(page.url()) };
}

// After a successful form: the POST answered 303 and the page it led to 200.
export function expect303(res, what) {
  const post = res.chain[0];
  check(post && post.method === 'POST',
    `${what}: the form did not POST (${JSON.stringify(res.chain)})`);
  check(post.status === 303,
    `${what}: POST ${pathOf(post.url)} answered ${post.status}, want 303 (then at ${res.path})`);
  check(res.status === 200, `${what}: after the 303, ${res.path} answered ${res.status}`);
}

export async function text(page) {
  return page.evaluate(() => document.body.innerText);
}

export async function cookie(ctx, name) {
  return (await ctx.cookies()).find((c) => c.name === name) || null;
}

// --- mail ----------------------------------------------------------------------------

function unfoldHeaders(h) {
  return h.replace(/\r?\n[ \t]+/g, ' ');
}

function decodePart(body, cte) {
  cte = (cte || '').toLowerCase();
  if (cte === 'quoted-printable') {
    const bytes = Buffer.from(body.replace(/=\r?\n/g, ''), 'binary');
    const s = bytes.toString('binary').replace(/=([0-9A-Fa-f]{2})/g,
      (_, hx) => String.fromCharCode(parseInt(hx, 16)));
    return Buffer.from(s, 'binary').toString('utf8');
  }
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return Buffer.from(body, 'binary').toString('utf8');
}

// The text/* parts of one raw message, decoded, and its To header.
export function parseMail(raw) {
  const s = raw.toString('binary');
  const split = s.search(/\r?\n\r?\n/);
  const head = unfoldHeaders(s.slice(0, split));
  const body = s.slice(split).replace(/^\r?\n\r?\n/, '');
  const hdr = (h, name) => {
    const m = h.match(new RegExp(`^${name}:\\s*(.*)$`, 'mi'));
    return m ? m[1].trim() : '';
  };
  const to = hdr(head, 'To');
  const texts = [];
  const walk = (h, b) => {
    const ct = hdr(h, 'Content-Type') || 'text/plain';
    const bm = ct.match(/boundary="?([^";]+)"?/i);
    if (/^multipart\//i.test(ct) && bm) {
      const parts = b.split(new RegExp(`\\r?\\n?--${bm[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      for (const p of parts.slice(1)) {
        if (p.startsWith('--')) break;
        const q = p.replace(/^\r?\n/, '');
        const i = q.search(/\r?\n\r?\n/);
        if (i < 0) continue;
        walk(unfoldHeaders(q.slice(0, i)), q.slice(i).replace(/^\r?\n\r?\n/, ''));
      }
    } else if (/^text\//i.test(ct)) {
      texts.push(decodePart(b, hdr(h, 'Content-Transfer-Encoding')));
    }
  };
  walk(head, body);
  return { to, texts };
}

// Waits for a mail to `to` holding a link to `linkPath` (e.g. /verify-email)
// with a token, newer than `notBefore` (ms); answers the link with its origin
// replaced by the base URL (notify's public_url may differ).
export async function mailLink(to, linkPath, { timeout = 30000, notBefore = 0 } = {}) {
  const dir = path.join(ARGS.maildir, 'new');
  const re = new RegExp(`https?://[^\\s"'<>]*${linkPath.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]+)`);
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    let files = [];
    try {
      files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    } catch {
      /* not made yet */
    }
    const found = [];
    for (const f of files) {
      const st = fs.statSync(f);
      if (st.mtimeMs < notBefore) continue;
      const m = parseMail(fs.readFileSync(f));
      if (!m.to.toLowerCase().includes(to.toLowerCase())) continue;
      for (const t of m.texts) {
        const lm = t.match(re);
        if (lm) found.push({ at: st.mtimeMs, url: lm[0], token: lm[1] });
      }
    }
    if (found.length) {
      found.sort((a, b) => b.at - a.at);
      const u = new URL(found[0].url);
      return { url: ARGS.base + u.pathname + u.search, token: found[0].token, mailed: found[0].url };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Fail(`no mail to ${to} with a ${linkPath}?token= link in ${dir} within ${timeout} ms`);
}

// --- screenshots ------------------------------------------------------------------------

// Full-page screenshots at 1280 and 390 px into ARGS.shots; answers the notes
// (horizontal scrolling at 390 px is noted, not asserted).
export async function shots(page, name) {
  if (!ARGS.shots) return;
  fs.mkdirSync(ARGS.shots, { recursive: true });
  const vp = page.viewportSize();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: path.join(ARGS.shots, `${name}-${width}.png`), fullPage: true });
    if (width === 390) {
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      if (sw > 391) note(`${name}: scrolls sideways at 390 px (${sw} px wide)`);
    }
  }
  await page.setViewportSize(vp);
}

export function slugOf(p) {
  return p.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '') || 'home';
}

// --- journeys' common steps ------------------------------------------------------

// Logs `who` {email, password} in through /login (keys or clicks as the
// variant says): the POST answers 303 and leaves the session cookie.
export async function login(page, who) {
  await go(page, '/login');
  await set(page, 'email', who.email);
  await set(page, 'password', who.password);
  const res = await submit(page, 'password');
  expect303(res, `the login of ${who.email}`);
  check(await cookie(page.context(), 'gess_session'), `no gess_session cookie after logging ${who.email} in`);
  return res;
}

// Submits the one form whose action is `action` (its button: Tab + Enter in
// the keyboard variant, a click otherwise) and waits for the page that
// answers; returns {status, chain, path}.
export async function postTo(page, action, maxTabs = 400) {
  const btn = page.locator(`form[action="${action}"] button[type=submit]`);
  check(await btn.count() === 1, `${await btn.count()} forms posting to ${action} on ${pathOf(page.url())}`);
  if (KEYBOARD) await tabTo(page, btn, `the button of ${action}`, maxTabs);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  if (KEYBOARD) await page.keyboard.press('Enter');
  else await btn.click();
  const resp = await nav;
  check(resp, `the form of ${action} answered nothing`);
  return { status: resp.status(), chain: await chain(resp), path: pathOf(page.url()) };
}
