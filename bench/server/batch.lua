-- wrk script: POST batches of BATCH new events (NDJSON) to PATH.
-- Each request carries sessions of its own (start, 8 heartbeats, stop), so
-- nothing is a duplicate: the body is a template split at "@" and joined
-- with a token unique to the thread and request.
--   wrk -s batch.lua URL -- PATH KEY BATCH FORMAT
--   FORMAT: watchstats (SPEC 1 events) or clickhouse (JSONEachRow rows)
local path, key, batch, format
local counter = 0
local parts
local thread_id

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

function init(args)
  path = args[1] or "/v1/events"
  key = args[2] or ""
  batch = tonumber(args[3] or "1000")
  format = args[4] or "watchstats"
  thread_id = tid or "t"
  local t0 = (os.time() - 3600) * 1000
  local lines = {}
  local per_session = 10
  for i = 0, batch - 1 do
    local s = math.floor(i / per_session)
    local k = i % per_session
    local kind = (k == 0) and "start" or ((k == per_session - 1) and "stop" or "heartbeat")
    lines[#lines + 1] = string.format(
      '{"event_id":"@-%d-%d","session_id":"@-%d","user_id":"u%d","content_id":"c%d","type":"%s","ts":%d,"position":%d}',
      s, k, s, s % 997, s % 101, kind, t0 + k * 10000, k * 10)
  end
  local body = table.concat(lines, "\n") .. "\n"
  parts = {}
  for piece in (body .. "@"):gmatch("(.-)@") do parts[#parts + 1] = piece end
end

function request()
  counter = counter + 1
  local body = table.concat(parts, thread_id .. "x" .. counter)
  local headers = {["Content-Type"] = "application/x-ndjson"}
  if key ~= "" then headers["Authorization"] = "Bearer " .. key end
  return wrk.format("POST", path, headers, body)
end
