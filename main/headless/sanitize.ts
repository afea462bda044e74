// Model and host names come from whatever answered on the LAN. Before any of it reaches a
// terminal, escape sequences and control characters are made visible instead of obeyed, so a
// hostile name cannot move the cursor, retitle the window or rewrite earlier lines.

const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  return `\\u{${char.codePointAt(0)?.toString(16)}}`;
}

/** Terminal-safe text: escape sequences and control characters are shown as `\u{..}` codes. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, (sequence) => [...sequence].map(visible).join('')).replace(CONTROL, visible);
}
