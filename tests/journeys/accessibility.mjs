// Accessibility (GB/T 37668-2019, aligned with WCAG 2.0 AA): axe-core on every page
// kind, as an anonymous visitor and as a department editor, with no serious or critical
// violation anywhere on the page; and the entry form used with the keyboard alone.
// Each page's findings (all impacts counted) are printed as one JSON line {axe_count: ...}, so
// the test can report the figures by page kind.
import {
  run, config, goto, expect, login, axeViolations, modulesReady, BASE, DESKTOP,
} from './lib.mjs';

const facts = config.facts;
const editor = facts.requester;  // an editor of a department (not the owner of the entries below)
const entry = facts.conditional_entry;
const open = facts.open_entry;

function emit(record) {
  process.stdout.write(JSON.stringify(record) + '\n');
}

// [label, path, expected status]: each page kind a person of this role reaches.
function pageKinds(role) {
  const kinds = [
    ['home', '/', 200],
    ['search', `/dataset/?q=${encodeURIComponent('信息')}`, 200],
    ['entry', `/dataset/${open.name}`, 200],
    ['department list', '/organization/', 200],
    ['department', `/organization/${open.org}`, 200],
    ['reuse', `/reuse?items=${encodeURIComponent('姓名')}`, 200],
    ['data element list', '/data-element', 200],
    ['data element', `/data-element/${config.element_id}`, 200],
    ['not found', '/dataset/no-such-entry-here', 404],
  ];
  if (open.resources && open.resources.length) {
    kinds.push(['resource', `/dataset/${open.name}/resource/${open.resources[0].id}`, 200]);
  }
  if (role === 'anonymous') {
    kinds.push(['login', '/user/login', 200]);
    kinds.push(['bulk import (asks to log in)', '/catalog/bulk', 200]);
    kinds.push(['forbidden', '/dashboard/access-requests', 403]);
  } else {
    kinds.push(
      ['entry (conditional, with the request button)', `/dataset/${entry.name}`, 200],
      ['information system list', '/info_system/', 200],
      ['request form', `/dataset/${entry.name}/access-request`, 200],
      ['request list', '/dashboard/access-requests', 200],
      ['request', `/access-request/${config.request_id}`, 200],
      ['bulk import', '/catalog/bulk', 200],
      ['user', `/user/${editor.name}`, 200],
      ['forbidden', '/ckan-admin', 403],
    );
    if (config.system_name) kinds.push(['information system', `/info_system/${config.system_name}`, 200]);
  }
  return kinds;
}

async function survey(j, page, role) {
  const failures = [];
  for (const [label, urlPath, status] of pageKinds(role)) {
    const response = await page.goto(BASE + urlPath);
    await page.waitForLoadState('load');
    const got = response && response.status();
    if (got !== status) failures.push(`${label} ${urlPath}: status ${got}, expected ${status}`);
    const found = await axeViolations(page);
    emit({ journey: j.name, axe_count: { role, kind: label, url: urlPath, count: found.length,
      violations: found.map((v) => `${v.impact} ${v.id} at ${v.targets.join(', ')}`) } });
    for (const v of found) {
      failures.push(`${label} (${urlPath}): ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
    }
  }
  expect(failures.length === 0, `axe as ${role}:\n${failures.join('\n')}`);
}

// What has the keyboard focus: a short description, and whether the focus is visible (an outline
// or a box shadow around it).
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = window.getComputedStyle(el);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || (style.boxShadow && style.boxShadow !== 'none');
    return { key: el.dataset.tabKey || '', name: el.getAttribute('name') || '', tag: el.tagName.toLowerCase(),
      inForm: !!el.closest('#dataset-edit'), visible: ring };
  });
}

run('accessibility', async (j) => {
  await j.part('anonymous visitor', async () => {
    const page = await j.person(DESKTOP);
    await j.step('axe-anonymous', 'axe-core on every page kind a visitor reaches: no serious or critical violation', page, async () => {
      await survey(j, page, 'anonymous');
    });
    await page.context().close();
  });

  const page = await j.person(DESKTOP);
  await j.part('department editor', async () => {
    expect(editor && entry && open, 'the demo has an editor and entries');
    await j.step('login', `${editor.fullname} logs in with the keyboard`, page, async () => {
      await login(page, editor.name, editor.password);
      expect(!page.url().includes('/user/login'), `logged in (now at ${page.url()})`);
    });
    await j.step('axe-editor', 'axe-core on every page kind an editor reaches: no serious or critical violation', page, async () => {
      await survey(j, page, 'editor');
      await goto(page, '/dataset/new');
      await modulesReady(page);
      const found = await axeViolations(page);
      emit({ journey: j.name, axe_count: { role: 'editor', kind: 'entry form', url: '/dataset/new', count: found.length,
        violations: found.map((v) => `${v.impact} ${v.id} at ${v.targets.join(', ')}`) } });
      expect(found.length === 0, `axe on the entry form: ${found.map((v) => `${v.impact} ${v.id} at ${v.targets.join(', ')}`).join('; ')}`);
    });
  });

  await j.part('the entry form with the keyboard alone', async () => {
    await j.step('skip-link', 'the first Tab reaches "跳到主要内容", and Enter moves past the navigation', page, async () => {
      await goto(page, '/dataset/new');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
      expect(first === '跳到主要内容', `the first Tab reaches the skip link (got "${first}")`);
      const target = await page.evaluate(() => document.activeElement.getAttribute('href'));
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      const inside = await page.evaluate((sel) => {
        const el = document.activeElement;
        return !!(el && el !== document.body && el.closest(sel) && !el.closest('header, .masthead'));
      }, target);
      expect(inside, `after the skip link the next Tab lands inside ${target}, past the navigation`);
    });
    await j.step('tab-walk', 'Tab reaches every field of the form in order, each with a visible focus ring, and the save button', page, async () => {
      await goto(page, '/dataset/new');
      await modulesReady(page);  // the fields as the scripts leave them (URL preview, select2)
      // Each field a keyboard user must reach gets a key; a group of radio buttons is one stop.
      const fields = await page.locator('#dataset-edit').evaluate((form) => {
        const keys = [];
        [...form.querySelectorAll('input, select, textarea, button')]
          .filter((el) => el.type !== 'hidden' && !el.disabled && el.offsetParent !== null && el.tabIndex >= 0
            && window.getComputedStyle(el).visibility !== 'hidden')
          .forEach((el, i) => {
            el.dataset.tabKey = el.type === 'radio' ? `radio:${el.name}` : `f${i}:${el.id || el.name || el.tagName}`;
            if (!keys.includes(el.dataset.tabKey)) keys.push(el.dataset.tabKey);
          });
        return keys;
      });
      const reached = new Set();
      const noRing = [];
      let savedReached = false;
      await page.locator('#dataset-edit input:visible, #dataset-edit select:visible').first().focus();
      for (let i = 0; i < fields.length * 3 + 20; i += 1) {
        const now = await focused(page);
        if (now && now.inForm) {
          if (now.key) {
            reached.add(now.key);
            if (!now.visible) noRing.push(now.key);
          }
          if (now.tag === 'button' && now.name === 'save') { savedReached = true; }
        } else if (reached.size) {
          break;  // left the form: the walk is over
        }
        await page.keyboard.press('Tab');
      }
      const missed = fields.filter((f) => !reached.has(f));
      expect(missed.length === 0, `fields Tab never reaches: ${missed.join(', ')}`);
      expect(noRing.length === 0, `fields whose focus is not visible: ${noRing.join(', ')}`);
      expect(savedReached, 'Tab reaches the save button');
      // what a screen reader says on the fields the page's scripts drew (select2 boxes, the grid)
      const spoken = await page.locator('#dataset-edit').evaluate((form) => [...form.querySelectorAll('[aria-label]')]
        .map((el) => el.getAttribute('aria-label'))
        .filter((text) => /[A-Za-z]{2,}/.test(text.replace(/\b(API|CSV|XLSX|JSON|URL|Excel)\b/g, ''))));
      expect(spoken.length === 0, `English spoken on the form: ${spoken.join(' | ')}`);
    });
    await j.step('keyboard-grid', 'adds a data-item row and types a date in Chinese form, all with the keyboard', page, async () => {
      await goto(page, '/dataset/new');
      await modulesReady(page);
      const rows = await page.locator('#field-data_items input[name$="__name"]').count();
      await page.locator('#field-data_items [data-grid-add]').focus();
      await page.keyboard.press('Enter');
      await page.locator(`#field-data_items-${rows}-name`).waitFor();
      const kept = await page.evaluate(() => !!(document.activeElement && document.activeElement.closest('#field-data_items')));
      expect(kept, 'after adding a row the keyboard focus is still in the grid, not lost to the page');
      await page.locator('#field-publish_date').focus();
      await page.keyboard.type('2026年1月15日');
      const date = page.locator('#field-publish_date');
      expect(await date.getAttribute('lang') === 'zh-CN', 'the date input is marked Chinese');
      expect(await date.getAttribute('placeholder') === '年-月-日', 'the date input reads 年-月-日');
      expect(await date.inputValue() === '2026年1月15日', 'the date is typed as Chinese text');
    });
  });
  await page.context().close();
});
