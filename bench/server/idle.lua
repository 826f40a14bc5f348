-- wrk script: many keep-alive connections, each posting one heartbeat every
-- INTERVAL ms (players on a 10 s heartbeat).
--   wrk -s idle.lua URL -- KEY INTERVAL_MS
local key, interval
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

function init(args)
  key = args[1] or ""
  interval = tonumber(args[2] or "10000")
end

function delay()
  return interval
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"event_id":"%s-%d","session_id":"%s-%d","user_id":"u1","content_id":"c1","type":"heartbeat","ts":%d,"position":%d}',
    tid, counter, tid, counter % 5000, (os.time() - 60) * 1000, counter)
  return wrk.format("POST", "/v1/events", {["Authorization"] = "Bearer " .. key}, body)
end

function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
