-- The request mix of bench/load.mjs: a hello, a form, a multipart upload and a download in turn.
-- Each answer is checked: a 200 with the body its request calls for; anything else is counted.
local boundary = "load-boundary"
local file = string.rep("u", 20000)
local upload = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.bin\"\r\n"
  .. "Content-Type: application/octet-stream\r\n\r\n" .. file .. "\r\n--" .. boundary .. "--\r\n"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  wrong = 0
  -- Made here, not at load: wrk.format adds the Host header, known only once the thread starts.
  requests = {
    wrk.format("GET", "/app/hello"),
    wrk.format("POST", "/app/form", { ["Content-Type"] = "application/x-www-form-urlencoded" }, "name=load"),
    wrk.format("POST", "/app/upload", { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }, upload),
    wrk.format("GET", "/app/download"),
  }
end

function request()
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

-- request() is called per thread, not per connection, so an answer is not matched to its request:
-- a body that is none of the mix's answers (or a status other than 200) is wrong.
function response(status, headers, body)
  if status ~= 200 then
    wrong = wrong + 1
    return
  end
  if body ~= "hello" and body ~= "name=load" and body ~= "size=20000 store=file" and #body ~= 65536 then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("wrong")
  end
  io.write(string.format("wrong answers: %d\n", total))
end
