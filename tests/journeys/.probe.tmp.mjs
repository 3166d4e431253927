import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
const page = await ctx.newPage();
await page.goto(process.argv[2]);
const r = await page.evaluate(() => {
  const inner = window.innerWidth; const out = [];
  for (const el of document.body.querySelectorAll('*')) { const b = el.getBoundingClientRect(); if (b.right > inner + 1) out.push(`${el.tagName}.${[...el.classList].join('.')}#${el.id} ${Math.round(b.right)}`); }
  return { sw: document.documentElement.scrollWidth, inner, out: out.slice(0, 15) };
});
console.log(JSON.stringify(r, null, 1));
await browser.close();
