// JSON that is safe to print. JSON.stringify escapes C0 control characters but leaves raw what a
// terminal may still obey: DEL, the C1 controls (U+009B opens an escape sequence), line
// separators and bidirectional overrides. Written as `\u` escapes they read back as the same
// characters, so a hostile model name stays data in a file and stays inert when it is printed or
// `cat` to a terminal.

const TERMINAL_ACTIVE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Pretty-printed JSON with a final newline, terminal-active characters escaped. */
export function inertJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(TERMINAL_ACTIVE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}
