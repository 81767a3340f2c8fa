// The harness on its own, without gessd's pages: chromium starts, a labelled
// form is filled with the keyboard alone (JavaScript on or off), axe-core runs
// (bypassCSP) and finds the one violation planted, a screenshot is written.
import path from 'node:path';
import { createRequire } from 'node:module';
import * as w from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

const HTML = `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; frame-ancestors 'none'"><title>Prueba</title></head>
<body><header><a href="#main">Saltar</a></header><main id="main"><h1>Prueba</h1>
<form method="post" action="/nowhere">
<label for="email">Correo</label><input id="email" name="email" type="email">
<label for="sector">Sector</label><select id="sector" name="sector"><option value="">-</option><option value="public">Público</option><option value="community">Comunidad</option></select>
<input id="consent" name="consent" type="checkbox" value="true"><label for="consent">Acepto</label>
<fieldset><legend>Idioma</legend><input type="radio" id="l-es" name="language" value="es"><label for="l-es">Español</label>
<input type="radio" id="l-en" name="language" value="en"><label for="l-en">English</label></fieldset>
<button type="submit">Enviar</button></form>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="30" height="30">
</main></body></html>`;

w.run(async () => {
  await w.launch();
  const ctx = await w.newContext({});
  const page = await w.newPage(ctx);
  await w.step('keyboard', async () => {
    await page.setContent(HTML);
    await w.set(page, 'email', 'ana@example.org');
    await w.set(page, 'sector', 'community');
    await w.set(page, 'consent', true);
    await w.set(page, 'language', 'en');
    // back to the first field: Tab wraps around
    await w.set(page, 'email', 'rosa@example.org');
    const v = await page.evaluate(() => [document.querySelector('#email').value,
      document.querySelector('#sector').value, document.querySelector('#consent').checked,
      document.querySelector('#l-en').checked]);
    w.check(v[0] === 'rosa@example.org' && v[1] === 'community' && v[2] === true && v[3] === true,
      `values ${v}`);
    await w.submitButton(page, 'email');
  });
  let violations = [];
  await w.step('axe', async () => {
    const actx = await w.newContext({ js: true, bypassCSP: true });
    const ap = await actx.newPage();
    await ap.setContent(HTML);
    await ap.addScriptTag({ path: AXE });
    const r = await ap.evaluate(async () => window.axe.run(document));
    violations = r.violations.map((v) => v.id);
    await w.shots(ap, "harness");
  });
  return { violations, js: w.ARGS.js !== false, keyboard: w.KEYBOARD };
});
