import http from 'node:http';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
const srv = http.createServer((q, r) => { r.writeHead(200, {'content-type':'text/html','content-security-policy':"default-src 'self'; script-src 'self'"}); r.end('<!doctype html><html lang="en"><head><title>x</title></head><body><main><h1>hi</h1><img src="x.png"></main></body></html>'); });
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${srv.address().port}/`;
const b = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync']});
const src = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
for (const js of [true, false]) {
  const ctx = await b.newContext({javaScriptEnabled: js});
  const p = await ctx.newPage();
  await p.goto(url);
  try {
    await p.evaluate(src);
    const v = await p.evaluate(async () => (await axe.run(document, {runOnly:{type:'tag', values:['wcag2a','wcag2aa']}})).violations.map(v => v.id));
    console.log('js', js, 'violations', v);
  } catch (e) { console.log('js', js, 'error', e.message.split('\n')[0]); }
  await ctx.close();
}
await b.close(); srv.close();
