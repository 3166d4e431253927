// Journey: data in use. A visitor previews an open entry's table (示例数据), finds a row by a
// part of one of its values and downloads the file. A department user whose request was approved
// for two data items (申请的信息项) sees exactly those columns, in the preview and from the row
// API; once the grant is revoked, both are refused again.
import { request } from 'playwright-core';
import {
  run, config, goto, expect, api, login, BASE, DESKTOP, PHONE,
} from './lib.mjs';

const facts = config.facts;
const open = config.open_table;  // {name, title, resource_id, columns, rows, first_row}
const cond = config.cond_table;  // the same, and requested: the columns the grant names

const resourcePath = (t) => `/dataset/${t.name}/resource/${t.resource_id}`;

async function previewHeaders(page) {
  return page.locator('#table-preview thead th').allInnerTexts();
}

async function firstRowCells(page) {
  return page.locator('#table-preview tbody tr').first().locator('td').allInnerTexts();
}

// No sideways scrolling of the page itself (the table scrolls inside its own box).
async function fitsWidth(page) {
  const { scroll, inner, culprit } = await page.evaluate(() => {
    const inner = window.innerWidth;
    let culprit = '';
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.table-responsive')) continue;  // scrolls inside its box
      const r = el.getBoundingClientRect();
      if (r.right > inner + 1) { culprit = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`; break; }
    }
    return { scroll: document.documentElement.scrollWidth, inner, culprit };
  });
  expect(scroll <= inner + 1, `page is ${scroll}px wide in a ${inner}px viewport (first too wide: ${culprit})`);
}

run('data_in_use', async (j) => {
  expect(open && cond && facts.requester, 'the journey has its two tables and a requester');

  await j.part('visitor: preview and download an open table', async () => {
    const page = await j.person(DESKTOP);
    await j.step('preview', `a visitor opens ${open.title}: its table, marked 示例数据`, page, async () => {
      await goto(page, resourcePath(open));
      const state = await page.locator('[data-load-state]').getAttribute('data-load-state');
      expect(state === 'loaded', `load state ${state}`);
      expect((await page.locator('h1 .badge').innerText()).includes('示例数据'), 'the 示例数据 badge');
      expect(JSON.stringify(await previewHeaders(page)) === JSON.stringify(open.columns),
        `columns ${await previewHeaders(page)} = ${open.columns}`);
      const total = await page.locator('[data-total]').getAttribute('data-total');
      expect(Number(total) === open.rows, `${total} rows, expected ${open.rows}`);
      const cells = await firstRowCells(page);
      expect(open.first_row.filter((v, i) => v && cells[i] === v).length > 0,
        `the first row shows values of the file: ${cells}`);
    });

    await j.step('search', 'finds a row by a part of one of its values', page, async () => {
      const cells = await firstRowCells(page);
      // a value shown as it is in the file (not masked), searched without its first character
      const k = open.first_row.findIndex((v, i) => v && v.length >= 3 && cells[i] === v && !/^\d+$/.test(v));
      const value = open.first_row[k >= 0 ? k : open.first_row.findIndex((v, i) => v && cells[i] === v)];
      const part = value.length >= 3 ? value.slice(1) : value;
      await page.locator('#preview-q').fill(part);
      await Promise.all([page.waitForNavigation(), page.locator('#preview-q').press('Enter')]);
      const total = Number(await page.locator('[data-total]').getAttribute('data-total'));
      expect(total >= 1 && total <= open.rows, `${total} rows contain “${part}”`);
      const shown = await page.locator('#table-preview tbody td').allInnerTexts();
      expect(shown.some((t) => t.includes(part)), `a row with “${part}” is listed`);
    });

    await j.step('download', 'downloads the file: the same table, marked 示例数据', page, async () => {
      await goto(page, resourcePath(open));
      // the page's download button; its path on this site (the link is absolute with the
      // configured site URL, which a test site need not answer at)
      const link = page.locator('a.resource-url-analytics').first();
      expect(await link.count(), 'the page has a download button');
      const href = await link.getAttribute('href');
      const { pathname } = new URL(href, BASE);
      expect(pathname.includes(`/resource/${open.resource_id}/download`), `the button downloads the file: ${href}`);
      const response = await page.request.get(BASE + pathname);
      expect(response.status() === 200, `download answered ${response.status()}`);
      const text = (await response.body()).toString('utf-8');
      expect(text.includes('示例数据'), 'the file says it is sample data');
      expect(text.includes(open.columns.join(',')), 'the file has the table’s header');
    });

    await j.step('phone', 'the preview at 390 px: the table scrolls in its box, the page does not', page, async () => {
      await page.setViewportSize(PHONE);
      await goto(page, resourcePath(open));
      await fitsWidth(page);
      await page.locator('#table-preview tbody tr').first().waitFor();
    });
  });

  await j.part('department: an approved request opens only the requested columns', async () => {
    const requester = facts.requester;
    const page = await j.person(DESKTOP);
    await j.step('login', `${requester.fullname} (${requester.org_title}) logs in`, page, async () => {
      await login(page, requester.name, requester.password);
      expect(!page.url().includes('/user/login'), `still on the login page: ${page.url()}`);
    });

    const wanted = cond.requested.map((c) => cond.first_row[cond.columns.indexOf(c)]);
    await j.step('granted-preview', `the preview of ${cond.title} shows ${cond.requested.join('、')} only`, page, async () => {
      await goto(page, resourcePath(cond));
      expect(!(await page.locator('[data-preview-refused]').count()), 'the rows are not refused');
      const headers = await previewHeaders(page);
      expect(JSON.stringify(headers) === JSON.stringify(cond.requested),
        `columns ${headers}, requested ${cond.requested}`);
      const cells = await firstRowCells(page);
      expect(JSON.stringify(cells) === JSON.stringify(wanted), `first row ${cells}, file ${wanted}`);
      const note = await page.locator('[data-columns-limited]').innerText();
      expect(note.includes(String(cond.columns.length)), `the page says the access covers only some columns: ${note}`);
    });

    await j.step('granted-api', 'the row API answers the same columns, and refuses another', page, async () => {
      const answer = await api(page, 'datastore_search', { resource_id: cond.resource_id, sort: '_id' });
      expect(answer.status === 200, `datastore_search answered ${answer.status}`);
      const fields = answer.result.fields.map((f) => f.id).filter((f) => f !== '_id');
      expect(JSON.stringify(fields) === JSON.stringify(cond.requested), `API columns ${fields}`);
      const first = answer.result.records[0];
      expect(cond.requested.every((c, i) => String(first[c]) === wanted[i]), `API first row ${JSON.stringify(first)}`);
      expect(answer.result.total === cond.rows, `API total ${answer.result.total}`);
      const hidden = cond.columns.find((c) => !cond.requested.includes(c));
      const refused = await api(page, 'datastore_search', { resource_id: cond.resource_id, fields: hidden });
      expect(refused.status === 409 && JSON.stringify(refused.error).includes(hidden),
        `a column not requested (${hidden}) is refused: ${refused.status}`);
    });

    await j.step('revoked', 'the owner revokes the grant: the preview and the API refuse again', page, async () => {
      // the owner's side, through the API with its own token (no cookie of the requester's)
      const owner = await request.newContext();
      const revoked = await owner.post(`${BASE}/api/3/action/access_request_revoke`, {
        headers: { Authorization: config.revoke_token },
        data: { id: config.request_id, reason: '共享用途已完成' },
      });
      expect(revoked.status() === 200, `revoke answered ${revoked.status()}: ${await revoked.text()}`);
      await owner.dispose();
      await goto(page, resourcePath(cond));
      expect(await page.locator('[data-preview-refused]').count() === 1, 'the preview says the rows are refused');
      const body = await page.locator('#table-preview').innerText();
      expect(!wanted.some((v) => v && v.length > 2 && body.includes(v)), 'no value of the table on the page');
      const answer = await api(page, 'datastore_search', { resource_id: cond.resource_id });
      expect(answer.status === 403, `datastore_search after revocation answered ${answer.status}`);
    });
  });

  await j.part('owner: who read the data, per entry and per grant', async () => {
    const owner = facts.owner_admin;
    const requester = facts.requester;
    expect(owner, 'the demo has an admin of the owner department');
    const page = await j.person(DESKTOP);
    await j.step('owner-login', `${owner.fullname} (${owner.org_title}) logs in`, page, async () => {
      await login(page, owner.name, owner.password);
      expect(!page.url().includes('/user/login'), `still on the login page: ${page.url()}`);
    });
    await j.step('entry-usage', 'the entry page links its usage records: the requester’s reads are there', page, async () => {
      await goto(page, `/dataset/${cond.name}`);
      const link = page.locator(`a[href$="/dataset/${cond.name}/usage"]`).first();
      await Promise.all([page.waitForNavigation(), link.click()]);
      const rows = await page.locator('.govcatalog-usage tbody tr').allInnerTexts();
      // readers are named by their display name (the usage page links each reader's profile)
      expect(rows.some((r) => r.includes(requester.fullname) && cond.requested.every((c) => r.includes(c))),
        `a read by ${requester.fullname} of ${cond.requested} is listed`);
    });
    await j.step('grant-usage', 'the request page links the usage under its grant (390 px)', page, async () => {
      await page.setViewportSize(PHONE);
      await goto(page, `/access-request/${config.request_id}`);
      await Promise.all([page.waitForNavigation(), page.locator('[data-usage-link]').click()]);
      expect(page.url().includes('/usage/grant/'), `on ${page.url()}`);
      const rows = await page.locator('.govcatalog-usage tbody tr').count();
      expect(rows > 0, 'reads under the grant are listed');
      await fitsWidth(page);
    });
  });
});
