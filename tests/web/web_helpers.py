"""web_helpers: a signed-in browser session over real HTTP for the web
pages' black-box tests (tests/web/test_*.py), on top of the API suite's
throwaway server (tests/api/api_helpers.py).

A Session keeps cookies as a browser does (br_session, and br_login for
the sign-in form's double-submit token), signs in through the real form,
and posts forms with the page's CSRF field. Python 3 standard library only."""
import html
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from api_helpers import (PASSWORD, Instance, Runner, check, clip, dump_diff, eq,  # noqa: E402,F401
                         fail, request)

DEMO_PASSWORD = "breachreg-demo"
MARKING_RE = r'class="app-marking app-marking--(top|bottom)"[^>]*>([^<]*)<'


class Session:
    """One browser: its cookies and the CSRF token of the last page seen."""

    def __init__(self, inst):
        self.inst = inst
        self.cookies = {}
        self.csrf = None

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep(self, r):
        for sc in r.header_all("Set-Cookie"):
            name, _, rest = sc.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', r.text) if r.body else None
        if m:
            self.csrf = m.group(1)
        return r

    def get(self, path):
        h = {"Cookie": self._cookie_header()} if self.cookies else {}
        return self._keep(request(self.inst.port, "GET", path, headers=h))

    def post(self, path, fields, csrf=True):
        """POSTs fields (a dict or a list of pairs) as a URL-encoded form,
        with the CSRF field unless csrf is False."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf and self.csrf:
            pairs.append(("csrf", self.csrf))
        body = urllib.parse.urlencode(pairs).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.cookies:
            h["Cookie"] = self._cookie_header()
        return self._keep(request(self.inst.port, "POST", path, raw=body, headers=h))

    def login(self, name, password=DEMO_PASSWORD):
        r = self.get("/login")
        eq(r.status, 200, "GET /login")
        token = re.search(r'name="token" value="([0-9a-f]{64})"', r.text)
        check(token, "the sign-in form carries its token")
        r = self.post("/login", {"name": name, "password": password, "token": token.group(1)},
                      csrf=False)
        if r.status != 303:
            fail(f"sign in as {name}: {r.describe()}")
        check("br_session" in self.cookies, "signed in: a session cookie")
        self.get("/")  # picks up the session's CSRF token
        return self


def location(r):
    """The redirect target of a 303 (a path)."""
    if r.status != 303:
        fail(f"expected 303\n{r.describe()}")
    return r.header("Location")


def text_of(page_html):
    """The page's visible text, roughly: tags removed, entities decoded."""
    t = re.sub(r"<script.*?</script>", " ", page_html, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    return re.sub(r"\s+", " ", html.unescape(t)).strip()


def markings(page_html):
    """[(top|bottom, text)] of the protective markings on a page."""
    return [(w, html.unescape(t).strip()) for w, t in re.findall(MARKING_RE, page_html)]


def error_summary(page_html):
    """[(href, text)] of the GOV.UK error summary's links."""
    m = re.search(r'govuk-error-summary__list">(.*?)</ul>', page_html, flags=re.S)
    if not m:
        return []
    return [(h, html.unescape(t)) for h, t in re.findall(r'<a href="([^"]*)">([^<]*)</a>',
                                                          m.group(1))]
