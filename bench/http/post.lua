-- wrk script for POST load: wrk -s bench/http/post.lua URL
-- The body comes from the file named by WRK_BODY_FILE, else from WRK_BODY, else "{}".
-- WRK_CONTENT_TYPE sets the Content-Type (default application/json).
local body = os.getenv("WRK_BODY") or "{}"
local file = os.getenv("WRK_BODY_FILE")
if file and file ~= "" then
  local f = assert(io.open(file, "rb"))
  body = f:read("*a")
  f:close()
end
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
