// journey: steps several browser tests share: an axe scan with a
// screenshot, submitting a GOV.UK form, and filing a report through the
// whole "Report a security breach" journey.
import assert from 'node:assert/strict';
import { axe, explain, shot } from './lib.mjs';

/** Markup that must come back as text wherever it is typed. */
export const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'><b>bold</b>&amp;`;

export async function scan(page, name) {
	const v = await axe(page);
	assert.equal(v.length, 0, `${name} (${page.url()}):\n${explain(v)}`);
	await shot(page, name);
}

export async function submit(page, button = 'Continue') {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: button, exact: true }).click(),
	]);
	return res;
}

// Answers every question; `a` overrides the defaults. With `prefix` each
// page is scanned by axe and photographed as PREFIX-STEP.
export async function fileReport(page, a = {}, prefix = null) {
	a = {
		description: 'Left a case file on the 08:12 train; recovered by the guard.',
		location: 'On a train',
		subjects: 'S10301',
		org: 'hmcts-crime',
		...a,
	};
	const step = async (name) => {
		if (prefix)
			await scan(page, `${prefix}-${name}`);
	};
	assert.equal((await page.goto('/report')).status(), 200);
	await step('start');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /Start now|Continue your report/ }).click()]);
	assert.match(page.url(), /\/report\/kind$/);
	await step('kind');
	await page.getByLabel('A breach happened').check();
	await submit(page);

	assert.match(page.url(), /\/report\/what$/);
	await step('what');
	await page.locator('input[name="types"]').first().check();
	await page.getByLabel('Describe what happened').fill(a.description);
	await submit(page);

	assert.match(page.url(), /\/report\/when$/);
	await step('when');
	await page.locator('#occurred-day').fill('27');
	await page.locator('#occurred-month').fill('11');
	await page.locator('#occurred-year').fill('2026');
	await page.locator('#occurred-time').fill('17:30');
	await page.locator('#discovered-day').fill('28');
	await page.locator('#discovered-month').fill('11');
	await page.locator('#discovered-year').fill('2026');
	await page.locator('#discovered-time').fill('09:15');
	await page.getByLabel('Where did it happen?').fill(a.location);
	await submit(page);

	assert.match(page.url(), /\/report\/who$/);
	await step('who');
	await page.locator('#org').selectOption(a.org);
	await page.locator('#subjects').fill(a.subjects);
	await submit(page);

	assert.match(page.url(), /\/report\/info$/);
	await step('info');
	await page.locator('input[name="classification"][value="official"]').check();
	await page.locator('input[name="personal"][value="no"]').check();
	await page.locator('input[name="disclosed"][value="no"]').check();
	await submit(page);

	assert.match(page.url(), /\/report\/how$/);
	await step('how');
	await page.getByLabel('Someone was careless').check();
	await page.locator('input[name="damage"][value="low"]').check();
	await page.locator('input[name="criminal"][value="no"]').check();
	await submit(page);

	assert.match(page.url(), /\/report\/check$/);
	await step('check');
	const answers = await page.locator('main').innerText();
	assert.ok(answers.includes(a.location), 'Check your answers lacks the location');
	await submit(page, 'Accept and send');

	assert.match(page.url(), /\/report\/done\/SB-\d{4}-\d{6}$/);
	await step('done');
	const ref = (await page.locator('.govuk-panel__body strong').innerText()).trim();
	assert.match(ref, /^SB-\d{4}-\d{6}$/);
	return ref;
}

