from govreport.core import schema
from govreport.core.checks import failed, run_checks


def _filled(template: str, value: int = 0) -> dict:
    rec = schema.empty_record(template)
    for row in rec["requests"].values():
        for col in row:
            row[col] = value
    for group in rec["review_litigation"].values():
        for col in group:
            group[col] = value
    return rec


def test_all_zero_record_passes_every_identity():
    checks = run_checks(_filled("2021"))
    assert checks and all(c["ok"] is True for c in checks)
    assert {c["identity"] for c in checks} == {1, 2, 3, 4}


def test_seed_000_style_imbalance_fails_identity_1():
    rec = _filled("2019")
    req = rec["requests"]
    req["new_received"].update(other_org=49, total=49)
    req["granted"].update(other_org=49, total=49)
    req["denied_security_stability"].update(other_org=1, total=1)
    req["denied_internal_affairs"].update(other_org=2, total=2)
    req["total_processed"].update(other_org=52, total=52)
    bad = failed(run_checks(rec))
    assert [(c["identity"], c["where"], c["expected"], c["found"]) for c in bad] == [
        (1, "requests.other_org", 49, 52), (1, "requests.total", 49, 52)]


def test_null_value_skips_instead_of_failing():
    rec = _filled("2019")
    rec["review_litigation"]["review"]["pending"] = None
    rec["requests"]["granted"]["research"] = None
    by_key = {(c["identity"], c["where"]): c for c in run_checks(rec)}
    assert by_key[(4, "review_litigation.review")]["ok"] is None
    assert by_key[(3, "requests.granted")]["ok"] is None
    assert by_key[(2, "requests.research")]["ok"] is None
    assert by_key[(1, "requests.research")]["ok"] is True


def test_row_total_mismatch_fails_identity_3():
    rec = _filled("2021")
    rec["requests"]["granted"].update(natural_person=2, total=3)
    bad = {(c["identity"], c["where"]) for c in failed(run_checks(rec))}
    assert (3, "requests.granted") in bad
