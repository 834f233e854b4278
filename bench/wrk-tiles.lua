-- Random aligned 256x256 tiles over every pyramid level of a WxH image, IIIF 2/3 syntax
-- "x,y,w,h/sw,/0/default.jpg". Env: IMG_PATH (service base path), IMG_W, IMG_H.
local base = os.getenv("IMG_PATH")
local W, H = tonumber(os.getenv("IMG_W")), tonumber(os.getenv("IMG_H"))
local urls = {}
local s = 1
while true do
  local step = 256 * s
  for y = 0, H - 1, step do
    for x = 0, W - 1, step do
      local w, h = math.min(step, W - x), math.min(step, H - y)
      urls[#urls + 1] = string.format("%s/%d,%d,%d,%d/%d,/0/default.jpg", base, x, y, w, h,
                                      math.ceil(w / s))
    end
  end
  if W / s <= 256 and H / s <= 256 then break end
  s = s * 2
end
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919) end
function request() return wrk.format("GET", urls[math.random(#urls)]) end
local non200 = 0
function response(status) if status ~= 200 then non200 = non200 + 1 end end
function done(summary, latency, requests)
  io.write(string.format("SUMMARY req/s=%.1f p50=%.2fms p99=%.2fms errors=%d non200=%d tiles=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status, #urls))
end
