// The popover window's behaviour: shown under the tray icon, hidden on blur and on Esc, and a click
// on the icon toggles it.
import { placePopover, type DisplayArea, type Point, type Rect } from './placement.js';

export const POPOVER_SIZE = { width: 380, height: 620 } as const;

/**
 * Clicking the icon while the popover is open first blurs the popover (which hides it), then
 * delivers the click; a click this soon after a blur-hide is that same gesture, not a new "open".
 */
export const BLUR_CLICK_WINDOW_MS = 300;

/** The parts of `BrowserWindow` used here. */
export interface PopoverWindow {
  isVisible(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  setBounds(bounds: Partial<Rect>): void;
  on(event: 'blur', listener: () => void): unknown;
}

/** The parts of Electron's `screen` used here. */
export interface ScreenLike {
  getAllDisplays(): DisplayArea[];
  getCursorScreenPoint(): Point;
}

export interface KeyInput {
  type: string;
  key: string;
}

export class Popover {
  private hiddenByBlurAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly window: PopoverWindow,
    private readonly screen: ScreenLike,
    private readonly now: () => number,
    private readonly onShown: () => void,
    private readonly onHidden: () => void,
  ) {
    window.on('blur', () => {
      if (!window.isVisible()) return;
      this.hide();
      this.hiddenByBlurAt = now();
    });
  }

  get visible(): boolean {
    return this.window.isVisible();
  }

  /** A left click on the tray icon, with the icon's bounds from the click event. */
  toggle(trayBounds: Rect): void {
    if (this.window.isVisible()) {
      this.hide();
      return;
    }
    if (this.now() - this.hiddenByBlurAt < BLUR_CLICK_WINDOW_MS) return;
    this.show(trayBounds);
  }

  show(trayBounds: Rect): void {
    const bounds = placePopover({
      tray: trayBounds,
      cursor: this.screen.getCursorScreenPoint(),
      size: POPOVER_SIZE,
      displays: this.screen.getAllDisplays(),
    });
    this.window.setBounds(bounds);
    this.window.show();
    this.window.focus();
    this.onShown();
  }

  hide(): void {
    this.window.hide();
    this.onHidden();
  }

  /** From `before-input-event`: Esc closes the popover, as it closes a menu. */
  handleKey(input: KeyInput): boolean {
    if (input.type !== 'keyDown' || input.key !== 'Escape' || !this.window.isVisible()) return false;
    this.hide();
    return true;
  }
}
