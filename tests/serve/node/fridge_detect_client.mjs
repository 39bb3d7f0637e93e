// Drives POST /apps/fridge/api/detect of a running `ondo serve --detector ...` as a browser page
// or app would, with Node's fetch, FormData and Blob (tests/serve/fridge_detect_server_test.cpp):
//   node fridge_detect_client.mjs BASE_URL PHOTO.bmp
// PHOTO.bmp shows a red square at x 200..319, y 120..239 (the test draws it). Checks: a
// multipart upload (part "image") and a raw image body both find one "tomato" box on it; a text
// file is a 400 naming the image; a form without the part is a 400. Prints "all checks passed".
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const [base, photoPath] = process.argv.slice(2);
const url = `${base}/apps/fridge/api/detect`;
const photo = await readFile(photoPath);

function checkTomato(body) {
  assert.equal(body.detections.length, 1, JSON.stringify(body));
  const d = body.detections[0];
  assert.equal(d.label, 'tomato');
  assert.ok(d.score > 0.5 && d.score <= 1, `score ${d.score}`);
  const { x, y, width, height } = d.box;
  const ix = Math.max(0, Math.min(x + width, 320) - Math.max(x, 200));
  const iy = Math.max(0, Math.min(y + height, 240) - Math.max(y, 120));
  const iou = (ix * iy) / (width * height + 120 * 120 - ix * iy);
  assert.ok(iou > 0.5, `box ${JSON.stringify(d.box)} overlaps the drawn square by IoU ${iou}`);
}

// Multipart, as <input type="file"> in a form would send it.
const form = new FormData();
form.append('image', new Blob([photo], { type: 'image/bmp' }), 'fridge.bmp');
let res = await fetch(url, { method: 'POST', body: form });
assert.equal(res.status, 200, await res.clone().text());
checkTomato(await res.json());

// The raw image as the body.
res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'image/bmp' }, body: photo });
assert.equal(res.status, 200, await res.clone().text());
checkTomato(await res.json());

// Not an image.
const text = new FormData();
text.append('image', new Blob(['just some notes'], { type: 'text/plain' }), 'notes.txt');
res = await fetch(url, { method: 'POST', body: text });
assert.equal(res.status, 400);
let err = (await res.json()).error;
assert.equal(err.param, 'image');
assert.ok(err.message.includes('not a JPEG/PNG/BMP/WebP image'), err.message);

// A form without the image part.
const empty = new FormData();
empty.append('note', 'hello');
res = await fetch(url, { method: 'POST', body: empty });
assert.equal(res.status, 400);
err = (await res.json()).error;
assert.equal(err.param, 'image');

console.log('all checks passed');
