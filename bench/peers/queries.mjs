// The side-by-side queries of bench/peers: each is a watchstats report (the
// CLI's parameters) and the same question in DuckDB's and ClickHouse 18.16's
// SQL, over the tables bench/peer_tables writes (sessions s, title_genres g).
// `columns` are compared (our JSON names; the SQL aliases match them);
// `keyed` rows are compared as sets by `key`, the others in order.

export const FROM = '2026-10-01';
export const TO = '2026-10-30';

const range = `date BETWEEN DATE '${FROM}' AND DATE '${TO}'`;
const chRange = `date BETWEEN toDate('${FROM}') AND toDate('${TO}')`;

export const QUERIES = [
  {
    name: 'trends',
    report: ['trends'],
    columns: ['date', 'sessions', 'completed', 'viewers', 'titles', 'watch_hours'],
    duckdb: `SELECT strftime(date, '%Y-%m-%d') AS date, count(*) AS sessions,
               count(*) FILTER (WHERE status = 'completed') AS completed,
               count(DISTINCT user_id) AS viewers, count(DISTINCT title_id) AS titles,
               sum(watch_ms) / 3600000.0 AS watch_hours
             FROM s WHERE ${range} GROUP BY 1 ORDER BY 1`,
    // (an alias named like a column replaces it everywhere in 18.16: filter first)
    clickhouse: `SELECT toString(d) AS date, count() AS sessions, countIf(status = 'completed') AS completed,
               uniqExact(user_id) AS viewers, uniqExact(title_id) AS titles, sum(watch_ms) / 3600000 AS watch_hours
             FROM (SELECT date AS d, status, user_id, title_id, watch_ms FROM s WHERE ${chRange})
             GROUP BY d ORDER BY d`,
  },
  {
    name: 'genre x country',
    report: ['breakdown', '--by', 'genre,country'],
    keyed: true,
    key: ['genre', 'country'],
    columns: ['genre', 'country', 'sessions', 'viewers', 'watch_hours', 'avg_completion_percentage'],
    duckdb: `SELECT g.genre, s.country, count(*) AS sessions, count(DISTINCT s.user_id) AS viewers,
               sum(s.watch_ms) / 3600000.0 AS watch_hours, avg(s.completion_pct) AS avg_completion_percentage
             FROM s JOIN g USING (title_id) WHERE ${range} GROUP BY 1, 2 ORDER BY watch_hours DESC`,
    clickhouse: `SELECT genre, country, count() AS sessions, uniqExact(user_id) AS viewers,
               sum(watch_ms) / 3600000 AS watch_hours, avg(completion_pct) AS avg_completion_percentage
             FROM s ALL INNER JOIN g USING (title_id) WHERE ${chRange} GROUP BY genre, country
             ORDER BY watch_hours DESC`,
  },
  {
    name: 'reach',
    report: ['reach', '--limit', '20'],
    columns: ['title_id', 'viewers', 'watch_hours', 'hours_per_viewer', 'reach_pct', 'rank_by_hours', 'rank_by_reach'],
    duckdb: `WITH t AS (SELECT title_id, count(DISTINCT user_id) AS viewers, sum(watch_ms) AS watch_ms
                        FROM s WHERE ${range} GROUP BY 1),
                  a AS (SELECT count(DISTINCT user_id) AS n FROM s WHERE ${range})
             SELECT title_id, viewers, watch_ms / 3600000.0 AS watch_hours,
               watch_ms / 3600000.0 / viewers AS hours_per_viewer, 100.0 * viewers / a.n AS reach_pct,
               rank() OVER (ORDER BY watch_ms DESC) AS rank_by_hours,
               rank() OVER (ORDER BY viewers DESC) AS rank_by_reach
             FROM t, a ORDER BY rank_by_hours, title_id LIMIT 20`,
    // 18.16 has no window functions or CTEs: a competition rank is the first
    // index of the value in the descending-sorted array of all values.
    clickhouse: `SELECT title_id, viewers, watch_ms / 3600000 AS watch_hours,
               watch_ms / 3600000 / viewers AS hours_per_viewer, 100 * viewers / n AS reach_pct,
               indexOf(hours_desc, watch_ms) AS rank_by_hours, indexOf(viewers_desc, viewers) AS rank_by_reach
             FROM (SELECT 1 AS k, title_id, uniqExact(user_id) AS viewers, sum(watch_ms) AS watch_ms
                   FROM s WHERE ${chRange} GROUP BY title_id)
             ANY LEFT JOIN (
               SELECT 1 AS k, arrayReverseSort(groupArray(watch_ms)) AS hours_desc,
                 arrayReverseSort(groupArray(viewers)) AS viewers_desc, any(n) AS n
               FROM (SELECT title_id, uniqExact(user_id) AS viewers, sum(watch_ms) AS watch_ms
                     FROM s WHERE ${chRange} GROUP BY title_id)
               ANY LEFT JOIN (SELECT 1 AS k, uniqExact(user_id) AS n FROM s WHERE ${chRange}) USING (k)
             ) USING (k)
             ORDER BY rank_by_hours, title_id LIMIT 20`,
  },
  {
    name: 'devices',
    report: ['devices'],
    columns: ['device_type', 'sessions', 'avg_session_duration_seconds', 'avg_completion_percentage', 'watch_hours'],
    duckdb: `SELECT device_type, count(*) AS sessions, avg(duration_ms) / 1000.0 AS avg_session_duration_seconds,
               avg(completion_pct) AS avg_completion_percentage, sum(watch_ms) / 3600000.0 AS watch_hours
             FROM s WHERE ${range} GROUP BY 1 ORDER BY sessions DESC, device_type`,
    clickhouse: `SELECT device_type, count() AS sessions, avg(duration_ms) / 1000 AS avg_session_duration_seconds,
               avg(completion_pct) AS avg_completion_percentage, sum(watch_ms) / 3600000 AS watch_hours
             FROM s WHERE ${chRange} GROUP BY device_type ORDER BY sessions DESC, device_type`,
  },
  {
    name: 'peak hours',
    report: ['peak-hours'],
    columns: ['hour', 'sessions', 'viewers', 'watch_hours'],
    duckdb: `SELECT local_hour AS hour, count(*) AS sessions, count(DISTINCT user_id) AS viewers,
               sum(watch_ms) / 3600000.0 AS watch_hours FROM s WHERE ${range} GROUP BY 1 ORDER BY 1`,
    clickhouse: `SELECT local_hour AS hour, count() AS sessions, uniqExact(user_id) AS viewers,
               sum(watch_ms) / 3600000 AS watch_hours FROM s WHERE ${chRange} GROUP BY local_hour ORDER BY hour`,
  },
  {
    name: 'popular',
    report: ['popular', '--limit', '20'],
    columns: ['title_id', 'sessions', 'viewers', 'watch_hours', 'completion_rate', 'avg_completion_percentage'],
    duckdb: `SELECT title_id, count(*) AS sessions, count(DISTINCT user_id) AS viewers,
               sum(watch_ms) / 3600000.0 AS watch_hours,
               100.0 * count(*) FILTER (WHERE status = 'completed') / count(*) AS completion_rate,
               avg(completion_pct) AS avg_completion_percentage
             FROM s WHERE ${range} GROUP BY 1 ORDER BY sessions DESC, title_id LIMIT 20`,
    clickhouse: `SELECT title_id, count() AS sessions, uniqExact(user_id) AS viewers, sum(watch_ms) / 3600000 AS watch_hours,
               100 * countIf(status = 'completed') / count() AS completion_rate,
               avg(completion_pct) AS avg_completion_percentage
             FROM s WHERE ${chRange} GROUP BY title_id ORDER BY sessions DESC, title_id LIMIT 20`,
  },
  {
    name: 'content performance',
    report: ['content-performance', '--limit', '20'],
    columns: ['content_id', 'viewers', 'total_viewing_time_seconds', 'avg_completion_percentage', 'sessions'],
    duckdb: `SELECT content_id, count(DISTINCT user_id) AS viewers, sum(watch_ms) / 1000.0 AS total_viewing_time_seconds,
               avg(completion_pct) AS avg_completion_percentage, count(*) AS sessions
             FROM s WHERE ${range} GROUP BY 1 HAVING count(DISTINCT user_id) >= 100
             ORDER BY total_viewing_time_seconds DESC, content_id LIMIT 20`,
    clickhouse: `SELECT content_id, uniqExact(user_id) AS viewers, sum(watch_ms) / 1000 AS total_viewing_time_seconds,
               avg(completion_pct) AS avg_completion_percentage, count() AS sessions
             FROM s WHERE ${chRange} GROUP BY content_id HAVING viewers >= 100
             ORDER BY total_viewing_time_seconds DESC, content_id LIMIT 20`,
  },
];
