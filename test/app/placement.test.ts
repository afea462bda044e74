import { describe, expect, it } from 'vitest';
import { EDGE_MARGIN, POPOVER_GAP, displayAt, placePopover, type DisplayArea } from '../../main/app/placement.js';

const SIZE = { width: 380, height: 580 };
// A 14" MacBook Pro: 1512x982 points, a 38-point menu bar (the notch).
const LAPTOP: DisplayArea = { bounds: { x: 0, y: 0, width: 1512, height: 982 }, workArea: { x: 0, y: 38, width: 1512, height: 944 } };
// An external 2560x1440 display to the left of the laptop, its top 200 points higher, 25-point menu bar.
const LEFT_MONITOR: DisplayArea = {
  bounds: { x: -2560, y: -200, width: 2560, height: 1440 },
  workArea: { x: -2560, y: -175, width: 2560, height: 1415 },
};
const NO_CURSOR = { x: 0, y: 0 };

describe('placePopover', () => {
  it('centres the popover under the icon, just below the menu bar', () => {
    const tray = { x: 1100, y: 0, width: 30, height: 38 };
    const bounds = placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [LAPTOP] });
    expect(bounds).toEqual({ x: 1115 - 190, y: 38 + POPOVER_GAP, width: 380, height: 580 });
  });

  it('moves in from the right edge when the icon sits near it', () => {
    const tray = { x: 1480, y: 0, width: 24, height: 38 };
    const bounds = placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [LAPTOP] });
    expect(bounds.x + bounds.width).toBe(1512 - EDGE_MARGIN);
  });

  it('moves in from the left edge when the icon sits near it', () => {
    const tray = { x: 4, y: 0, width: 24, height: 38 };
    expect(placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [LAPTOP] }).x).toBe(EDGE_MARGIN);
  });

  it('opens on the display whose menu bar was clicked, including one at negative coordinates', () => {
    const tray = { x: -300, y: -200, width: 24, height: 25 };
    const bounds = placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [LAPTOP, LEFT_MONITOR] });
    expect(bounds.y).toBe(-175 + POPOVER_GAP);
    expect(bounds.x).toBe(-288 - 190);
    expect(bounds.x).toBeGreaterThanOrEqual(-2560);
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(-EDGE_MARGIN);
  });

  it('stays under the icon when the menu bar hides itself (the work area starts at the top)', () => {
    const hiddenBar: DisplayArea = { bounds: LAPTOP.bounds, workArea: LAPTOP.bounds };
    const tray = { x: 1100, y: 0, width: 30, height: 38 };
    expect(placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [hiddenBar] }).y).toBe(38 + POPOVER_GAP);
  });

  it('shortens the popover to fit a short screen', () => {
    const short: DisplayArea = { bounds: { x: 0, y: 0, width: 1280, height: 600 }, workArea: { x: 0, y: 25, width: 1280, height: 575 } };
    const bounds = placePopover({ tray: { x: 900, y: 0, width: 24, height: 25 }, cursor: NO_CURSOR, size: SIZE, displays: [short] });
    expect(bounds.y + bounds.height).toBe(600 - EDGE_MARGIN);
    expect(bounds.height).toBeLessThan(SIZE.height);
  });

  it('anchors at the pointer when the OS gives no icon bounds', () => {
    const bounds = placePopover({ tray: { x: 0, y: 0, width: 0, height: 0 }, cursor: { x: 700, y: 10 }, size: SIZE, displays: [LAPTOP] });
    expect(bounds.x).toBe(700 - 190);
    expect(bounds.y).toBe(38 + POPOVER_GAP);
  });

  it('opens upwards from a taskbar at the bottom of the screen', () => {
    const windows: DisplayArea = { bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
    const bounds = placePopover({ tray: { x: 1700, y: 1040, width: 24, height: 40 }, cursor: NO_CURSOR, size: SIZE, displays: [windows] });
    expect(bounds.y + bounds.height).toBe(1040 - POPOVER_GAP);
  });

  it('never leaves the work area, wherever the icon is', () => {
    for (let x = -2600; x < 1600; x += 37) {
      const tray = { x, y: x < 0 ? -200 : 0, width: 24, height: 25 };
      const bounds = placePopover({ tray, cursor: NO_CURSOR, size: SIZE, displays: [LAPTOP, LEFT_MONITOR] });
      const work = displayAt([LAPTOP, LEFT_MONITOR], { x: tray.x + 12, y: tray.y + 12 }).workArea;
      expect(bounds.x).toBeGreaterThanOrEqual(work.x);
      expect(bounds.x + bounds.width).toBeLessThanOrEqual(work.x + work.width);
      expect(bounds.y).toBeGreaterThanOrEqual(work.y);
      expect(bounds.y + bounds.height).toBeLessThanOrEqual(work.y + work.height);
    }
  });
});

describe('displayAt', () => {
  it('picks the nearest display for a point between displays', () => {
    expect(displayAt([LAPTOP, LEFT_MONITOR], { x: 1600, y: 10 })).toBe(LAPTOP);
    expect(displayAt([LAPTOP, LEFT_MONITOR], { x: -10, y: -190 })).toBe(LEFT_MONITOR);
  });
});
