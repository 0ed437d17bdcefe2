-- wrk script for the serving benchmark: POST the JSON body in $WRK_BODY_FILE (written by scripts/bench-serve.js).
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "r"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = f:read("*a")
f:close()
