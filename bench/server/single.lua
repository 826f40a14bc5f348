-- wrk script: single-event posts, each a new event.
--   wrk -s single.lua URL -- KEY
local key
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

function init(args)
  key = args[1] or ""
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"event_id":"%s-%d","session_id":"%s-%d","user_id":"u1","content_id":"c1","type":"heartbeat","ts":%d,"position":%d}',
    tid, counter, tid, math.floor(counter / 10), (os.time() - 60) * 1000, counter % 10)
  return wrk.format("POST", "/v1/events", {["Authorization"] = "Bearer " .. key}, body)
end
