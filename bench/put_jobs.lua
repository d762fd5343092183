-- wrk script: every request creates a new job (PUT of a fresh name), for job creates/s.
-- Usage: wrk -s bench/put_jobs.lua URL -- <experiment path> <cluster id> <run tag>
-- Names carry the run tag and the wrk thread so repeated runs never PUT an existing job again
-- (an identical PUT is answered 200 without creating anything).

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  experiment = args[1]
  tag = (args[3] or "r") .. "t" .. thread_number .. "n"
  count = 0
  body = '{"properties":{"cluster":{"id":"' .. args[2] .. '"},"nodeCount":1,' ..
         '"stdOutErrPathPrefix":"$AZ_BATCHAI_MOUNT_ROOT/out",' ..
         '"customToolkitSettings":{"commandLine":"python train.py --epochs 10"}}}'
  headers = {["Content-Type"] = "application/json"}
end

function request()
  count = count + 1
  return wrk.format("PUT", experiment .. "/jobs/" .. tag .. count .. "?api-version=2018-05-01", headers, body)
end
