// Splitting an NDJSON body into lines, apart from the socket so it can be tested on any chunking.
// The length cap is enforced on every line, complete or not, the moment it is exceeded: an
// over-long line is refused without waiting for (or holding) the rest of it.

export class LineTooLongError extends Error {
  constructor(readonly maxLineBytes: number) {
    super(`a line longer than ${maxLineBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

export class LineSplitter {
  private pending = '';
  /** UTF-8 size of `pending`, kept as it grows so each chunk costs only its own length. */
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * The lines `chunk` completes, trimmed, empty ones left out. Chunks must not split a character
   * (a `setEncoding('utf8')` stream never does). Throws LineTooLongError once a line, with or
   * without its newline yet, is over the cap.
   */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, newline);
      this.checkLength(this.pendingBytes + Buffer.byteLength(piece));
      const line = (this.pending + piece).trim();
      this.pending = '';
      this.pendingBytes = 0;
      if (line) lines.push(line);
      start = newline + 1;
    }
    const rest = chunk.slice(start);
    const restBytes = Buffer.byteLength(rest);
    this.checkLength(this.pendingBytes + restBytes);
    this.pending += rest;
    this.pendingBytes += restBytes;
    return lines;
  }

  /** The last line, when the body ended without a newline after it. */
  end(): string[] {
    const last = this.pending.trim();
    this.pending = '';
    this.pendingBytes = 0;
    return last ? [last] : [];
  }

  private checkLength(bytes: number): void {
    if (bytes > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
  }
}
