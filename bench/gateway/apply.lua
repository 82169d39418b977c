-- wrk script: POST /v1/applications with a different applicant every request (a real load: the
-- gateway refuses a second live application of one identity document per course).
-- Environment:
--   COURSE_ID   the course (default 1);
--   WEBSITE_KEY the gateway's website.api_keys entry, sent as Authorization: Bearer (default none);
--   OFFSET      first applicant number of this wrk run (default 0): a run that follows another one
--               against the same gateway starts where the earlier one's range ended
--               (scripts/bench-gateway.sh passes (round - 1) * threads * SPAN);
--   SPAN        applicant numbers reserved for each wrk thread (default 3,000,000: 60 s at 50,000
--               req/s); thread t (1-based) numbers n = OFFSET + (t - 1) * SPAN + 0, 1, 2, ... and
--               stops with an error rather than stray into the next thread's range;
--   APPLICANTS  "sequential" (default): national id "9" .. n as 9 digits, phone 079 .. n mod 10^7 as 7
--               digits, so consecutive requests insert neighbouring index keys;
--               "random": both from a fixed pseudo-random permutation of n (multiplication by a
--               constant coprime to the modulus, a bijection), so index inserts land on random pages
--               as real traffic's would. Still distinct.
-- Every n < 10^9 gives a distinct valid national id (10 digits, first 9); the phone (079XXXXXXX, not
-- unique in the gateway) repeats only after 10^7 applicants.
local course_id = tonumber(os.getenv("COURSE_ID") or "1")
local headers = {["Content-Type"] = "application/json"}
if os.getenv("WEBSITE_KEY") then headers["Authorization"] = "Bearer " .. os.getenv("WEBSITE_KEY") end
local offset = tonumber(os.getenv("OFFSET") or "0")
local span = tonumber(os.getenv("SPAN") or "3000000")
local random = (os.getenv("APPLICANTS") or "sequential") == "random"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- (a * b) % m without losing digits in a double (a, b < m <= 10^9: every product stays < 2^53).
local function mulmod(a, b, m)
  local hi, lo = math.floor(b / 65536), b % 65536
  return ((a * hi) % m * 65536 + a * lo) % m
end
local ID_MOD, ID_MUL = 1000000000, 738219473  -- odd and not a multiple of 5: coprime to 10^9
local PHONE_MOD, PHONE_MUL = 10000000, 7368787  -- likewise coprime to 10^7

local counter = 0
function request()
  if counter >= span then
    error(string.format("apply.lua: thread %d used up its SPAN of %d applicants", tid, span))
  end
  local n = offset + (tid - 1) * span + counter
  if n >= ID_MOD then error(string.format("apply.lua: applicant number %d has more than 9 digits", n)) end
  counter = counter + 1
  local id, phone = n, n % PHONE_MOD
  if random then
    id, phone = mulmod(n, ID_MUL, ID_MOD), mulmod(phone, PHONE_MUL, PHONE_MOD)
  end
  local body = string.format(
    '{"course_id":%d,"phone":"079%07d","name":"Bench Applicant","id_type":"national_id","id_number":"9%09d","language":"en"}',
    course_id, phone, id)
  return wrk.format("POST", "/v1/applications", headers, body)
end
