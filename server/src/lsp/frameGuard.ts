// Guards the server's input framing. LSP messages are `Content-Length: N\r\n...\r\n\r\n` followed by
// N bytes; a client bug or stray output that breaks one header would otherwise desynchronise the
// reader for good. This stream passes well-formed frames through and skips anything else up to the
// next `Content-Length:` header, reporting what it skipped. A body shorter than its header announces
// (`Content-Length: 100000000` and two bytes) would otherwise swallow every later message: a JSON body
// never holds `Content-Length: N` followed by a raw line break (raw line breaks cannot occur inside
// its strings, and the header is no JSON token), so such a header inside a pending body ends the
// broken frame, and the frames after it pass.

import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('Content-Length:');
/** Larger frames are treated as corrupt: no model or request comes near this. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** A header section longer than this cannot be real. */
const MAX_HEADER_BYTES = 4096;

export class FrameGuard extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  /** How far the pending frame's body has been searched for a header (so each byte is searched once). */
  private scanned = 0;

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
      const bodyStart = headerEnd + HEADER_END.length;
      const frameEnd = bodyStart + length;
      if (this.buffer.length < frameEnd) {
        const next = this.headerInBody(bodyStart);
        if (next < 0) return;
        this.skip(next, 'a body shorter than its Content-Length');
        continue;
      }
      this.push(this.buffer.subarray(0, frameEnd));
      this.buffer = this.buffer.subarray(frameEnd);
      this.scanned = 0;
    }
  }

  /** The offset of a `Content-Length: N` header line inside the pending body, or -1; remembers how far it looked. */
  private headerInBody(bodyStart: number): number {
    const buffer = this.buffer;
    let at = buffer.indexOf(CONTENT_LENGTH, Math.max(bodyStart, this.scanned));
    while (at >= 0) {
      let i = at + CONTENT_LENGTH.length;
      while (i < buffer.length && buffer[i] === 0x20) i++;
      const digits = i;
      while (i < buffer.length && buffer[i] >= 0x30 && buffer[i] <= 0x39) i++;
      if (i + 1 >= buffer.length) {
        // The header may still be arriving: look at it again with the next chunk.
        this.scanned = at;
        return -1;
      }
      if (i > digits && buffer[i] === 0x0d && buffer[i + 1] === 0x0a) return at;
      at = buffer.indexOf(CONTENT_LENGTH, at + 1);
    }
    this.scanned = Math.max(bodyStart, buffer.length - CONTENT_LENGTH.length);
    return -1;
  }

  private skip(bytes: number, reason: string): void {
    this.buffer = this.buffer.subarray(bytes);
    this.scanned = 0;
    this.onSkipped(bytes, reason);
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
    this.skip(next < 0 ? this.buffer.length : next, reason);
  }
}
