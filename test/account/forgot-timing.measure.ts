// Not a test: a measurement (SECURITY 25). Run with
//   npx vitest run -c test/account/measure.config.mjs
// Prints the median time of POST /auth/forgot-password for a registered and an unknown address,
// 200 requests each, interleaved, over real HTTP on SQLite. Nothing is asserted on the figures.
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { it } from 'vitest';
import { buildAccountApp } from './support';

const ROUNDS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

it('forgot-password: median for a registered vs an unknown address', async () => {
  const a = await buildAccountApp('sqlite', { throttle: false });
  await a.make('known@example.com', 'password-one');
  const server = a.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  // The client runs in another process: in this one it would wait for the background work
  // (same event loop) and measure that too, which a real client never does.
  const client = `
    const [port, rounds] = process.argv.slice(1).map(Number);
    const send = async (email) => {
      const start = performance.now();
      const res = await fetch('http://127.0.0.1:' + port + '/auth/forgot-password', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error('status ' + res.status);
      const ms = performance.now() - start;
      await new Promise((r) => setTimeout(r, 2)); // let the server finish that request's mail first
      return ms;
    };
    (async () => {
      for (let i = 0; i < 20; i++) await send(i % 2 ? 'known@example.com' : 'nobody@example.com');
      const known = [], unknown = [];
      for (let i = 0; i < rounds; i++) { known.push(await send('known@example.com')); unknown.push(await send('nobody@example.com')); }
      process.stdout.write(JSON.stringify({ known, unknown }));
    })();`;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', client, String(port), String(ROUNDS)], (error, stdout) => {
      if (error) reject(new Error(`the client failed: ${error.message}`));
      else resolve(stdout);
    });
  });
  const { known, unknown } = JSON.parse(out) as { known: number[]; unknown: number[] };
  const k = median(known);
  const u = median(unknown);
  await a.auth.account.idle();
  console.log(
    `forgot-password median over ${ROUNDS} each: registered ${k.toFixed(3)} ms, unknown ${u.toFixed(3)} ms, ` +
      `difference ${(((k - u) / u) * 100).toFixed(1)} %; mails sent ${a.outbox.length}`,
  );
  server.close();
  await a.close();
}, 120_000);
