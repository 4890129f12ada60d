// decide: a manager assesses, decides with an override reason and issues a
// breach notice; the subject reads it, prints it and acknowledges it; a
// person's warnings. JavaScript on and off; every page passes axe and is
// photographed. Its own small world is added to the demo register with the
// CLI (BREACHREG_BIN, BREACHREG_DB from run.sh): a manager, their report,
// and an incident about that report awaiting a decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newPage, login, axe, explain, shot, cli, PASSWORD } from './lib.mjs';

const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

// An account: its password on stdin, as `user add` reads it.
function addUser(name, staffId, role) {
	execFileSync(process.env.BREACHREG_BIN, ['--db', process.env.BREACHREG_DB, 'user', 'add', name,
		'--person', staffId, '--role', role], { input: `${PASSWORD}\n` });
}

const tmp = mkdtempSync(join(tmpdir(), 'br-decide-'));
function report(subject, description) {
	const path = join(tmp, `${subject}-${Date.now()}.json`);
	writeFileSync(path, JSON.stringify({
		kind: 'breach', org: 'hmcts', types: ['portable-asset-lost'], classification: 'official',
		intent: 'negligent', damage: 'low', discovered_at: '2026-11-20T09:30:00Z',
		occurred_at: '2026-11-19T17:00:00Z', location: 'On a train', description,
		reporter: 'BT-M1', subjects: [subject],
	}));
	const ref = cli('report', path);
	for (const s of ['triaged', 'investigating', 'awaiting-decision'])
		cli('transition', ref, s);
	return ref;
}

// The world, once for the file.
cli('person', 'add', 'BT-M1', '--name', 'Bea Manager', '--org', 'hmcts');
cli('person', 'add', 'BT-S1', '--name', 'Sid Subject', '--org', 'hmcts', '--manager', 'BT-M1');
addUser('bt-manager', 'BT-M1', 'manager');
addUser('bt-subject', 'BT-S1', 'reporter');
const REF = report('BT-S1', 'Laptop left on a train');
const REF_NOJS = report('BT-S1', 'Phone left in a taxi');

async function scan(page, name) {
	const v = await axe(page);
	assert.equal(v.length, 0, `${name} (${page.url()}):\n${explain(v)}`);
	await shot(page, name);
}

async function submit(page, name) {
	const [res] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name, exact: true }).click(),
	]);
	return res;
}

async function marked(page) {
	const top = await page.locator('.app-marking--top').textContent();
	const bottom = await page.locator('.app-marking--bottom').textContent();
	assert.match(top, /^OFFICIAL-SENSITIVE HR \/ MANAGEMENT/);
	assert.equal(top, bottom);
}

test('a manager assesses, decides with an override reason and issues a notice (JS on)', async () => {
	const page = await newPage();
	await login(page, 'bt-manager');
	let res = await page.goto(`/incidents/${REF}/decide`);
	assert.equal(res.status(), 200);
	await marked(page);
	// Not assessed yet: the Assess action is offered.
	await assert.doesNotReject(page.getByRole('button', { name: 'Assess this incident' }).waitFor());
	await scan(page, 'decide-not-assessed');
	cli('assess-incident', REF); // the Assess handler is another page's
	res = await page.goto(`/incidents/${REF}/decide`);
	assert.equal(res.status(), 200);
	await scan(page, 'decide-form');
	assert.ok(await page.locator('input[name="outcome"][value="breach-notice"]').isChecked(),
		'the recommendation is chosen');
	// The override reason is revealed by its checkbox.
	const reason = page.locator('#override_reason');
	assert.equal(await reason.isVisible(), false, 'hidden until asked for');
	await page.locator('input[name="outcome"][value="formal-action"]').check();
	await page.getByLabel('Rationale').fill(`Second laptop this year ${XSS}`);
	res = await submit(page, 'Record the decision');
	assert.equal(res.status(), 400);
	await scan(page, 'decide-error');
	const summary = page.locator('.govuk-error-summary');
	await assert.doesNotReject(summary.getByRole('link', { name: /differs from the recommendation/ }).waitFor());
	assert.equal(await reason.isVisible(), true, 'revealed with its error');
	assert.match(await page.getByLabel('Rationale').inputValue(), /^Second laptop this year/);
	await reason.fill('Repeated within the year');
	res = await submit(page, 'Record the decision');
	assert.match(page.url(), new RegExp(`/incidents/${REF}\\?done=decision$`));

	res = await page.goto(`/incidents/${REF}/decide`);
	assert.equal(res.status(), 200);
	assert.equal(await page.evaluate(() => globalThis.__xss), undefined, 'no markup ran');
	await assert.doesNotReject(page.getByText('Repeated within the year').waitFor());
	await scan(page, 'decide-decided');
	await submit(page, 'Issue a breach notice');
	assert.match(page.url(), /\/notices\/BN-\d{4}-\d{6}$/);
	await marked(page);
	await scan(page, 'notice-manager');
	assert.deepEqual(page.errors, []);
});

test('the subject reads, prints and acknowledges their notice once', async () => {
	const number = JSON.parse(cli('--json', 'show', REF)).notices[0].number;
	const page = await newPage();
	await login(page, 'bt-subject');
	assert.equal((await page.goto(`/incidents/${REF}/decide`)).status(), 404);
	let res = await page.goto(`/notices/${number}`);
	assert.equal(res.status(), 200);
	await marked(page);
	await scan(page, 'notice-subject');
	// Printed: the document and its marking, not the service's chrome.
	await page.emulateMedia({ media: 'print' });
	assert.equal(await page.locator('.moj-header').isVisible(), false);
	assert.equal(await page.getByRole('button', { name: 'Acknowledge this notice' }).isVisible(), false);
	assert.equal(await page.locator('.app-marking--top').isVisible(), true);
	await shot(page, 'notice-print');
	await page.emulateMedia({ media: 'screen' });
	assert.equal(await page.getByRole('button', { name: 'Print this notice' }).isVisible(), true);
	res = await submit(page, 'Acknowledge this notice');
	assert.equal(res.status(), 200);
	await assert.doesNotReject(page.getByText('You have acknowledged this breach notice').waitFor());
	await scan(page, 'notice-acknowledged');
	assert.equal(await page.getByRole('button', { name: 'Acknowledge this notice' }).count(), 0);
	assert.deepEqual(page.errors, []);
});

test('the decision form works with JavaScript off', async () => {
	cli('assess-incident', REF_NOJS);
	const page = await newPage({ js: false });
	await login(page, 'bt-manager');
	assert.equal((await page.goto(`/incidents/${REF_NOJS}/decide`)).status(), 200);
	// Without JS the override reason is simply there.
	assert.equal(await page.locator('#override_reason').isVisible(), true);
	await scan(page, 'decide-form-nojs');
	await page.locator('input[name="outcome"][value="advice"]').check();
	await page.locator('input[name="severity"][value="minor"]').check();
	await page.getByLabel('Rationale').fill('Reported at once; recovered the same day');
	let res = await submit(page, 'Record the decision');
	assert.equal(res.status(), 400);
	await scan(page, 'decide-error-nojs');
	await page.locator('#override_reason').fill('Recovered within the hour');
	res = await submit(page, 'Record the decision');
	assert.match(page.url(), new RegExp(`/incidents/${REF_NOJS}\\?done=decision$`));
	const d = JSON.parse(cli('--json', 'show', REF_NOJS)).decisions[0];
	assert.equal(d.outcome, 'advice');
	assert.equal(d.override_reason, 'Recovered within the hour');
});

test("a person's warnings: the notice is live, none expired", async () => {
	const page = await newPage();
	await login(page, 'bt-manager');
	const res = await page.goto('/people/BT-S1');
	assert.equal(res.status(), 200);
	await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Sid Subject' }).waitFor());
	await scan(page, 'person');
	const live = page.locator('table', { has: page.locator('caption', { hasText: 'Live warnings' }) });
	assert.equal(await live.locator('tbody tr').count(), 1);
	assert.match(await live.textContent(), /Breach notice BN-\d{4}-\d{6}/);
	const expired = page.locator('table', { has: page.locator('caption', { hasText: 'Expired warnings' }) });
	assert.match(await expired.textContent(), /No expired warnings/);
	assert.deepEqual(page.errors, []);
});
