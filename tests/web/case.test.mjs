// case: a case from report to breach notice in the browser. A reporter
// files it; the manager of the person responsible assesses it, decides an
// outcome other than the recommendation with a reason, and issues a breach
// notice; the person's own account cannot open the case; security sees the
// trends. Every page passes axe and is photographed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { newPage, login, api, PASSWORD } from './lib.mjs';
import { XSS, scan, submit, fileReport } from './journey.mjs';

// S10301 (Karen Okafor, HMCTS Crime) is in the demo manager's line (S10284).
const SUBJECT = 'S10301';
let ref;

test('a reporter files the case', async () => {
	const page = await newPage();
	await login(page, 'reporter');
	ref = await fileReport(page, { subjects: SUBJECT, description: 'Case file left on a train.' });
});

test('the manager assesses, decides with an override reason, and issues a notice', async () => {
	assert.ok(ref, 'no case was filed');
	// Triage is the security team's; start there (the API, as security).
	const sec = await api('security');
	for (const to of ['triaged', 'investigating']) {
		const r = await sec.post(`/api/v1/incidents/${ref}/transitions`, { data: { to } });
		assert.ok(r.ok(), `transition to ${to}: ${r.status()} ${await r.text()}`);
	}

	const page = await newPage();
	await login(page, 'manager');
	assert.equal((await page.goto(`/incidents/${ref}`)).status(), 200);
	await scan(page, 'case-incident');
	assert.equal(await page.locator('.app-marking').count(), 2, 'the marking top and bottom');

	assert.equal((await page.goto(`/incidents/${ref}/decide?subject=${SUBJECT}`)).status(), 200);
	if (await page.getByRole('button', { name: 'Assess this incident' }).count()) {
		await scan(page, 'case-decide-unassessed');
		await submit(page, 'Assess this incident');
		if (!/\/decide/.test(page.url()))
			await page.goto(`/incidents/${ref}/decide?subject=${SUBJECT}`);
	}
	await page.locator('form[action$="/decide"]').waitFor();
	await scan(page, 'case-decide');

	// Choose an outcome other than the recommended one that calls for a
	// breach notice (a breach notice itself, unless that is recommended).
	const recommended = await page.locator('input[name="outcome"]:checked').getAttribute('value');
	const values = await page.locator('input[name="outcome"]').evaluateAll((es) => es.map((e) => e.value));
	const calls = values.filter((v) => v !== recommended && v !== 'no-action' && v !== 'advice');
	const other = calls.includes('breach-notice') ? 'breach-notice' : calls[0];
	assert.ok(other, `no outcome other than ${recommended} calls for a notice: ${values}`);
	await page.locator(`input[name="outcome"][value="${other}"]`).check();
	if (!(await page.locator('input[name="severity"]:checked').count()))
		await page.locator('input[name="severity"]').first().check();
	await page.locator('#rationale').fill(`Decided ${other}: ${XSS}`);

	// Without a reason the override is refused, as a GOV.UK error.
	await submit(page, 'Record the decision');
	await page.locator('.govuk-error-summary').waitFor();
	assert.match(await page.title(), /^Error: /);
	await scan(page, 'case-decide-error');

	await page.locator('#override').check();
	await page.locator('#override_reason').fill(`The subject self-reported at once. ${XSS}`);
	await submit(page, 'Record the decision');
	assert.equal(await page.locator('.govuk-error-summary').count(), 0,
		await page.locator('.govuk-error-summary').innerText().catch(() => ''));
	await page.goto(`/incidents/${ref}/decide?subject=${SUBJECT}`);
	const decided = await page.locator('main').innerText();
	assert.ok(decided.includes(`The subject self-reported at once. ${XSS}`), 'the override reason, as text');
	assert.equal(await page.evaluate(() => window.__xss), undefined, 'an injected script ran');
	assert.equal(await page.locator('main img[src="x"], main b').count(), 0);
	await scan(page, 'case-decided');

	// Issuing shows the notice itself.
	const res = await submit(page, 'Issue a breach notice');
	assert.equal(res.status(), 200);
	assert.match(new URL(page.url()).pathname, /^\/notices\/BN-\d{4}-\d{6}$/);
	assert.match(await page.locator('main').innerText(), /BN-\d{4}-\d{6}/);
	await scan(page, 'case-notice');
});

test("the subject's own account cannot open the case", async () => {
	assert.ok(ref, 'no case was filed');
	execFileSync(process.env.BREACHREG_BIN,
		['--db', process.env.BREACHREG_DB, 'user', 'add', 'karen', '--person', SUBJECT, '--role', 'reporter'],
		{ input: `${PASSWORD}\n` });
	const page = await newPage();
	await login(page, 'karen');
	const res = await page.goto(`/incidents/${ref}`);
	assert.equal(res.status(), 404, 'as if it did not exist');
	assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(ref));
	await scan(page, 'case-subject-404');
	await page.goto(`/incidents/${ref}/decide?subject=${SUBJECT}`);
	assert.doesNotMatch(await page.locator('main').innerText(), /Your decision/);
});

test('security sees the trends page, charts beside their tables', async () => {
	const page = await newPage();
	await login(page, 'security');
	const res = await page.goto('/trends');
	assert.equal(res.status(), 200);
	assert.ok(await page.locator('main table').count(), 'a data table');
	assert.ok(await page.locator('main svg').count(), 'an SVG chart');
	await scan(page, 'trends');
	// A reporter is not shown them.
	const other = await newPage();
	await login(other, 'reporter');
	assert.notEqual((await other.goto('/trends')).status(), 200);
});
