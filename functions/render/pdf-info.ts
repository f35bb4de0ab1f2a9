/**
 * The PDF's document information (ISO 32000-1, 14.3.3) set after Chromium wrote the file, by an
 * incremental update (7.5.6): a new Info dictionary, an xref section naming it and a trailer
 * pointing back to Chromium's, appended to Chromium's bytes, which stay exactly as they were.
 *
 * Chromium fills only Title, Creator, Producer and the dates. A report also needs its id and the
 * hash of the report before it in the PDF itself (issue 6), so that the file alone says where it
 * sits in the chain. Rewriting the whole file with a PDF library would cost time and memory in
 * proportion to the document (a 10,000-transition report's tagged PDF holds 280,000 objects);
 * the update costs the same for every size.
 *
 * Only what Chromium (Skia) writes is accepted: a classic cross-reference table and trailer.
 * Anything else is a PdfRenderError rather than a guess.
 */
import { PdfRenderError } from './errors.ts';

/** Standard keys (Title, Author, Subject, Keywords, Creator) and custom ones (`AlertLedger...`). */
export type DocumentInfo = Readonly<Record<string, string>>;

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** How far from the end `startxref` may be: "startxref\n<offset>\n%%EOF\n" and some slack. */
const TAIL_BYTES = 1024;

/**
 * `pdf` with `info` as its document information. Keys Chromium wrote and `info` does not name
 * (Producer, CreationDate, ModDate, ...) are kept; keys in `info` replace them.
 */
export function withDocumentInfo(pdf: Buffer, info: DocumentInfo): Buffer {
  for (const key of Object.keys(info)) {
    if (!NAME.test(key)) throw new PdfRenderError(`"${key}" cannot be a PDF document information key`);
  }
  const { xrefOffset, trailer } = lastTrailer(pdf);
  const size = Number(/\/Size\s+(\d+)/.exec(trailer)?.[1]);
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(trailer)?.[1];
  if (!Number.isInteger(size) || size < 1 || !root) throw unsupported('a trailer without /Size or /Root');
  const id = /\/ID\s*\[[^\]]*\]/.exec(trailer)?.[0];
  const oldInfo = /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(trailer);

  const kept = oldInfo ? readInfo(pdf, xrefOffset, Number(oldInfo[1])) : new Map<string, string>();
  for (const [key, value] of Object.entries(info)) kept.set(key, pdfTextString(value));

  const object = size;
  const eol = pdf[pdf.length - 1] === 0x0a ? '' : '\n';
  const objectAt = pdf.length + eol.length;
  const body = `${object} 0 obj\n<<${[...kept].map(([k, v]) => `/${k} ${v}`).join('\n')}>>\nendobj\n`;
  const newXrefAt = objectAt + Buffer.byteLength(body, 'latin1');
  const update = [
    eol,
    body,
    'xref\n',
    `${object} 1\n`,
    `${String(objectAt).padStart(10, '0')} 00000 n \n`,
    'trailer\n',
    `<</Size ${object + 1}\n/Root ${root}\n/Info ${object} 0 R${id ? `\n${id}` : ''}\n/Prev ${xrefOffset}>>\n`,
    'startxref\n',
    `${newXrefAt}\n`,
    '%%EOF\n',
  ].join('');
  return Buffer.concat([pdf, Buffer.from(update, 'latin1')]);
}

/** The last cross-reference section's offset and the trailer after it: "trailer\n<<...>>\nstartxref". */
function lastTrailer(pdf: Buffer): { xrefOffset: number; trailer: string } {
  const tail = pdf.subarray(Math.max(0, pdf.length - TAIL_BYTES)).toString('latin1');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!startxref) throw unsupported('no startxref at the end of the file');
  const xrefOffset = Number(startxref[1]);
  const end = pdf.length - (tail.length - startxref.index);
  const trailerAt = pdf.lastIndexOf('trailer', end, 'latin1');
  if (trailerAt < 0 || trailerAt < xrefOffset) throw unsupported('no classic trailer (an xref stream?)');
  return { xrefOffset, trailer: pdf.subarray(trailerAt, end).toString('latin1') };
}

/**
 * The document information of a PDF as `withDocumentInfo` (or Chromium) wrote it, its strings
 * decoded; null when the file does not have that form (another writer, or damaged). For
 * `verify`: a PDF whose bytes match no recorded report still names the report it claims to be.
 *
 * @example
 * readDocumentInfo(readFileSync('report.pdf'))?.AlertLedgerReportId; // '20261116T060000000Z-1a2b3c4d'
 */
export function readDocumentInfo(pdf: Buffer): Record<string, string> | null {
  try {
    const { xrefOffset, trailer } = lastTrailer(pdf);
    const ref = /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(trailer);
    if (!ref) return null;
    const raw = readInfo(pdf, xrefOffset, Number(ref[1]));
    return Object.fromEntries([...raw].map(([key, value]) => [key, decodePdfString(value)]));
  } catch {
    return null;
  }
}

/** A PDF string as text: `<FEFF...>` or `(...)` in UTF-16BE (with its mark) or PDFDocEncoding. */
function decodePdfString(value: string): string {
  let bytes: Buffer;
  if (value.startsWith('<')) {
    bytes = Buffer.from(value.slice(1, -1).replace(/\s+/g, ''), 'hex');
  } else if (value.startsWith('(')) {
    const out: number[] = [];
    const body = value.slice(1, -1);
    const escapes: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
    for (let i = 0; i < body.length; i++) {
      const c = body[i] as string;
      if (c !== '\\') {
        out.push(body.charCodeAt(i) & 0xff);
        continue;
      }
      const next = body[i + 1] ?? '';
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4))?.[0];
      if (octal) {
        out.push(Number.parseInt(octal, 8) & 0xff);
        i += octal.length;
      } else if (next === '\r' || next === '\n') {
        // A backslash at a line's end continues the string on the next line.
        i += next === '\r' && body[i + 2] === '\n' ? 2 : 1;
      } else {
        // An unknown escape stands for the character itself (ISO 32000-1, 7.3.4.2).
        out.push(escapes[next] ?? body.charCodeAt(i + 1) & 0xff);
        i += 1;
      }
    }
    bytes = Buffer.from(out);
  } else {
    return value;
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const units = bytes.subarray(2, 2 + ((bytes.length - 2) & ~1));
    return Buffer.from(units).swap16().toString('utf16le');
  }
  return bytes.toString('latin1');
}

/**
 * Where object `objectNumber` starts: the newest cross-reference section that lists it, following
 * each trailer's `/Prev` back to the original table (classic tables only, any number of
 * subsections each).
 */
function objectOffset(pdf: Buffer, xrefOffset: number, objectNumber: number): number {
  const seen = new Set<number>();
  let at: number | null = xrefOffset;
  while (at !== null && !seen.has(at)) {
    seen.add(at);
    if (pdf.subarray(at, at + 4).toString('latin1') !== 'xref') {
      throw unsupported(`no xref table at offset ${at}`);
    }
    let pos = at + 4;
    for (;;) {
      // A subsection: "first count" on its own line, then count entries of exactly 20 bytes.
      const head = /^\s*(\d+)[ \t]+(\d+)[ \t]*(?:\r\n|\r|\n)/.exec(
        pdf.subarray(pos, pos + 48).toString('latin1'),
      );
      if (!head) break;
      pos += head[0].length;
      const first = Number(head[1]);
      const count = Number(head[2]);
      if (objectNumber >= first && objectNumber < first + count) {
        const entryAt = pos + (objectNumber - first) * 20;
        const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(pdf.subarray(entryAt, entryAt + 20).toString('latin1'));
        if (!entry) throw unsupported(`a malformed xref entry for object ${objectNumber}`);
        if (entry[3] !== 'n') throw unsupported(`the xref entry of object ${objectNumber} is not in use`);
        return Number(entry[1]);
      }
      pos += count * 20;
    }
    const trailerAt = pdf.indexOf('trailer', pos, 'latin1');
    if (trailerAt < 0) throw unsupported(`no trailer after the xref table at offset ${at}`);
    const trailer = pdf.subarray(trailerAt, pdf.indexOf('>>', trailerAt, 'latin1') + 2).toString('latin1');
    const prev = /\/Prev\s+(\d+)/.exec(trailer);
    at = prev ? Number(prev[1]) : null;
  }
  throw unsupported(`object ${objectNumber} is not in any xref table`);
}

/** The entries of the Info dictionary `objectNumber`, values as written (strings, dates). */
function readInfo(pdf: Buffer, xrefOffset: number, objectNumber: number): Map<string, string> {
  const at = objectOffset(pdf, xrefOffset, objectNumber);
  // An Info dictionary is small; read a generous window and parse it token by token (strings may
  // hold "endobj", ">>", nested parentheses or line breaks).
  const text = pdf.subarray(at, Math.min(pdf.length, at + 65_536)).toString('latin1');
  const head = new RegExp(`^${objectNumber}\\s+\\d+\\s+obj\\s*<<`).exec(text);
  if (!head) throw unsupported(`object ${objectNumber} is not a dictionary`);
  const entries = new Map<string, string>();
  let i = head[0].length;
  for (;;) {
    i = skipSpace(text, i);
    if (text.startsWith('>>', i)) return entries;
    const name = /^\/([^\s/<>()[\]{}%]+)/.exec(text.slice(i, i + 128));
    if (!name) throw unsupported(`object ${objectNumber} holds a malformed key at ${i}`);
    i = skipSpace(text, i + name[0].length);
    const end = valueEnd(text, i);
    entries.set(name[1] as string, text.slice(i, end));
    i = end;
  }
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && /\s/.test(text[j] as string)) j++;
  return j;
}

/** Where the PDF value starting at `i` ends: a literal or hex string, a name, array, dictionary, reference or number. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '(') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (ch === '\\') j++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return j + 1;
    }
  } else if (c === '<' && text[i + 1] !== '<') {
    const j = text.indexOf('>', i);
    if (j > 0) return j + 1;
  } else if (c === '[' || (c === '<' && text[i + 1] === '<')) {
    const [open, close] = c === '[' ? ['[', ']'] : ['<<', '>>'];
    let depth = 0;
    for (let j = i; j < text.length; ) {
      if (text[j] === '(') {
        j = valueEnd(text, j);
      } else if (text.startsWith(open, j)) {
        depth++;
        j += open.length;
      } else if (text.startsWith(close, j)) {
        depth--;
        j += close.length;
        if (depth === 0) return j;
      } else j++;
    }
  } else {
    // A name, number, boolean or "n g R": up to the next delimiter that starts a key or ends the dictionary.
    const m = /^(?:\d+\s+\d+\s+R|\/?[^\s/<>()[\]{}%]+)/.exec(text.slice(i, i + 64));
    if (m) return i + m[0].length;
  }
  throw unsupported(`a value the reader does not know at ${i}`);
}

/** A PDF text string in UTF-16BE with a byte order mark, written in hex: nothing to escape. */
export function pdfTextString(value: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < value.length; i++)
    hex += value.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

function unsupported(what: string): PdfRenderError {
  return new PdfRenderError(
    `Cannot add the report's id and chain hash to the PDF: ${what}. The PDF is not in the form Chromium writes; render it with Chromium (CHROMIUM_PATH or @sparticuz/chromium).`,
  );
}
