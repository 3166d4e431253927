// Journey 1: the data officer (数据管理员) of a department records the department's resources:
// logs in (after one wrong password), creates an entry through the form with its data items,
// sees the generated resource code, edits it, survives a double click and an expired session,
// then imports entries from an Excel workbook: one with an error first, the fixed one after,
// and a file that is not a spreadsheet.
import fs from 'node:fs';
import {
  run, config, goto, expect, api, login, assertLabelled, assertFitsWidth, assertAccessible, surveyAccessibility, BASE,
  DESKTOP, PHONE,
} from './lib.mjs';

const facts = config.facts;
const officer = facts.officer;
const STAMP = Date.now().toString(36);
const TITLE = `石泉县城乡低保对象名册（旅程${STAMP}）`;

// Values a data officer types, by the machine names of catalog-spec §3. Choice fields take the
// option whose value or label matches; a required field not listed here gets the first option
// (choices) or a plain text.
const VALUES = {
  title: TITLE,
  notes: '全县城乡最低生活保障对象的家庭、成员与保障金发放信息，按月更新。',
  catalog_class: ['basic', '基础'],
  catalog_item: ['人口'],
  format_category: ['电子表格', 'spreadsheet'],
  format_type: 'xlsx',
  share_type: ['unconditional', '无条件'],
  share_mode: ['接口', '共享平台'],
  open_type: ['closed', '不予开放'],
  update_cycle: ['每月', 'monthly'],
  publish_date: '2026-01-15',
  data_grade: ['一般', 'general'],
  steward: '王敏 0915-6321234 wangmin@shiquan.gov.cn',
  tag_string: '低保,社会救助',
};
const ITEMS = [
  { name: '户主姓名', data_type: 'C', length: '50', description: '低保家庭户主姓名', personal_info: 'yes' },
  { name: '保障人数', data_type: 'I', length: '4', description: '享受低保的家庭成员数', personal_info: 'no' },
];

async function chooseOption(select, wanted) {
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ v: o.value, t: o.textContent.trim() })));
  const usable = options.filter((o) => o.v);
  const wants = Array.isArray(wanted) ? wanted : (wanted ? [wanted] : []);
  const hit = usable.find((o) => wants.some((w) => o.v === w || o.t.includes(w))) || usable[0];
  if (hit) await select.selectOption(hit.v);
  return hit && hit.v;
}

async function fillField(page, id, wanted, required) {
  const el = page.locator(`#${id}`);
  if (!(await el.count()) || !(await el.first().isVisible())) return false;
  const tag = await el.first().evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    if (wanted || required) await chooseOption(el.first(), wanted);
  } else if (wanted !== undefined) {
    await el.first().fill(Array.isArray(wanted) ? wanted[0] : wanted);
  } else if (required && !(await el.first().inputValue())) {
    await el.first().fill('旅程测试');
  }
  return true;
}

// Fills the entry form from the schema the site serves (scheming_dataset_schema_show).
async function fillEntryForm(page, schema, orgName) {
  for (const field of schema.dataset_fields) {
    const name = field.field_name;
    if (['name', 'id'].includes(name) || field.repeating_subfields) continue;
    if (name === 'owner_org') {
      await page.locator('#field-organizations').selectOption({ value: await orgId(page, orgName) });
      continue;
    }
    await fillField(page, `field-${name}`, VALUES[name], field.required);
  }
}

async function orgId(page, orgName) {
  const org = await api(page, 'organization_show', { id: orgName });
  return org.result.id;
}

// Data items (信息项) in the grid: fill row i, adding a row with the keyboard (focus the grid's
// "add a row" button, press Enter) when the grid has no row i yet.
async function fillItems(page, rows) {
  for (let i = 0; i < rows.length; i += 1) {
    if (!(await page.locator(`#field-data_items-${i}-name`).count())) {
      await page.locator('#field-data_items [data-grid-add]').focus();
      await page.keyboard.press('Enter');
      await page.locator(`#field-data_items-${i}-name`).waitFor();
    }
    for (const [key, value] of Object.entries(rows[i])) {
      await fillField(page, `field-data_items-${i}-${key}`, [value], true);
    }
  }
}

run('officer', async (j) => {
  const page = await j.person(DESKTOP);
  let schema;

  await j.part('log in', async () => {
    expect(officer, 'the demo has a data officer (an editor of a department)');
    await j.step('wrong-password', 'types a wrong password and is told so', page, async () => {
      await login(page, officer.name, 'not-the-password');
      expect(page.url().includes('/user/login'), 'stays on the login page');
      await page.locator('.alert-error, .alert-danger').first().waitFor();
    });
    await j.step('login', `${officer.fullname} of ${officer.org_title} logs in with the keyboard`, page, async () => {
      await login(page, officer.name, officer.password);
      expect(!page.url().includes('/user/login'), `logged in (now at ${page.url()})`);
    });
  });

  let entryName;
  await j.part('create an entry through the form', async () => {
    schema = (await api(page, 'scheming_dataset_schema_show', { type: 'dataset' })).result;
    expect(schema, 'the catalog entry schema is served');
    await j.step('form', 'opens the new-entry form: every field has a label', page, async () => {
      await goto(page, '/dataset/new');
      await assertLabelled(page, '#dataset-edit');
      await assertAccessible(j, page, 'the new-entry form (editor)', '#dataset-edit');
      await fillEntryForm(page, schema, officer.org);
      await fillItems(page, ITEMS);
    });
    await j.step('paste', 'pastes rows from Excel into the data-item grid: good rows are taken, a bad one is refused with its reason', page, async () => {
      const text = ['信息项名称\t数据类型\t数据长度（字节）\t描述\t涉及个人信息',
        '家庭住址\tC\t200\t户籍地址\t是', '保障类别\t字符串\t10\t\t否'].join('\n');
      await page.locator('#field-data_items-paste').fill(text);
      await page.locator('#field-data_items [data-grid-paste]').focus();
      await page.keyboard.press('Enter');
      await page.locator('#field-data_items-refused li').first().waitFor();
      const refused = await page.locator('#field-data_items-refused').innerText();
      expect(refused.includes('第 3 行') && refused.includes('字符串'), `the bad row is named with its reason: ${refused}`);
      const names = await page.locator('#field-data_items input[name$="__name"]').evaluateAll((els) => els.map((e) => e.value));
      expect(names.includes('家庭住址') && !names.includes('保障类别'), `the good row was taken, the bad one not: ${names}`);
      // the pasted row is not part of this journey's entry: clear it again
      const pasted = await page.locator('#field-data_items input[name$="__name"]').evaluateAll((els) => els.findIndex((e) => e.value === '家庭住址'));
      expect(pasted >= 0, 'the pasted row is in the grid');
      await page.locator(`#field-data_items-${pasted}-name`).fill('');
      await page.locator(`#field-data_items-${pasted}-description`).fill('');
      await page.locator(`#field-data_items-${pasted}-length`).fill('');
      await page.locator(`#field-data_items-${pasted}-data_type`).selectOption('');
      await page.locator(`#field-data_items-${pasted}-personal_info`).selectOption('');
    });
    await j.step('double-submit', 'double-clicks the submit button', page, async () => {
      const submit = page.locator('#dataset-edit button[name="save"]').last();
      await Promise.all([page.waitForURL(/\/dataset\/.+\/resource\/new|\/dataset\/(?!new)/, { timeout: 20000 }),
        submit.dblclick()]);
      await page.waitForLoadState('load');
      const errors = await page.locator('.error-explanation, .alert-error').count();
      expect(errors === 0, `no error after the double click: ${await page.locator('.error-explanation').allInnerTexts()}`);
    });
    await j.step('resource', 'adds the spreadsheet as the entry\'s file and finishes', page, async () => {
      if (/\/resource\/new/.test(page.url())) {
        const file = page.locator('#resource-edit input[type="file"]').first();
        await file.setInputFiles({ name: '低保对象名册.csv', mimeType: 'text/csv',
          buffer: Buffer.from('户主姓名,保障人数\n张三,3\n李四,2\n', 'utf-8') });
        if (await page.locator('#field-name').count()) await page.locator('#field-name').fill('低保对象名册');
        await Promise.all([page.waitForNavigation(), page.locator('#resource-edit button[name="save"][value="go-metadata"]').click()]);
      }
      expect(/\/dataset\/[^/]+$/.test(new URL(page.url()).pathname), `on the entry page: ${page.url()}`);
      entryName = new URL(page.url()).pathname.split('/').pop();
    });
    await j.step('one-entry', 'the double click made one entry, not two', page, async () => {
      const found = await api(page, 'package_search', { q: `"${STAMP}"`, include_private: true, include_drafts: true, rows: 10 });
      const same = found.result.results.filter((p) => p.title === TITLE);
      expect(same.length === 1, `${same.length} entries titled ${TITLE}`);
    });
    await j.step('code', 'sees the generated resource code on the entry page', page, async () => {
      const pkg = (await api(page, 'package_show', { id: entryName })).result;
      // 分类码 (digits) + "/" + 顺序码 (digits), catalog-spec §3
      expect(/^\d+\/\d+$/.test(pkg.resource_code || ''), `a resource code was generated: ${pkg.resource_code}`);
      await page.getByText(pkg.resource_code, { exact: false }).first().waitFor();
      expect(pkg.share_type === 'unconditional' && pkg.open_type === 'closed',
        `share/open levels saved as chosen (${pkg.share_type}/${pkg.open_type})`);
      await page.getByText('无条件共享').first().waitFor();
      for (const item of ITEMS) await page.getByText(item.name).first().waitFor();
    });
  });

  await j.part('accessibility as an editor', async () => {
    expect(entryName, 'the entry was created');
    await j.step('axe-editor', 'axe-core on every page kind an editor uses: no serious or critical violation', page, async () => {
      const systems = await api(page, 'package_search', { fq: '+dataset_type:info_system', rows: 1, include_private: true });
      const system = systems.result && systems.result.results[0];
      await surveyAccessibility(j, page, [
        ['home', '/'], ['search', '/dataset/'], ['entry', `/dataset/${entryName}`],
        ['entry form', `/dataset/edit/${entryName}`, '#dataset-edit'],
        ['information systems', '/info_system/'],
        ...(system ? [['information system', `/info_system/${system.name}`, '#info-system']] : []),
        ['department', `/organization/${officer.org}`], ['bulk import', '/catalog/bulk'],
        ['requests', '/dashboard/access-requests'], ['reuse', '/reuse'], ['not found', '/dataset/no-such-entry-here'],
      ]);
    });
  });

  await j.part('edit the entry', async () => {
    expect(entryName, 'the entry was created');
    const before = (await api(page, 'package_show', { id: entryName })).result;
    await j.step('edit', 'edits the summary and adds a data item', page, async () => {
      await goto(page, `/dataset/edit/${entryName}`);
      await assertLabelled(page, '#dataset-edit');
      await page.locator('#field-notes').fill(`${VALUES.notes}（已核对：${STAMP}）`);
      await fillItems(page, [...ITEMS, { name: '保障金额', data_type: 'Y', length: '10', description: '月保障金（元）', personal_info: 'no' }]);
      await Promise.all([page.waitForNavigation(), page.locator('#dataset-edit button[name="save"]').last().click()]);
      await page.getByText(`已核对：${STAMP}`).first().waitFor();
      await page.getByText('保障金额').first().waitFor();
      const after = (await api(page, 'package_show', { id: entryName })).result;
      expect(after.resource_code === before.resource_code, `the code stays ${before.resource_code} (now ${after.resource_code})`);
    });
  });

  await j.part('session expires during a form', async () => {
    expect(entryName, 'the entry was created');
    await j.step('expired', 'the session expires while the edit form is open; saving asks to log in again', page, async () => {
      await goto(page, `/dataset/edit/${entryName}`);
      await page.locator('#field-notes').fill(`${VALUES.notes}（会话过期后：${STAMP}）`);
      await page.context().clearCookies();  // what an expired session looks like to the server
      await Promise.all([page.waitForNavigation(), page.locator('#dataset-edit button[name="save"]').last().click()]);
      expect(page.url().includes('/user/login'), `sent to the login page (at ${page.url()})`);
      await page.getByText('登录已过期').first().waitFor();
    });
    await j.step('expired-resume', 'logs in again, is back on the form and saves', page, async () => {
      await page.locator('#field-login').fill(officer.name);
      await page.locator('#field-password').fill(officer.password);
      await Promise.all([page.waitForNavigation(), page.locator('#field-password').press('Enter')]);
      expect(page.url().includes(`/dataset/edit/${entryName}`), `back on the form (at ${page.url()})`);
      await page.locator('#field-notes').fill(`${VALUES.notes}（会话过期后：${STAMP}）`);
      await Promise.all([page.waitForNavigation(), page.locator('#dataset-edit button[name="save"]').last().click()]);
      await page.getByText(`会话过期后：${STAMP}`).first().waitFor();
    });
  });

  await j.part('entry page on a phone', async () => {
    expect(entryName, 'the entry was created');
    const phone = await j.person(PHONE);
    await j.step('phone', 'the entry page is usable at 390 px', phone, async () => {
      await login(phone, officer.name, officer.password);
      await goto(phone, `/dataset/${entryName}`);
      await assertFitsWidth(phone);
    });
    await phone.context().close();
  });

  await j.part('Excel import', async () => {
    const files = config.import_files || {};
    expect(files.bad && files.good && fs.existsSync(files.bad), 'workbooks for the import were built by the fixture');
    const upload = async (file) => {
      await goto(page, '/catalog/bulk');
      await assertLabelled(page, '#bulk-upload-form');
      const org = page.locator('#bulk-org');
      const options = await org.locator('option').evaluateAll((os) => os.map((o) => ({ v: o.value, t: o.textContent.trim() })));
      const mine = options.find((o) => o.v && o.t.includes(officer.org_title)) || options.find((o) => o.v);
      await org.selectOption(mine.v);
      await page.locator('#bulk-file').setInputFiles(file);
      await Promise.all([page.waitForNavigation(), page.locator('#bulk-upload-form button[type="submit"]').click()]);
    };
    await j.step('template', 'opens the import page and gets the template', page, async () => {
      await goto(page, '/catalog/bulk');
      const href = await page.locator('#bulk-template').getAttribute('href');
      const response = await page.request.get(new URL(href, BASE).toString());
      expect(response.status() === 200, `template download answered ${response.status()}`);
      expect((await response.body()).subarray(0, 2).toString() === 'PK', 'the template is an .xlsx (zip) file');
    });
    await j.step('import-error', 'uploads a workbook with an error and reads the report', page, async () => {
      await upload(files.bad);
      await page.locator('#bulk-failed').waitFor();
      const rows = await page.locator('#bulk-problems tbody tr').allInnerTexts();
      expect(rows.length >= 1, 'the report lists the problem');
      expect(rows.some((r) => /共享条件/.test(r)), `the report names the field: ${rows.join(' | ')}`);
      expect(await page.locator('#bulk-confirm-form').count() === 0, 'nothing can be written yet');
      const none = await api(page, 'package_search', { q: files.title, include_private: true, rows: 50 });
      expect(!none.result.results.some((p) => p.title === files.title), 'nothing was imported');
    });
    await j.step('import-fixed', 'uploads the fixed workbook, confirms, and the entry exists', page, async () => {
      await upload(files.good);
      await page.locator('#bulk-ready').waitFor();
      await Promise.all([page.waitForNavigation(), page.locator('#bulk-confirm-form button[type="submit"]').click()]);
      await page.locator('#bulk-done').waitFor();
      // the newest entries of the department, as the officer sees them
      const found = await api(page, 'package_search', {
        fq: `organization:${officer.org}`, sort: 'metadata_modified desc', include_private: true, rows: 5 });
      const same = found.result.results.filter((p) => p.title === files.title);
      expect(same.length === 1, `one imported entry titled ${files.title} (found ${same.length})`);
      expect(same[0].resource_code, 'the imported entry got a resource code');
    });
    await j.step('not-a-spreadsheet', 'uploads a PDF by mistake and is told it is not a spreadsheet', page, async () => {
      await upload(files.not_spreadsheet);
      const message = page.locator('#bulk-error, #bulk-failed').first();
      await message.waitFor();
      expect(await page.locator('#bulk-confirm-form').count() === 0, 'nothing to confirm');
    });
  });
});
