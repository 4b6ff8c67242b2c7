// Mail around patches: an mbox of one patch or a series (`git format-patch --stdout`, lore's
// mboxes), a single `.eml` message, or no mail at all (a plain diff). Each message's headers are
// unfolded and RFC 2047-decoded; a body sent as quoted-printable or base64 is decoded; a multipart
// message contributes every text part that holds a diff. A `[PATCH 0/N]` message without a diff
// is the cover letter; other messages without a diff (replies) are skipped.

export interface MailHeaders {
  subject?: string;
  from?: string;
  date?: string;
  messageId?: string;
  contentType?: string;
  transferEncoding?: string;
}

export interface MailBody {
  lines: string[];
  /** The 0-based input line of each body line (all the same for a decoded body). */
  inputLines: number[];
  exact: boolean;
}

export interface MailMessage {
  headers: MailHeaders;
  body: MailBody;
  /** 0-based input line of the message's first line. */
  inputLine: number;
}

/** The `From ` line that starts each message of an mbox (`From 1a2b... Mon Sep 17 00:00:00 2001`). */
const MBOX_FROM = /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{1,2}:\d\d(:\d\d)? (\S+ )?\d{4}\s*$/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:[ \t]?/;
const MAIL_HEADERS = /^(from|subject|date|message-id|return-path|received|to|cc|in-reply-to|references|mime-version|content-type|delivered-to|x-[a-z0-9-]+):/i;

/** Splits text into lines; a CRLF on every line is the transport's and is dropped, a CR on some lines is content. */
export function splitInputLines(text: string): string[] {
  const newlines = text.split('\n').length - 1;
  const crlf = text.split('\r\n').length - 1;
  const normalized = newlines > 0 && crlf === newlines ? text.replace(/\r\n/g, '\n') : text;
  const lines = normalized.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function isMboxStart(lines: readonly string[], index: number): boolean {
  return MBOX_FROM.test(lines[index] ?? '') && HEADER_LINE.test(lines[index + 1] ?? '');
}

/** Whether the input starts with the headers of one mail (an `.eml` file). */
export function startsWithMailHeaders(lines: readonly string[]): boolean {
  let mailish = 0;
  for (let i = 0; i < lines.length && i < 200; i++) {
    const line = lines[i];
    if (line === '') return mailish > 0;
    if (/^[ \t]/.test(line) && i > 0) continue;
    if (!HEADER_LINE.test(line)) return false;
    if (MAIL_HEADERS.test(line)) mailish++;
  }
  return mailish > 0;
}

/** Splits an mbox into messages at each `From ` line followed by a header. */
export function splitMbox(lines: readonly string[]): { start: number; end: number }[] {
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) if (isMboxStart(lines, i)) starts.push(i);
  return starts.map((start, k) => ({ start, end: k + 1 < starts.length ? starts[k + 1] : lines.length }));
}

function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').toLowerCase();
  try {
    return new TextDecoder(label === 'us-ascii' || label === 'ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function decodeQuotedPrintable(text: string, charset: string | undefined, inHeader = false): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const source = inHeader ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(source.slice(i + 1, i + 3))) {
      bytes.push(parseInt(source.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    for (const byte of encoder.encode(ch)) bytes.push(byte);
  }
  return decodeBytes(new Uint8Array(bytes), charset);
}

function decodeBase64(text: string, charset: string | undefined): string | undefined {
  const compact = text.replace(/[^A-Za-z0-9+/=]/g, '');
  try {
    const binary = atob(compact);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return decodeBytes(bytes, charset);
  } catch {
    return undefined;
  }
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?q?Ilpo=20J=C3=A4rvinen?=`) in a header value. */
export function decodeHeaderValue(value: string): string {
  const word = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
  // Whitespace between two encoded words is not part of the text.
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(word, (whole, charset: string, encoding: string, data: string) => {
    if (encoding.toUpperCase() === 'Q') return decodeQuotedPrintable(data, charset, true);
    return decodeBase64(data, charset) ?? whole;
  });
}

function parameter(contentType: string | undefined, name: string): string | undefined {
  if (!contentType) return undefined;
  const match = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(contentType);
  return match ? (match[2] ?? match[1]) : undefined;
}

interface HeaderBlock {
  headers: MailHeaders;
  /** Index of the first body line (after the blank line). */
  bodyStart: number;
}

function readHeaders(lines: readonly string[], start: number, end: number): HeaderBlock {
  const fields: { name: string; value: string }[] = [];
  let i = start;
  for (; i < end; i++) {
    const line = lines[i];
    if (line === '') {
      i++;
      break;
    }
    if (/^[ \t]/.test(line) && fields.length > 0) {
      fields[fields.length - 1].value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !HEADER_LINE.test(line)) break;
    fields.push({ name: line.slice(0, colon).toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  const get = (name: string): string | undefined => fields.find((f) => f.name === name)?.value;
  const subject = get('subject');
  const from = get('from');
  return {
    headers: {
      subject: subject === undefined ? undefined : decodeHeaderValue(subject),
      from: from === undefined ? undefined : decodeHeaderValue(from),
      date: get('date'),
      messageId: get('message-id'),
      contentType: get('content-type'),
      transferEncoding: get('content-transfer-encoding')?.toLowerCase(),
    },
    bodyStart: i,
  };
}

function bodyOf(lines: readonly string[], start: number, end: number, encoding: string | undefined, contentType: string | undefined, unescapeFrom: boolean): MailBody {
  const raw = lines.slice(start, end);
  if (encoding === 'quoted-printable' || encoding === 'base64') {
    const text = raw.join('\n');
    const charset = parameter(contentType, 'charset');
    const decoded = encoding === 'base64' ? decodeBase64(text, charset) ?? text : decodeQuotedPrintable(text, charset);
    const decodedLines = splitInputLines(decoded);
    return { lines: decodedLines, inputLines: decodedLines.map(() => start), exact: false };
  }
  const body = unescapeFrom ? raw.map((line) => (/^>+From /.test(line) ? line.slice(1) : line)) : raw;
  return { lines: body, inputLines: body.map((_, k) => start + k), exact: true };
}

function concatBodies(bodies: MailBody[]): MailBody {
  return {
    lines: bodies.flatMap((b) => b.lines),
    inputLines: bodies.flatMap((b) => b.inputLines),
    exact: bodies.every((b) => b.exact),
  };
}

/** The text parts of a multipart body, decoded; nested multiparts are searched too. */
function multipartBody(lines: readonly string[], start: number, end: number, contentType: string, depth: number): MailBody {
  const boundary = parameter(contentType, 'boundary');
  if (!boundary || depth > 8) return { lines: [], inputLines: [], exact: true };
  const delimiter = `--${boundary}`;
  const parts: { start: number; end: number }[] = [];
  let partStart = -1;
  for (let i = start; i < end; i++) {
    if (lines[i] === delimiter || lines[i] === `${delimiter}--`) {
      if (partStart >= 0) parts.push({ start: partStart, end: i });
      partStart = lines[i] === delimiter ? i + 1 : -1;
    }
  }
  const bodies: MailBody[] = [];
  for (const part of parts) {
    const block = readHeaders(lines, part.start, part.end);
    const type = (block.headers.contentType ?? 'text/plain').toLowerCase();
    if (type.startsWith('multipart/')) bodies.push(multipartBody(lines, block.bodyStart, part.end, block.headers.contentType ?? '', depth + 1));
    else if (type.startsWith('text/') || type.includes('patch') || type.includes('diff')) {
      bodies.push(bodyOf(lines, block.bodyStart, part.end, block.headers.transferEncoding, block.headers.contentType, false));
    }
  }
  return concatBodies(bodies);
}

/** In-body `From:`, `Subject:` and `Date:` lines that open a body override the mail's own (as `git am` takes them). */
function applyInBodyHeaders(message: MailMessage): void {
  const body = message.body;
  let i = 0;
  const overrides: MailHeaders = {};
  for (; i < body.lines.length; i++) {
    const match = /^(From|Subject|Date): (.*)$/.exec(body.lines[i]);
    if (!match) break;
    if (match[1] === 'From') overrides.from = decodeHeaderValue(match[2]);
    else if (match[1] === 'Subject') overrides.subject = decodeHeaderValue(match[2]);
    else overrides.date = match[2];
  }
  if (i === 0 || (body.lines[i] ?? '') !== '') return;
  Object.assign(message.headers, overrides);
}

export function readMessage(lines: readonly string[], start: number, end: number, mbox: boolean): MailMessage {
  const headerStart = mbox && MBOX_FROM.test(lines[start]) ? start + 1 : start;
  const block = readHeaders(lines, headerStart, end);
  const type = block.headers.contentType ?? '';
  const body = type.toLowerCase().startsWith('multipart/')
    ? multipartBody(lines, block.bodyStart, end, type, 0)
    : bodyOf(lines, block.bodyStart, end, block.headers.transferEncoding, type, mbox);
  const message: MailMessage = { headers: block.headers, body, inputLine: start };
  applyInBodyHeaders(message);
  return message;
}

export interface SubjectParts {
  /** Without `Re:` and the bracketed tags, as `git am` takes it. */
  subject: string;
  /** From a `[PATCH v2 3/7]` tag: 3 and 7. */
  number?: number;
  total?: number;
  reply: boolean;
}

export function splitSubject(raw: string): SubjectParts {
  let rest = raw.replace(/\s+/g, ' ').trim();
  let number: number | undefined;
  let total: number | undefined;
  let reply = false;
  for (;;) {
    const re = /^(re|aw|fwd?):\s*/i.exec(rest);
    if (re) {
      reply = reply || !/^fwd?/i.test(re[1]);
      rest = rest.slice(re[0].length);
      continue;
    }
    const tag = /^\[([^\]]*)\]\s*/.exec(rest);
    if (!tag) break;
    const counter = /(\d+)\/(\d+)/.exec(tag[1]);
    if (counter) {
      number = Number(counter[1]);
      total = Number(counter[2]);
    }
    rest = rest.slice(tag[0].length);
  }
  return { subject: rest || raw.trim(), number, total, reply };
}
