#!/usr/bin/env node
/**
 * Where the CPU of a measured window went, per request: reads the V8 CPU profiles written by
 * `npm run bench -- --cpu-prof` (bench/profiles/<window>-n<responses>.cpuprofile) and prints
 * each one's self time per response, grouped by who runs the code (a package in node_modules,
 * the library's dist/, the bench or example build, Node's own internals, GC), plus the functions
 * with the most self time. Profiles whose names share a prefix up to `-r<round>` are averaged.
 *
 *   node bench/profile-summary.mjs [--top 12] [--functions] [file-or-dir ...]
 *                                   (default: bench/profiles)
 *   node bench/profile-summary.mjs --diff <prefixA> <prefixB> [dir]
 *                                   what B costs more than A, by group and function (µs/req)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, ROOT } from './lib/util.mjs';

/** Who runs a call frame: a package, the library, the bench/example, Node, or V8 itself. */
function groupOf(frame) {
  const url = frame.url ?? '';
  if (url === '') {
    if (frame.functionName.startsWith('(')) return frame.functionName; // (garbage collector) …
    return '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  if (/\/dist\//.test(url)) return 'routing-controllers-auth (dist)';
  if (/\/build\/example\//.test(url)) return 'example (build)';
  if (/\/build\/(bench|test)\//.test(url)) return 'bench (build)';
  return url;
}

/** Self time (µs) per group and per function of one profile. */
function selfTimes(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const groups = new Map();
  const functions = new Map();
  for (const [id, us] of self) {
    const frame = byId.get(id).callFrame;
    const group = groupOf(frame);
    if (group === '(idle)') continue;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${where} [${group}]`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  return { groups, functions };
}

function profilesIn(inputs) {
  const files = [];
  for (const input of inputs) {
    if (statSync(input).isDirectory()) {
      for (const f of readdirSync(input))
        if (f.endsWith('.cpuprofile')) files.push(path.join(input, f));
    } else files.push(input);
  }
  return files.sort();
}

/** Profiles grouped by window name without the round: `<name>-r<k>-n<responses>.cpuprofile`. */
function byWindow(files) {
  const windows = new Map();
  for (const file of files) {
    const m = /^(.*?)(?:-r\d+)?-n(\d+)\.cpuprofile$/.exec(path.basename(file));
    if (!m) continue;
    const [, name, responses] = m;
    if (!windows.has(name)) windows.set(name, []);
    windows.get(name).push({ file, responses: Number(responses) });
  }
  return windows;
}

/** Average self time per response (µs) over a window's profiles, per group and function. */
function perRequest(profiles) {
  const groups = new Map();
  const functions = new Map();
  let responses = 0;
  for (const { file, responses: n } of profiles) {
    const t = selfTimes(file);
    responses += n;
    for (const [k, v] of t.groups) groups.set(k, (groups.get(k) ?? 0) + v);
    for (const [k, v] of t.functions) functions.set(k, (functions.get(k) ?? 0) + v);
  }
  const scale = (map) => new Map([...map].map(([k, v]) => [k, v / Math.max(1, responses)]));
  return { groups: scale(groups), functions: scale(functions), rounds: profiles.length, responses };
}

const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
const total = (map) => [...map.values()].reduce((a, b) => a + b, 0);

function print(name, r, top, withFunctions) {
  console.log(
    `\n${name}: ${fmt(total(r.groups))} µs/req JS+GC self time (${r.rounds} profile(s), ${r.responses} responses)`,
  );
  for (const [group, us] of sorted(r.groups).slice(0, top))
    console.log(`  ${fmt(us, 1).padStart(7)}  ${group}`);
  if (withFunctions) {
    console.log('  top functions:');
    for (const [fn, us] of sorted(r.functions).slice(0, top))
      console.log(`  ${fmt(us, 1).padStart(7)}  ${fn}`);
  }
}

function diff(a, b, top) {
  const delta = (ma, mb) => {
    const keys = new Set([...ma.keys(), ...mb.keys()]);
    return new Map([...keys].map((k) => [k, (mb.get(k) ?? 0) - (ma.get(k) ?? 0)]));
  };
  const groups = delta(a.groups, b.groups);
  const functions = delta(a.functions, b.functions);
  console.log(`\nB − A: ${fmt(total(b.groups) - total(a.groups))} µs/req`);
  for (const [group, us] of sorted(groups).slice(0, top))
    console.log(`  ${fmt(us, 1).padStart(7)}  ${group}`);
  console.log('  functions B spends more in:');
  for (const [fn, us] of sorted(functions).slice(0, top))
    console.log(`  ${fmt(us, 1).padStart(7)}  ${fn}`);
}

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '12' },
    functions: { type: 'boolean', default: false },
    diff: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const top = Number(values.top);
if (values.diff) {
  const [prefixA, prefixB, dir = path.join(ROOT, 'bench/profiles')] = positionals;
  const windows = byWindow(profilesIn([dir]));
  const pick = (prefix) => {
    const match = [...windows].find(([name]) => name === prefix);
    if (!match) throw new Error(`no profiles named ${prefix}-r*-n*.cpuprofile in ${dir}`);
    return perRequest(match[1]);
  };
  const [a, b] = [pick(prefixA), pick(prefixB)];
  print(`A = ${prefixA}`, a, top, false);
  print(`B = ${prefixB}`, b, top, false);
  diff(a, b, top);
} else {
  const inputs = positionals.length ? positionals : [path.join(ROOT, 'bench/profiles')];
  for (const [name, profiles] of byWindow(profilesIn(inputs)))
    print(name, perRequest(profiles), top, values.functions);
}
