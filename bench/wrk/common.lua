-- Shared by the wrk scenario scripts (loaded with dofile). Every response is checked: anything but the
-- expected status, or a body without the expected marker, counts as an error, as do socket errors and
-- timeouts. done() writes one JSON line to $BENCH_RESULT.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

failures = 0
failure_sample = nil

-- Called by each script's response(): counts a failed check and keeps the first one as a sample.
function check(ok, status, body)
  if not ok then
    failures = failures + 1
    if failure_sample == nil then
      failure_sample = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

-- Reads a file of one token per line.
function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

-- Cycles through the tokens of $BENCH_TOKENS; each thread starts at a different place in the list. Call it
-- from init() (the thread id is set by then) and call the function it returns once per request.
function token_cycler()
  local tokens = read_lines(os.getenv("BENCH_TOKENS"))
  local i = ((id or 0) * 7919) % #tokens
  return function()
    i = i % #tokens + 1
    return tokens[i]
  end
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local failed, samples = 0, {}
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
    local sample = thread:get("failure_sample")
    if sample then samples[#samples + 1] = json_string(sample) end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, ' ..
    '"socket_errors": %d, "error_samples": [%s]}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failed + socket_errors, socket_errors, table.concat(samples, ", ")))
  out:close()
end
