// Where the popover goes: under the tray icon, on the display that holds the icon, inside that
// display's work area. Pure, so every screen arrangement can be tested without a screen.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The parts of Electron's `Display` that placement needs. */
export interface DisplayArea {
  bounds: Rect;
  /** The display minus the menu bar and the Dock; equal to `bounds` when both hide themselves. */
  workArea: Rect;
}

export interface PlacementInput {
  /** The icon's bounds from the click event (or `tray.getBounds()`); all zero when the OS gives none. */
  tray: Rect;
  /** Where the pointer is; the anchor when the tray bounds are empty. */
  cursor: Point;
  /** The size the popover would like. */
  size: { width: number; height: number };
  displays: DisplayArea[];
}

/** Space between the icon and the popover. */
export const POPOVER_GAP = 4;
/** The popover never touches a screen edge. */
export const EDGE_MARGIN = 8;

function contains(rect: Rect, point: Point): boolean {
  return point.x >= rect.x && point.x < rect.x + rect.width && point.y >= rect.y && point.y < rect.y + rect.height;
}

function distanceSquared(rect: Rect, point: Point): number {
  const dx = Math.max(rect.x - point.x, 0, point.x - (rect.x + rect.width));
  const dy = Math.max(rect.y - point.y, 0, point.y - (rect.y + rect.height));
  return dx * dx + dy * dy;
}

/** The display that contains `point`, else the nearest one. */
export function displayAt(displays: DisplayArea[], point: Point): DisplayArea {
  const first = displays[0];
  if (!first) throw new Error('placement needs at least one display');
  const holding = displays.find((display) => contains(display.bounds, point));
  if (holding) return holding;
  return displays.reduce((best, display) => (distanceSquared(display.bounds, point) < distanceSquared(best.bounds, point) ? display : best), first);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

/** The popover's bounds: centred under the icon, moved in from screen edges, shortened to fit. */
export function placePopover({ tray, cursor, size, displays }: PlacementInput): Rect {
  const hasTrayBounds = tray.width > 0 && tray.height > 0;
  const anchor: Rect = hasTrayBounds ? tray : { x: cursor.x, y: cursor.y, width: 0, height: 0 };
  const centre = { x: anchor.x + anchor.width / 2, y: anchor.y + anchor.height / 2 };
  const display = displayAt(displays, centre);
  const work = display.workArea;

  const width = Math.min(size.width, work.width - 2 * EDGE_MARGIN);
  const x = Math.round(clamp(centre.x - width / 2, work.x + EDGE_MARGIN, work.x + work.width - width - EDGE_MARGIN));

  // A bar in the upper half of the display (the macOS menu bar) opens the popover downwards; a
  // taskbar at the bottom (Windows, most Linux desktops) opens it upwards.
  const barOnTop = centre.y < display.bounds.y + display.bounds.height / 2;
  if (barOnTop) {
    // With the menu bar hidden the work area starts at the top of the screen, yet the bar is
    // showing while it is clicked: the icon's own bottom edge is the line to stay under.
    const top = Math.max(anchor.y + anchor.height, work.y) + POPOVER_GAP;
    const height = Math.min(size.height, work.y + work.height - top - EDGE_MARGIN);
    return { x, y: Math.round(top), width, height: Math.round(height) };
  }
  const bottom = Math.min(anchor.y, work.y + work.height) - POPOVER_GAP;
  const height = Math.min(size.height, bottom - work.y - EDGE_MARGIN);
  return { x, y: Math.round(bottom - height), width, height: Math.round(height) };
}
