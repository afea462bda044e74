// Draws the menu-bar template icon (a speed gauge) into trayTemplate.png (16x16) and
// trayTemplate@2x.png (32x32): black on transparent, as macOS template images must be, so the
// system tints them for a light or dark menu bar. Run: node build/tray-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 16; // points
const CENTRE = { x: 8, y: 10 };
const RADIUS = 6;
const STROKE = 1.7;
const ARC_FROM = (-28 * Math.PI) / 180;
const ARC_TO = (208 * Math.PI) / 180;
const NEEDLE_ANGLE = (52 * Math.PI) / 180;
const NEEDLE_LENGTH = 4.4;
const HUB_RADIUS = 1.7;
const SUBSAMPLES = 8;

function polar(angle, radius) {
  return { x: CENTRE.x + radius * Math.cos(angle), y: CENTRE.y - radius * Math.sin(angle) };
}

function distanceToSegment(p, a, b) {
  const abx = b.x - a.x;
  const aby = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * abx + (p.y - a.y) * aby) / (abx * abx + aby * aby)));
  return Math.hypot(p.x - (a.x + t * abx), p.y - (a.y + t * aby));
}

function distanceToArc(p) {
  let angle = Math.atan2(CENTRE.y - p.y, p.x - CENTRE.x);
  if (angle < ARC_FROM) angle += 2 * Math.PI;
  if (angle <= ARC_TO) return Math.abs(Math.hypot(p.x - CENTRE.x, p.y - CENTRE.y) - RADIUS);
  const ends = [polar(ARC_FROM, RADIUS), polar(ARC_TO, RADIUS)];
  return Math.min(...ends.map((end) => Math.hypot(p.x - end.x, p.y - end.y)));
}

function inside(p) {
  if (distanceToArc(p) <= STROKE / 2) return true;
  if (distanceToSegment(p, CENTRE, polar(NEEDLE_ANGLE, NEEDLE_LENGTH)) <= STROKE / 2) return true;
  return Math.hypot(p.x - CENTRE.x, p.y - CENTRE.y) <= HUB_RADIUS;
}

function render(scale) {
  const pixels = SIZE * scale;
  const rgba = Buffer.alloc(pixels * pixels * 4);
  for (let y = 0; y < pixels; y++) {
    for (let x = 0; x < pixels; x++) {
      let hits = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const point = { x: (x + (sx + 0.5) / SUBSAMPLES) / scale, y: (y + (sy + 0.5) / SUBSAMPLES) / scale };
          if (inside(point)) hits++;
        }
      }
      rgba[(y * pixels + x) * 4 + 3] = Math.round((255 * hits) / (SUBSAMPLES * SUBSAMPLES));
    }
  }
  return { pixels, rgba };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png({ pixels, rgba }) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(pixels * (pixels * 4 + 1));
  for (let y = 0; y < pixels; y++) rgba.copy(rows, y * (pixels * 4 + 1) + 1, y * pixels * 4, (y + 1) * pixels * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const folder = new URL('.', import.meta.url);
writeFileSync(new URL('trayTemplate.png', folder), png(render(1)));
writeFileSync(new URL('trayTemplate@2x.png', folder), png(render(2)));
