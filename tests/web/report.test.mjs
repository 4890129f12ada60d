// report: "Report a security breach", the GOV.UK question journey, as a
// reporter, with JavaScript on and off; every page passes axe and is
// photographed; errors are summarised and linked; what is typed into any
// free-text field comes back as text, never as markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, login } from './lib.mjs';
import { XSS, scan, submit, fileReport } from './journey.mjs';

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
