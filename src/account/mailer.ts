/** What a message is about. */
export type AccountMailKind = 'verify' | 'reset' | 'already-registered';

/**
 * One message the account flows send. `token` is the raw single-use token (verify, reset): put it
 * in a link to your front end; never log it.
 */
export interface AccountMail {
  /** Recipient address (normalized: trimmed, lower-cased). */
  to: string;
  /** `verify`: confirm the address; `reset`: reset the password; `already-registered`: someone tried to register this address (enumeration-safe registration). */
  kind: AccountMailKind;
  /** The token for `verify` and `reset`. */
  token?: string;
  /** The user's id (`getUserId`), as a string. */
  userId: string;
}

/**
 * Sends the account flows' mail. Called off the request path, after the answer went out: a slow
 * or failing mailer never changes or delays an HTTP answer (a failure is logged). May be async.
 *
 * @example
 * ```ts
 * const mailer: Mailer = {
 *   async send({ to, kind, token }) {
 *     await smtp.sendMail({ to, subject: kind, text: `https://app.example/${kind}?token=${token}` });
 *   },
 * };
 * const auth = setupAuth({ dataSource, userAuthentication, mailer });
 * ```
 */
export interface Mailer {
  /** Sends one message. */
  send(message: AccountMail): void | Promise<void>;
}
