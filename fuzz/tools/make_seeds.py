#!/usr/bin/env python3
"""Writes the small checked-in seed corpora under fuzz/seeds/<target>/ (deterministic).

Run from anywhere: python3 fuzz/tools/make_seeds.py. Regression inputs (crashes found by the
fuzzer) live next to them as `regression-*` files and are not touched by this script.
"""
import base64, hashlib, hmac, json, os, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "seeds"

def write(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)

# ---- classify: [flags][status lo][status hi | 0x80][selector][position] message ----
def cl(name, envelope, status, message, secret=0, selector=0, position=128):
    flags = (envelope & 7) | ((secret & 7) << 3)
    head = bytes([flags, status & 0xFF, 0x80 | (status >> 8), selector, position])
    write("classify", name, head + message.encode())

XML = '<?xml version="1.0" encoding="UTF-8" ?><hash><error>{}</error></hash>'
cl("json-record-missing", 1, 400, 'The record "17" does not exist')
cl("json-record-missing-old", 1, 400, "The record '17' does not exist", secret=5)
cl("json-token", 1, 403, "You do not have permissions to use the API")
cl("csv-token", 2, 403, "You do not have permissions to use the API", secret=1)
cl("json-survey-rights", 1, 403, 'The API request cannot complete because currently you do not have "Manage Survey Participants" privileges, which are required for this operation.')
cl("json-export-rights", 1, 403, "You do not have API Export privileges")
cl("json-param-record", 1, 400, "The parameter 'record' is missing")
cl("csv-param-event", 2, 400, "The parameter 'event' is missing")
cl("json-param-instrument", 1, 400, "The parameter 'instrument' is missing", secret=4, position=40)
cl("json-invalid-instrument", 1, 400, "Invalid instrument")
cl("json-not-survey", 1, 400, 'The instrument "baseline" has not been enabled as a survey')
cl("json-invalid-event", 1, 400, "Invalid event")
cl("json-not-designated", 1, 400, 'The instrument "baseline" has not been designated for the event "month_3_arm_1"')
cl("xml-save-return", 3, 400, "The 'Save & Return Later' feature has not been enabled for this survey")
cl("raw-xml-save-return", 0, 400, XML.format("The 'Save & Return Later' feature has not been enabled for this survey"))
cl("raw-xml-escaped", 0, 400, XML.format("The record &quot;17&quot; does not exist &amp; more"))
cl("json-unknown", 1, 400, "An unknown error occurred")
cl("plain-ban", 5, 429, "Your IP address (10.0.0.1) has been banned due to suspected abuse.")
cl("plain-429", 0, 429, "Too Many Requests")
cl("html-502", 4, 502, "502 Bad Gateway", secret=3)
cl("raw-html-body", 0, 403, "<html><body><h1>Forbidden</h1><p>KX7HD3LW</p></body></html>")
cl("empty-500", 0, 500, "")
cl("json-nonstring", 6, 400, '{"code":7,"message":"Invalid event"}')
cl("quoted-csv", 7, 400, "The record 'X' does not exist")
cl("redirect", 0, 302, "<html><head><title>Moved</title></head></html>")
cl("json-bom", 5, 400, '{"error":"The record \\"1\\" does not exist"}')
# field kinds (DESIGN.md, "What REDCap does in the field")
cl("json-unknown-period", 2, 400, "An unknown error occurred.")
cl("raw-200-db-error", 0, 200, "<!DOCTYPE html><html><head><title>REDCap</title></head><body><b>ERROR:</b> Could not connect to the MySQL database server.</body></html>")
cl("raw-200-php-warning", 0, 200, "<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in <b>/var/www/redcap/redcap_connect.php</b> on line <b>88</b><br />\nKX7HD3LW")
cl("raw-200-empty", 0, 200, "")
cl("raw-200-json-object", 0, 200, '{"project_title":"Demo"}')
cl("raw-403-nginx", 0, 403, "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>")
cl("raw-401-basic", 0, 401, "<html><head><title>401 Authorization Required</title></head></html>")
cl("raw-405-apache", 0, 405, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>405 Method Not Allowed</title>\n</head></html>")
cl("raw-503-apache", 0, 503, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>503 Service Unavailable</title>\n</head></html>")
cl("json-admin-survey", 1, 400, "This survey is not enabled while we upgrade REDCap.")
cl("xml-admin-record", 3, 400, 'Maintenance: The record "17" does not exist')
cl("csv-admin-token", 2, 400, "Your token will work again after the upgrade.")
cl("json-invalid-values-events", 1, 400, "The following values in the parameter \"events\" are not valid: 'baseline_arm_9'")
# success answers, for the validators (selector picks the API URL and the status target)
cl("link-16", 0, 200, "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr", selector=0)
cl("link-sub", 0, 200, "https://redcap.example.edu/redcap/surveys/?s=ABCDEFGHJK", selector=1)
cl("link-port", 0, 200, "https://redcap.example.edu:8443/surveys/?s=AbCdEfGhJkLmNpQr", selector=3)
cl("link-ip", 0, 200, "http://127.0.0.1:8081/surveys/?s=AbCdEfGhJkLmNpQr", selector=4)
cl("link-v6", 0, 200, "https://[::1]:8443/surveys/?s=AbCdEfGhJkLmNpQr", selector=5)
cl("link-queue", 0, 200, "https://redcap.example.edu/surveys/?sq=AbCdEfGhJkLmNpQr\n", selector=0)
cl("link-evil", 0, 200, "https://redcap.example.edu.evil.example/surveys/?s=AbCdEfGhJkLmNpQr", selector=0)
cl("link-userinfo", 0, 200, "https://redcap.example.edu@evil.example/surveys/?s=AbCdEfGhJkLmNpQr", selector=0)
cl("code", 0, 200, " KX7HD3LW\n")
cl("version", 0, 200, "14.5.1")
cl("project", 0, 200, json.dumps({"project_id": 12, "project_title": "Cohort", "is_longitudinal": "1",
                                 "has_repeating_instruments_or_events": 0, "surveys_enabled": True, "in_production": "0"}))
cl("export-classic", 0, 200, json.dumps([{"record_id": "17", "baseline_survey_timestamp": "[not completed]",
                                          "baseline_survey_complete": "0"}]), selector=0)
cl("export-events", 0, 200, json.dumps([
    {"record_id": "17", "redcap_event_name": "baseline_arm_1", "redcap_repeat_instrument": "", "redcap_repeat_instance": "",
     "followup_timestamp": "2024-05-01 10:00:00", "followup_complete": "2"},
    {"record_id": "17", "redcap_event_name": "month_3_arm_1", "redcap_repeat_instrument": "followup", "redcap_repeat_instance": 2,
     "followup_timestamp": "", "followup_complete": "1"}]), selector=0x28 | 0x80)
cl("export-empty", 0, 200, "[]")

# ---- ticket: [mode] header \n claims \n signature  (mode < 64: raw text) ----
SECRET = b"fuzz-ticket-secret-0123456789abcdef"
def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def tk(name, mode, header, claims, sig=b""):
    write("ticket", name, bytes([mode]) + json.dumps(header, separators=(",", ":")).encode() + b"\n"
          + json.dumps(claims, separators=(",", ":")).encode() + b"\n" + sig)
GOOD = {"sub": "1001", "aud": "redcap-resume", "exp": 4102444800}
HS = {"alg": "HS256", "typ": "JWT"}
tk("valid", 64, HS, GOOD)
tk("valid-iat-nbf", 65, HS, dict(GOOD, iat=1700000000, nbf=1700000000))
tk("valid-aud-array", 66, HS, dict(GOOD, aud=["other", "redcap-resume"]))
tk("expired", 64, HS, dict(GOOD, exp=1700000000))
tk("future-nbf", 64, HS, dict(GOOD, nbf=4102444000))
tk("wrong-aud", 64, HS, dict(GOOD, aud="another-app"))
tk("no-exp", 64, HS, {"sub": "1001", "aud": "redcap-resume"})
tk("bad-sub", 64, HS, dict(GOOD, sub=" 1001"))
tk("sub-number", 64, HS, dict(GOOD, sub=1001))
tk("exp-string", 64, HS, dict(GOOD, exp="4102444800"))
tk("alg-none", 70, {"alg": "none", "typ": "JWT"}, GOOD)
tk("alg-rs256", 64, {"alg": "RS256", "typ": "JWT"}, GOOD)
tk("other-secret", 67, HS, GOOD)
tk("fuzzed-sig", 68, HS, GOOD, b"\x00\x01\x02signature")
tk("text-sig", 69, HS, GOOD, b"AAAA.BBBB")
tk("std-b64", 71, HS, dict(GOOD, sub="a+/b?"))
msg = b64(json.dumps(HS).encode()) + "." + b64(json.dumps(GOOD).encode())
sig = b64(hmac.new(SECRET, msg.encode(), hashlib.sha256).digest())
write("ticket", "raw-valid", bytes([0]) + f"{msg}.{sig}".encode())
write("ticket", "raw-not-a-ticket", bytes([0]) + b"not.a.ticket")
write("ticket", "raw-two-parts", bytes([1]) + msg.encode())

# ---- config: toml [\0 file content] ----
GOOD_TOML = '''listen = "127.0.0.1:8080"
public_dir = "dist"
allowed_origins = ["https://study.example.edu"]
base_path = "/redcap-resume/api/"

[redcap]
url = "https://redcap.example.edu/api/"
token_env = "TOKEN"
timeout_ms = 8000
max_requests_per_minute = 300
max_queue_wait_ms = 2000
cache_ttl_seconds = 600
ban_pause_seconds = 600

[auth]
mode = "ticket"
ticket_secret_env = "SECRET"
cookie_name = "redcap_resume_ticket"
leeway_seconds = 30

[surveys.baseline]
title = "Baseline questionnaire"
instrument = "baseline_survey"
event = "baseline_arm_1"
repeat_instance = 1
status = true
allow_completed_edit = false
link_style = "return-page"

[projects.cohort]
url = "https://redcap.example.edu/api/"
token_env = "TOKEN2"

[surveys.month3]
project = "cohort"
title = "Three-month follow-up"
instrument = "month_3"
event = "month_3_arm_1"
link_style = "rc-param"

[limits]
per_participant_per_minute = 60
per_ip_per_minute = 600
max_concurrent_requests = 512
request_timeout_ms = 15000

[audit]
path = "audit.log"
fail_closed = true
'''
write("config", "design-example", GOOD_TOML)
MIN = '''[redcap]
url = "https://redcap.example.edu/api/"
token_env = "{tok}"
[auth]
{auth}
[surveys.s1]
title = "T"
instrument = "a"
'''
write("config", "minimal", MIN.format(tok="TOKEN", auth='ticket_secret_env = "SECRET"'))
write("config", "token-file", MIN.format(tok="TOKEN", auth='ticket_secret_file = "secret"').replace('token_env = "TOKEN"', 'token_file = "token"'))
write("config", "crlf-token", MIN.format(tok="CRLF_TOKEN", auth='ticket_secret_env = "SECRET"'))
write("config", "super", MIN.format(tok="SUPER", auth='ticket_secret_env = "SECRET"'))
write("config", "bad-token", MIN.format(tok="BAD", auth='ticket_secret_env = "SHORT"'))
write("config", "empty-secret", MIN.format(tok="SPACED", auth='ticket_secret_env = "EMPTY"'))
write("config", "header-mode", MIN.format(tok="TOKEN", auth='mode = "header"\nheader_name = "X-Remote-User"\ntrusted_proxies = ["127.0.0.1/32", "::1", "10.0.0.0/8"]'))
write("config", "eddsa", MIN.format(tok="TOKEN", auth='algorithm = "EdDSA"\nticket_public_key_file = "ed.pem"'))
write("config", "rs256", MIN.format(tok="TOKEN", auth='algorithm = "RS256"\nticket_public_key_file = "rsa.pem"'))
write("config", "pem-from-input", MIN.format(tok="TOKEN", auth='algorithm = "RS256"\nticket_public_key_file = "k.pem"')
      + "\0-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAiEwZ1/tWRTLB5BK6GCDqFouajRLc6HHIjK52SHWz1+8=\n-----END PUBLIC KEY-----\n")
write("config", "file-content-token", MIN.format(tok="TOKEN", auth='ticket_secret_file = "s"').replace('token_env = "TOKEN"', 'token_file = "t"')
      + "\0a-long-random-secret-of-32-bytes!\n")
write("config", "unknown-key", 'listen = "[::1]:0"\nnope = 1\n')
write("config", "bad-values", '''listen = "localhost"
allowed_origins = ["https://study.example.edu/path", "ftp://x", "http://[::1]:8080"]
base_path = "/a/../b"
[redcap]
url = "https://user:pw@redcap.example.edu/api/?x=1"
token_env = "TOKEN"
token_file = "token"
max_requests_per_minute = 600
[projects.default]
url = "http://r/api/"
[projects.Bad]
[surveys."../x"]
title = "  "
instrument = "Baseline Survey"
repeat_instance = 0
event = "Ev"
project = "nope"
link_style = "other"
''')
