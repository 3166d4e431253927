// Shared machinery of the browser journeys: Debian's chromium driven by playwright-core,
// one JSON line per step on stdout (read by test_journeys.py), a screenshot per step.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const config = JSON.parse(process.env.JOURNEY_CONFIG || '{}');
export const BASE = config.base_url;
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
  // a container's /dev/shm is often 64 MB, where Chromium's renderer crashes on long pages
  '--disable-dev-shm-usage',
];

function emit(record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

export class Journey {
  constructor(name, browser) {
    this.name = name;
    this.browser = browser;
    this.n = 0;
    this.failed = [];
    this.section = '';
    this.shots = path.join(config.screenshots_dir, name);
    fs.rmSync(this.shots, { recursive: true, force: true });  // only this run's pictures
    fs.mkdirSync(this.shots, { recursive: true });
  }

  // A fresh browser context (its own cookies: one person at one device).
  async person(viewport = DESKTOP) {
    const context = await this.browser.newContext({
      viewport, locale: 'zh-CN', acceptDownloads: true, timezoneId: 'Asia/Shanghai',
    });
    context.setDefaultTimeout(config.timeout_ms || 15000);
    const page = await context.newPage();
    page.on('pageerror', (err) => emit({ journey: this.name, log: `page error: ${err.message}` }));
    return page;
  }

  async shot(page, slug) {
    const file = path.join(this.shots, `${String(this.n).padStart(2, '0')}-${slug}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    return file;
  }

  // One step: runs fn, then screenshots `page` (whatever fn returned as page, if any).
  async step(slug, title, page, fn) {
    this.n += 1;
    const started = Date.now();
    try {
      const result = await fn();
      const shotPage = result && typeof result.screenshot === 'function' ? result : page;
      const screenshot = await this.shot(shotPage, slug);
      emit({ journey: this.name, section: this.section, n: this.n, step: title, status: 'pass',
             ms: Date.now() - started, screenshot });
      return result;
    } catch (err) {
      const screenshot = await this.shot(page, `${slug}-FAILED`);
      emit({ journey: this.name, section: this.section, n: this.n, step: title, status: 'fail',
             ms: Date.now() - started, screenshot, error: String(err && err.stack || err).slice(0, 1500) });
      throw err;
    }
  }

  // An independent part of a journey: a failure is recorded and the next part still runs.
  async part(title, fn) {
    this.section = title;
    const before = this.n;
    try {
      await fn();
    } catch (err) {
      this.failed.push(title);
      if (this.n === before) {
        // Failed before its first step: what it needs is missing. Say so as a step of its own.
        emit({ journey: this.name, section: title, n: this.n, step: `${title}: prerequisites`,
               status: 'fail', ms: 0, error: String(err && err.message || err) });
      }
    }
  }
}

export async function run(name, body) {
  const browser = await chromium.launch({
    executablePath: config.chromium || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
  });
  const journey = new Journey(name, browser);
  try {
    await body(journey);
  } catch (err) {
    journey.failed.push(String(err));
  } finally {
    await browser.close();
  }
  emit({ journey: name, done: true, failed: journey.failed });
  process.exitCode = journey.failed.length ? 1 : 0;
}

// ---- helpers the journeys share ------------------------------------------------------------

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export async function goto(page, urlPath, { status = 200 } = {}) {
  const response = await page.goto(BASE + urlPath);
  expect(response.status() === status, `GET ${urlPath}: status ${response.status()}, expected ${status}`);
  return response;
}

// CKAN starts a page's modules (the URL preview, select2 boxes) only once the page's translations
// have arrived (ckan/public/base/javascript/main.js), which on a busy machine is after the load
// event: a check of what the page's scripts draw waits for them.
export async function modulesReady(page) {
  await page.waitForFunction(() => window.ckan && ckan.module
    && Object.keys(ckan.module.instances).length > 0);
}

// Logs in through the login form with the keyboard only: the fields are found by their
// labels, filled by typing, and the form is sent with Enter.
export async function login(page, user, password) {
  await goto(page, '/user/login');
  await assertLabelled(page, 'form:has(#field-login)');
  await page.locator('#field-login').focus();
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.waitForLoadState('load');
}

export async function loggedInAs(page, user) {
  const who = await page.locator(`a[href$="/user/${user}"], a[href*="/user/${user}?"]`).count()
    || await page.locator('.account .username, .account-masthead .username').count();
  return who > 0;
}

// Every visible field of the form has an accessible name (a <label for>, aria-label or
// aria-labelledby): the check behind "forms have labels".
export async function assertLabelled(page, formSelector) {
  const unlabelled = await page.locator(formSelector).first().evaluate((form) => {
    const bad = [];
    for (const el of form.querySelectorAll('input, select, textarea')) {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
      const style = window.getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || el.offsetParent === null) continue;
      const byFor = el.id && form.ownerDocument.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      const wrapped = el.closest('label');
      if (!(byFor || wrapped || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title)) {
        bad.push(el.name || el.id || el.outerHTML.slice(0, 80));
      }
    }
    return bad;
  });
  expect(unlabelled.length === 0, `fields without a label in ${formSelector}: ${unlabelled.join(', ')}`);
}

// Usable at this width: nothing wider than the viewport (no sideways scrolling).
export async function assertFitsWidth(page) {
  const { scroll, inner, culprit } = await page.evaluate(() => {
    const inner = window.innerWidth;
    let culprit = '';
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > inner + 1 && window.getComputedStyle(el).position !== 'fixed') {
        culprit = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`;
        break;
      }
    }
    return { scroll: document.documentElement.scrollWidth, inner, culprit };
  });
  expect(scroll <= inner + 1, `page is ${scroll}px wide in a ${inner}px viewport (first too wide: ${culprit})`);
}

// The API as this browser session sees it (same cookies): to check what exists.
export async function api(page, action, params = {}) {
  const url = new URL(`${BASE}/api/3/action/${action}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const response = await page.request.get(url.toString());
  const body = await response.json().catch(() => ({}));
  return { status: response.status(), ...body };
}

// ---- accessibility (GB/T 37668-2019, aligned with WCAG 2.0 AA) -------------------------------

const AXE_SOURCE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..',
  'node_modules', 'axe-core', 'axe.min.js');
const BLOCKING = new Set(['serious', 'critical']);

// axe-core's serious and critical WCAG 2.0 A/AA violations on the page, as
// [{id, impact, help, targets}], checked within `within` (a selector; default the whole page).
export async function axeViolations(page, within) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE_SOURCE });
  }
  const found = await page.evaluate(async (scope) => {
    const result = await window.axe.run(scope ? { include: [[scope]] } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  }, within || null);
  return found.filter((v) => BLOCKING.has(v.impact));
}

// Fails on a serious or critical violation within `within`; the page-wide ones are logged with
// their selectors (one JSON line), so a violation in a template another part owns is listed.
export async function assertAccessible(journey, page, label, within) {
  const everywhere = await axeViolations(page);
  if (everywhere.length) {
    emit({ journey: journey.name, axe: label, url: page.url(), violations: everywhere });
  }
  const mine = within ? await axeViolations(page, within) : everywhere;
  expect(mine.length === 0, `axe on ${label}: ${mine.map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`).join('; ')}`);
}

// Visits each page (label -> path) and runs axe on it: a page whose part is given as `scope` must
// have no serious or critical violation within it; the rest of every page is surveyed and logged.
export async function surveyAccessibility(journey, page, pages) {
  for (const [label, urlPath, scope] of pages) {
    const response = await page.goto(BASE + urlPath);
    await page.waitForLoadState('load');
    emit({ journey: journey.name, log: `axe: ${label} (${urlPath}, ${response && response.status()})` });
    await assertAccessible(journey, page, label, scope || null).catch((err) => {
      if (scope) throw err;  // a part this check owns fails the step; others are listed above
    });
  }
}
