// Guards the server's input framing. LSP messages are `Content-Length: N\r\n...\r\n\r\n` followed by
// N bytes; a client bug or stray output that breaks one header would otherwise desynchronise the
// reader for good. This stream passes well-formed frames through and skips anything else up to the
// next `Content-Length:` header, reporting what it skipped.

import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('Content-Length:');
/** Larger frames are treated as corrupt: no model or request comes near this. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** A header section longer than this cannot be real. */
const MAX_HEADER_BYTES = 4096;

export class FrameGuard extends Transform {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onSkipped: (bytes: number, reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain();
    callback();
  }

  private drain(): void {
    for (;;) {
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.resync('a header without an end');
        return;
      }
      const length = this.contentLength(this.buffer.subarray(0, headerEnd).toString('ascii'));
      if (length === undefined) {
        this.resync('a malformed header');
        continue;
      }
      const frameEnd = headerEnd + HEADER_END.length + length;
      if (this.buffer.length < frameEnd) return;
      this.push(this.buffer.subarray(0, frameEnd));
      this.buffer = this.buffer.subarray(frameEnd);
    }
  }

  /** The body length a header section announces, or undefined when the section is not valid. */
  private contentLength(header: string): number | undefined {
    if (header.length > MAX_HEADER_BYTES) return undefined;
    let length: number | undefined;
    for (const line of header.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) return undefined;
      if (line.slice(0, colon).trim().toLowerCase() === 'content-length') {
        const value = line.slice(colon + 1).trim();
        if (!/^\d{1,10}$/.test(value)) return undefined;
        length = Number(value);
      }
    }
    return length !== undefined && length <= MAX_FRAME_BYTES ? length : undefined;
  }

  /** Drops bytes up to the next `Content-Length:` after the start (or all of them). */
  private resync(reason: string): void {
    const next = this.buffer.indexOf(CONTENT_LENGTH, 1);
    const skipped = next < 0 ? this.buffer.length : next;
    this.buffer = this.buffer.subarray(skipped);
    this.onSkipped(skipped, reason);
  }
}
