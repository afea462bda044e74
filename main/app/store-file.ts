// Opens the file the app keeps its settings and results in. A file that cannot be read (not JSON
// after a disk error or an edit by hand) is moved aside, next to where it was, and a fresh one is
// started, with a message for the popover: the app never fails to start over its own file, and
// what was in it is still there for someone who wants it.
import { AppStore, type StoreBackend, type Stored } from './store.js';
import { asidePath } from '../core/aside.js';

/** The file's name in the app's user-data folder, without `.json`. */
export const STORE_NAME = 'speedrun';

export interface StoreFileDeps {
  /** The file's path, to move it aside. */
  path: string;
  /** Opens the file (electron-store in the app, conf in tests); opening or reading may throw. */
  open(): StoreBackend;
  /** Renames a file (`fs.renameSync`). */
  rename(from: string, to: string): void;
  /** Wall-clock milliseconds, for the name of the file moved aside. */
  nowMs: number;
}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'it is not valid JSON';
  return error instanceof Error ? error.message : String(error);
}


/** Data that lives only as long as the app: the last resort when the file cannot be used at all. */
function memoryBackend(): StoreBackend {
  let data: Stored | undefined;
  return {
    read: () => data,
    write: (next) => {
      data = next;
    },
  };
}

export function openStore(deps: StoreFileDeps): AppStore {
  let unreadable: unknown;
  try {
    return new AppStore(deps.open());
  } catch (error) {
    unreadable = error;
  }
  const movedTo = asidePath(deps.path, deps.nowMs);
  try {
    deps.rename(deps.path, movedTo);
  } catch (error) {
    return new AppStore(
      memoryBackend(),
      `The saved settings and results could not be read (${describe(unreadable)}) nor moved aside (${describe(error)}). ` +
        `The app runs with the default settings, and nothing will be kept after it quits; move ${deps.path} away by hand.`,
    );
  }
  const notice =
    `The saved settings and results could not be read (${describe(unreadable)}). ` +
    `The file was moved to ${movedTo} and the app started afresh with the default settings.`;
  try {
    return new AppStore(deps.open(), notice);
  } catch (error) {
    return new AppStore(memoryBackend(), `${notice} A fresh file could not be started either (${describe(error)}), so nothing will be kept after the app quits.`);
  }
}
