import { appendFile } from 'node:fs/promises';
import type { AccountMail, Mailer } from 'routing-controllers-auth';

/**
 * The example's mailer: appends each message as one JSON line
 * `{"to", "kind", "token", "userId", "sentAt"}` to the file named by `MAIL_OUTBOX`, or to
 * standard output when it is unset. A stand-in for SMTP; the library calls it off the request
 * path, so a slow or failing outbox never changes an HTTP answer.
 */
export function outboxMailer(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Mailer {
  return {
    async send(message: AccountMail): Promise<void> {
      const line = `${JSON.stringify({ ...message, sentAt: new Date().toISOString() })}\n`;
      const outbox = env.MAIL_OUTBOX;
      if (outbox) await appendFile(outbox, line, 'utf8');
      else process.stdout.write(line);
    },
  };
}
