import { appendFile } from 'node:fs/promises';

/** One outgoing message. */
export interface MailMessage {
  /** Recipient address. */
  to: string;
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  text: string;
}

/**
 * Sends a message by appending it as one JSON line to the file named by `MAIL_OUTBOX`, or to
 * standard output when it is unset. A stand-in for SMTP; no flow uses it yet.
 */
export async function sendMail(message: MailMessage): Promise<void> {
  const line = `${JSON.stringify({ ...message, sentAt: new Date().toISOString() })}\n`;
  const outbox = process.env.MAIL_OUTBOX;
  if (outbox) await appendFile(outbox, line, 'utf8');
  else process.stdout.write(line);
}
