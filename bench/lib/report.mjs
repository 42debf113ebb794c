/** RESULTS.md and the JSON of a run: the report's tables, the targets, the machine it ran on. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASELINE_OF, DB_LABEL, VARIANTS } from './options.mjs';
import { ratio } from './rounds.mjs';
import { EXAMPLE_KINDS } from './sections/example.mjs';
import { REVOCATION_CHANNELS, REVOCATION_DEADLINE_MS } from './sections/revocation.mjs';
import { fmt, fmtRatio, log, ROOT } from './util.mjs';

export const ANALYSIS_MARKER = '<!-- analysis: kept across runs -->';

export function targets(results, options) {
  const out = [];
  const t = results.throughput?.summary;
  const throughputRatio = (id, db) =>
    ratio(t, id, t?.[BASELINE_OF[db]] ? BASELINE_OF[db] : 'passport-jwt');
  const check = (name, value, goal, ok, note = '', unit = '×') =>
    out.push({
      name,
      value,
      unit,
      goal,
      result: !Number.isFinite(value) ? 'not run' : ok ? (ok(value) ? 'PASS' : 'MISS') : 'reported',
      note,
    });
  const pgBase = t?.['passport-jwt-pg'] ? 'passport-jwt on PostgreSQL' : 'passport-jwt on SQLite';
  check(
    'library on PostgreSQL vs baseline (req/s)',
    throughputRatio('library-pg', 'postgres'),
    '≥ 0.85×',
    (v) => v >= 0.85,
    `against ${pgBase}`,
  );
  check(
    'library on PostgreSQL with the validation cache vs baseline (req/s)',
    throughputRatio('library-pg-cache', 'postgres'),
    '≥ 1.0×',
    (v) => v >= 1.0,
    `against ${pgBase}`,
  );
  check(
    'library on SQLite vs baseline (req/s)',
    throughputRatio('library-sqlite', 'sqlite'),
    '≥ 0.95×',
    (v) => v >= 0.95,
    'against passport-jwt on SQLite',
  );
  const s = results.storm?.summary;
  check(
    'p99 during login storm vs idle',
    results.storm?.medianRatio ?? (s ? s.storm.p99 / s.idle.p99 : NaN),
    '≤ 1.5×',
    (v) => v <= 1.5,
    s
      ? `median of per-round ratios; ${fmt(s.storm.loginsPerSecond, 1)} logins/s; medians ${fmt(s.idle.p99, 2)} → ${fmt(s.storm.p99, 2)} ms`
      : '',
  );
  const g = results.growth?.summary;
  check(
    'req/s at 1M stored tokens vs 10k',
    ratio(g, '1000000', '10000'),
    '≥ 0.83×',
    (v) => v >= 0.83,
    'PostgreSQL',
  );
  const p = results.purge?.summary;
  check(
    `p99 during a purge of ${(results.purge?.rows ?? options.purgeRows).toLocaleString('en-US')} expired rows vs idle`,
    p ? p.purge.p99 / p.idle.p99 : NaN,
    '≤ 2×',
    (v) => v <= 2,
    p ? `PostgreSQL, ${fmt(p.idle.p99, 2)} → ${fmt(p.purge.p99, 2)} ms` : '',
  );
  const e = results.example?.summary;
  for (const c of options.exampleConnections) {
    check(
      `example app vs baseline at ${c} connections (req/s)`,
      ratio(e, `example@${c}`, `passport@${c}`),
      '—',
      undefined,
      'PostgreSQL, as users run it',
    );
  }
  const r = results.revocation?.summary;
  for (const [id, c] of Object.entries(REVOCATION_CHANNELS)) {
    check(
      `revocation latency, max over the trials: ${c.label}`,
      r?.[id]?.max ?? NaN,
      '< 100 ms',
      (v) => v < 100,
      r?.[id] ? `${r[id].trials} trials, p99 ${fmt(r[id].p99, 1)} ms` : '',
      'ms',
    );
  }
  return out;
}

/** The columns every measured window has, and its cells. */
const WINDOW_COLUMNS = ['requests/s', 'p50 ms', 'p99 ms', 'errors'];
const windowCells = (s) => [fmt(s.rps), fmt(s.p50, 2), fmt(s.p99, 2), s.errors];

const table = (header, align, rows) => [
  `| ${header.join(' | ')} |`,
  `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
];

function throughputSection(results, options) {
  const t = results.throughput?.summary;
  if (!t) return [];
  return [
    '## Throughput: `GET /users/me`',
    '',
    ...table(
      [
        'variant',
        'DB',
        ...WINDOW_COLUMNS,
        'queries/req (store)',
        'cache hit rate',
        'server CPU µs/req',
        '× baseline req/s, same DB',
        '× baseline CPU/req',
        'per round (req/s)',
      ],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      options.variants.map((id) => {
        const v = VARIANTS[id];
        const s = t[id];
        const base = BASELINE_OF[v.db];
        return [
          v.label,
          DB_LABEL[v.db],
          ...windowCells(s),
          `${fmt(s.queriesPerRequest, 2)} (${fmt(s.storeQueriesPerRequest, 2)})`,
          Number.isFinite(s.cache?.hitRate) ? `${fmt(s.cache.hitRate * 100, 1)} %` : '—',
          fmt(s.cpuMicrosPerRequest),
          fmtRatio(ratio(t, id, base)),
          fmtRatio(ratio(t, id, base, 'cpuMicrosPerRequest')),
          s.rpsPerRound.map((x) => fmt(x)).join(', '),
        ];
      }),
    ),
    '',
    '`none` runs on SQLite (the same file as the SQLite baseline); each ratio is against passport-jwt on the same database engine. ' +
      '"server CPU µs/req" is the server process\'s own user+system CPU time over the measured window divided by its responses: unlike requests/s it hardly moves when other processes load the machine (it excludes the database server\'s CPU). ' +
      "\"cache hit rate\" (validation cache variants): hits / (hits + misses) over the measured window, by the cache's own counters (`auth.status().validationCache`), median over the rounds. Before its warm-up, a cache variant's server waits until its channel listens and serves each token once (a token's first use is a miss by design; autocannon's connections walk the tokens in step, so a short warm-up may not reach them all).",
    '',
  ];
}

function stormSection(results, options) {
  const storm = results.storm;
  const s = storm?.summary;
  if (!s) return [];
  const pairs = [];
  for (let round = 0; round < options.rounds; round++) {
    const idle = storm.rounds.find((r) => r.round === round && r.id === 'idle');
    const stormed = storm.rounds.find((r) => r.round === round && r.id === 'storm');
    if (idle && stormed) pairs.push(`${fmt(idle.p99, 2)} → ${fmt(stormed.p99, 2)}`);
  }
  return [
    '## Login storm: `GET /users/me` on the library (SQLite), same process',
    '',
    `Load on /users/me: ${storm.rate ? `${storm.rate} req/s, evenly paced (open loop, keep-alive pool)` : `closed loop over ${options.connections} connections`}, idle and during the storm alike, ${options.duration} s windows, one server process for all rounds. Storm: ${options.stormConnections} connections looping \`POST /auth/login\` (bcrypt cost ${storm.library?.bcryptCost ?? options.bcryptCost}, library \`passwordConcurrency\` ${storm.library?.passwordConcurrency ?? '?'}, ${process.platform === 'linux' ? `bcrypt on worker threads at nice ${process.env.AUTH_PASSWORD_NICE ?? '10 (`passwordNice` default)'}` : `libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4} threads`}; login throttling and the session cap off on this server, since every login comes from one IP as one user and would otherwise be refused or evict the load's own token).`,
    '',
    ...table(
      ['window', ...WINDOW_COLUMNS],
      ['l', 'r', 'r', 'r', 'r'],
      [
        ['idle', ...windowCells(s.idle)],
        ...(s.burner
          ? [
              [
                `control: ${storm.library?.passwordConcurrency ?? '?'} busy loop(s) at nice ${storm.library?.passwordNice ?? '?'}, no logins`,
                ...windowCells(s.burner),
              ],
            ]
          : []),
        [
          `login storm (${fmt(s.storm.loginsPerSecond, 1)} logins/s, login p50 ${fmt(s.storm.loginP50)} ms, ${fmt(s.storm.loginErrors)} logins not 2xx)`,
          ...windowCells(s.storm),
        ],
      ],
    ),
    '',
    `p99 storm / idle: **${fmtRatio(storm.medianRatio ?? s.storm.p99 / s.idle.p99)}**, the median of the rounds' own ratios (${(storm.ratios ?? []).map(fmtRatio).join(', ')}); ratio of the medians ${fmtRatio(s.storm.p99 / s.idle.p99)}. Per round, p99 idle → storm (ms): ${pairs.join('; ')}.`,
    ...(s.burner
      ? [
          `Control (the storm's CPU shape without the library: as many busy loops as bcrypt slots, at bcrypt's nice, in processes of their own): p99 burner / idle **${fmtRatio(storm.burnerMedianRatio)}**, median of the rounds' ratios (${(storm.burnerRatios ?? []).map(fmtRatio).join(', ')})${storm.pooled?.burner ? `; pooled ${fmtRatio(storm.pooled.burner.p99 / storm.pooled.idle.p99)}` : ''}. What the storm adds beyond the control is the login path's; what the control adds over idle is the machine's.`,
        ]
      : []),
    ...(storm.pooled
      ? [
          `All rounds' samples pooled: idle p99 ${fmt(storm.pooled.idle.p99, 2)} ms (n ${storm.pooled.idle.n}), storm p99 ${fmt(storm.pooled.storm.p99, 2)} ms (n ${storm.pooled.storm.n}), **${fmtRatio(storm.pooled.storm.p99 / storm.pooled.idle.p99)}**. Server event-loop delay (median of rounds): idle ${fmt(s.idle.loopDelay?.meanMs, 1)} ms mean / ${fmt(s.idle.loopDelay?.p99Ms, 1)} ms p99, storm ${fmt(s.storm.loopDelay?.meanMs, 1)} / ${fmt(s.storm.loopDelay?.p99Ms, 1)} ms.`,
        ]
      : []),
    '',
  ];
}

function growthSection(results, options) {
  const g = results.growth?.summary;
  if (!g) return [];
  const first = String(options.growthSizes[0]);
  return [
    '## Table growth: `GET /users/me` on the library (PostgreSQL)',
    '',
    'Rows bulk-inserted (`INSERT … SELECT generate_series`) into `auth_sessions` / `auth_tokens` (two tokens per session, 1 in 10 revoked), then ANALYZE; each size in its own schema, sizes interleaved over the rounds.',
    '',
    ...table(
      ['stored tokens', ...WINDOW_COLUMNS, 'queries/req', 'server CPU µs/req', '× smallest'],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      options.growthSizes.map((size) => {
        const r = g[String(size)];
        return [
          size.toLocaleString('en-US'),
          ...windowCells(r),
          fmt(r.queriesPerRequest, 2),
          fmt(r.cpuMicrosPerRequest),
          fmtRatio(ratio(g, String(size), first)),
        ];
      }),
    ),
    '',
  ];
}

function exampleSection(results, options) {
  const e = results.example?.summary;
  if (!e) return [];
  const rows = [];
  for (const c of options.exampleConnections) {
    for (const kind of Object.keys(EXAMPLE_KINDS)) {
      const id = `${kind}@${c}`;
      const s = e[id];
      if (!s) continue;
      rows.push([
        EXAMPLE_KINDS[kind],
        c,
        ...windowCells(s),
        fmt(s.cpuMicrosPerRequest),
        fmtRatio(ratio(e, id, `passport@${c}`)),
        fmtRatio(ratio(e, id, `passport@${c}`, 'cpuMicrosPerRequest')),
        s.rpsPerRound.map((x) => fmt(x)).join(', '),
      ]);
    }
  }
  const [lo, hi] = [options.exampleConnections[0], options.exampleConnections.at(-1)];
  const notes = options.exampleConnections.map(
    (c) =>
      `at ${c}: example / passport-jwt **${fmtRatio(ratio(e, `example@${c}`, `passport@${c}`))}**, stripped / passport-jwt ${fmtRatio(ratio(e, `library@${c}`, `passport@${c}`))}, example / stripped ${fmtRatio(ratio(e, `example@${c}`, `library@${c}`))}`,
  );
  if (lo !== hi) {
    notes.push(
      `${hi} vs ${lo} connections: example ${fmtRatio(ratio(e, `example@${hi}`, `example@${lo}`))}, stripped ${fmtRatio(ratio(e, `library@${hi}`, `library@${lo}`))}, passport-jwt ${fmtRatio(ratio(e, `passport@${hi}`, `passport@${lo}`))}`,
    );
  }
  return [
    '## The example app as users run it: `GET /users/me` on PostgreSQL',
    '',
    `\`npm run build:example\`, then \`node build/example/main.js\` with \`NODE_ENV=production\`, \`AUTH_SECRET_KEY\` and \`DATABASE_URL\` on a fresh PostgreSQL database (${results.example.database}) where it created its tables itself and seeded its demo users in one start without \`NODE_ENV=production\` (which seeds none); alice logs in over HTTP and her one access token drives the load. The passport-jwt baseline and the stripped library server are the bench servers above on the bench's PostgreSQL schema, driven with one token too. All of them interleaved in the same rounds; pools at pg's default (10). The example has no query counter: its CPU comes from /proc.`,
    '',
    ...table(
      [
        'server',
        'connections',
        ...WINDOW_COLUMNS,
        'server CPU µs/req',
        '× baseline req/s, same connections',
        '× baseline CPU/req',
        'per round (req/s)',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
      rows,
    ),
    '',
    `Ratios (medians of this run): ${notes.join('; ')}.`,
    '',
  ];
}

function anatomySection(results, options) {
  const a = results.anatomy;
  if (!a) return [];
  const n = options.anatomyConnections;
  const base = `stripped@${n}`;
  const ids = Object.keys(a.summary);
  return [
    `## Anatomy: what the example's path and the connection count add (PostgreSQL, bench servers)`,
    '',
    `One change at a time around the stripped library server (routing-controllers' defaults, which are also the example's settings: \`classTransformer\` and \`validation\` on) and the example's own \`createApp\`, all run in bench server processes (so queries, CPU and the pg pool are counted), one token each, pools at 10 unless said. "pool" columns: \`pool.connect\` calls per request (TypeORM's runner for the user, the store's prepared \`pool.query\` for the token), the share of them that found no idle client and queued, the time queued per request, how long a client stays checked out (its query's round trip plus the wait for the event loop to run the code that releases it), and the share of the pool's client-time in use. "loop lag": the server's mean event-loop delay over the window (\`monitorEventLoopDelay\`, beyond its 10 ms sampling interval).`,
    '',
    ...table(
      [
        'configuration',
        ...WINDOW_COLUMNS,
        'queries/req',
        'server CPU µs/req',
        'pool checkouts/req',
        'queued',
        'pool wait µs/req',
        'client held µs',
        'pool busy',
        'loop lag ms',
        `× ${base} req/s`,
        `Δ CPU µs/req vs ${base}`,
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ids.map((id) => {
        const s = a.summary[id];
        return [
          id,
          ...windowCells(s),
          fmt(s.queriesPerRequest, 2),
          fmt(s.cpuMicrosPerRequest),
          fmt(s.pool?.checkoutsPerRequest, 2),
          s.pool ? `${fmt(s.pool.queuedShare * 100, 1)} %` : '—',
          fmt(s.pool?.waitMicrosPerRequest),
          fmt(s.pool?.holdMicrosPerCheckout),
          s.pool?.busyShare === undefined ? '—' : `${fmt(s.pool.busyShare * 100)} %`,
          fmt(s.loopDelay?.meanMs, 1),
          fmtRatio(ratio(a.summary, id, base)),
          fmt(s.cpuMicrosPerRequest - a.summary[base]?.cpuMicrosPerRequest),
        ];
      }),
    ),
    '',
  ];
}

function revocationSection(results, options) {
  const r = results.revocation;
  if (!r) return [];
  return [
    '## Revocation latency: a logout on server A until server B refuses the token',
    '',
    `Per channel and round, two library server processes A and B on one database, validation cache on (\`AUTH_VALIDATION_CACHE=on\`, the run's own channel), started fresh; ${r.perRound} trial(s) per round, ${options.rounds} round(s), channels interleaved, trials pooled. One trial, with a seeded access token (a session of its own): B serves \`GET /users/me\` twice (the second from its cache, read from B's hit counter: "hot"), A answers \`POST /auth/logout\` with 204, then B is polled back to back (one request at a time, keep-alive) until it answers 401. Latency: from the end of A's logout response to the end of B's first 401 (the poll's own round trip included). "stale 200s": trials where B still answered 200 after the logout, and the latest of those answers. A trial still 200 after ${REVOCATION_DEADLINE_MS} ms is given up and counted at that value.`,
    '',
    ...table(
      [
        'channel',
        'trials',
        'p50 ms',
        'p99 ms',
        'max ms',
        `given up (${REVOCATION_DEADLINE_MS} ms)`,
        'stale 200s',
        'latest stale 200 ms',
        'hot in B before logout',
        'polls/trial',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      Object.entries(REVOCATION_CHANNELS).map(([id, c]) => {
        const s = r.summary[id];
        return [
          c.label,
          s.trials,
          fmt(s.p50, 2),
          fmt(s.p99, 2),
          fmt(s.max, 2),
          s.timedOut,
          s.stale,
          fmt(s.lastOkMax, 2),
          `${s.hot}/${s.trials}`,
          fmt(s.polls / s.trials, 1),
        ];
      }),
    ),
    '',
  ];
}

function purgeSection(results) {
  const purge = results.purge;
  const s = purge?.summary;
  if (!s) return [];
  const rounds = purge.rounds.filter((r) => r.id === 'purge');
  const pairs = rounds.map((r) => {
    const idle = purge.rounds.find((x) => x.round === r.round && x.id === 'idle');
    return `${fmt(idle?.p99, 2)} → ${fmt(r.p99, 2)} (${fmt(r.purgeMs / 1000, 1)} s)`;
  });
  return [
    '## Purge at scale: `GET /users/me` on the library (PostgreSQL) during `purgeExpired()`',
    '',
    `Each round bulk-inserts ${purge.rows.toLocaleString('en-US')} expired token rows (two per session, so half as many expired sessions) next to the live tokens of the load, VACUUMs and CHECKPOINTs, warms up for 10 s and measures idle (at least 10 s), then calls \`auth.tokens.purgeExpired()\` in the server process (\`purgeBatchSize\` ${purge.library?.purgeBatchSize ?? '?'}): the purge window runs from its start to its end. Load on /users/me: ${purge.rate} req/s, evenly paced (open loop), idle and during the purge alike; one server process for all rounds.`,
    '',
    ...table(
      ['window', ...WINDOW_COLUMNS, "queries/req (the purge's included)", 'loop lag ms'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      [
        [
          'idle',
          ...windowCells(s.idle),
          fmt(s.idle.queriesPerRequest, 2),
          fmt(s.idle.loopDelay?.meanMs, 1),
        ],
        [
          `purge (${fmt(s.purge.purgedTokens)} tokens + ${fmt(s.purge.purgedSessions)} sessions in ${fmt(s.purge.purgeMs / 1000, 1)} s, ${fmt(s.purge.rowsPerSecond)} rows/s)`,
          ...windowCells(s.purge),
          fmt(s.purge.queriesPerRequest, 2),
          fmt(s.purge.loopDelay?.meanMs, 1),
        ],
      ],
    ),
    '',
    `p99 purge / idle: **${fmtRatio(s.purge.p99 / s.idle.p99)}** (target ≤ 2×). Per round, p99 idle → purge (ms, purge duration): ${pairs.join('; ')}.`,
    '',
    ...purgeActivity(purge),
  ];
}

const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '—');

/** The purge windows seen from PostgreSQL (`bench/lib/pg-activity.mjs`), medians of the rounds. */
function purgeActivity(purge) {
  const idle = purge.summary.idle.activity;
  const running = purge.summary.purge.activity;
  if (!idle || !running) return [];
  // Named waits of the request backends, pooled over the rounds' purge windows.
  const waits = {};
  const purgeRounds = purge.rounds.filter((x) => x.id === 'purge');
  for (const r of purgeRounds) {
    for (const [name, share] of Object.entries(r.activity?.waits ?? {})) {
      waits[name] = (waits[name] ?? 0) + share / purgeRounds.length;
    }
  }
  const top = Object.entries(waits)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, share]) => `${name} ${pct(share)}`);
  const row = (label, a) => [
    label,
    pct(a.purgeRunning),
    pct(a.purgeWaitingOnServer),
    pct(a.requestsActive),
    pct(a.requestsWaiting),
    fmt(a.machineBusyCores, 2),
    fmt(a.ioWaitCores, 3),
    fmt(a.walMBps, 2),
  ];
  return [
    'Where the time goes, from PostgreSQL\'s side: `pg_stat_activity` sampled every 20 ms during each window (medians of the rounds), the machine\'s CPU from /proc/stat, WAL from `pg_stat_wal`. "purge running": share of samples with the purge\'s backend executing a statement; "purge waiting on the server": its transaction open and idle, waiting for the server process\'s next statement; "requests active": a /users/me query executing; "requests in a wait": one of those in a lock, LWLock or IO wait (otherwise it is on a CPU or waiting for one).',
    '',
    ...table(
      [
        'window',
        'purge running',
        'purge waiting on the server',
        'requests active',
        'requests in a wait',
        'machine busy (cores)',
        'IO wait (cores)',
        'WAL MB/s',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      [row('idle', idle), row('purge', running)],
    ),
    '',
    `Request waits during the purge (share of samples, all rounds): ${top.length ? top.join(', ') : 'none seen'}.`,
    '',
  ];
}

export function report(results, options, machine, wallSeconds) {
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(
    '<!-- Written by `npm run bench` (bench/run.mjs). Everything above the analysis marker is replaced on each full run. -->',
    '',
  );
  lines.push(
    `- **Run:** ${machine.date}, wall time ${fmt(wallSeconds)} s${options.quick ? ' (--quick)' : ''}`,
  );
  lines.push(
    `- **Machine:** ${machine.nproc} cores (\`nproc\`), ${machine.cpu}, ${machine.memGiB} GiB RAM, ${machine.os}; load average (1/5/15 min) ${machine.loadavg.start.map((x) => x.toFixed(2)).join(' / ')} at start, ${machine.loadavg.end.map((x) => x.toFixed(2)).join(' / ')} at end. **Shared:** other engineers build and run tests on the same cores during the run, so compare the ratios of one run, side by side, not absolute figures across runs.`,
  );
  lines.push(
    `- **Software:** routing-controllers-auth at ${machine.commit}; Node ${machine.node}; ${Object.entries(
      machine.databases,
    )
      .map(([db, v]) => `${DB_LABEL[db]} ${v}`)
      .join(
        ', ',
      )}; autocannon 8 in the driver process on the same machine (load generator, servers and databases share the ${machine.nproc} cores)`,
  );
  lines.push(
    `- **Options:** ${options.duration} s measured after ${options.warmup} s warm-up, ${options.connections} connections, ${options.rounds} interleaved round(s), median reported; ${options.users} users each with a token, rotated by the load; bcrypt cost ${options.bcryptCost}; HS256 with a \`createSecretKey\` KeyObject for both passport-jwt and the library; pools at driver defaults (pg 10, mysql2 10); SQLite file via better-sqlite3`,
  );
  lines.push(
    `- **Validation cache:** the \`-cache\` variants and the revocation section run the library server with \`AUTH_VALIDATION_CACHE=on\` (size ${process.env.AUTH_VALIDATION_CACHE_SIZE ?? 10000}, max age ${process.env.AUTH_VALIDATION_CACHE_MAX_AGE_SECONDS ?? 30} s) on a channel of the run's own; its invalidation channel: LISTEN/NOTIFY on PostgreSQL, the in-process bus on SQLite, Redis pub/sub (ioredis on ${options.redisUrl.replace(/\/\/[^@/]*@/, '//')}) on MariaDB and in the variants marked Redis.`,
  );
  lines.push(
    `- **Latency:** p50 / p99 from each 2xx response's own time (float ms). **Errors:** connection errors + timeouts + non-2xx.`,
    '',
  );
  lines.push(...throughputSection(results, options));
  lines.push(...stormSection(results, options));
  lines.push(...growthSection(results, options));
  lines.push(...exampleSection(results, options));
  lines.push(...anatomySection(results, options));
  lines.push(...revocationSection(results, options));
  lines.push(...purgeSection(results));
  lines.push('## Targets (reported, never asserted)', '');
  lines.push(
    ...table(
      ['target', 'measured', 'goal', 'result', 'note'],
      ['l', 'r', 'l', 'l', 'l'],
      targets(results, options).map((x) => [
        x.name,
        !Number.isFinite(x.value)
          ? '—'
          : x.unit === 'ms'
            ? `${x.value.toFixed(1)} ms`
            : `${x.value.toFixed(3)}×`,
        x.goal,
        x.result,
        x.note,
      ]),
    ),
  );
  lines.push('');
  return lines.join('\n');
}

/** The commit measured, and whether src/ had uncommitted changes (the bench builds the work tree). */
export function gitCommit() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function machineInfo(databases, loadStart, commit) {
  const cpus = os.cpus();
  return {
    loadavg: { start: loadStart, end: os.loadavg() },
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
    databases,
  };
}

/** Writes RESULTS.md (keeping everything from the analysis marker on) and results/<time>.json. */
export async function writeFiles(markdown, json) {
  const resultsMd = path.join(ROOT, 'bench/RESULTS.md');
  let kept = `${ANALYSIS_MARKER}\n\n## Analysis\n\n(Where the time goes: see the profile notes added here.)\n`;
  if (existsSync(resultsMd)) {
    const old = readFileSync(resultsMd, 'utf8');
    const at = old.indexOf(ANALYSIS_MARKER);
    if (at >= 0) kept = old.slice(at);
  }
  let text = `${markdown}\n${kept}`;
  try {
    // Keep `npm run format:check` clean: the file is formatted the way Prettier would.
    const prettier = await import('prettier');
    text = await prettier.format(text, {
      ...(await prettier.resolveConfig(resultsMd)),
      filepath: resultsMd,
    });
  } catch (error) {
    log(`RESULTS.md left unformatted (${error.message})`);
  }
  writeFileSync(resultsMd, text);
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${json.machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, resultsMd)} and ${path.relative(ROOT, file)}`);
}
