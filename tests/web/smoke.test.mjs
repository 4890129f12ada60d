// smoke: the sign-in page renders in the GOV.UK Design System, its assets
// load fingerprinted and immutable, it passes axe, and a demo account can
// sign in through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login, axe, explain, shot } from './lib.mjs';

test('GET /login renders with the GOV.UK header', async () => {
	const page = await newPage();
	const res = await page.goto('/login');
	assert.equal(res.status(), 200);
	assert.match(res.headers()['content-type'], /^text\/html/);
	// The header is MoJ Frontend's, built on GOV.UK's.
	await page.locator('.govuk-header, .moj-header').first().waitFor();
	assert.ok(await page.locator('input[name="name"]').isVisible());
	assert.ok(await page.locator('input[name="password"]').isVisible());
	assert.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible());
	await shot(page, 'login');
	assert.deepEqual(page.errors, []);
});

test('the stylesheets and scripts load with 200 and Cache-Control immutable', async () => {
	const page = await newPage();
	const assets = [];
	page.on('response', (r) => {
		if (new URL(r.url()).pathname.startsWith('/assets/'))
			assets.push(r);
	});
	await page.goto('/login');
	await page.waitForLoadState('networkidle');
	const css = await page.locator('link[rel="stylesheet"]').evaluateAll((ls) => ls.map((l) => l.href));
	const js = await page.locator('script[src]').evaluateAll((ss) => ss.map((s) => s.src));
	// Scripts loaded by ours (data-govuk-js and the like on <body>).
	for (const v of Object.values(await page.locator('body').evaluate((b) => ({ ...b.dataset }))))
		if (v.startsWith('/assets/'))
			js.push(new URL(v, page.url()).href);
	assert.ok(css.some((u) => /\/assets\/govuk-frontend\.min-[0-9a-f]{10}\.css$/.test(u)), css.join());
	assert.ok(js.length > 0, 'no script on /login');
	for (const u of [...css, ...js]) {
		const r = await page.request.get(u);
		assert.equal(r.status(), 200, u);
		assert.match(r.headers()['cache-control'] || '', /immutable/, u);
		assert.ok(r.headers()['etag'], `${u} has no ETag`);
	}
	// Revalidation by ETag, and no copy at an unfingerprinted name.
	const first = await page.request.get(css[0]);
	const again = await page.request.get(css[0], { headers: { 'If-None-Match': first.headers()['etag'] } });
	assert.equal(again.status(), 304);
	assert.equal((await page.request.get('/assets/govuk-frontend.min.css')).status(), 404);
	for (const r of assets)
		assert.ok([200, 304].includes(r.status()), `${r.url()} answered ${r.status()}`);
	// The fonts and images the CSS names are fetched through fingerprinted URLs too.
	assert.ok(assets.some((r) => /\/assets\/fonts\//.test(r.url())), 'no font was fetched');
});

test('/login has no axe violations (WCAG 2.2 AA)', async () => {
	const page = await newPage();
	await page.goto('/login');
	const v = await axe(page);
	assert.equal(v.length, 0, explain(v));
});

test('a reporter signs in and lands on a page', async () => {
	const page = await newPage();
	const res = await login(page, 'reporter');
	assert.equal(res.status(), 200);
	assert.doesNotMatch(new URL(page.url()).pathname, /^\/login/);
	await shot(page, 'after-login-reporter');
});
