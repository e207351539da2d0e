"""Drives the REDCap simulator with PyCap 2.7 (a REDCap client written against real REDCap).

Usage: driver.py SCENARIO API_URL, with the seed's tokens and names in the environment variable
SEED (JSON). Prints one JSON object with what PyCap returned or raised; the Rust test
(tests/pycap.rs) asserts on it and on the calls the simulator recorded.
"""

import json
import os
import sys

from redcap import Project, RedcapError

SEED = json.loads(os.environ["SEED"])


def attempt(call):
    """What a call gave: {"ok": value} or {"raised": exception class, "message": text}."""
    try:
        return {"ok": call()}
    except RedcapError as e:
        return {"raised": type(e).__name__, "is_redcap_error": True, "message": str(e)}
    except Exception as e:  # anything else is a difference PyCap would notice
        return {"raised": type(e).__name__, "is_redcap_error": False, "message": str(e)}


def project(url, key):
    return Project(url, SEED[key])


def construct(url):
    """Only redcap.Project(url, token): PyCap 2.7 asks REDCap nothing yet (it is lazy)."""
    proj = project(url, "demo_token")
    return {"url": proj.url}


def connect(url):
    """redcap.Project(url, token) and what it reads first: version, project info, metadata."""
    proj = project(url, "registry_token")
    out = {}
    out["version"] = str(proj.redcap_version)
    out["info"] = proj.export_project_info()
    out["def_field"] = proj.def_field
    out["field_names"] = proj.field_names
    out["forms"] = sorted(proj.forms)
    out["export_field_names"] = proj.export_field_names()
    out["is_longitudinal"] = {
        "registry": proj.is_longitudinal,
        "cohort": project(url, "cohort_token").is_longitudinal,
    }
    return out


def surveys(url):
    """Survey link and return code: classic, repeating, longitudinal; the queue link."""
    demo = project(url, "demo_token")
    cohort = project(url, "cohort_token")
    registry = project(url, "registry_token")
    targets = {
        "classic": (demo, dict(record=SEED["record_in_progress"], instrument=SEED["baseline"])),
        "repeating": (
            demo,
            dict(record=SEED["record_in_progress"], instrument=SEED["weekly_diary"], repeat_instance=2),
        ),
        "longitudinal": (
            cohort,
            dict(record=SEED["record_in_progress"], instrument=SEED["month_3"], event=SEED["event_month_3"]),
        ),
        "registry_repeating": (
            registry,
            dict(record=SEED["registry_record"], instrument=SEED["symptom_check"], repeat_instance=2),
        ),
    }
    out = {}
    for name, (proj, args) in targets.items():
        out[name] = {
            "link": attempt(lambda: proj.export_survey_link(**args)),
            "code": attempt(lambda: proj.export_survey_return_code(**args)),
        }
    out["queue"] = attempt(lambda: demo.export_survey_queue_link(record=SEED["record_in_progress"]))
    return out


def errors(url):
    """Each error REDCap answers, as PyCap surfaces it."""
    demo = project(url, "demo_token")
    cohort = project(url, "cohort_token")
    bad = Project(url, "0" * 32)
    no_rights = project(url, "no_rights_token")
    rec = SEED["record_in_progress"]
    return {
        "bad_token": attempt(lambda: bad.export_survey_link(record=rec, instrument=SEED["baseline"])),
        "bad_token_version": attempt(lambda: str(bad.export_version())),
        "no_rights": attempt(lambda: no_rights.export_survey_return_code(record=rec, instrument=SEED["baseline"])),
        "missing_record": attempt(
            lambda: demo.export_survey_link(record=SEED["missing_record"], instrument=SEED["baseline"])
        ),
        "not_a_survey": attempt(lambda: demo.export_survey_link(record=rec, instrument=SEED["contact_info"])),
        "invalid_instrument": attempt(lambda: demo.export_survey_link(record=rec, instrument="nope")),
        "save_and_return_off": attempt(
            lambda: demo.export_survey_return_code(record=rec, instrument=SEED["consent"])
        ),
        "event_missing": attempt(lambda: cohort.export_survey_link(record=rec, instrument=SEED["month_3"])),
        "invalid_event": attempt(
            lambda: cohort.export_survey_link(record=rec, instrument=SEED["month_3"], event="nope_arm_1")
        ),
        "not_designated": attempt(
            lambda: cohort.export_survey_link(record=rec, instrument=SEED["month_3"], event=SEED["event_baseline"])
        ),
        "unknown_error": attempt(
            lambda: cohort.export_survey_return_code(record=rec, instrument=SEED["intake"], event=SEED["event_arm_2"])
        ),
        "queue_off": attempt(lambda: cohort.export_survey_queue_link(record=rec)),
        "invalid_field": attempt(lambda: demo.export_records(fields=["nope"])),
        "classic_events": attempt(lambda: demo.export_events()),
        "no_data_export": attempt(lambda: project(url, "no_data_export_token").export_records()),
    }


def records(url):
    """A record export (PyCap adds the record-id field) and the metadata it asks for."""
    demo = project(url, "demo_token")
    registry = project(url, "registry_token")
    return {
        "diary": demo.export_records(
            records=[SEED["record_in_progress"]],
            fields=[SEED["weekly_diary"] + "_complete"],
            export_survey_fields=True,
        ),
        "registry": registry.export_records(
            records=[SEED["registry_record"]],
            fields=[SEED["symptom_check"] + "_complete"],
            export_survey_fields=True,
        ),
        "registry_forms": registry.export_records(forms=[SEED["symptom_check"]]),
        "csv": demo.export_records(format_type="csv", records=[SEED["record_completed"]], fields=["exit_survey_complete"]),
    }


def structure(url):
    """Instruments, arms, events, repeating forms; arms of a classic project raise."""
    demo = project(url, "demo_token")
    cohort = project(url, "cohort_token")
    return {
        "instruments": demo.export_instruments(),
        "arms": cohort.export_arms(),
        "events": cohort.export_events(),
        "mapping": cohort.export_instrument_event_mappings(),
        "repeating": demo.export_repeating_instruments_events(),
        "classic_arms": attempt(lambda: demo.export_arms()),
    }


def faults(url):
    """What PyCap makes of the field's faults (the Rust test switches them on one by one)."""
    demo = project(url, "demo_token")
    return {
        "survey_link": attempt(
            lambda: demo.export_survey_link(record=SEED["record_in_progress"], instrument=SEED["baseline"])
        ),
        "json_export": attempt(lambda: demo.export_project_info()),
    }


SCENARIOS = {f.__name__: f for f in (construct, connect, surveys, errors, records, structure, faults)}

if __name__ == "__main__":
    scenario, api_url = sys.argv[1], sys.argv[2]
    print(json.dumps(SCENARIOS[scenario](api_url)))
