// The DuckDB side of bench/peers: loads sessions.csv and title_genres.csv
// (bench/peer_tables) into an in-memory DuckDB (@duckdb/node-api, 2
// threads), runs each query of queries.mjs REPEAT times, and writes
// {name: {ms: [...], rows: [...]}} to OUT as JSON. Load time is printed.
//
//   node duckdb.mjs TABLES_DIR OUT [REPEAT]
import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { QUERIES } from './queries.mjs';

const [dir, out, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg ?? 7);
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await instance.connect();
const t0 = performance.now();
await conn.run(`CREATE TABLE s AS SELECT * FROM read_csv('${dir}/sessions.csv', header = true, nullstr = '\\N',
  columns = {'session_id': 'VARCHAR', 'user_id': 'VARCHAR', 'content_id': 'VARCHAR', 'title_id': 'VARCHAR',
             'content_type': 'VARCHAR', 'date': 'DATE', 'local_hour': 'INTEGER', 'device_type': 'VARCHAR',
             'country': 'VARCHAR', 'watch_ms': 'BIGINT', 'duration_ms': 'BIGINT', 'completion_pct': 'DOUBLE',
             'status': 'VARCHAR'})`);
await conn.run(`CREATE TABLE g AS SELECT * FROM read_csv('${dir}/title_genres.csv', header = true,
  columns = {'title_id': 'VARCHAR', 'genre': 'VARCHAR'})`);
console.log(`duckdb: loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const result = {};
for (const q of QUERIES) {
  const ms = [];
  let rows = [];
  for (let i = 0; i < repeat; ++i) {
    const t = performance.now();
    const reader = await conn.runAndReadAll(q.duckdb);
    ms.push(performance.now() - t);
    rows = reader.getRowObjectsJson();
  }
  result[q.name] = { ms, rows };
  console.log(`duckdb: ${q.name}: ${rows.length} rows`);
}
writeFileSync(out, JSON.stringify(result));
conn.closeSync();
instance.closeSync();
