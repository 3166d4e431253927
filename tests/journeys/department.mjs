// Journey 2: a department user looks for data before collecting it, finds a conditionally
// shared entry of another department and requests it; the owner's admin approves; the
// requester can then download the data.
import {
  run, config, goto, expect, api, login, assertLabelled, BASE, DESKTOP,
} from './lib.mjs';

const facts = config.facts;

function isoDate(daysFromNow) {
  const d = new Date(Date.now() + daysFromNow * 86400000);
  return d.toISOString().slice(0, 10);
}

async function downloadStatus(page, entry) {
  const res = entry.resources[0];
  const response = await page.request.get(
    `${BASE}/dataset/${entry.name}/resource/${res.id}/download`, { maxRedirects: 0 });
  return response.status();
}

run('department', async (j) => {
  const requester = facts.requester;
  const admin = facts.owner_admin;
  const entry = facts.conditional_entry;
  const page = await j.person(DESKTOP);

  await j.part('log in', async () => {
    expect(requester, 'the demo has a user of a department other than the entry owner');
    await j.step('login', `${requester.fullname} (${requester.org_title}) logs in`, page, async () => {
      await login(page, requester.name, requester.password);
      expect(!page.url().includes('/user/login'), `still on the login page: ${page.url()}`);
    });
  });

  await j.part('search before collecting', async () => {
    await j.step('search-people', 'searches 人口 from the home page', page, async () => {
      await goto(page, '/');
      await page.locator('#gc-home-q').fill('人口');
      await Promise.all([page.waitForNavigation(), page.locator('#gc-home-q').press('Enter')]);
      const titles = await page.locator('.dataset-list .dataset-item .dataset-heading').allInnerTexts();
      expect(titles.length > 0, 'results for 人口');
      expect(titles.slice(0, 5).some((t) => t.includes('人口')), `an entry about 人口 among the first results: ${titles.slice(0, 5)}`);
    });
    await j.step('search-item', 'searches by a data item name and finds the entry that holds it', page, async () => {
      const probe = facts.item_probe;
      expect(probe, 'the demo has entries with data items');
      await goto(page, `/dataset/?q=${encodeURIComponent(probe.item)}`);
      const hrefs = await page.locator('.dataset-list .dataset-item .dataset-heading a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs.some((h) => h.endsWith(`/dataset/${probe.entry.name}`)), `${probe.entry.title} found by its data item ${probe.item}`);
    });
  });

  await j.part('request, approval, download', async () => {
    expect(entry && admin, 'the demo has a conditional entry with an owner admin');
    await j.step('conditional-entry', `opens the conditional entry ${entry.title}: metadata yes, data no`, page, async () => {
      await goto(page, `/dataset/${entry.name}`);
      await page.locator('.govcatalog-request-button').first().waitFor();
      expect(entry.resources.length > 0, 'the entry has a resource');
      const status = await downloadStatus(page, entry);
      expect([403, 404].includes(status), `no download before approval (got ${status})`);
    });
    await j.step('request-form', 'fills in the request form (申请使用)', page, async () => {
      await Promise.all([page.waitForNavigation(), page.locator('.govcatalog-request-button').first().click()]);
      await assertLabelled(page, '#access-request-form');
      await page.locator('#field-legal_basis').fill('《政务数据共享条例》第十三条：履行社会救助审核职责需要核验申请人户籍信息');
      await page.locator('#field-usage_scenario').fill('低保申请家庭经济状况核对');
      await page.locator('#field-usage_scope').fill('本局社会救助股经办人员，仅用于审核');
      const shareMode = page.locator('#field-share_mode');
      if (await shareMode.evaluate((el) => el.tagName) === 'SELECT') {
        const values = await shareMode.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
        await shareMode.selectOption(values[0]);
      } else {
        await shareMode.fill('接口');
      }
      await page.locator('#field-period_end').fill(isoDate(180));
      const boxes = page.locator('#access-request-form input[name="data_items"][type="checkbox"]');
      if (await boxes.count()) {
        await boxes.first().check();
      } else {
        await page.locator('#field-data_items').fill(entry.data_items.slice(0, 2).join('\n'));
      }
    });
    await j.step('request-sent', 'submits it and sees it pending in 我的申请', page, async () => {
      await Promise.all([page.waitForNavigation(), page.locator('#access-request-form button[type="submit"]').click()]);
      expect(/\/access-request\//.test(page.url()), `on the request page: ${page.url()}`);
      await goto(page, '/dashboard/access-requests');
      await page.locator('table.govcatalog-requests').getByText(entry.title).first().waitFor();
    });

    const adminPage = await j.person(DESKTOP);
    await j.step('admin-login', `${admin.fullname} (admin of ${admin.org_title}) logs in and opens 待我审批`, adminPage, async () => {
      await login(adminPage, admin.name, admin.password);
      await goto(adminPage, '/dashboard/access-requests/decide');
      await adminPage.locator('table.govcatalog-requests').getByText(entry.title).first().waitFor();
    });
    await j.step('admin-approve', 'opens the request and approves it with an expiry date', adminPage, async () => {
      await Promise.all([adminPage.waitForNavigation(), adminPage.locator('table.govcatalog-requests a').filter({ hasText: entry.title }).first().click()]);
      await assertLabelled(adminPage, '#step-approve');
      await adminPage.locator('#approve-expires').fill(isoDate(90));
      await Promise.all([adminPage.waitForNavigation(), adminPage.locator('#step-approve button[type="submit"]').click()]);
      expect(await adminPage.locator('#step-approve').count() === 0, 'the approve form is gone after the decision');
    });
    await adminPage.context().close();

    await j.step('download', 'the requester now downloads the data', page, async () => {
      await goto(page, `/dataset/${entry.name}`);
      const status = await downloadStatus(page, entry);
      expect([200, 302].includes(status), `download after approval answers ${status}`);
    });
  });
});
