// Browser test of the console's fridge page (ctest e2e.fridge, label `e2e`): `ondo serve --app
// fridge` with the built-in recipe model and the tiny colour detector (`ondo detect
// --make-test-model`), driven in chromium through the harness (harness.mjs). alice signs in with
// her API key and walks the case on the page: a household, bob added as a member, two fridges,
// items (one with a use-by, one estimated), a photo drawn here (a red square: tomato, a green
// one: lettuce) with its boxes drawn over it, the tomato picked and added, what expires soon,
// consume / discard / move, waste per month, a shared recipe and a recommendation with its JSON
// answer. Then the admin: the nav entry is there, the page says an admin is no fridge user.
// Writes docs/console/fridge.png and fridge-photo.png.
//   node tests/e2e/fridge.mjs BUILD_DIR TESTDATA_DIR
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { kAdmin, start } from './harness.mjs';

const buildDir = resolve(process.argv[2]);
const recipeModel = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'ondo-recipe.gguf');

const { base, page, step, shot, load, signIn, finish } = await start({
  name: 'fridge',
  watchdogMs: 120000,
  before: (work) => execFileSync(join(buildDir, 'ondo'), ['detect', '--make-test-model', join(work, 'det')], { stdio: 'ignore' }),
  serveArgs: (work) => [
    '-t', '1', '--app', 'fridge', '-m', `${recipeModel}=recipe`,
    '--detector', join(work, 'det', 'colour.cfg'), '--labels', join(work, 'det', 'colour.labels'),
  ],
});

// A w x h white 24-bit BMP with filled squares [{x, y, side, rgb}] (top-left origin).
function bmp(w, h, squares) {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + stride * h, 0);
  buf.write('BM', 0);
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(stride * h, 34);
  for (let y = 0; y < h; y++) {
    const row = 54 + (h - 1 - y) * stride;  // bottom-up
    for (let x = 0; x < w; x++) {
      let [r, g, b] = [255, 255, 255];
      for (const s of squares) {
        if (x >= s.x && x < s.x + s.side && y >= s.y && y < s.y + s.side) [r, g, b] = s.rgb;
      }
      buf[row + 3 * x] = b;
      buf[row + 3 * x + 1] = g;
      buf[row + 3 * x + 2] = r;
    }
  }
  return buf;
}

const admin = { Authorization: `Bearer ${kAdmin}`, 'Content-Type': 'application/json' };
async function newKey(name) {
  const r = await fetch(`${base}/v1/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name }) });
  assert.equal(r.status, 201);
  return r.json();
}
const dayOffset = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);

step('Keys for alice and bob; the app becomes ready');
const alice = await newKey('alice');
const bob = await newKey('bob');
for (let i = 0; ; i++) {  // bounded wait for the recipe collection (not a timing check)
  const s = await (await fetch(`${base}/apps/fridge/api/status`, { headers: { Authorization: `Bearer ${alice.key}` } })).json();
  if (s.ready) break;
  assert.ok(i < 300, 'the fridge app never became ready');
  await new Promise((r) => setTimeout(r, 100));
}

step('alice signs in; the Fridge page loads in at most 5 requests');
await load('/console/fridge');
await signIn(alice.key);
const nav = page.getByRole('navigation', { name: 'Pages' });
await nav.getByRole('link', { name: 'Fridge' }).waitFor();
await load('/console/fridge');
await page.getByTestId('fridge-status').filter({ hasText: 'recipes indexed' }).waitFor();

step('A household with bob as a member, and two fridges');
await page.getByLabel('New household').fill('김씨네 Kim family');
await page.getByRole('button', { name: 'Create household' }).click();
await page.getByRole('heading', { name: 'Members of 김씨네 Kim family' }).waitFor();
await page.getByLabel('Key id').fill(bob.id);
await page.getByRole('button', { name: 'Add member' }).click();
await page.getByRole('button', { name: `Remove ${bob.id}` }).waitFor();
for (const [name, kind] of [['Kitchen', 'fridge'], ['Deep freeze', 'freezer']]) {
  await page.getByLabel('Fridge name').fill(name);
  await page.getByLabel('Fridge kind').selectOption(kind);
  await page.getByRole('button', { name: 'Add fridge' }).click();
  await page.getByRole('cell', { name, exact: true }).waitFor();
}

step('Items: one with a use-by, one estimated, by keyboard-usable form controls');
const items = page.getByTestId('fridge-items');
const itemRow = (name) => items.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) }).first();
await page.getByLabel('Item name').fill('pork belly');
await page.getByLabel('Quantity').fill('600');
await page.getByLabel('Unit', { exact: true }).selectOption('g');
await page.getByLabel('Use by (empty: estimated)').fill(dayOffset(1));
await page.getByRole('button', { name: 'Add item' }).click();
await itemRow('pork belly').waitFor();
await page.getByLabel('Item name').fill('rice');
await page.getByLabel('Quantity').fill('2');
await page.getByLabel('Unit', { exact: true }).selectOption('kg');
await page.getByRole('button', { name: 'Add item' }).click();
await itemRow('rice').waitFor();
assert.match(await itemRow('rice').innerText(), /estimated/);

step('A photo: boxes drawn over it, the tomato picked and added in one call');
await page.getByLabel('Photo (JPEG, PNG, BMP or WebP)').setInputFiles({
  name: 'fridge.bmp', mimeType: 'image/bmp',
  buffer: bmp(512, 384, [{ x: 60, y: 130, side: 120, rgb: [255, 0, 0] }, { x: 330, y: 130, side: 120, rgb: [0, 255, 0] }]),
});
const photo = page.getByTestId('fridge-photo');
await photo.locator('.box').nth(1).waitFor();
assert.equal(await photo.locator('.box').count(), 2);
const tomatoBox = await photo.locator('.box', { hasText: 'tomato' }).boundingBox();
const img = await photo.locator('img').boundingBox();
assert.ok(tomatoBox.x < img.x + img.width / 2, `the tomato box is drawn on the left half, where the red square is: ${JSON.stringify({ tomatoBox, img })}`);
await page.getByRole('checkbox', { name: /^lettuce/ }).uncheck();
await shot('fridge-photo');
await page.getByRole('button', { name: 'Add chosen' }).click();
await page.getByRole('status').filter({ hasText: 'Added tomato.' }).waitFor();
const tomatoRow = itemRow('tomato');
await tomatoRow.waitFor();
assert.match(await tomatoRow.innerText(), /from photo/);
assert.match(await tomatoRow.innerText(), /estimated/);
assert.equal(await items.getByRole('row').filter({ hasText: 'lettuce' }).count(), 0);

step('Expiring soon; consume, discard, move; waste per month');
const soon = page.getByTestId('fridge-expiring');
await soon.getByRole('cell', { name: 'pork belly', exact: true }).first().waitFor();
await page.getByRole('button', { name: 'Consume pork belly' }).click();  // all of it
await itemRow('pork belly').waitFor({ state: 'detached' });
await page.getByRole('button', { name: 'Discard tomato' }).click();
await itemRow('tomato').waitFor({ state: 'detached' });
await page.getByLabel('Move rice to').selectOption({ label: 'Deep freeze' });
await page.getByRole('button', { name: 'Move rice' }).click();
await itemRow('rice').getByRole('cell', { name: 'Deep freeze', exact: true }).waitFor();
await page.getByTestId('fridge-waste').getByRole('cell', { name: '50 %' }).waitFor();

step('A shared recipe and a recommendation with its JSON answer');
await page.getByLabel('Recipe name').fill('할머니 김치찌개');
await page.getByLabel('Ingredients (comma separated)').fill('kimchi, pork belly, tofu');
await page.getByLabel('Steps (one a line)').fill('Fry the pork.\nAdd kimchi and water.\nSimmer.');
await page.getByRole('button', { name: 'Share recipe' }).click();
await page.getByRole('cell', { name: '할머니 김치찌개' }).waitFor();
await page.getByLabel('Item name').fill('green onion');
await page.getByLabel('Quantity').fill('1');
await page.getByLabel('Unit', { exact: true }).selectOption('bunch');
await page.getByLabel('Use by (empty: estimated)').fill(dayOffset(2));
await page.getByRole('button', { name: 'Add item' }).click();
await soon.getByRole('cell', { name: 'green onion', exact: true }).first().waitFor();
await page.getByLabel('Except recipes (comma separated)').fill('Onion Pork Stir-fry');
await page.getByRole('button', { name: 'Recommend' }).click();
const rec = page.getByTestId('fridge-recommendation');
await rec.waitFor({ timeout: 60000 });
const answer = JSON.parse(await rec.locator('pre').innerText());
assert.equal(typeof answer.recipe_name, 'string');
assert.ok(Array.isArray(answer.recipe_ingredients) && Array.isArray(answer.recipes));
assert.ok(answer.ingredients.includes('green onion'), JSON.stringify(answer.ingredients));
for (const u of answer.uses_expiring) await rec.getByRole('cell', { name: u.name, exact: true }).first().waitFor();
await shot('fridge');

step('The admin: the nav entry is there, the page explains that an admin is no fridge user');
await page.context().clearCookies();
await load('/console/fridge');
await signIn(kAdmin);
await nav.getByRole('link', { name: 'Fridge' }).waitFor();
await page.getByTestId('fridge-admin').waitFor();

await finish();
