import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SesStandIn, StoredEmail } from '../../infra/local/ses.ts';

/**
 * Writes the last email the SES stand-in received into `dir`: its record as received
 * (`received.json`, attachments left out), the HTML and text parts, and each attachment.
 */
export async function saveReceivedEmail(
  ses: SesStandIn,
  dir: string,
): Promise<{ dir: string; email: StoredEmail }> {
  const emails = await ses.readStore();
  const email = emails.at(-1);
  if (!email) throw new Error('the SES stand-in received no email: check REPORT_FROM and REPORT_TO');
  mkdirSync(dir, { recursive: true });
  const { attachments, ...rest } = email;
  writeFileSync(
    join(dir, 'received.json'),
    `${JSON.stringify({ ...rest, attachments: attachments.map(({ content: _c, ...a }) => a) }, null, 2)}\n`,
  );
  if (email.body.html) writeFileSync(join(dir, 'body.html'), email.body.html);
  if (email.body.text) writeFileSync(join(dir, 'body.txt'), email.body.text);
  for (const [i, a] of attachments.entries()) {
    // The file name came through an email: keep only a plain base name.
    const name = basename(a.filename ?? `attachment-${i + 1}`).replace(/[^\w.-]/g, '_');
    writeFileSync(join(dir, name), Buffer.from(a.content, 'base64'));
  }
  return { dir, email };
}
