// record: the central record's pages in a browser: the trends dashboard
// (its filter with JavaScript off, its charts as accessible images beside
// their tables), the quarterly return with its marking, the guidance
// catalogue and its versions, and the audit log with its filter and
// pages. Every page passes axe (WCAG 2.2 AA) and is photographed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login, axe, explain, shot } from './lib.mjs';

async function scan(page, name) {
	const v = await axe(page);
	assert.equal(v.length, 0, `${name} (${page.url()}):\n${explain(v)}`);
	await shot(page, name);
	assert.deepEqual(page.errors, [], `${name}: errors in the page`);
}

async function submit(page, button) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: button, exact: true }).click(),
	]);
	return res;
}

const CHARTS = [
	'Incidents by month',
	'Incidents by organisation',
	'Incidents by breach type',
	'Incidents by severity',
	'Incidents by control area',
	'Incidents by outcome',
];

for (const js of [true, false]) {
	test(`security filters the trends with JavaScript ${js ? 'on' : 'off'}`, async () => {
		const page = await newPage({ js });
		await login(page, 'security');
		assert.equal((await page.goto('/trends')).status(), 200);
		for (const name of CHARTS) {
			// Each chart is an image named by its title, with its table.
			await page.getByRole('img', { name }).waitFor();
			const table = page.locator('table', { has: page.locator('caption', { hasText: name }) });
			assert.ok((await table.locator('tbody tr').count()) > 0, `${name}: the table has rows`);
		}
		await scan(page, `record-trends-${js ? 'js' : 'nojs'}`);

		await page.locator('#severity').selectOption('serious');
		await page.locator('#from').fill('2026Q1');
		await page.locator('#to').fill('2026-06');
		const res = await submit(page, 'Apply filter');
		assert.equal(res.status(), 200);
		const url = new URL(page.url());
		assert.equal(url.searchParams.get('severity'), 'serious');
		assert.equal(url.searchParams.get('from'), '2026Q1');
		// Only serious incidents: the severity table has one row.
		const sev = page.locator('table', { has: page.locator('caption', { hasText: 'Incidents by severity' }) });
		assert.equal(await sev.locator('tbody tr').count(), 1);
		assert.match(await sev.locator('tbody tr').innerText(), /Serious/);
		await scan(page, `record-trends-filtered-${js ? 'js' : 'nojs'}`);
	});
}

test('a bad month is summarised and linked to its field', async () => {
	const page = await newPage({ js: false });
	await login(page, 'security');
	await page.goto('/trends');
	await page.locator('#from').fill('2026-13');
	const res = await submit(page, 'Apply filter');
	assert.equal(res.status(), 400);
	const summary = page.locator('.govuk-error-summary');
	await summary.waitFor();
	assert.match(await summary.innerText(), /from/);
	assert.equal(await summary.locator('a').first().getAttribute('href'), '#from');
	assert.equal(await page.locator('#from').inputValue(), '2026-13');
	assert.match(await page.title(), /^Error: /);
	await scan(page, 'record-trends-error');
});

test('an analyst sees the trends with people pseudonymised', async () => {
	const page = await newPage();
	await login(page, 'analyst');
	assert.equal((await page.goto('/trends')).status(), 200);
	const subjects = await page.locator('.app-subject').allInnerTexts();
	assert.ok(subjects.length > 0, 'repeat subjects are listed');
	for (const s of subjects)
		assert.match(s, /^P-[0-9a-f]{12}$/);
	assert.doesNotMatch(await page.locator('main').innerText(), /\bS\d{5}\b/);
	await scan(page, 'record-trends-analyst');
});

test('the quarterly return is one marked page', async () => {
	const page = await newPage();
	await login(page, 'security');
	await page.goto('/trends');
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('link', { name: /Quarterly return/ }).click(),
	]);
	assert.match(page.url(), /\/trends\/return\?quarter=2026Q3$/);
	assert.equal(await page.locator('.app-marking--top').innerText(), 'OFFICIAL-SENSITIVE');
	assert.equal(await page.locator('.app-marking--bottom').innerText(), 'OFFICIAL-SENSITIVE');
	await page.getByRole('heading', { level: 1, name: /2026Q3/ }).waitFor();
	await scan(page, 'record-return');
});

test('the catalogue shows an organisation\'s guidance and its versions, JavaScript off', async () => {
	const page = await newPage({ js: false });
	await login(page, 'reporter');
	assert.equal((await page.goto('/catalogue')).status(), 200);
	await scan(page, 'record-catalogue');
	await page.locator('#org').selectOption('hmpps-prisons');
	await submit(page, 'Show its guidance');
	assert.match(page.url(), /org=hmpps-prisons/);
	const row = page.locator('#type-clear-desk-failure');
	assert.match(await row.innerText(), /Minor/);
	assert.match(await row.innerText(), /Own guidance/);
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('link', { name: /View version 1/ }).click(),
	]);
	await page.getByRole('heading', { name: /Version 1 of this organisation's own guidance/ }).waitFor();
	await scan(page, 'record-catalogue-version');
});

test('security reads the audit log, filters it and pages through it', async () => {
	const page = await newPage();
	await login(page, 'security');
	assert.equal((await page.goto('/audit')).status(), 200);
	assert.match(await page.locator('.app-audit-verify').innerText(), /\d+ entries verified/);
	assert.equal(await page.locator('table.app-audit tbody tr').count(), 50);
	await scan(page, 'record-audit');
	await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Next page' }).click()]);
	assert.match(page.url(), /page=2/);
	const ref = await page.locator('table.app-audit a[href^="/incidents/SB-"]').first().innerText();
	await page.locator('#ref').fill(ref);
	await submit(page, 'Show entries');
	const on = await page.locator('table.app-audit tbody tr td:nth-child(5)').allInnerTexts();
	assert.ok(on.length > 0);
	for (const e of on)
		assert.equal(e.trim(), ref);
	await scan(page, 'record-audit-ref');
});

test('a reporter cannot reach the trends or the audit log', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	for (const path of ['/trends', '/trends/return', '/audit'])
		assert.equal((await page.goto(path)).status(), 403, path);
	assert.equal(await page.getByRole('link', { name: 'Trends' }).count(), 0);
	await scan(page, 'record-forbidden');
});
