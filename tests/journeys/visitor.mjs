// Journey 3: the public visitor, on a phone (390 px) and a desktop (1280 px).
// Browses open entries by theme, downloads a file, and never meets a closed entry.
import {
  run, config, goto, expect, api, assertFitsWidth, surveyAccessibility, BASE, PHONE, DESKTOP,
} from './lib.mjs';

const facts = config.facts;

run('visitor', async (j) => {
  const page = await j.person(PHONE);

  await j.part('home page', async () => {
    await j.step('home-phone', 'home page at 390 px: search box, counts and charts', page, async () => {
      await goto(page, '/');
      await page.getByRole('search').getByRole('searchbox').waitFor();
      expect(await page.locator('#gc-total').isVisible(), 'the total count is shown');
      const drawn = await page.locator('canvas[data-gc-drawn="true"]').count();
      expect(drawn >= 3, `charts drawn by the site's own chart library (got ${drawn})`);
      const chartSrc = await page.locator('script[src*="chart.umd.min.js"]').getAttribute('src');
      expect(!/^https?:/.test(chartSrc) || chartSrc.startsWith(BASE), `chart library served by the site: ${chartSrc}`);
      await assertFitsWidth(page);
    });
    const wide = await j.person(DESKTOP);
    await j.step('home-desktop', 'home page at 1280 px', wide, async () => {
      await goto(wide, '/');
      expect(await wide.locator('canvas[data-gc-drawn="true"]').count() >= 3, 'charts drawn');
      await assertFitsWidth(wide);
      // The counts are what this visitor may see: the total equals an anonymous search.
      const search = await api(wide, 'package_search', { q: '*:*', fq: '+dataset_type:dataset', rows: 0, include_private: true });
      const shown = (await wide.locator('#gc-total').innerText()).match(/\d+/)[0];
      expect(Number(shown) === search.result.count, `home total ${shown} = anonymous search ${search.result.count}`);
    });
    await wide.context().close();
  });

  await j.part('browse open entries by theme', async () => {
    await j.step('theme', 'picks a theme on the home page and sees its entries', page, async () => {
      await goto(page, '/');
      const theme = page.locator('#gc-browse-theme a').first();
      const label = (await theme.innerText()).trim();
      await Promise.all([page.waitForNavigation(), theme.click()]);
      const results = page.locator('.dataset-list .dataset-item');
      expect(await results.count() > 0, `entries listed for theme ${label}`);
      await assertFitsWidth(page);
    });
  });

  await j.part('download an open file', async () => {
    const entry = facts.open_entry;
    expect(entry, 'the demo has an open entry with a file');
    await j.step('open-entry', `opens the open entry ${entry.title}`, page, async () => {
      await goto(page, `/dataset/${entry.name}`);
      await page.getByRole('heading', { name: entry.title }).first().waitFor();
      await assertFitsWidth(page);
    });
    await j.step('download', 'downloads its file', page, async () => {
      const res = entry.resources[0];
      await goto(page, `/dataset/${entry.name}/resource/${res.id}`);
      const link = page.locator('a.resource-url-analytics').first();
      const href = await link.getAttribute('href');
      expect(href, 'the resource page offers a download link');
      const response = await page.request.get(new URL(href, BASE).toString(), { maxRedirects: 0 });
      expect(response.status() === 200, `download answered ${response.status()} for ${href}`);
      const body = await response.body();
      expect(body.length > 0, 'the file is not empty');
    });
  });

  await j.part('accessibility as a visitor', async () => {
    const entry = facts.open_entry;
    await j.step('axe-anonymous', 'axe-core on every page kind a visitor sees (the findings are listed)', page, async () => {
      await surveyAccessibility(j, page, [
        ['home', '/'], ['search', '/dataset/'],
        ...(entry ? [['entry', `/dataset/${entry.name}`]] : []),
        ['departments', '/organization/'], ['information systems', '/info_system/'],
        ['reuse', '/reuse'], ['login', '/user/login'], ['not found', '/dataset/no-such-entry-here'],
      ]);
    });
  });

  await j.part('a closed entry appears nowhere', async () => {
    const closed = facts.closed_entry;
    expect(closed, 'the demo has a closed entry');
    await j.step('closed-404', 'its direct URL answers 404', page, async () => {
      await goto(page, `/dataset/${closed.name}`, { status: 404 });
    });
    await j.step('closed-search', 'searching its exact title does not find it', page, async () => {
      await goto(page, `/dataset/?q=${encodeURIComponent(closed.title)}`);
      const hrefs = await page.locator('.dataset-list .dataset-item a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(!hrefs.some((h) => h && h.endsWith(`/dataset/${closed.name}`)), 'not in search results');
      const found = await api(page, 'package_search', { q: closed.title, include_private: true, rows: 1000 });
      expect(!found.result.results.some((p) => p.name === closed.name), 'not in the API search');
      const shown = await api(page, 'package_show', { id: closed.name });
      expect([403, 404].includes(shown.status), `package_show answers ${shown.status}`);
    });
    await j.step('closed-org', 'its department page does not list or count it', page, async () => {
      await goto(page, `/organization/${closed.org}`);
      const html = await page.content();
      expect(!html.includes(`/dataset/${closed.name}"`), 'not listed on the department page');
      await goto(page, '/');
      expect(!(await page.content()).includes(`/dataset/${closed.name}"`), 'not on the home page');
    });
  });
});
