// Byte-level habits of Go's encoding/json and fmt that clients see on the wire.

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * JSON as Go's encoding/json writes it: `<`, `>`, `&` (and U+2028/9) escaped as `\u003c` etc.
 * Those characters can only occur inside strings in JSON.stringify's output, so replacing them
 * afterwards is safe. Field order is the caller's insertion order, which mirrors the Go structs.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(HTML_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's `%q` (strconv.Quote), which error messages such as `"x" does not support generate` use. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const named = NAMED_ESCAPES[char];
    if (named) quoted += named;
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) quoted += `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}
