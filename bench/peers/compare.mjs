// bench/peers: checks that DuckDB's and ClickHouse's rows equal watchstats'
// and prints the medians and ratios (see run.sh for the files it reads).
// Exits 1 when any rows differ.
import { readFileSync } from 'node:fs';
import { QUERIES } from './queries.mjs';

const work = process.argv[2];
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
};
const lines = (f) => readFileSync(`${work}/${f}`, 'utf8').trim().split('\n');
const inproc = lines('ours_inproc.txt')
  .filter((l) => l.includes(' median '))
  .map((l) => Number(l.split(' median ')[1].trim().split(/\s+/)[0]));
const byIndex = (file) => {
  const m = new Map();
  for (const l of lines(file)) {
    const [i, ms] = l.split(' ');
    if (!m.has(Number(i))) m.set(Number(i), []);
    m.get(Number(i)).push(Number(ms));
  }
  return m;
};
const cli = byIndex('ours_cli.txt');
const chTimes = byIndex('clickhouse_times.txt');
const duck = JSON.parse(readFileSync(`${work}/duckdb.json`, 'utf8'));

// Our numbers carry three decimals; peers print 64-bit integers as strings.
const same = (a, b) => {
  const empty = (x) => x === null || x === undefined || x === '';
  if (empty(a) || empty(b)) return empty(a) && empty(b);
  const x = Number(a), y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return Math.abs(x - y) <= 0.0015 + 1e-9 * Math.abs(y);
  return String(a) === String(b);
};
function diff(q, ours, theirs) {
  if (ours.length !== theirs.length) return `${ours.length} rows here, ${theirs.length} there`;
  const key = (r) => (q.key ?? []).map((k) => String(r[k] ?? '')).join('|');
  const other = q.keyed ? new Map(theirs.map((r) => [key(r), r])) : null;
  for (let i = 0; i < ours.length; ++i) {
    const a = ours[i];
    const b = q.keyed ? other.get(key(a)) : theirs[i];
    if (!b) return `row ${key(a)} missing there`;
    for (const c of q.columns) {
      if (!same(a[c], b[c])) return `row ${i} ${c}: ${a[c]} here, ${b[c]} there`;
    }
  }
  return null;
}

let failed = false;
const fmt = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
console.log('\n| query | watchstats in process (warm) | watchstats CLI | DuckDB | ratio | ClickHouse 18.16 | ratio | rows |');
console.log('|---|---|---|---|---|---|---|---|');
QUERIES.forEach((q, i) => {
  const ours = JSON.parse(readFileSync(`${work}/ours_${i}.json`, 'utf8')).rows;
  const ch = JSON.parse(readFileSync(`${work}/clickhouse_${i}.json`, 'utf8')).data;
  const d1 = diff(q, ours, duck[q.name].rows);
  const d2 = diff(q, ours, ch);
  if (d1 || d2) failed = true;
  const mine = inproc[i], dm = median(duck[q.name].ms), cm = median(chTimes.get(i));
  console.log(`| ${q.name} | ${fmt(mine)} ms | ${fmt(median(cli.get(i)))} ms | ${fmt(dm)} ms | ${(mine / dm).toFixed(2)} | ` +
              `${fmt(cm)} ms | ${(mine / cm).toFixed(2)} | ${d1 || d2 ? `DIFFER: duckdb ${d1 ?? 'equal'}; clickhouse ${d2 ?? 'equal'}` : 'equal'} |`);
});
console.log('\nratio = watchstats in process / peer (below 1: watchstats is faster). Medians of the runs.');
process.exit(failed ? 1 : 0);
