// incidents: the incident list with its MoJ filters and pagination, my
// reports, and the case page with its forms, in headless chromium with
// JavaScript on and off; every page passes axe (WCAG 2.2 AA) and is
// photographed. The register is run.sh's demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login, axe, explain, shot, cli } from './lib.mjs';

async function scan(page, name) {
	const v = await axe(page);
	assert.equal(v.length, 0, `${name} (${page.url()}):\n${explain(v)}`);
	await shot(page, name);
}

async function click(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).first().click(),
	]);
	return res;
}

const incidents = (...args) => JSON.parse(cli('--json', 'incidents', ...args));

test('the list filters through the MoJ filter form and pages', async () => {
	const page = await newPage();
	await login(page, 'security');
	assert.equal((await page.goto('/incidents')).status(), 200);
	await scan(page, 'incidents-list');
	const all = incidents();
	assert.match(await page.locator('.moj-pagination__results').first().innerText(),
		new RegExp(`of ${all.length} results`));
	await page.locator('#status').selectOption('investigating');
	await page.locator('#org').selectOption('hmcts');
	await click(page, 'Apply filters');
	assert.match(page.url(), /status=investigating/);
	assert.match(page.url(), /org=hmcts/);
	const want = incidents('--status', 'investigating', '--org', 'hmcts');
	const refs = await page.locator('tbody th a').allInnerTexts();
	assert.deepEqual(refs, want.slice(0, 25).map((i) => i.ref));
	await scan(page, 'incidents-filtered');
	// A selected filter's tag removes it.
	await Promise.all([page.waitForNavigation(), page.locator('.moj-filter__tag').first().click()]);
	assert.doesNotMatch(page.url(), /org=hmcts/);
	// The next page of everything.
	await page.goto('/incidents');
	await Promise.all([page.waitForNavigation(), page.locator('a[rel="next"]').first().click()]);
	assert.match(page.url(), /page=2/);
	assert.deepEqual(await page.locator('tbody th a').allInnerTexts(),
		all.slice(25, 50).map((i) => i.ref));
	assert.deepEqual(page.errors, []);
});

test('a bad filter is summarised and linked to its input', async () => {
	const page = await newPage();
	await login(page, 'security');
	const res = await page.goto('/incidents?from=2026-13-45&severity=purple');
	assert.equal(res.status(), 400);
	await scan(page, 'incidents-error');
	const links = await page.locator('.govuk-error-summary a').allInnerTexts();
	assert.equal(links.length, 2);
	await page.locator('.govuk-error-summary a[href="#from"]').click();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'from');
});

test('the case page counts the ICO clock down and carries the marking', async () => {
	const page = await newPage();
	await login(page, 'dpo');
	const open = incidents('--status', 'awaiting-decision')
		.concat(incidents('--status', 'investigating'))
		.find((i) => i.personal_data.records > 0 &&
			JSON.parse(cli('--json', 'show', i.ref)).ico_decision === null);
	assert.ok(open, 'a personal-data case without an ICO decision');
	assert.equal((await page.goto(`/incidents/${open.ref}`)).status(), 200);
	await scan(page, 'incident-case-dpo');
	const clock = page.locator('[data-due]');
	assert.match(await clock.innerText(), /(\d+ hours \d+ minutes left|overdue by \d+ hours \d+ minutes)/);
	const markings = await page.locator('.app-marking').allInnerTexts();
	assert.equal(markings.length, 2);
	for (const m of markings) assert.match(m, /OFFICIAL-SENSITIVE HR \/ MANAGEMENT \/ PERSONAL DATA/);
	assert.deepEqual(page.errors, []);
});

for (const js of [true, false]) {
	test(`transitions and notes through the forms, JavaScript ${js ? 'on' : 'off'}`, async () => {
		const page = await newPage({ js });
		await login(page, 'security');
		const [inc] = incidents('--status', 'reported').slice(js ? 0 : 1);
		assert.ok(inc, 'a reported incident');
		await page.goto(`/incidents/${inc.ref}`);
		await scan(page, `incident-case-${js ? 'js' : 'nojs'}`);
		await click(page, 'Mark as triaged');
		assert.match(page.url(), new RegExp(`/incidents/${inc.ref}\\?done=transition$`));
		assert.match(await page.locator('.govuk-notification-banner').innerText(), /status was changed/);
		assert.equal(await page.locator('h1 + p .govuk-tag').innerText(), 'Triaged');
		// A reason is needed to mark it unfounded.
		await page.locator('summary', { hasText: 'Mark as unfounded' }).click();
		await click(page, 'Mark as unfounded');
		assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the reason/);
		await scan(page, `incident-reason-error-${js ? 'js' : 'nojs'}`);
		// A note, kept as text.
		await page.locator('#note').fill('Checked the gate log <b>not bold</b>');
		await click(page, 'Add note');
		assert.match(await page.locator('.govuk-notification-banner').innerText(), /note was added/);
		assert.match(await page.locator('.moj-timeline').innerText(), /<b>not bold<\/b>/);
		assert.equal(await page.locator('.moj-timeline b').count(), 0);
		assert.deepEqual(page.errors, []);
	});
}

test('a reporter sees their reports and the report alone', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	assert.equal((await page.goto('/my-reports')).status(), 200);
	await scan(page, 'my-reports');
	const first = page.locator('tbody th a').first();
	if (await first.count()) {
		await Promise.all([page.waitForNavigation(), first.click()]);
		await scan(page, 'incident-report-view');
		assert.match(await page.locator('.govuk-inset-text').innerText(), /This is the report you made/);
		assert.equal(await page.locator('.moj-timeline').count(), 0);
	}
	assert.equal((await page.goto('/incidents')).status(), 200);
	await scan(page, 'incidents-reporter');
});
