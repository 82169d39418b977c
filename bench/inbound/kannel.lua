-- wrk script: Kannel's get-url call for one inbound SMS, as smsbox makes it, with a fresh message id
-- and a fresh sender per request (so each is a new conversation step, none is a duplicate, and the
-- per-number cap is not what is measured). Environment:
--   KANNEL_KEY, KANNEL_TEXT  the key and the (URL-encoded) text;
--   OFFSET  first message number of this wrk run (default 0): a run that follows another one against
--           the same gateway starts where the earlier one's range ended (scripts/bench-inbound.sh
--           passes (round - 1) * threads * SPAN);
--   SPAN    message numbers reserved for each wrk thread (default 3,000,000: 60 s at 50,000 req/s);
--           thread t (1-based) numbers n = OFFSET + (t - 1) * SPAN + 0, 1, 2, ... and stops with an
--           error rather than stray into the next thread's range;
--   WRAP    when 1, a thread that has used up its SPAN starts it again instead (for the bare server,
--           which reads nothing of the request: it is sent the same kind of URLs, built the same
--           way, but may outrun any range the senders leave room for).
-- Message n has id "wrk-n" and sender s = 29,999,999 - n written +9627 P XXXXXXX (P = 7 + s / 10^7,
-- X = s mod 10^7): n < 3 * 10^7 gives distinct Jordanian mobiles, counting down from +962799999999,
-- away from bench_inbound_rate's senders, which count up from +962790000000.
local key = os.getenv("KANNEL_KEY") or "bench-key"
local text = os.getenv("KANNEL_TEXT") or "JOIN%20101"
local offset = tonumber(os.getenv("OFFSET") or "0")
local span = tonumber(os.getenv("SPAN") or "3000000")
local wrap = os.getenv("WRAP") == "1"
local SENDERS = 30000000
local counter = 0
tid = 0  -- global: setup() sets it in each thread's own state
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("tid", threads_made)
end

function request()
  if counter >= span and wrap then counter = 0 end
  if counter >= span then
    error(string.format("kannel.lua: thread %d used up its SPAN of %d messages", tid, span))
  end
  local n = offset + (tid - 1) * span + counter
  if n >= SENDERS then error(string.format("kannel.lua: message number %d: out of senders", n)) end
  counter = counter + 1
  local s = SENDERS - 1 - n
  local from = string.format("%%2B9627%d%07d", 7 + math.floor(s / 10000000), s % 10000000)
  local path = "/v1/sms/kannel/inbound?key=" .. key .. "&from=" .. from .. "&to=94123&text=" .. text ..
               "&id=wrk-" .. string.format("%d", n) .. "&ts=1795000000"
  return wrk.format("GET", path)
end
