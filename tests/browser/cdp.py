"""A minimal Chrome DevTools Protocol client for the browser tests (python3 stdlib only).

Headless Chromium (Debian's `chromium`) is started with --remote-debugging-pipe: commands go in
on its fd 3 and replies/events come out on its fd 4, each a JSON text ended by a NUL byte. No
port, no websocket, no network: the page is a local file:// report.

    with Browser(log_path) as b:
        page = b.new_page()
        page.navigate("file:///.../report.html")
        page.eval("document.title")
        page.click("#domains th:nth-child(2)")
        page.screenshot("/path/shot.png")
        page.problems()   # console errors/warnings, uncaught exceptions, dialogs (alert)
"""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, log_path, width=1280, height=1600):
        self.log_path = log_path
        self.size = (width, height)
        self.proc = None
        self.profile = None
        self.next_id = 0
        self.buf = b""
        self.events = []  # (sessionId, method, params) not yet consumed

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        # Debian's /usr/bin/chromium is a wrapper script; the binary itself takes the same flags.
        exe = "/usr/lib/chromium/chromium"
        if not os.access(exe, os.X_OK):
            exe = shutil.which("chromium") or "/usr/bin/chromium"
        self.profile = tempfile.mkdtemp(prefix="domscan-chromium-")
        # pipe A: we write commands, Chromium reads them on fd 3;
        # pipe B: Chromium writes on fd 4, we read.
        a_r, a_w = os.pipe()
        b_r, b_w = os.pipe()
        # keep the child's ends away from 3 and 4 before moving them there
        a_r2 = os.dup(a_r) if a_r in (3, 4) else a_r
        b_w2 = os.dup(b_w) if b_w in (3, 4) else b_w
        hi_a = os.dup(a_r2)
        hi_b = os.dup(b_w2)
        while hi_a in (3, 4) or hi_b in (3, 4):
            hi_a, hi_b = os.dup(hi_a), os.dup(hi_b)

        def child_fds():
            os.dup2(hi_a, 3)
            os.dup2(hi_b, 4)

        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            "--disable-dev-shm-usage", "--remote-debugging-pipe",
            "--user-data-dir=" + self.profile,
            "--window-size=%d,%d" % self.size,
            "about:blank",
        ]
        self.log = open(self.log_path, "ab")
        env = dict(os.environ)
        # Chromium's wrapper script reads these; keep it from going anywhere.
        env.setdefault("CHROMIUM_FLAGS", "")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, pass_fds=(3, 4, hi_a, hi_b),
                                     preexec_fn=child_fds, env=env)
        for fd in {a_r, b_w, a_r2, b_w2, hi_a, hi_b}:
            os.close(fd)
        self.w = a_w
        self.r = b_r

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.call("Browser.close", timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (getattr(self, "w", None), getattr(self, "r", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.w = self.r = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def _send(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.w, data)
            data = data[n:]

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for Chromium")
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise CDPError("Chromium closed the DevTools pipe (crashed?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._send(msg)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise CDPError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self._event(m)

    def _event(self, m):
        self.events.append((m.get("sessionId"), m["method"], m.get("params", {})))
        # An alert()/confirm() would block the page: note it and dismiss it.
        if m["method"] == "Page.javascriptDialogOpening":
            self.next_id += 1
            self._send({"id": self.next_id, "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": False}, "sessionId": m.get("sessionId")})

    def wait_event(self, method, session=None, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for i, (s, meth, p) in enumerate(self.events):
                if meth == method and (session is None or s == session):
                    del self.events[i]
                    return p
            m = self._read_message(deadline)
            if "method" in m:
                self._event(m)

    def pump(self, seconds):
        """Read events for `seconds` (late console messages, dialogs)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                m = self._read_message(deadline)
                if "method" in m:
                    self._event(m)
        except CDPError as e:
            if "timed out" not in str(e):
                raise

    def new_page(self, javascript=True):
        t = self.call("Target.createTarget", {"url": "about:blank"})
        s = self.call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})
        return Page(self, s["sessionId"], javascript)


class Page:
    def __init__(self, browser, session, javascript):
        self.b = browser
        self.s = session
        self.noted = []  # problems seen (console errors, exceptions, dialogs)
        self.javascript = javascript
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")
        w, h = browser.size
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": False})
        if not javascript:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True})

    def call(self, method, params=None, timeout=120):
        return self.b.call(method, params, session=self.s, timeout=timeout)

    def navigate(self, url, timeout=300):
        """Load `url` and wait for its load event; returns the seconds it took."""
        start = time.monotonic()
        r = self.call("Page.navigate", {"url": url}, timeout=timeout)
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        self.b.wait_event("Page.loadEventFired", session=self.s, timeout=timeout)
        return time.monotonic() - start

    def eval(self, expr, timeout=120, await_promise=False):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": await_promise}, timeout=timeout)
        if "exceptionDetails" in r:
            raise CDPError("evaluate %r: %s" % (expr[:80], r["exceptionDetails"]))
        return r["result"].get("value")

    def settle(self):
        """Wait until the page has rendered two frames (pending layout and paint done)."""
        if not self.javascript:  # no animation-frame callbacks without script: just wait
            self.b.pump(0.3)
            return True
        return self.eval("new Promise(function(ok){requestAnimationFrame(function(){"
                         "requestAnimationFrame(function(){ok(true)})})})", await_promise=True)

    def click(self, selector, timeout=120):
        """A real mouse click (pressed and released) in the middle of the element."""
        box = self.eval("(function(){var e=document.querySelector(%s);if(!e)return null;"
                        "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
                        "return [r.left+r.width/2,r.top+r.height/2]})()" % json.dumps(selector))
        if not box:
            raise CDPError("no element %s to click" % selector)
        x, y = box
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1},
                      timeout=timeout)

    def type_text(self, selector, text):
        """Focus the element (by a click) and type `text` as keyboard input."""
        self.click(selector)
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path, full=False):
        params = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
        r = self.call("Page.captureScreenshot", params)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def problems(self):
        """Console errors and warnings, uncaught exceptions and dialogs seen so far."""
        out = []
        keep = []
        for ev in self.b.events:
            s, meth, p = ev
            if s != self.s:
                keep.append(ev)
                continue
            if meth == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                out.append("console.%s: %s" % (p.get("type"), text))
            elif meth == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s %s" % (d.get("text"), d.get("exception", {}).get("description", "")))
            elif meth == "Log.entryAdded":
                e = p.get("entry", {})
                if e.get("level") in ("error", "warning"):
                    out.append("log %s/%s: %s %s" % (e.get("source"), e.get("level"), e.get("text"), e.get("url", "")))
            elif meth == "Page.javascriptDialogOpening":
                out.append("dialog %s: %s" % (p.get("type"), p.get("message")))
        self.b.events = keep
        self.noted += out
        return out
