// report: "Report a security breach", the GOV.UK question journey, as a
// reporter, with JavaScript on and off; every page passes axe and is
// photographed; errors are summarised and linked; what is typed into any
// free-text field comes back as text, never as markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login, axe, explain, shot } from './lib.mjs';

const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'><b>bold</b>&amp;`;

async function scan(page, name) {
	const v = await axe(page);
	assert.equal(v.length, 0, `${name} (${page.url()}):\n${explain(v)}`);
	await shot(page, name);
}

async function submit(page, button = 'Continue') {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: button, exact: true }).click(),
	]);
	return res;
}

// Answers every question; `a` overrides the defaults. With `prefix` each
// page is scanned by axe and photographed as PREFIX-STEP.
async function fileReport(page, a = {}, prefix = null) {
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

test('a reporter files a breach through the report journey (JavaScript on)', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	const ref = await fileReport(page, {}, 'report');
	assert.ok(ref);
	assert.deepEqual(page.errors, []);
	// Enhanced: GOV.UK Frontend's script ran.
	assert.ok(await page.locator('body.govuk-frontend-supported').count());
});

test('the report journey works with JavaScript off', async () => {
	const page = await newPage({ js: false });
	await login(page, 'reporter');
	const ref = await fileReport(page, { description: 'Pass lost, no JavaScript.' }, 'report-nojs');
	assert.ok(ref);
	assert.equal(await page.locator('body.govuk-frontend-supported').count(), 0);
});

test('a question answered wrongly shows a linked GOV.UK error summary', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	await page.goto('/report/kind');
	const res = await submit(page);
	assert.ok([200, 422, 400].includes(res.status()), `status ${res.status()}`);
	const summary = page.locator('.govuk-error-summary');
	await summary.waitFor();
	assert.match(await summary.innerText(), /There is a problem/);
	const link = summary.locator('a').first();
	const href = await link.getAttribute('href');
	assert.match(href, /^#/);
	assert.equal(await page.locator(href).count(), 1, `the summary links to ${href}, which is absent`);
	assert.match(await page.title(), /^Error: /, 'the title starts "Error: " (GOV.UK)');
	await scan(page, 'report-kind-error');

	await page.goto('/report/when');
	await page.locator('#occurred-day').fill('31');
	await page.locator('#occurred-month').fill('02');
	await page.locator('#occurred-year').fill('2026');
	await submit(page);
	assert.match(await page.locator('.govuk-error-summary').innerText(), /real date/);
	await scan(page, 'report-when-error');
});

test('markup typed into every free-text field of the report comes back as text', async () => {
	const page = await newPage();
	const dialogs = [];
	page.on('dialog', (d) => {
		dialogs.push(d.message());
		d.dismiss();
	});
	await login(page, 'reporter');

	// A bad staff number is shown back in its input and in no markup.
	await page.goto('/report/who');
	await page.locator('#org').selectOption('hmcts-crime');
	await page.locator('#subjects').fill(XSS);
	await submit(page);
	assert.equal(await page.locator('#subjects').inputValue(), XSS);
	assert.equal(await page.locator('main img[src="x"], main b').count(), 0);

	const ref = await fileReport(page, { description: XSS, location: XSS });
	assert.ok(ref);
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'an injected script ran');
	assert.deepEqual(dialogs, []);

	// Check your answers again: the text is there, as text.
	await page.goto('/report');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /Start now|Continue your report/ }).click()]);
	await page.goto('/report/what');
	await page.locator('input[name="types"]').first().check();
	await page.getByLabel('Describe what happened').fill(XSS);
	await submit(page);
	await page.goto('/report/what');
	assert.equal(await page.getByLabel('Describe what happened').inputValue(), XSS);
	assert.equal(await page.locator('main img[src="x"], main b, main script').count(), 0);
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'an injected script ran');
});
