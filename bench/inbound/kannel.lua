-- wrk script: Kannel's get-url call for one inbound SMS, as smsbox makes it, with a fresh message id
-- and a fresh sender per request (so each is a new conversation step, none is a duplicate, and the
-- per-number cap is not what is measured). KANNEL_KEY and KANNEL_TEXT come from the environment.
local key = os.getenv("KANNEL_KEY") or "bench-key"
local text = os.getenv("KANNEL_TEXT") or "JOIN%20101"
local counter = 0
prefix = 0  -- global: setup() sets it in each thread's own state
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("prefix", threads_made)
end

function request()
  counter = counter + 1
  -- +9627P XXXXXXX: P from the thread (7, 8, 9, then wrapping), X the counter.
  local from = string.format("%%2B9627%d%07d", 7 + (prefix % 3), (counter + prefix * 1000003) % 10000000)
  local id = string.format("%d-%d", prefix, counter)
  local path = "/v1/sms/kannel/inbound?key=" .. key .. "&from=" .. from .. "&to=94123&text=" .. text ..
               "&id=" .. id .. "&ts=1795000000"
  return wrk.format("GET", path)
end
