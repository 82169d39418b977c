-- wrk script: POST /v1/applications with a different applicant every request (a real load: the
-- gateway refuses a second live application of one identity document per course).
-- COURSE_ID names the course. Each wrk thread numbers its own applicants.
local course_id = tonumber(os.getenv("COURSE_ID") or "1")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local counter = 0
function request()
  counter = counter + 1
  local n = tid * 10000000 + counter
  local body = string.format(
    '{"course_id":%d,"phone":"079%07d","name":"Bench Applicant","id_type":"national_id","id_number":"9%09d","language":"en"}',
    course_id, n % 10000000, n)
  return wrk.format("POST", "/v1/applications", {["Content-Type"] = "application/json"}, body)
end
