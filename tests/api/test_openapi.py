#!/usr/bin/env python3
"""Black-box test of the OpenAPI document (SPEC 6.2) against the routes
table and a real server.

Usage: python3 tests/api/test_openapi.py BINARY [-v]

Starts a throwaway `breachreg serve` on a free loopback port with a
temporary register, then checks that
  (a) the routes[] rows of src/http/routes.c and the paths of
      GET /api/v1/openapi.json are the same set (method, pattern), with the
      table's summaries and public routes marked `security: []`, the
      enums of src/core/vocab.c and authz.c, and that the served document
      is web/openapi.json as built (else: rebuild);
  (b) every documented operation answers, with a security (and admin)
      token and with no credentials (401 when protected): a documented
      status, never an undocumented 404, 405 or any 5xx, a body of the
      documented media type that parses and matches the documented schema;
      each request body sent is the operation's documented example. Then
      every GET again on the filled register, a cookie session with and
      without its CSRF token, an oversized body (413), 405 and 404.
Stops the server with SIGTERM and checks it exits 0 within 5 s.
Ends with one line 'N passed, N failed'; exits 1 if anything failed."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROUTES_C = os.path.join(ROOT, "src", "http", "routes.c")
OPENAPI_JSON = os.path.join(ROOT, "web", "openapi.json")
NOW = "2026-11-28T12:00:00Z"  # fixed clock for the CLI and the server
PASSWORD = "correct horse battery staple"
METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")

passed = 0
failed = 0
verbose = False


def check(cond, name, detail=""):
    global passed, failed
    if cond:
        passed += 1
        if verbose:
            print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))
    return bool(cond)


# ---------------------------------------------------------------- routes.c

ROW_RE = re.compile(
    r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(AUTH_\w+)\s*,\s*'
    r'((?:"(?:[^"\\]|\\.)*"\s*)+)\}')


def parse_routes(path):
    """The rows of `const struct api_route routes[]`: (method, pattern,
    handler, auth, summary)."""
    with open(path) as f:
        src = f.read()
    m = re.search(r"routes\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    if not m:
        return []
    rows = []
    for r in ROW_RE.finditer(m.group(1)):
        summary = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', r.group(5)))
        rows.append((r.group(1).lower(), r.group(2), r.group(3), r.group(4), summary))
    return rows


VOCAB_SCHEMAS = {
    "vocab_severity": "Severity", "vocab_classification": "Classification",
    "vocab_intent": "Intent", "vocab_damage": "Damage", "vocab_engagement": "Engagement",
    "vocab_clearance": "Clearance", "vocab_control": "Control",
    "vocab_warning_level": "WarningLevel", "vocab_route": "Route",
    "vocab_discipline": "DisciplinePolicy", "vocab_recommendation": "Recommendation",
    "vocab_outcome": "Outcome", "vocab_action": "ActionCode", "vocab_kind": "Kind",
    "vocab_state": "State",
}


def parse_vocabs():
    """The name tables of src/core/vocab.c and the role names of authz.c,
    by component schema name."""
    out = {}
    with open(os.path.join(ROOT, "src", "core", "vocab.c")) as f:
        src = f.read()
    for m in re.finditer(r'^VOCAB\((\w+),\s*"[^"]*",\s*\w+,(.*?)\);', src, re.S | re.M):
        if m.group(1) in VOCAB_SCHEMAS:
            out[VOCAB_SCHEMAS[m.group(1)]] = re.findall(r'"([^"]*)"', m.group(2))
    with open(os.path.join(ROOT, "src", "core", "authz.c")) as f:
        m = re.search(r"role_names\[\]\s*=\s*\{(.*?)\};", f.read(), re.S)
    if m:
        out["Role"] = re.findall(r'"([^"]*)"', m.group(1))
    return out


# ---------------------------------------------------------------- JSON Schema (the subset the document uses)

def resolve(doc, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref {ref}")
        target = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        if seen > 32:
            raise ValueError(f"$ref loop at {ref}")
    return node


def json_type_ok(value, t):
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    return False


def validate(doc, schema, value, where="$"):
    """Errors of value against schema: a list of 'path: reason'."""
    schema = resolve(doc, schema)
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{where}: not allowed"]
    errs = []
    for sub in schema.get("allOf", []):
        errs += validate(doc, sub, value, where)
    if "anyOf" in schema:
        if not any(not validate(doc, s, value, where) for s in schema["anyOf"]):
            errs.append(f"{where}: matches none of anyOf")
    if "oneOf" in schema:
        n = sum(1 for s in schema["oneOf"] if not validate(doc, s, value, where))
        if n != 1:
            errs.append(f"{where}: matches {n} of oneOf, not 1")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(json_type_ok(value, t) for t in types):
            return errs + [f"{where}: {json.dumps(value)[:60]} is not {'|'.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errs.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            errs.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append(f"{where}: longer than {schema['maxLength']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append(f"{where}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, v in enumerate(value):
                errs += validate(doc, schema["items"], v, f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                errs.append(f"{where}: missing {k!r}")
        for k, v in value.items():
            if k in props:
                errs += validate(doc, props[k], v, f"{where}.{k}")
            elif "additionalProperties" in schema:
                errs += validate(doc, schema["additionalProperties"], v, f"{where}.{k}")
    return errs


def example_of(doc, schema):
    schema = resolve(doc, schema)
    if "examples" in schema:
        return schema["examples"][0]
    return schema.get("example")


# ---------------------------------------------------------------- the register and the server

class Register:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.db = os.path.join(tmp, "reg.db")
        self.env = dict(os.environ, BREACHREG_NOW=NOW)

    def run(self, *args, stdin=None):
        p = subprocess.run([self.binary, "--db", self.db, *args], input=stdin,
                           capture_output=True, text=True, env=self.env, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"breachreg {' '.join(args)}: exit {p.returncode}: "
                               f"{p.stderr.strip()}")
        return p.stdout


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(port, method, path, body=None, headers=None):
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request(method.upper(), path, body=data, headers=h)
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def start_server(reg, tmp):
    port = free_port()
    log = open(os.path.join(tmp, "serve.log"), "w+")
    proc = subprocess.Popen([reg.binary, "--db", reg.db, "serve", "--listen",
                             f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT,
                            env=reg.env)
    deadline = time.time() + 15
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            if request(port, "get", "/healthz").status == 200:
                return proc, port, log
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    log.seek(0)
    raise RuntimeError(f"the server did not answer /healthz: {log.read()[-2000:]}")


# ---------------------------------------------------------------- (a) the table and the document

def check_table(doc, served_raw, routes):
    check(routes, "routes.c has routes[] rows", ROUTES_C)
    with open(OPENAPI_JSON, "rb") as f:
        on_disk = f.read()
    check(json.loads(on_disk) == json.loads(served_raw),
          "GET /api/v1/openapi.json is web/openapi.json",
          "the binary embeds an older document: rebuild")
    check(doc.get("openapi") == "3.1.0", "openapi is 3.1.0", repr(doc.get("openapi")))

    documented = {(m, p) for p, item in doc.get("paths", {}).items()
                  for m in item if m in METHODS}
    table = {(m, p) for m, p, *_ in routes}
    check(len(table) == len(routes), "no duplicate rows in routes.c")
    for m, p in sorted(table - documented):
        check(False, f"{m.upper()} {p} documented", "in routes.c, not in the document")
    for m, p in sorted(documented - table):
        check(False, f"{m.upper()} {p} routed", "documented, not in routes.c")
    check(table == documented, "routes.c and the document have the same operations",
          f"{len(table)} rows, {len(documented)} documented")

    vocabs = parse_vocabs()
    check(len(vocabs) == len(VOCAB_SCHEMAS) + 1, "vocab.c and authz.c tables found",
          repr(sorted(vocabs)))
    for name, values in sorted(vocabs.items()):
        got = doc.get("components", {}).get("schemas", {}).get(name, {}).get("enum")
        check(got == values, f"schema {name} is the enum of the C table", f"{got} != {values}")

    opids = [o.get("operationId") for p, item in doc["paths"].items()
             for m, o in item.items() if m in METHODS]
    check(all(opids) and len(set(opids)) == len(opids), "operationIds present and unique")

    for m, p, handler, auth, summary in routes:
        o = doc["paths"].get(p, {}).get(m)
        if o is None:
            continue
        name = f"{m.upper()} {p}"
        check(o.get("summary") == summary, f"{name} summary is the table's",
              f"{o.get('summary')!r} != {summary!r}")
        sec = o.get("security", doc.get("security"))
        if auth == "AUTH_NONE":
            check(o.get("security") == [], f"{name} is public (security: [])")
        else:
            check(sec and all(s for s in sec), f"{name} needs bearerAuth or cookieAuth",
                  repr(sec))
        item = doc["paths"][p]
        declared = {prm["name"] for prm in
                    [resolve(doc, x) for x in item.get("parameters", []) + o.get("parameters", [])]
                    if prm.get("in") == "path"}
        check(declared == set(re.findall(r"\{(\w+)\}", p)), f"{name} declares its path params",
              repr(declared))
        for st, resp in o.get("responses", {}).items():
            resp = resolve(doc, resp)
            if st.startswith(("4", "5")) and st != "503":
                check("application/problem+json" in resp.get("content", {}),
                      f"{name} {st} is problem+json")
        if auth != "AUTH_NONE":
            check("401" in o.get("responses", {}), f"{name} documents 401")


# ---------------------------------------------------------------- (b) every operation answers

def check_answer(doc, method, path, concrete, r, who, expect_2xx=False):
    name = f"{who} {method.upper()} {concrete}"
    o = doc["paths"][path][method]
    documented = o.get("responses", {})
    st = str(r.status)
    if not check(st in documented, f"{name} answers a documented status",
                 f"{r.status} not in {sorted(documented)}: {r.body[:300]!r}"):
        return None
    check(r.status != 405 and r.status < 500, f"{name} is not 405 or 5xx", str(r.status))
    if expect_2xx:
        check(200 <= r.status < 300, f"{name} succeeds", f"{r.status}: {r.body[:300]!r}")
    resp = resolve(doc, documented[st])
    content = resp.get("content", {})
    if not check(r.ctype in content, f"{name} {st} is {sorted(content)}", r.ctype):
        return None
    if r.ctype == "text/plain":
        check(r.body.decode("utf-8", "replace").strip() != "", f"{name} has a body")
        return None
    try:
        body = r.json()
    except ValueError as e:
        check(False, f"{name} body parses", str(e))
        return None
    errs = validate(doc, content[r.ctype].get("schema", {}), body)
    check(not errs, f"{name} {st} body matches its schema", "; ".join(errs[:5]))
    if r.status >= 400:
        check(isinstance(body, dict) and body.get("status") == r.status,
              f"{name} problem status is {r.status}")
    return body


_examples = {}


def request_body(doc, o):
    """The documented example of an operation's JSON body, checked once
    against its own schema; None when the operation takes no body."""
    rb = o.get("requestBody")
    if not rb:
        return None
    opid = o["operationId"]
    if opid not in _examples:
        media = resolve(doc, rb).get("content", {}).get("application/json", {})
        ex = example_of(doc, media.get("schema", {}))
        if check(ex is not None, f"{opid} request body has an example"):
            errs = validate(doc, media["schema"], ex)
            check(not errs, f"{opid} example matches its schema", "; ".join(errs[:5]))
        _examples[opid] = ex if ex is not None else {}
    return _examples[opid]


def check_operations(doc, routes, port, token, ids):
    bearer = {"Authorization": f"Bearer {token}"}
    # Bodies that differ from the documented examples so that writes
    # succeed in this register (the examples' people already exist).
    bodies = {
        "createSession": {"name": "sec", "password": PASSWORD},
        "createPerson": dict(example_of(doc, {"$ref": "#/components/schemas/PersonInput"}),
                             staff_id="S3003"),
    }
    # {ref}: the example incident, prepared to be investigating and
    # assessed so that a decision and a notice succeed; transitions move a
    # fresh one (the example moves reported -> triaged).
    params = {"ref": ids["ref"], "staff_id": "S2002", "org": "hmcts", "format": "json",
              "quarter": "2026Q3", "number": "BN-2026-000001"}
    for method, path, *_ in routes:
        o = doc["paths"].get(path, {}).get(method)
        if o is None:
            continue
        p = dict(params)
        if path.endswith("/transitions"):
            p["ref"] = ids["fresh"]
        concrete = re.sub(r"\{(\w+)\}", lambda m: p[m.group(1)], path)
        body = bodies.get(o["operationId"], request_body(doc, o))
        # Only the person a notice is addressed to acknowledges it.
        who = ({"Authorization": f"Bearer {ids['subject_token']}"}
               if o["operationId"] == "acknowledgeNotice" else bearer)
        r = request(port, method, concrete, body, who)
        check_answer(doc, method, path, concrete, r, "security", expect_2xx=True)
        # No credentials: public routes answer, the others refuse with 401.
        body = request_body(doc, o) if o.get("requestBody") else None
        r = request(port, method, concrete, body)
        public = o.get("security") == []
        check_answer(doc, method, path, concrete, r, "anonymous", expect_2xx=public and
                     o["operationId"] != "createSession")
        if not public:
            check(r.status == 401, f"anonymous {method.upper()} {concrete} is 401",
                  str(r.status))
            check("www-authenticate" in r.headers,
                  f"anonymous {method.upper()} {concrete} sends WWW-Authenticate")


def check_rereads(doc, routes, port, token, ids):
    """Every GET again, now that the register holds a note, a decision, a
    notice, a warning and a guidance version of each documented shape."""
    bearer = {"Authorization": f"Bearer {token}"}
    params = {"ref": ids["ref"], "staff_id": "S2002", "org": "hmcts", "format": "json",
              "quarter": "2026Q3", "number": "BN-2026-000001"}
    for method, path, *_ in routes:
        o = doc["paths"].get(path, {}).get(method)
        if method != "get" or o is None or o.get("security") == []:
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)
        r = request(port, method, concrete, None, bearer)
        body = check_answer(doc, method, path, concrete, r, "reread", expect_2xx=True)
        if path == "/api/v1/incidents/{ref}" and body:
            check(all(body.get(k) for k in ("transitions", "notes", "assessments", "decisions",
                                            "notices")),
                  "the reread case file has every part", repr(sorted(body)))


def check_cookie_session(doc, port, ids):
    r = request(port, "post", "/api/v1/session", {"name": "sec", "password": PASSWORD})
    body = check_answer(doc, "post", "/api/v1/session", "/api/v1/session", r, "sign-in",
                        expect_2xx=True)
    m = re.match(r"br_session=([^;]+)", r.headers.get("set-cookie", ""))
    if not check(m and body and body.get("csrf"), "sign-in sets br_session and gives a csrf"):
        return
    cookie = {"Cookie": f"br_session={m.group(1)}"}
    path = "/api/v1/incidents/{ref}/notes"
    concrete = path.replace("{ref}", ids["ref"])
    r = request(port, "post", concrete, {"text": "no csrf"}, cookie)
    check_answer(doc, "post", path, concrete, r, "cookie without csrf")
    check(r.status == 403, "a cookie POST without X-CSRF-Token is 403", str(r.status))
    r = request(port, "post", concrete, {"text": "with csrf"},
                dict(cookie, **{"X-CSRF-Token": body["csrf"]}))
    check_answer(doc, "post", path, concrete, r, "cookie with csrf", expect_2xx=True)
    r = request(port, "get", "/api/v1/session", None, cookie)
    got = check_answer(doc, "get", "/api/v1/session", "/api/v1/session", r, "cookie",
                       expect_2xx=True)
    check(got and got.get("csrf") == body["csrf"], "a cookie session shows its csrf")


def check_limits(doc, port, token):
    """A body over the server's limit (1 MiB by default) is 413 where a
    body is documented."""
    # The server answers on Content-Length alone and does not read the
    # body, so send the head and read the answer (as a client sending
    # Expect: 100-continue would).
    head = (f"POST /api/v1/assess HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {1024 * 1024 + 1}\r\nConnection: close\r\n\r\n")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(head.encode())
            r = http.client.HTTPResponse(sock)
            r.begin()
            r = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    except OSError as e:
        check(False, "an oversized body is answered", str(e))
        return
    check_answer(doc, "post", "/api/v1/assess", "/api/v1/assess", r, "oversized")
    check(r.status == 413, "an oversized body is 413", str(r.status))


def check_unrouted(port):
    r = request(port, "put", "/api/v1/incidents", {})
    check(r.status == 405 and r.ctype == "application/problem+json",
          "an undocumented method on a documented path is 405 problem+json", str(r.status))
    r = request(port, "get", "/api/v1/no-such-thing")
    check(r.status == 404 and r.ctype == "application/problem+json",
          "an undocumented path is 404 problem+json", str(r.status))


# ---------------------------------------------------------------- main

def prepare(reg, doc):
    """A register with the people, organisation and incidents of the
    document's examples, and a security + admin account with a token."""
    reg.run("init")
    reg.run("org", "add", "hmcts", "HM Courts & Tribunals Service", "--discipline", "moj")
    reg.run("person", "add", "S1001", "--name", "Ada Security", "--org", "hmcts",
            "--clearance", "sc")
    reg.run("person", "add", "S2002", "--name", "Sam Subject", "--org", "hmcts",
            "--manager", "S1001", "--clearance", "sc")
    example = example_of(doc, {"$ref": "#/components/schemas/IncidentReport"})
    path = os.path.join(os.path.dirname(reg.db), "incident.json")
    with open(path, "w") as f:
        json.dump(example, f)
    ref = reg.run("report", path).strip()
    for state in ("triaged", "investigating"):
        reg.run("transition", ref, state)
    reg.run("assess-incident", ref)
    fresh = reg.run("report", path).strip()
    reg.run("user", "add", "sec", "--person", "S1001", "--role", "security", "--role", "admin",
            stdin=PASSWORD + "\n")
    token = reg.run("user", "token", "sec").strip()
    reg.run("user", "add", "sam", "--person", "S2002", "--role", "reporter",
            stdin=PASSWORD + "\n")
    subject_token = reg.run("user", "token", "sam").strip()
    return {"ref": ref, "fresh": fresh, "subject_token": subject_token}, token


def main():
    global verbose
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = len(args) != len(sys.argv) - 1
    if len(args) != 1:
        print("usage: python3 tests/api/test_openapi.py BINARY [-v]", file=sys.stderr)
        return 2
    binary = os.path.abspath(args[0])
    routes = parse_routes(ROUTES_C)
    with open(OPENAPI_JSON) as f:
        file_doc = json.load(f)

    with tempfile.TemporaryDirectory(prefix="br-openapi-") as tmp:
        reg = Register(binary, tmp)
        try:
            ids, token = prepare(reg, file_doc)
            proc, port, log = start_server(reg, tmp)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            check(False, "set up a register and a server", str(e))
            print(f"{passed} passed, {failed} failed")
            return 1
        try:
            r = request(port, "get", "/api/v1/openapi.json")
            check(r.status == 200 and r.ctype == "application/json",
                  "GET /api/v1/openapi.json is 200 application/json", str(r.status))
            doc = r.json()
            check_table(doc, r.body, routes)
            check_operations(doc, routes, port, token, ids)
            check_rereads(doc, routes, port, token, ids)
            check_cookie_session(doc, port, ids)
            check_limits(doc, port, token)
            check_unrouted(port)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
                check(False, "the server stops within 5 s of SIGTERM")
            check(rc == 0, "the server exits 0 on SIGTERM", f"exit {rc}")
            log.seek(0)
            out = log.read()
            check('"level":"error"' not in out, "the server logged no errors",
                  out[-1000:])
            check("AddressSanitizer" not in out and "runtime error:" not in out,
                  "no sanitizer reports", out[-1000:])
            log.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
