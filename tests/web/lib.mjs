// lib: what the browser tests share. One headless Debian chromium per test
// file (never a downloaded browser), a fresh context per page, sign-in as a
// demo account, axe-core scans and full-page screenshots. tests/web/run.sh
// starts the server on a demo register and sets BASE_URL.
import { after } from 'node:test';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, request } from 'playwright-core';

export const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:8080';
export const OUT_DIR = process.env.WEB_OUT_DIR || new URL('../out/web/', import.meta.url).pathname;
export const PASSWORD = 'breachreg-demo';
export const ACCOUNTS = ['security', 'admin', 'manager', 'reporter', 'investigator', 'hr', 'dpo',
	'analyst'];

// As root, with no network but the server under test: no sandbox, no GPU,
// nothing phoning home. playwright-core makes a fresh --user-data-dir.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;

/** The shared browser, launched on first use and closed after the file's tests. */
export async function launch() {
	if (!browser) {
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
			headless: true,
			args: FLAGS,
		});
		after(async () => {
			await browser.close();
			browser = undefined;
		});
	}
	return browser;
}

/** A page in a fresh context (its own cookies), JavaScript on or off. */
export async function newPage({ js = true } = {}) {
	const b = await launch();
	const context = await b.newContext({
		baseURL: BASE_URL,
		javaScriptEnabled: js,
		viewport: { width: 1280, height: 900 },
	});
	// A missing element fails in seconds, not playwright's 30.
	context.setDefaultTimeout(10_000);
	const page = await context.newPage();
	page.jsEnabled = js;
	// Script errors, console errors, and failed loads of anything but the
	// page itself (whose status a test checks): a test asserts none.
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(String(e)));
	page.on('console', (m) => {
		if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
			page.errors.push(m.text());
	});
	page.on('response', (r) => {
		if (r.status() >= 400 && r.request().resourceType() !== 'document')
			page.errors.push(`${r.status()} ${r.url()}`);
	});
	// ERR_ABORTED: a load cut short by the next navigation (a favicon).
	page.on('requestfailed', (r) => {
		if (r.failure()?.errorText !== 'net::ERR_ABORTED')
			page.errors.push(`${r.failure()?.errorText} ${r.url()}`);
	});
	return page;
}

/** Signs in on the GOV.UK form at /login; returns the response after it. */
export async function login(page, account, password = PASSWORD) {
	await page.goto('/login');
	await page.locator('input[name="name"]').fill(account);
	await page.locator('input[name="password"]').fill(password);
	const [response] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Sign in' }).click(),
	]);
	return response;
}

const AXE_SRC = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function axeRun(page) {
	// Evaluated over the DevTools protocol, which the page's CSP
	// (script-src 'self') does not govern.
	await page.evaluate(AXE_SRC);
	return page.evaluate(async (tags) => {
		const r = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags } });
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.map((n) => n.target.join(' ') + ' ' + n.failureSummary),
		}));
	}, AXE_TAGS);
}

/** axe-core's WCAG 2.2 AA violations on the page as it is now ([] when
 * clean). A page with JavaScript off cannot run axe, so its DOM, without
 * scripts, is scanned in a JavaScript page at the same URL (same styles). */
export async function axe(page) {
	if (page.jsEnabled)
		return axeRun(page);
	const html = (await page.content()).replace(/<script\b[^]*?<\/script>/gi, '');
	const url = page.url();
	const b = await launch();
	const context = await b.newContext({ viewport: { width: 1280, height: 900 } });
	await context.addCookies(await page.context().cookies());
	try {
		const p = await context.newPage();
		await p.route(url, (route) =>
			route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
		);
		await p.goto(url);
		return await axeRun(p);
	} finally {
		await context.close();
	}
}

/** A readable list of violations for an assertion message. */
export function explain(violations) {
	return violations
		.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).join('\n    ')}`)
		.join('\n');
}

/** A full-page PNG at tests/out/web/NAME.png; returns its path. */
export async function shot(page, name) {
	mkdirSync(OUT_DIR, { recursive: true });
	const path = join(OUT_DIR, `${name}.png`);
	await page.screenshot({ path, fullPage: true });
	return path;
}

/** Runs the binary under test on the register being served (run.sh sets
 * BREACHREG_BIN, BREACHREG_DB and BREACHREG_NOW); returns its stdout. */
export function cli(...args) {
	return execFileSync(process.env.BREACHREG_BIN, ['--db', process.env.BREACHREG_DB, ...args], {
		encoding: 'utf8',
	}).trim();
}

/** The JSON API as ACCOUNT (a bearer token from `user token`), to set up
 * what a page test starts from when no page does it yet. */
export async function api(account) {
	const token = cli('user', 'token', account);
	const ctx = await request.newContext({
		baseURL: BASE_URL,
		extraHTTPHeaders: { Authorization: `Bearer ${token}` },
	});
	after(() => ctx.dispose());
	return ctx;
}
