// Journey: single sign-on. The police department's data officer opens the login page, clicks
// 统一身份认证登录, signs in on Keycloak's own page, and lands on the catalog logged in as an
// editor of 石泉县公安局 (the department Keycloak's groups claim names); she creates nothing and
// logs out, which ends the Keycloak session too (the next click asks for the password again).
import { run, config, goto, expect, api, DESKTOP, PHONE } from './lib.mjs';

const sso = config.sso;  // {username, password, org, org_title, datasets_before}

run('sso', async (j) => {
  const page = await j.person(DESKTOP);
  expect(sso && sso.password, 'the demo editor and her identity-platform password are known');

  await j.step('login-page', 'the login page offers 统一身份认证登录 first', page, async () => {
    await goto(page, '/user/login');
    const button = page.locator('#govcatalog-sso-login');
    expect(await button.isVisible(), 'the 统一身份认证登录 button is shown');
    expect((await button.innerText()).includes('统一身份认证登录'), 'the button says 统一身份认证登录');
  });

  await j.step('keycloak', 'clicking it opens the identity platform\'s sign-in page', page, async () => {
    await Promise.all([page.waitForURL(/\/realms\/govcatalog\/protocol\/openid-connect\/auth/), page.click('#govcatalog-sso-login')]);
    expect(await page.locator('#username').isVisible(), 'Keycloak asks for the user name');
  });

  await j.step('sign-in', `${sso.username} signs in at Keycloak and comes back logged in`, page, async () => {
    await page.fill('#username', sso.username);
    await page.fill('#password', sso.password);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(config.base_url)), page.press('#password', 'Enter')]);
    await page.waitForLoadState('load');
    expect(!page.url().includes('/user/login'), `back on the catalog, not the login page (${page.url()})`);
    const me = await api(page, 'user_show', { id: sso.username });
    expect(me.success, 'the session is the editor\'s');
  });

  await j.step('department', `she is an editor of ${sso.org_title}, and of nothing else`, page, async () => {
    const orgs = (await api(page, 'organization_list_for_user', { permission: 'create_dataset' })).result || [];
    const names = orgs.map((o) => o.name);
    expect(names.length === 1 && names[0] === sso.org, `may add entries in ${sso.org} only (got ${names.join(', ')})`);
    const capacity = orgs[0].capacity;
    expect(capacity === 'editor', `capacity editor (got ${capacity})`);
    await goto(page, `/organization/${sso.org}`);
    expect((await page.content()).includes(sso.org_title), 'the department page opens');
  });

  await j.step('nothing-created', 'logging in created no entry', page, async () => {
    const found = await api(page, 'package_search', { q: '*:*', rows: 0, include_private: true });
    expect(found.result.count === sso.datasets_before, `entries: ${found.result.count}, before: ${sso.datasets_before}`);
  });

  await j.step('logout', 'logging out ends the catalog session and the identity platform\'s', page, async () => {
    await goto(page, '/user/_logout');
    await page.waitForLoadState('load');
    expect(page.url().startsWith(config.base_url), `back on the catalog after logout (${page.url()})`);
    const me = await api(page, 'organization_list_for_user', { permission: 'create_dataset' });
    expect(!me.result || me.result.length === 0, 'no editor rights left in this browser');
    await goto(page, '/user/login');
    await Promise.all([page.waitForURL(/\/realms\/govcatalog\//), page.click('#govcatalog-sso-login')]);
    expect(await page.locator('#password').isVisible(), 'Keycloak asks for the password again');
  });

  const phone = await j.person(PHONE);
  await j.step('phone', 'the login page at phone width', phone, async () => {
    await goto(phone, '/user/login');
    expect(await phone.locator('#govcatalog-sso-login').isVisible(), 'the button is visible on a phone');
    return phone;
  });
});
