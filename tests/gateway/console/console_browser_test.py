#!/usr/bin/env python3
"""The operator console in a real browser: headless Chromium driven by Selenium (Debian's chromium,
chromium-driver and python3-selenium) against a real course-gateway process on 127.0.0.1 (port 0,
SQLite in a temporary folder). Operators are added with `course-gateway operator add`, courses
through the admin API, and every role's limits are checked at the server too, not only in the page.
Screenshots of each page in both languages go to --screenshots.

    console_browser_test.py --binary build/test/gateway/course-gateway --screenshots DIR

Exit status: 0 passed, 1 a test failed, 77 Chromium, chromedriver or Selenium is missing (ctest
reports a skip)."""

import argparse
import csv
import datetime
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed (scripts/setup-deps.sh --with-tests)")
    sys.exit(77)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not CHROMIUM or not os.path.exists(CHROMEDRIVER):
    print("SKIP: chromium or chromedriver is not installed (scripts/setup-deps.sh --with-tests)")
    sys.exit(77)

PASSWORD = "browser-test-password"
WAIT_S = 20  # an upper bound for the page to react, not a timed assertion


class Gateway:
    """A course-gateway process with its own config, SQLite file and outbox in `folder`."""

    def __init__(self, binary, folder):
        self.binary = binary
        self.folder = folder
        self.admin_token = secrets.token_hex(16)
        self.website_key = secrets.token_hex(16)
        self.course_id = None
        self.applications = {}  # person number -> application id
        self.config = os.path.join(folder, "gateway.json")
        config = {
            "listen": {"address": "127.0.0.1", "port": 0, "threads": 2},
            "store": {"url": "sqlite:" + os.path.join(folder, "gateway.db")},
            "admin_token": self.admin_token,
            "exam_secret": secrets.token_hex(16),
            "website": {"api_keys": [self.website_key]},
            "outbox": {"adapter": "file", "file": {"path": os.path.join(folder, "outbox.jsonl")}},
            "console": {"max_failures_per_account": 3, "idle_timeout_s": 1800,
                        "simulator": {"test_range": {"from": "+962780000001", "to": "+962780000050"}}},
            "public_base_url": "http://127.0.0.1:8080",
        }
        with open(self.config, "w", encoding="utf-8") as f:
            json.dump(config, f)
        self.process = None
        self.base = None

    def add_operator(self, name, role):
        pw_file = os.path.join(self.folder, "pw-" + name)
        with open(pw_file, "w", encoding="utf-8") as f:
            f.write(PASSWORD + "\n")
        out = subprocess.run(
            [self.binary, "operator", "add", "--config", self.config, name, "--role", role, "--password-file", pw_file],
            capture_output=True, text=True, check=False)
        assert out.returncode == 0, out.stderr
        assert "password:" not in out.stdout, "a given password is not printed"

    def start(self):
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config], stdout=subprocess.PIPE,
                                        stderr=open(os.path.join(self.folder, "gateway.log"), "w"), text=True)
        line = self.process.stdout.readline()
        assert line.startswith("listening on "), "the gateway did not start: " + line
        self.base = "http://" + line.split()[-1]

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=dict(headers or {}))
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def admin_api(self, method, path, body=None):
        return self.request(method, path, body, {"Authorization": "Bearer " + self.admin_token})

    def raw(self, path, headers):
        req = urllib.request.Request(self.base + path, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.headers, res.read()

    def new_course(self, code, title_ar, title_en, start, end, **fields):
        """A course through the admin API (the municipality's own system), with these fields over
        the defaults; returns its id."""
        course = {"code": code, "title_ar": title_ar, "title_en": title_en, "location": "مركز زها الثقافي",
                  "start_at": start, "end_at": end, "min_participants": 5, "capacity": 20, "fee_jod": "0.000",
                  "evaluation_url": "https://amman.jo/eval/" + code.lower()}
        course.update(fields)
        status, body = self.admin_api("POST", "/v1/admin/courses", course)
        assert status == 201, (status, body)
        return body["id"]

    def apply(self, course, phone, id_number, name, language="ar"):
        """An application through the website's API; returns its id."""
        status, body = self.request("POST", "/v1/applications", {
            "course_id": course, "phone": phone, "name": name, "id_type": "national_id", "id_number": id_number,
            "nationality": "JO", "language": language}, {"Authorization": "Bearer " + self.website_key})
        assert status == 201, (status, body)
        return body["application_id"]

    def course_with_applicants(self):
        """Course BT2 (minimum 5, so everyone waits for quorum) with three applicants, made once."""
        if self.course_id is None:
            self.course_id = self.new_course("BT2", "الخط العربي للمبتدئين", "Arabic Calligraphy for Beginners",
                                             "2031-04-10T16:00:00+03:00", "2031-04-14T19:00:00+03:00")
            names = {1: "سارة أحمد", 2: "محمد العلي", 3: "Lina Haddad"}
            for n, name in names.items():
                self.applications[n] = self.apply(self.course_id, "079000000%d" % n, "990000000%d" % n, name)
        return self.course_id

    def seed_payments(self):
        """An open bill (course BT3's fee, unpaid) and, today in Amman, one payment recorded for refund.
        The payment goes into the SQLite file directly: playing eFAWATEERcom needs its signing keys."""
        course = self.new_course("BT3", "الإسعافات الأولية", "First Aid", "2031-05-10T16:00:00+03:00",
                                 "2031-05-14T19:00:00+03:00", min_participants=1, fee_jod="5.000")
        self.apply(course, "0790000007", "9900000007", "Rami Saleh", "en")
        now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=3)))
        day = now.date().isoformat()
        db = sqlite3.connect(os.path.join(self.folder, "gateway.db"), timeout=30)
        with db:
            db.execute("INSERT INTO payments (joebpps_trx, billing_number, application_id, paid_fils, due_fils, "
                       "process_date, stmt_date, outcome, received_at) VALUES (?, ?, '', 5000, 5000, ?, ?, ?, ?)",
                       ("BT-TRX-1", "7700999", day + "T10:00:00", day, "refund:unknown_billing_number",
                        int(now.timestamp())))
        db.close()
        return day

    def outbox_lines(self, application_id=None):
        """The file outbox's lines (every SMS handed to the file provider), or one application's."""
        path = os.path.join(self.folder, "outbox.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f]
        return [m for m in lines if application_id is None or m.get("application_id") == application_id]

    def outbox_templates(self, application_id):
        return [m["template"] for m in self.outbox_lines(application_id)]

    def db(self):
        return sqlite3.connect(os.path.join(self.folder, "gateway.db"), timeout=30)

    def fail_first_sms_of(self, application_id):
        """Marks the application's first SMS failed for good, as a provider's refusal would, straight in
        the SQLite file (the file adapter itself never refuses). Waits (bounded) until the gateway's
        dispatcher has finished with it first."""
        WebDriverWait(None, WAIT_S).until(lambda _: application_id in [m.get("application_id")
                                                                       for m in self.outbox_lines()])
        db = self.db()
        with db:
            (outbox_id,) = db.execute("SELECT id FROM outbox WHERE application_id = ? ORDER BY id LIMIT 1",
                                      (application_id,)).fetchone()
            db.execute("UPDATE outbox SET status = 'failed', last_error = 'HTTP 400: the number is not reachable', "
                       "done_at = created_at WHERE id = ?", (outbox_id,))
        db.close()
        return outbox_id

    def seed_opt_out(self, phone):
        """A number that sent STOP an hour ago, straight in the SQLite file."""
        db = self.db()
        with db:
            db.execute("INSERT INTO sms_opt_outs (phone, at) VALUES (?, ?)",
                       (phone, int(datetime.datetime.now(datetime.timezone.utc).timestamp()) - 3600))
        db.close()


class Browser:
    """One headless Chromium with a fresh profile folder of its own."""

    def __init__(self, folder):
        self.profile = tempfile.mkdtemp(prefix="profile-", dir=folder)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ["--headless=new", "--user-data-dir=" + self.profile, "--window-size=1280,1000",
                    "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-GB"]:
            options.add_argument(arg)
        if os.geteuid() == 0:
            options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)

    def quit(self):
        self.driver.quit()

    def wait(self, condition):
        # The pages rebuild their lists when an answer comes (the Simulator's polling every 2 s): an
        # element found a moment ago may be gone, so a condition is tried again rather than failed.
        return WebDriverWait(self.driver, WAIT_S, ignored_exceptions=(StaleElementReferenceException,)).until(condition)

    def visible(self, element_id):
        return self.wait(EC.visibility_of_element_located((By.ID, element_id)))

    def open(self, base):
        self.driver.get(base + "/console/")
        self.wait(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")

    def sign_in(self, name, password=PASSWORD):
        self.visible("username").clear()
        self.driver.find_element(By.ID, "username").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.ID, "signin-submit").click()

    def text(self, element_id):
        return self.driver.find_element(By.ID, element_id).text

    def cookie(self):
        for c in self.driver.get_cookies():
            if c["name"] == "cg_console":
                return "cg_console=" + c["value"]
        return None

    def shot(self, folder, name):
        self.driver.save_screenshot(os.path.join(folder, name + ".png"))


def switch_language(b, lang):
    if b.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") != lang:
        b.driver.find_element(By.ID, "lang-toggle").click()
        b.wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang)


# ---- the tests ----

def test_wrong_password_is_refused_then_throttled(gw, b, shots):
    b.open(gw.base)
    for _ in range(3):
        b.sign_in("locked", "not the password")
        b.wait(lambda d: "Wrong username or password" in d.find_element(By.ID, "signin-error").text)
        b.driver.execute_script("document.getElementById('signin-error').textContent = ''")
    b.sign_in("locked")  # the right password, but the account is throttled now
    b.wait(lambda d: "Too many failed attempts" in d.find_element(By.ID, "signin-error").text)
    assert b.visible("page-signin")
    b.shot(shots, "signin-throttled-en")
    status, body = gw.request("POST", "/console/api/session", {"username": "locked", "password": PASSWORD})
    assert status == 429, (status, body)


def test_admin_sees_a_new_course_manages_operators_and_switches_language(gw, b, shots):
    b.open(gw.base)
    b.shot(shots, "signin-en")
    b.sign_in("admin1")
    b.visible("page-overview")
    gw.new_course("BT1", "مهارات الحاسوب الأساسية", "Basic Computer Skills", "2031-03-10T16:00:00+03:00",
                  "2031-03-14T19:00:00+03:00", location="مركز الحسين الثقافي", min_participants=3)
    b.driver.refresh()
    row = b.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, 'tr[data-course-code="BT1"]')))
    assert "Basic Computer Skills" in row.text and "0 of 3 active" in row.text, row.text
    b.shot(shots, "overview-en")

    b.driver.find_element(By.ID, "nav-operators").click()
    b.visible("page-operators")
    b.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, 'tr[data-username="view1"]')))
    b.driver.find_element(By.ID, "new-username").send_keys("added.by.admin")
    b.driver.find_element(By.ID, "operator-submit").click()
    generated = b.visible("generated-password").text
    assert len(generated) == 20, generated
    b.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, 'tr[data-username="added.by.admin"]')))
    b.shot(shots, "operators-en")
    status, _ = gw.request("POST", "/console/api/session", {"username": "added.by.admin", "password": generated})
    assert status == 200, "the generated password signs in"

    switch_language(b, "ar")
    html = b.driver.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl", html.get_attribute("dir")
    assert b.text("operators-title") == "المشغّلون", b.text("operators-title")
    b.shot(shots, "operators-ar")
    b.driver.find_element(By.ID, "nav-overview").click()
    row = b.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, 'tr[data-course-code="BT1"]')))
    assert "مهارات الحاسوب الأساسية" in row.text, row.text
    b.shot(shots, "overview-ar")
    b.driver.refresh()  # the choice is remembered
    b.wait(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    assert b.driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"

    cookie = b.cookie()
    b.driver.find_element(By.ID, "signout").click()
    b.visible("page-signin")
    b.shot(shots, "signin-ar")
    status, _ = gw.request("GET", "/console/api/overview", headers={"Cookie": cookie})
    assert status == 401, "the signed-out session is over at the server"
    switch_language(b, "en")
    assert b.driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"


def test_viewer_cannot_reach_the_operators_page_nor_post_to_it(gw, b, shots):
    b.open(gw.base)
    b.sign_in("view1")
    b.visible("page-overview")
    assert not b.driver.find_element(By.ID, "nav-operators").is_displayed()
    b.driver.get(gw.base + "/console/#/operators")
    b.visible("page-forbidden")
    b.shot(shots, "forbidden-en")
    switch_language(b, "ar")
    b.shot(shots, "forbidden-ar")
    # The server refuses too, with the viewer's own session and CSRF token.
    cookie = b.cookie()
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": cookie})
    assert status == 200 and me["role"] == "viewer", (status, me)
    headers = {"Cookie": cookie, "X-CSRF-Token": me["csrf"]}
    status, _ = gw.request("GET", "/console/api/operators", headers=headers)
    assert status == 403, status
    status, _ = gw.request("POST", "/console/api/operators", {"username": "sneaky", "role": "admin"}, headers)
    assert status == 403, status
    # And from inside the page, as a script of the viewer's would.
    answer = b.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/console/api/session').then(r => r.json()).then(me =>
          fetch('/console/api/operators', {method: 'POST', headers: {'Content-Type': 'application/json',
                'X-CSRF-Token': me.csrf}, body: JSON.stringify({username: 'sneaky2', role: 'admin'})}))
          .then(r => done(r.status));""")
    assert answer == 403, answer
    status, body = gw.request("POST", "/console/api/session", {"username": "admin1", "password": PASSWORD})
    assert status == 200


def test_operator_sees_the_overview_but_not_operators(gw, b, shots):
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    assert not b.driver.find_element(By.ID, "nav-operators").is_displayed()
    assert "oper1" in b.text("whoami")
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": b.cookie()})
    assert status == 200 and me["role"] == "operator"
    status, _ = gw.request("GET", "/console/api/operators", headers={"Cookie": b.cookie()})
    assert status == 403, status


def test_operator_opens_a_course_finds_by_phone_cancels_and_exports(gw, b, shots):
    course = gw.course_with_applicants()
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    b.driver.refresh()
    b.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, 'a[data-course-link="BT2"]'))).click()
    b.visible("page-course")
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#applicants-table tbody tr")) == 3)
    assert "Arabic Calligraphy for Beginners" in b.text("course-title")
    row = b.driver.find_element(By.CSS_SELECTOR, 'tr[data-application-id="%s"]' % gw.applications[1])
    assert "9900000001" in row.text and "+962790000001" in row.text, row.text
    b.shot(shots, "course-en")

    # The filter searches by phone as people type it.
    b.driver.find_element(By.ID, "filter-q").send_keys("0790000002")
    b.driver.find_element(By.ID, "filter-submit").click()
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#applicants-table tbody tr")) == 1)
    assert "q=0790000002" in b.driver.find_element(By.ID, "export-link").get_attribute("href")

    # Found by phone from the Overview, then its page: timeline with card steps and its SMS.
    b.driver.find_element(By.ID, "nav-overview").click()
    b.visible("find-phone").send_keys("0790000002")
    b.driver.find_element(By.ID, "find-submit").click()
    b.wait(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, '#find-results a[data-application-id="%s"]' % gw.applications[2]))).click()
    b.visible("page-application")
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#application-timeline li[data-step="4"]'))
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'details.sms[data-template="application_received"]'))
    b.shot(shots, "application-en")
    switch_language(b, "ar")
    b.wait(lambda d: "بانتظار اكتمال العدد" in d.find_element(By.ID, "application-state").text)
    b.shot(shots, "application-ar")
    b.driver.find_element(By.ID, "application-back").click()
    b.visible("page-course")
    b.wait(lambda d: "الخط العربي للمبتدئين" in d.find_element(By.ID, "course-title").text)
    # Back on the course, its filter is as it was; emptied, every applicant shows again.
    assert b.driver.find_element(By.ID, "filter-q").get_attribute("value") == "0790000002"
    b.driver.find_element(By.ID, "filter-q").clear()
    b.driver.find_element(By.ID, "filter-submit").click()
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#applicants-table tbody tr")) == 3)
    b.shot(shots, "course-ar")
    switch_language(b, "en")

    # Cancel through the page: the server cancels, the card's SMS goes out.
    target = gw.applications[3]
    row_css = 'tr[data-application-id="%s"]' % target
    b.driver.find_element(By.CSS_SELECTOR, row_css + ' button[data-action="cancel"]').click()
    b.wait(EC.alert_is_present()).accept()
    # Read in the page: the table is drawn anew after the answer, so a row found earlier goes stale.
    b.wait(lambda d: d.execute_script("return document.querySelector(arguments[0])?.dataset.state", row_css)
           == "cancelled")
    assert not b.driver.find_elements(By.CSS_SELECTOR, row_css + ' button[data-action="cancel"]')
    status, body = gw.request("GET", "/v1/applications/" + target,
                              headers={"Authorization": "Bearer " + gw.website_key})
    assert status == 200 and body["state"] == "cancelled", (status, body)
    WebDriverWait(b.driver, WAIT_S).until(lambda _: "cancelled" in gw.outbox_templates(target))

    # The export, fetched with the page's session cookie, parses as CSV with the Arabic intact.
    href = b.driver.find_element(By.ID, "export-link").get_attribute("href")
    assert href.endswith("/console/api/courses/%d/export" % course), href
    status, headers, data = gw.raw(href[len(gw.base):], {"Cookie": b.cookie()})
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8", headers
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3, rows
    by_id = {r["application_id"]: r for r in rows}
    assert by_id[target]["state"] == "cancelled", by_id[target]
    assert by_id[gw.applications[1]]["name"] == "سارة أحمد", by_id[gw.applications[1]]
    assert by_id[gw.applications[1]]["phone"] == "'+962790000001", "a leading + is disarmed for spreadsheets"
    assert by_id[gw.applications[1]]["id_number"] == "9900000001"


def test_viewer_sees_masked_numbers_and_no_cancel_button(gw, b, shots):
    course = gw.course_with_applicants()
    b.open(gw.base)
    b.sign_in("view1")
    b.visible("page-overview")
    b.driver.get(gw.base + "/console/#/course/%d" % course)
    b.visible("page-course")
    b.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#applicants-table tbody tr")) == 3)
    row = b.driver.find_element(By.CSS_SELECTOR, 'tr[data-application-id="%s"]' % gw.applications[1])
    assert "*******001" in row.text and "9900000001" not in row.text, row.text
    assert "+962790000001" not in row.text and "+96279*****01" in row.text, row.text
    assert not b.driver.find_elements(By.CSS_SELECTOR, 'button[data-action="cancel"]')
    b.shot(shots, "course-viewer-en")
    switch_language(b, "ar")
    b.shot(shots, "course-viewer-ar")
    switch_language(b, "en")
    # The server refuses the viewer's cancel, with her own session and CSRF token.
    cookie = b.cookie()
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": cookie})
    status, body = gw.request("POST", "/console/api/applications/%s/cancel" % gw.applications[1], {},
                              {"Cookie": cookie, "X-CSRF-Token": me["csrf"]})
    assert status == 403, (status, body)
    status, headers, data = gw.raw("/console/api/courses/%d/export" % course, {"Cookie": cookie})
    assert status == 200 and "9900000001" not in data.decode("utf-8-sig"), "a viewer's export is masked too"


def test_viewer_sees_the_days_payments_and_open_bills_masked(gw, b, shots):
    day = gw.seed_payments()
    b.open(gw.base)
    b.sign_in("view1")
    b.visible("page-overview")
    b.driver.find_element(By.ID, "nav-payments").click()
    b.visible("page-payments")
    b.wait(lambda d: "BT-TRX-1" in d.find_element(By.ID, "payments-table").text)
    assert b.driver.find_element(By.ID, "payments-date").get_attribute("value") == day
    assert "Refund: unknown billing number" in b.text("payments-table"), b.text("payments-table")
    b.wait(lambda d: "Rami Saleh" in d.find_element(By.ID, "bills-table").text)
    bills = b.text("bills-table")
    assert "+96279*****07" in bills and "+962790000007" not in bills, bills
    b.shot(shots, "payments-viewer-en")
    switch_language(b, "ar")
    b.wait(lambda d: "BT-TRX-1" in d.find_element(By.ID, "payments-table").text)
    assert "إرجاع" in b.text("payments-table"), b.text("payments-table")
    b.shot(shots, "payments-viewer-ar")
    switch_language(b, "en")
    # The refund is listed to settle, without a settle form for a viewer.
    row = b.wait(lambda d: d.find_element(By.CSS_SELECTOR, '#refunds-table tr[data-trx="BT-TRX-1"]'))
    assert "Unknown billing number" in row.text, row.text
    assert not b.driver.find_elements(By.CSS_SELECTOR, "#refunds-table form.settle")


def test_operator_settles_a_refund_from_the_payments_page(gw, b, shots):
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    b.driver.find_element(By.ID, "nav-payments").click()
    b.visible("page-payments")
    form = b.wait(lambda d: d.find_element(By.CSS_SELECTOR, 'form.settle[data-trx="BT-TRX-1"]'))
    field = form.find_element(By.NAME, "reference")
    # Labelled, and sent by the keyboard: an empty reference is refused by the server, by the field.
    label = form.find_element(By.CSS_SELECTOR, 'label[for="%s"]' % field.get_attribute("id"))
    assert label.text.startswith("Reference"), label.text
    field.send_keys("\n")
    b.wait(lambda d: field.get_attribute("aria-invalid") == "true")
    assert form.find_element(By.CSS_SELECTOR, ".error").text.startswith("Reference"), form.text
    b.shot(shots, "refunds-refused-en")
    field.send_keys("TRF-BROWSER-1\n")
    b.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, '#refunds-table tr[data-trx="BT-TRX-1"]'))
    b.wait(lambda d: "TRF-BROWSER-1" in d.find_element(By.ID, "payments-table").text)
    assert "Returned" in b.text("payments-table"), b.text("payments-table")
    b.shot(shots, "refunds-settled-en")
    cookie = b.cookie()
    status, body = gw.request("GET", "/console/api/refunds", headers={"Cookie": cookie})
    assert status == 200 and all(r["joebpps_trx"] != "BT-TRX-1" for r in body["items"]), (status, body)


def set_value(b, element_id, value):
    """Sets an input as typing would (date-time fields take keys in the browser's own locale order)."""
    b.driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));", element_id, value)


def test_operator_creates_a_course_in_the_page(gw, b, shots):
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    b.driver.find_element(By.ID, "nav-new-course").click()
    b.visible("page-new-course")
    fields = {"create-code": "BT4", "create-title_ar": "التصوير الفوتوغرافي", "create-title_en": "Photography",
              "create-location": "مركز زها الثقافي", "create-start_at": "2031-06-10T16:00",
              "create-end_at": "2031-06-14T19:00", "create-min_participants": "2", "create-capacity": "20",
              "create-fee_jod": "0.000", "create-evaluation_url": "ftp://amman.jo/eval/bt4"}
    for element_id, value in fields.items():
        set_value(b, element_id, value)
    b.driver.find_element(By.ID, "create-submit").click()
    # Refused by the server, which names the field: the page marks it and says why.
    b.wait(lambda d: "http or https" in d.find_element(By.ID, "create-error").text)
    assert b.driver.find_element(By.ID, "create-evaluation_url").get_attribute("aria-invalid") == "true"
    status, body = gw.admin_api("GET", "/v1/admin/courses")
    assert not [c for c in body["courses"] if c["code"] == "BT4"], "nothing stored"
    b.shot(shots, "course-new-error-en")
    switch_language(b, "ar")
    b.shot(shots, "course-new-ar")
    switch_language(b, "en")
    set_value(b, "create-evaluation_url", "https://amman.jo/eval/bt4")
    b.driver.find_element(By.ID, "create-submit").click()
    b.visible("page-course")
    b.wait(lambda d: "Photography" in d.find_element(By.ID, "course-title").text)
    status, body = gw.admin_api("GET", "/v1/admin/courses")
    created = [c for c in body["courses"] if c["code"] == "BT4"]
    assert len(created) == 1, created
    assert created[0]["start_at"] == "2031-06-10T13:00:00Z", created[0]
    assert b.driver.current_url.endswith("#/course/%d" % created[0]["id"]), b.driver.current_url
    b.shot(shots, "course-created-en")


def test_operator_reschedules_with_a_preview_and_broadcasts(gw, b, shots):
    course = gw.new_course("BT5", "الطبخ الصحي", "Healthy Cooking", "2031-07-10T16:00:00+03:00",
                           "2031-07-14T19:00:00+03:00")
    applicants = {lang: gw.apply(course, "07900000%d" % n, "99000000%d" % n, name, lang)
                  for n, lang, name in [(11, "ar", "رنا خليل"), (12, "en", "Omar Said")]}
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    b.driver.get(gw.base + "/console/#/course/%d" % course)
    b.visible("page-course")
    b.visible("course-tools")
    b.wait(lambda d: d.find_element(By.ID, "edit-title_en").get_attribute("value") == "Healthy Cooking")

    # New dates: the preview shows the SMS in both languages and who gets it; nothing is sent yet.
    set_value(b, "edit-start_at", "2031-07-20T16:00")
    set_value(b, "edit-end_at", "2031-07-24T19:00")
    b.driver.find_element(By.ID, "edit-preview").click()
    b.visible("edit-preview-box")
    b.wait(lambda d: "2 applicants" in d.find_element(By.ID, "edit-sms-recipients").text)
    shown = {lang: b.driver.find_element(By.CSS_SELECTOR, 'figure[data-lang="%s"] .bubble' % lang).text
             for lang in ("ar", "en")}
    assert "Healthy Cooking" in shown["en"] and "الطبخ الصحي" in shown["ar"], shown
    assert "rescheduled" not in gw.outbox_templates(applicants["en"])
    b.driver.execute_script("document.getElementById('edit-preview-box').scrollIntoView()")
    b.shot(shots, "course-edit-preview-en")
    switch_language(b, "ar")
    b.driver.find_element(By.ID, "edit-preview").click()
    b.visible("edit-sms-recipients")
    b.driver.execute_script("document.getElementById('edit-preview-box').scrollIntoView()")
    b.shot(shots, "course-edit-preview-ar")
    b.driver.find_element(By.ID, "edit-save").click()
    WebDriverWait(b.driver, WAIT_S).until(lambda _: "rescheduled" in gw.outbox_templates(applicants["ar"]))
    for lang, application in applicants.items():
        sent = [m for m in gw.outbox_lines(application) if m["template"] == "rescheduled"]
        assert len(sent) == 1, sent
        assert sent[0]["text"] == shown[lang], (sent[0]["text"], shown[lang])
    status, body = gw.admin_api("GET", "/v1/admin/courses/%d" % course)
    assert body["start_at"] == "2031-07-20T13:00:00Z", body
    # The page reloads the course after the save and then moves the focus to the main area.
    b.wait(lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == "main")
    switch_language(b, "en")

    # A broadcast to the applicants awaiting quorum, counted live as it is typed.
    b.wait(EC.element_to_be_clickable((By.ID, "broadcast-state-awaiting_quorum"))).click()
    b.driver.find_element(By.ID, "broadcast-text_ar").send_keys("تذكير: أحضروا بطاقة الهوية")
    b.driver.find_element(By.ID, "broadcast-text_en").send_keys("Reminder: bring your ID card")
    b.wait(lambda d: d.find_element(By.ID, "broadcast-count-en").get_attribute("data-segments") == "1")
    b.wait(lambda d: d.find_element(By.ID, "broadcast-recipients").get_attribute("data-count") == "2")
    assert b.driver.find_element(By.ID, "broadcast-count-ar").get_attribute("data-encoding") == "ucs2"
    assert b.driver.find_element(By.ID, "broadcast-count-en").get_attribute("data-encoding") == "gsm7"
    b.driver.execute_script("document.getElementById('broadcast-form').scrollIntoView()")
    b.shot(shots, "course-broadcast-en")
    switch_language(b, "ar")
    b.wait(lambda d: "GSM-7" in d.find_element(By.ID, "broadcast-count-en").text)
    b.driver.execute_script("document.getElementById('broadcast-form').scrollIntoView()")
    b.shot(shots, "course-broadcast-ar")
    switch_language(b, "en")
    b.driver.find_element(By.ID, "broadcast-send").click()
    b.wait(EC.alert_is_present()).accept()
    b.wait(lambda d: "Sent to 2" in d.find_element(By.ID, "status").text)
    WebDriverWait(b.driver, WAIT_S).until(lambda _: "broadcast" in gw.outbox_templates(applicants["en"]))
    texts = {lang: [m["text"] for m in gw.outbox_lines(a) if m["template"] == "broadcast"]
             for lang, a in applicants.items()}
    assert texts == {"ar": ["تذكير: أحضروا بطاقة الهوية"], "en": ["Reminder: bring your ID card"]}, texts

    # One more seat on a full course: the preview names who on the waiting list is offered it.
    full = gw.new_course("BT5W", "الخط العربي", "Arabic Calligraphy", "2031-08-10T16:00:00+03:00",
                         "2031-08-14T19:00:00+03:00", min_participants=1, capacity=1)
    for n, name in [(21, "هالة يوسف"), (22, "سامي عادل")]:
        gw.apply(full, "07900000%d" % n, "99000000%d" % n, name)
    b.driver.get(gw.base + "/console/#/course/%d" % full)
    b.wait(lambda d: d.find_element(By.ID, "edit-title_en").get_attribute("value") == "Arabic Calligraphy")
    set_value(b, "edit-capacity", "2")
    b.driver.find_element(By.ID, "edit-preview").click()
    b.visible("edit-seats")
    assert "1 of the 1 on the waiting list" in b.driver.find_element(By.ID, "edit-seats").text
    offered = b.driver.find_element(By.ID, "edit-seats-list").text
    assert "سامي عادل" in offered and "+962790000022" in offered, offered


def test_operator_resends_a_failed_sms_from_the_messages_page(gw, b, shots):
    gw.course_with_applicants()
    failed = gw.fail_first_sms_of(gw.applications[2])
    b.open(gw.base)
    b.sign_in("oper1")
    b.visible("page-overview")
    b.driver.find_element(By.ID, "nav-messages").click()
    b.visible("page-messages")
    row = 'tr[data-message="%d"]' % failed
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, row + '[data-status="failed"]'))
    assert "not reachable" in b.driver.find_element(By.CSS_SELECTOR, row).text
    assert "+962790000002" in b.driver.find_element(By.CSS_SELECTOR, row).text, "an operator sees the number whole"
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#funnel [data-funnel="failed"]'))
    assert b.driver.find_element(By.CSS_SELECTOR, '#funnel [data-funnel="failed"] dd').text == "1"
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#providers-table tbody tr"))
    assert "In rotation" in b.text("providers-table"), b.text("providers-table")
    b.shot(shots, "messages-operator-en")
    switch_language(b, "ar")
    b.wait(lambda d: "في الخدمة" in d.find_element(By.ID, "providers-table").text)
    b.shot(shots, "messages-operator-ar")
    switch_language(b, "en")

    # Only failed messages: then resend this one with its own button.
    Select(b.driver.find_element(By.ID, "messages-status")).select_by_value("failed")
    b.driver.find_element(By.ID, "messages-submit").click()
    # Read in the page in one go: the table is rebuilt when the answer comes.
    b.wait(lambda d: d.execute_script(
        "const rows = [...document.querySelectorAll('#messages-table tbody tr')];"
        "return rows.length > 0 && rows.every((r) => r.dataset.status === 'failed');"))
    b.driver.find_element(By.CSS_SELECTOR, 'button[data-resend="%d"]' % failed).click()
    b.wait(lambda d: "queued again" in d.find_element(By.ID, "status").text)
    b.wait(lambda d: "Resent as #" in d.find_element(By.CSS_SELECTOR, row).text)
    assert not b.driver.find_elements(By.CSS_SELECTOR, 'button[data-resend="%d"]' % failed), "resent once"

    # The server agrees: the failed row points at a new row, which the dispatcher sends once.
    cookie = b.cookie()
    status, page = gw.request("GET", "/console/api/messages?status=failed", headers={"Cookie": cookie})
    assert status == 200, (status, page)
    mine = [m for m in page["items"] if m["id"] == failed][0]
    copy = mine["resent_as"]
    assert copy and copy > failed, mine
    WebDriverWait(None, WAIT_S).until(lambda _: copy in [m["id"] for m in gw.outbox_lines()])
    assert [m["id"] for m in gw.outbox_lines()].count(copy) == 1
    Select(b.driver.find_element(By.ID, "messages-status")).select_by_value("")
    b.driver.find_element(By.ID, "messages-submit").click()
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'tr[data-message="%d"]' % copy))
    # A second click (from another tab, say) changes nothing.
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": cookie})
    status, body = gw.request("POST", "/console/api/messages/resend", {"ids": [failed]},
                              {"Cookie": cookie, "X-CSRF-Token": me["csrf"]})
    assert status == 200 and body["resent"] == [{"id": failed, "resent_as": copy, "already": True}], (status, body)


def test_viewer_sees_opt_outs_masked_and_cannot_resend(gw, b, shots):
    gw.seed_opt_out("+962790000009")
    b.open(gw.base)
    b.sign_in("view1")
    b.visible("page-overview")
    b.driver.find_element(By.ID, "nav-optouts").click()
    b.visible("page-optouts")
    b.wait(lambda d: "+96279*****09" in d.find_element(By.ID, "optouts-table").text)
    assert "+962790000009" not in b.text("optouts-table")
    assert b.visible("optouts-masked")
    b.shot(shots, "optouts-viewer-en")
    switch_language(b, "ar")
    b.wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl")
    b.shot(shots, "optouts-viewer-ar")
    switch_language(b, "en")
    b.driver.find_element(By.ID, "nav-messages").click()
    b.visible("page-messages")
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#messages-table tbody tr"))
    assert not b.driver.find_elements(By.CSS_SELECTOR, "button[data-resend]"), "no resend for a viewer"
    assert "+962790000001" not in b.text("messages-table"), "numbers masked"
    b.shot(shots, "messages-viewer-en")
    switch_language(b, "ar")
    b.shot(shots, "messages-viewer-ar")
    switch_language(b, "en")
    cookie = b.cookie()
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": cookie})
    status, body = gw.request("POST", "/console/api/messages/resend", {"ids": [1]},
                              {"Cookie": cookie, "X-CSRF-Token": me["csrf"]})
    assert status == 403, (status, body)


def simulator_apply(b, number, id_number):
    """Picks a test number on the Simulator page and applies for BT6 by SMS, as an applicant would."""
    Select(b.visible("sim-number")).select_by_value(number)
    b.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#sim-chat li"))
    for n, text in enumerate(["JOIN BT6", "Test Applicant", "1", id_number, "YES"], start=1):
        field = b.visible("sim-text")
        field.send_keys(text)
        b.driver.find_element(By.ID, "sim-send").click()
        # Each message shows as a bubble once the server has it (the page reads it back).
        b.wait(lambda d, n=n: len(d.find_elements(By.CSS_SELECTOR, '#sim-chat li[data-kind="in"]')) == n)
    # Received, or at once approved when this application brings the course to its minimum.
    b.wait(lambda d: d.find_elements(
        By.CSS_SELECTOR, '#sim-chat li[data-template="application_received"], #sim-chat li[data-template="approved"]'))


def test_a_course_reaches_quorum_through_the_simulator(gw, b, shots):
    gw.new_course("BT6", "التصوير الفوتوغرافي", "Photography", "2031-06-10T16:00:00+03:00",
                  "2031-06-14T19:00:00+03:00", location="مركز الحسين الثقافي", min_participants=2)
    b.open(gw.base)
    b.sign_in("view1")  # a viewer may use it: it only touches test numbers
    b.visible("page-overview")
    row = b.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, 'tr[data-course-code="BT6"]')))
    assert "0 of 2 active" in row.text, row.text
    b.driver.find_element(By.ID, "nav-simulator").click()
    b.visible("page-simulator")
    simulator_apply(b, "+962780000001", "9911000001")
    # Read through a wait: the page rebuilds the chat on each poll, so an element found may be gone.
    reply = b.wait(lambda d: d.find_element(By.CSS_SELECTOR, '#sim-chat li[data-template="application_received"]').text)
    assert "SMS" in reply and ("GSM-7" in reply or "UCS-2" in reply), reply
    b.shot(shots, "simulator-en")
    simulator_apply(b, "+962780000002", "9911000002")
    # The second application reached the minimum: the card approves it, and the first applicant too,
    # whose approval arrives in a chat already shown, through the page's polling.
    b.wait(EC.visibility_of_element_located(
        (By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]')))
    b.wait(lambda d: "delivered" in d.find_element(By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]').text)
    b.wait(lambda d: d.find_element(By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]')
           .get_attribute("data-kind") == "out")
    Select(b.visible("sim-number")).select_by_value("+962780000001")
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]'))
    b.wait(lambda d: "delivered" in d.find_element(By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]').text)
    b.driver.find_element(By.ID, "nav-overview").click()
    b.wait(lambda d: "2 of 2 active" in d.find_element(By.CSS_SELECTOR, 'tr[data-course-code="BT6"]').text)
    # No reply to a test number reached the file outbox (the configured provider).
    outbox = os.path.join(gw.folder, "outbox.jsonl")
    sent = []
    if os.path.exists(outbox):
        with open(outbox, encoding="utf-8") as f:
            sent = [m["to"] for m in map(json.loads, f)]
    assert not [to for to in sent if to.startswith("+9627800000")], sent

    # The USSD tab: the same applicant's menus, in Arabic too.
    b.driver.find_element(By.ID, "nav-simulator").click()
    b.visible("page-simulator")
    b.driver.find_element(By.ID, "sim-tab-ussd").click()
    b.visible("sim-dial").click()
    b.wait(lambda d: d.find_element(By.ID, "sim-ussd-count").text != "")
    assert b.driver.find_element(By.ID, "sim-ussd-input").is_enabled()
    b.shot(shots, "simulator-ussd-en")
    switch_language(b, "ar")
    assert b.text("simulator-title") == "المحاكي", b.text("simulator-title")
    b.shot(shots, "simulator-ussd-ar")
    b.driver.find_element(By.ID, "sim-tab-sms").click()
    b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#sim-chat li[data-template="approved"]'))
    b.shot(shots, "simulator-ar")
    # In the Arabic hint each test number still reads left to right: its "+" is drawn left of its
    # first digit, and the range's first number comes before (right of) its last.
    glyphs = b.driver.execute_script("""
        return [...document.querySelectorAll('#sim-range bdi')].map(b => {
          const r = document.createRange(), x = i => { r.setStart(b.firstChild, i); r.setEnd(b.firstChild, i + 1);
                                                       return r.getBoundingClientRect().x; };
          return [x(0), x(1), b.getBoundingClientRect().y];
        });""")
    assert len(glyphs) == 2, glyphs
    assert all(plus < digit for plus, digit, _ in glyphs), glyphs
    assert glyphs[0][2] < glyphs[1][2] or glyphs[0][0] > glyphs[1][0], glyphs
    switch_language(b, "en")
    # The server refuses a number outside the range, naming the field.
    cookie = b.cookie()
    status, me = gw.request("GET", "/console/api/session", headers={"Cookie": cookie})
    status, body = gw.request("POST", "/console/api/simulator/sms",
                              {"phone": "0790000001", "text": "HELP", "message_id": "browser-1"},
                              {"Cookie": cookie, "X-CSRF-Token": me["csrf"]})
    assert status == 400 and body["error"]["message"].startswith("phone:"), (status, body)


TESTS = [
    test_wrong_password_is_refused_then_throttled,
    test_admin_sees_a_new_course_manages_operators_and_switches_language,
    test_viewer_cannot_reach_the_operators_page_nor_post_to_it,
    test_operator_sees_the_overview_but_not_operators,
    test_operator_opens_a_course_finds_by_phone_cancels_and_exports,
    test_viewer_sees_masked_numbers_and_no_cancel_button,
    test_viewer_sees_the_days_payments_and_open_bills_masked,
    test_operator_settles_a_refund_from_the_payments_page,
    test_operator_creates_a_course_in_the_page,
    test_operator_reschedules_with_a_preview_and_broadcasts,
    test_operator_resends_a_failed_sms_from_the_messages_page,
    test_viewer_sees_opt_outs_masked_and_cannot_resend,
    test_a_course_reaches_quorum_through_the_simulator,
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="cg-console-browser-")
    gw = Gateway(os.path.abspath(args.binary), folder)
    failed = 0
    try:
        for name, role in [("admin1", "admin"), ("oper1", "operator"), ("view1", "viewer"), ("locked", "viewer")]:
            gw.add_operator(name, role)
        gw.start()
        for test in TESTS:
            b = Browser(folder)
            try:
                test(gw, b, args.screenshots)
                print("PASS", test.__name__)
            except Exception:  # noqa: BLE001 - every failure is reported, then the next test runs
                failed += 1
                print("FAIL", test.__name__)
                traceback.print_exc()
                b.shot(args.screenshots, "failed-" + test.__name__)
            finally:
                b.quit()
    finally:
        gw.stop()
        if failed:
            print("gateway log:", open(os.path.join(folder, "gateway.log"), encoding="utf-8").read()[-4000:])
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{len(TESTS) - failed} of {len(TESTS)} passed; screenshots in {args.screenshots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
