-- wrk script: POST a new incident per request (bench/http/run.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"org":"bench","types":["portable-asset-lost"],"classification":"official",' ..
  '"discovered_at":"2026-11-20T09:30:00Z","location":"Petty France, 5th floor",' ..
  '"description":"Laptop left on a train between Euston and Milton Keynes","subjects":["B1"]}'
