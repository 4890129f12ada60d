// pages: every page each demo account can reach by following links from
// home passes axe (WCAG 2.2 AA) and is photographed, with JavaScript on;
// each carries one h1 and a title; pages showing incident content carry
// the protective marking at top and bottom (SPEC 7). The crawl follows
// GET links of the site, so pages that appear are scanned without a new
// test; one sample per kind of path (/incidents/SB-… counts once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login, axe, explain, shot, ACCOUNTS } from './lib.mjs';

// Per account; each scan takes a second or two on a shared machine.
const MAX_PAGES = 12;

// /incidents/SB-2026-000001 -> /incidents/:id, so one of each is scanned.
function kind(path) {
	return path
		.replace(/\/(SB|BN)-\d{4}-\d{6}/g, '/:ref')
		.replace(/\/S\d{4,}/g, '/:staff')
		.replace(/\/\d+(?=\/|$)/g, '/:n');
}

function slug(path) {
	return path === '/' ? 'home' : path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-');
}

async function links(page) {
	return page.locator('a[href]').evaluateAll((as) =>
		as
			.map((a) => new URL(a.getAttribute('href'), location.href))
			.filter((u) => u.origin === location.origin && !u.pathname.startsWith('/assets/') &&
				!u.pathname.startsWith('/api/'))
			.map((u) => u.pathname + u.search),
	);
}

for (const account of ACCOUNTS) {
	test(`every page ${account} can reach passes axe`, async (t) => {
		const page = await newPage();
		await login(page, account);
		const seen = new Set();
		const queue = ['/'];
		const failures = [];
		const notBuilt = [];
		let scanned = 0;
		while (queue.length && scanned < MAX_PAGES) {
			const path = queue.shift();
			const k = kind(path.split('?')[0]) + (path.includes('?') ? '?' : '');
			if (seen.has(k))
				continue;
			seen.add(k);
			const res = await page.goto(path);
			if (res.status() === 501) {
				notBuilt.push(path);
				continue;
			}
			if (res.status() !== 200) {
				failures.push(`${path}: status ${res.status()}`);
				continue;
			}
			if (!/^text\/html/.test(res.headers()['content-type'] || ''))
				continue;
			scanned++;
			const v = await axe(page);
			if (v.length)
				failures.push(`${path}:\n${explain(v)}`);
			if ((await page.locator('h1').count()) !== 1)
				failures.push(`${path}: ${await page.locator('h1').count()} h1 elements`);
			if (!(await page.title()).trim())
				failures.push(`${path}: no title`);
			if (/\/incidents\/|\/notices\//.test(path) &&
				(await page.locator('.app-marking').count()) < 2)
				failures.push(`${path}: shows incident content without the marking top and bottom`);
			await shot(page, `page-${account}-${slug(kind(path.split('?')[0]))}`);
			for (const l of await links(page))
				if (!seen.has(kind(l.split('?')[0]) + (l.includes('?') ? '?' : '')))
					queue.push(l);
		}
		if (notBuilt.length)
			t.diagnostic(`not built yet (501): ${notBuilt.join(' ')}`);
		t.diagnostic(`${account}: ${scanned} pages scanned`);
		assert.ok(scanned >= 2, `${account} reached only ${scanned} pages`);
		assert.deepEqual(page.errors, [], 'console errors');
		assert.equal(failures.length, 0, failures.join('\n'));
	});
}

// A browser asking for an unknown path gets a page; /api paths a problem.
test('an unknown page is a GOV.UK "Page not found" that passes axe', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	const res = await page.goto('/no-such-page');
	assert.equal(res.status(), 404);
	assert.match(res.headers()['content-type'], /^text\/html/);
	await page.locator('h1').waitFor();
	const v = await axe(page);
	assert.equal(v.length, 0, explain(v));
	await shot(page, 'page-not-found');
});

test('signed out, a page sends you to sign in and back', async () => {
	const page = await newPage();
	const res = await page.goto('/report');
	assert.equal(res.status(), 200);
	assert.match(new URL(page.url()).pathname, /^\/login/);
	await page.locator('input[name="name"]').fill('reporter');
	await page.locator('input[name="password"]').fill('breachreg-demo');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
	assert.equal(new URL(page.url()).pathname, '/report');
});

test('a wrong password is a GOV.UK error that passes axe; the name typed comes back as text', async () => {
	const page = await newPage();
	const name = `"><img src=x onerror="window.__xss=1"><b>r</b>`;
	const res = await login(page, name, 'not-the-password');
	assert.notEqual(res.status(), 200);
	assert.equal(await page.locator('input[name="name"]').inputValue(), name);
	assert.equal(await page.locator('main img, main b').count(), 0);
	assert.equal(await page.evaluate(() => window.__xss), undefined);
	await page.locator('.govuk-error-summary').waitFor();
	assert.match(await page.title(), /^Error: /);
	const v = await axe(page);
	assert.equal(v.length, 0, explain(v));
	await shot(page, 'login-error');
});

test('Sign out ends the session', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
	assert.match(new URL(page.url()).pathname, /^\/login/);
	await page.locator('.govuk-notification-banner').waitFor();
	const res = await page.goto('/report');
	assert.match(new URL(page.url()).pathname, /^\/login/, `after sign-out /report answered ${res.status()}`);
});
