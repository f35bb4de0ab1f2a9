/**
 * The document information update (functions/render/pdf-info.ts) on small PDFs written here in
 * the form Chromium (Skia) writes: a classic xref table, an Info dictionary of literal strings.
 * poppler's pdfinfo reads the results back, as an auditor's tools would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfRenderError } from '../../../functions/render/errors.ts';
import { pdfTextString, readDocumentInfo, withDocumentInfo } from '../../../functions/render/pdf-info.ts';

/** The text on the fixture's page. */
const PAGE_TEXT = 'Hello ledger';

/** A one-page PDF with a line of text and a classic xref table, offsets computed as a writer would. */
function tinyPdf(info: string | null): Buffer {
  const content = `BT /F1 12 Tf 20 100 Td (${PAGE_TEXT}) Tj ET`;
  const objects = [
    ...(info === null ? [] : [info]),
    '<</Type /Catalog /Pages PAGES 0 R>>',
    '<</Type /Pages /Kids [PAGE 0 R] /Count 1>>',
    '<</Type /Page /Parent PAGES 0 R /MediaBox [0 0 200 200] /Contents CONTENT 0 R /Resources <</Font <</F1 FONT 0 R>>>>>>',
    `<</Length ${content.length}>>\nstream\n${content}\nendstream`,
    '<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>',
  ];
  const first = info === null ? 1 : 2; // the catalog's object number
  const numbered = objects.map((o) =>
    o
      .replaceAll('PAGES', String(first + 1))
      .replaceAll('PAGE ', `${first + 2} `)
      .replaceAll('CONTENT', String(first + 3))
      .replaceAll('FONT', String(first + 4)),
  );
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  numbered.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${numbered.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<</Size ${numbered.length + 1}\n/Root ${first} 0 R${info === null ? '' : '\n/Info 1 0 R'}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const CHROMIUM_INFO =
  "<</Title (octo-demo security alert report 2026-W46)\n/Creator (Chromium)\n/Producer (Skia/PDF m147)\n/CreationDate (D:20261116060000+00'00')\n/ModDate (D:20261116060000+00'00')>>";

const dir = mkdtempSync(join(tmpdir(), 'alert-ledger-pdf-info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pdfinfo(pdf: Buffer, name: string): { fields: Record<string, string>; stderr: string } {
  const path = join(dir, name);
  writeFileSync(path, pdf);
  const run = spawnSync('pdfinfo', ['-custom', path], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  const fields = Object.fromEntries(
    run.stdout
      .split('\n')
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
  return { fields, stderr: run.stderr };
}

describe('PDF document information', () => {
  it('the fixture is a PDF poppler reads without complaint', () => {
    const { fields, stderr } = pdfinfo(tinyPdf(CHROMIUM_INFO), 'plain.pdf');
    expect(fields.Title).toBe('octo-demo security alert report 2026-W46');
    expect(fields.Producer).toBe('Skia/PDF m147');
    expect(stderr).toBe('');
  });

  it("adds entries, keeps Chromium's, and leaves Chromium's bytes as they were", () => {
    const original = tinyPdf(CHROMIUM_INFO);
    const updated = withDocumentInfo(original, {
      Subject: 'Security alert report: octo-demo · 2026-W46',
      AlertLedgerPreviousReportSha256: 'b'.repeat(64),
    });
    expect(updated.subarray(0, original.length).equals(original)).toBe(true);
    const { fields, stderr } = pdfinfo(updated, 'updated.pdf');
    expect(stderr).toBe('');
    expect(fields).toMatchObject({
      Title: 'octo-demo security alert report 2026-W46',
      Creator: 'Chromium',
      Producer: 'Skia/PDF m147',
      Subject: 'Security alert report: octo-demo · 2026-W46',
      AlertLedgerPreviousReportSha256: 'b'.repeat(64),
    });
    // The new trailer points back at Chromium's xref table.
    const oldXref = /startxref\n(\d+)\n%%EOF\n$/.exec(original.toString('latin1'))?.[1];
    expect(updated.toString('latin1')).toContain(`/Prev ${oldXref}>>`);
  });

  it('replaces an entry Chromium wrote, and a second update builds on the first', () => {
    const once = withDocumentInfo(tinyPdf(CHROMIUM_INFO), { Title: 'first', Keywords: 'a' });
    const twice = withDocumentInfo(once, { Title: 'second ✓ 🔒' });
    const { fields, stderr } = pdfinfo(twice, 'twice.pdf');
    expect(stderr).toBe('');
    expect(fields.Title).toBe('second ✓ 🔒');
    expect(fields.Keywords).toBe('a');
    expect(fields.Producer).toBe('Skia/PDF m147');
    // Each update adds one object: 7 objects in the file (6 + the first update's), then 8.
    expect(twice.toString('latin1')).toMatch(/trailer\n<<\/Size 9\n/);
  });

  it('adds an Info dictionary to a PDF without one', () => {
    const { fields, stderr } = pdfinfo(
      withDocumentInfo(tinyPdf(null), { Author: 'alert-ledger' }),
      'none.pdf',
    );
    expect(stderr).toBe('');
    expect(fields.Author).toBe('alert-ledger');
  });

  it('writes text as UTF-16 in hex, so nothing in it needs escaping', () => {
    expect(pdfTextString('a(b)\\')).toBe('<FEFF0061002800620029005C>');
    expect(pdfTextString('·🔒')).toBe('<FEFF00B7D83DDD12>');
    const { fields } = pdfinfo(
      withDocumentInfo(tinyPdf(CHROMIUM_INFO), { Subject: 'a) /Title (x' }),
      'esc.pdf',
    );
    expect(fields.Subject).toBe('a) /Title (x');
    expect(fields.Title).toBe('octo-demo security alert report 2026-W46');
  });

  it('refuses what it cannot update safely, saying what is wrong', () => {
    const xrefStream = Buffer.from(
      '%PDF-1.5\n1 0 obj\n<</Type /XRef>>\nendobj\nstartxref\n9\n%%EOF\n',
      'latin1',
    );
    expect(() => withDocumentInfo(xrefStream, { Author: 'x' })).toThrow(PdfRenderError);
    expect(() => withDocumentInfo(xrefStream, { Author: 'x' })).toThrow(/no classic trailer/);
    expect(() => withDocumentInfo(Buffer.from('not a pdf'), { Author: 'x' })).toThrow(/no startxref/);
    expect(() => withDocumentInfo(tinyPdf(CHROMIUM_INFO), { 'Bad Key': 'x' })).toThrow(
      /"Bad Key" cannot be a PDF document information key/,
    );
  });

  it('reads the document information back, as written and as Chromium writes it', () => {
    const updated = withDocumentInfo(tinyPdf(CHROMIUM_INFO), {
      AlertLedgerReportId: '20261116T060000000Z-1a2b3c4d',
      Subject: 'octo-demo · 2026-W46 🔒',
    });
    expect(readDocumentInfo(updated)).toEqual({
      Title: 'octo-demo security alert report 2026-W46',
      Creator: 'Chromium',
      Producer: 'Skia/PDF m147',
      CreationDate: "D:20261116060000+00'00'",
      ModDate: "D:20261116060000+00'00'",
      AlertLedgerReportId: '20261116T060000000Z-1a2b3c4d',
      Subject: 'octo-demo · 2026-W46 🔒',
    });
    // Literal strings with their escapes: \( \) \\ and octal.
    const escaped = tinyPdf('<</Title (a \\(b\\) c\\\\ \\101\\n)>>');
    expect(readDocumentInfo(escaped)?.Title).toBe('a (b) c\\ A\n');
    // A string continued over a line, nested parentheses, "endobj" and ">>" inside strings, an
    // unknown escape: all one value each, nothing read as a key from inside a string.
    const tricky = tinyPdf(
      '<</Title (line one \\\nline two)\n/Subject (a (b (c)) /Producer (fake) endobj >> d)\n/Keywords (\\q)\n/Producer (Skia/PDF m147)>>',
    );
    expect(pdfinfo(tricky, 'tricky.pdf').stderr).toBe('');
    expect(readDocumentInfo(tricky)).toEqual({
      Title: 'line one line two',
      Subject: 'a (b (c)) /Producer (fake) endobj >> d',
      Keywords: 'q',
      Producer: 'Skia/PDF m147',
    });
    const trickyUpdated = withDocumentInfo(tricky, { AlertLedgerReportId: 'r-2' });
    expect(readDocumentInfo(trickyUpdated)).toMatchObject({
      Title: 'line one line two',
      AlertLedgerReportId: 'r-2',
    });
    expect(pdfinfo(trickyUpdated, 'tricky-updated.pdf').fields.Subject).toBe(
      'a (b (c)) /Producer (fake) endobj >> d',
    );
    expect(readDocumentInfo(tinyPdf(null))).toBeNull();
    expect(readDocumentInfo(Buffer.from('not a pdf'))).toBeNull();
  });

  it("finds the information in an older section when another tool's update left it there", () => {
    // Another writer's incremental update: only the catalog again, in two subsections (the free
    // list head and object 2), its trailer naming the old Info and pointing back with /Prev.
    const original = tinyPdf(CHROMIUM_INFO);
    const oldXref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(original.toString('latin1'))?.[1]);
    const objectAt = original.length;
    const body = '2 0 obj\n<</Type /Catalog /Pages 3 0 R /Lang (en)>>\nendobj\n';
    const xrefAt = objectAt + body.length;
    const update =
      `${body}xref\r\n0 1\r\n0000000000 65535 f\r\n2 1\r\n${String(objectAt).padStart(10, '0')} 00000 n\r\n` +
      `trailer\n<</Size 7 /Root 2 0 R /Info 1 0 R /Prev ${oldXref}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const touched = Buffer.concat([original, Buffer.from(update, 'latin1')]);
    expect(pdfinfo(touched, 'touched.pdf').stderr).toBe('');
    expect(readDocumentInfo(touched)?.Producer).toBe('Skia/PDF m147');
    const ours = withDocumentInfo(touched, { AlertLedgerReportId: 'r-1' });
    const { fields, stderr } = pdfinfo(ours, 'ours.pdf');
    expect(stderr).toBe('');
    expect([fields.AlertLedgerReportId, fields.Title]).toEqual([
      'r-1',
      'octo-demo security alert report 2026-W46',
    ]);
    expect(readDocumentInfo(ours)?.AlertLedgerReportId).toBe('r-1');
  });

  it('is read the same by pdftotext (the page text is untouched)', () => {
    const path = join(dir, 'text.pdf');
    writeFileSync(path, withDocumentInfo(tinyPdf(CHROMIUM_INFO), { Author: 'x' }));
    expect(execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).trim()).toBe(PAGE_TEXT);
  });
});
