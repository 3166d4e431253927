// Journey: a data officer records an entry whose data item is a citizen's ID number. Typing
// 身份证号 in the data-item grid, the officer is offered the standard element 公民身份号码
// (pre-selected, with its identifier and confidence) and told that 石泉县公安局 is its source
// department and holds it in an entry it shares (the exact share level, and for 有条件共享 a link
// to the request form; a note saying 不予共享 fails the step); saved, the entry page shows the
// binding.
import {
  run, config, goto, expect, api, login, DESKTOP, PHONE,
} from './lib.mjs';

const officer = config.person || config.facts.officer;  // of another department than the source
const element = config.element;  // {id, name, identifier, source_title}
const sourceEntry = config.source_entry;  // {name, title, share_type}: the source's shared entry
// the note's exact wording per share level (elements.po, elements/views.py source_note)
const SHARE_NOTE = {
  unconditional: (e) => `“${e.title}”无条件共享：请通过共享获取，不要重复采集。`,
  conditional: (e) => `“${e.title}”有条件共享：请申请共享使用，不要重复采集。`,
};
const STAMP = Date.now().toString(36);
const TITLE = `石泉县高龄津贴发放名册（数据元旅程${STAMP}）`;
const VALUES = {
  title: TITLE,
  notes: '全县八十周岁以上老人高龄津贴发放信息。',
  catalog_class: ['basic', '基础'],
  catalog_item: ['人口'],
  format_category: ['电子表格', 'spreadsheet'],
  format_type: 'xlsx',
  share_type: ['conditional', '有条件'],
  share_condition: '仅限县内政务部门核对发放对象时使用',
  share_mode: ['接口', '共享平台'],
  open_type: ['closed', '不予开放'],
  update_cycle: ['每月', 'monthly'],
  publish_date: '2026-02-01',
  data_grade: ['一般', 'general'],
  steward: '赵敏 0915-6321111',
};

async function fillField(page, id, wanted, required) {
  const el = page.locator(`#${id}`);
  if (!(await el.count()) || !(await el.first().isVisible())) return;
  const tag = await el.first().evaluate((e) => e.tagName);
  if (tag === 'SELECT') {
    if (!wanted && !required) return;
    const options = await el.first().locator('option').evaluateAll((os) => os.map((o) => ({ v: o.value, t: o.textContent.trim() })));
    const wants = Array.isArray(wanted) ? wanted : (wanted ? [wanted] : []);
    const usable = options.filter((o) => o.v);
    const hit = usable.find((o) => wants.some((w) => o.v === w || o.t.includes(w))) || usable[0];
    if (hit) await el.first().selectOption(hit.v);
  } else if (wanted !== undefined) {
    await el.first().fill(Array.isArray(wanted) ? wanted[0] : wanted);
  } else if (required && !(await el.first().inputValue())) {
    await el.first().fill('旅程测试');
  }
}

run('elements', async (j) => {
  const page = await j.person(DESKTOP);
  expect(officer && element, 'the demo has a data officer and the register an ID-number element');

  await j.step('login', `${officer.fullname} of ${officer.org_title} logs in`, page, async () => {
    await login(page, officer.name, officer.password);
    expect(!page.url().includes('/user/login'), 'logged in');
  });

  await j.step('type', 'types 身份证号 as a data item: 公民身份号码 is suggested and pre-selected', page, async () => {
    const schema = (await api(page, 'scheming_dataset_schema_show', { type: 'dataset' })).result;
    await goto(page, '/dataset/new');
    const org = (await api(page, 'organization_show', { id: officer.org })).result;
    for (const field of schema.dataset_fields) {
      const name = field.field_name;
      if (['name', 'id'].includes(name) || field.repeating_subfields) continue;
      if (name === 'owner_org') {
        await page.locator('#field-organizations').selectOption({ value: org.id });
        continue;
      }
      await fillField(page, `field-${name}`, VALUES[name], field.required);
    }
    await page.locator('#field-data_items-0-data_type').selectOption('C');
    await page.locator('#field-data_items-0-length').fill('18');
    await page.locator('#field-data_items-0-personal_info').selectOption('yes');
    await page.locator('#field-data_items-0-name').pressSequentially('身份证号', { delay: 40 });
    const chosen = page.locator('#field-data_items-0-element_id');
    await page.waitForFunction(() => document.querySelector('#field-data_items-0-element_id').value !== '');
    expect(await chosen.inputValue() === element.id, `the element is pre-selected: ${await chosen.inputValue()}`);
    const offered = await page.locator('[data-row="0"] .govcatalog-element-suggestions').innerText();
    expect(offered.includes(element.name) && offered.includes(element.identifier) && /\d+%/.test(offered),
      `the suggestion shows name, identifier and confidence: ${offered}`);
  });

  await j.step('source', `is told ${element.source_title} holds ${element.name} and can share it`, page, async () => {
    const note = page.locator('[data-row="0"] .govcatalog-element-source');
    await note.waitFor();
    const text = await note.innerText();
    const wording = SHARE_NOTE[sourceEntry.share_type];
    expect(wording, `the source entry is shared: ${sourceEntry.share_type}`);
    expect(text.startsWith(`${element.source_title}是${element.name}的数源部门，其资源${wording(sourceEntry)}`),
      `the note names the source department, its entry and how it shares it: ${text}`);
    expect(!text.includes('不予共享'), `the note does not say the entry is not shared: ${text}`);
    const href = await note.locator('a').getAttribute('href');
    const wanted = sourceEntry.share_type === 'conditional'
      ? `/dataset/${sourceEntry.name}/access-request` : `/dataset/${sourceEntry.name}`;
    expect(href && href.endsWith(wanted), `the note links ${wanted}: ${href}`);
    await note.scrollIntoViewIfNeeded();
  });

  let entryName;
  await j.step('save', 'saves the entry', page, async () => {
    await Promise.all([page.waitForURL(/\/dataset\/.+\/resource\/new|\/dataset\/(?!new)/, { timeout: 20000 }),
      page.locator('#dataset-edit button[name="save"]').last().click()]);
    const errors = await page.locator('.error-explanation').allInnerTexts();
    expect(!errors.length, `saved without errors: ${errors}`);
    if (/\/resource\/new/.test(page.url())) {
      await page.locator('#resource-edit input[type="file"]').first().setInputFiles({
        name: '高龄津贴名册.csv', mimeType: 'text/csv', buffer: Buffer.from('身份证号\n610922194001010012\n', 'utf-8') });
      await Promise.all([page.waitForNavigation(), page.locator('#resource-edit button[name="save"][value="go-metadata"]').click()]);
    }
    entryName = new URL(page.url()).pathname.split('/').pop();
    const pkg = (await api(page, 'package_show', { id: entryName })).result;
    expect(pkg && pkg.data_items[0].element_id === element.id, `the binding is stored: ${JSON.stringify(pkg && pkg.data_items)}`);
  });

  await j.step('page', 'the entry page shows the data item bound to 公民身份号码, linked to the element', page, async () => {
    await goto(page, `/dataset/${entryName}`);
    const link = page.locator(`.govcatalog-data-items a[href$="/data-element/${element.id}"]`);
    await link.first().waitFor();
    expect((await link.first().innerText()).includes(element.name), 'the element is named in the data-item table');
    const sensitive = await page.locator('.govcatalog-grading').innerText();
    expect(sensitive.includes('身份证号'), `the sensitive item is listed: ${sensitive}`);
    await link.first().scrollIntoViewIfNeeded();
  });

  const phone = await j.person(PHONE);
  await j.step('phone', 'the entry page at phone width', phone, async () => {
    await login(phone, officer.name, officer.password);
    await goto(phone, `/dataset/${entryName}#data-items`);
    return phone;
  });
});
