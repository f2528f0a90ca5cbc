import jsonschema
import pytest

from govreport.core import schema


@pytest.mark.parametrize("template", ["2019", "2021", None])
def test_empty_record_is_valid(template):
    jsonschema.validate(schema.empty_record(template), schema.json_schema())


def test_template_shapes_differ_where_the_spec_says():
    r19, r21 = schema.empty_record("2019"), schema.empty_record("2021")
    assert "art20_9" in r19["proactive"] and "art20_9" not in r21["proactive"]
    assert set(r21["proactive"]["art20_1"]["rules"]) == {"issued", "repealed", "in_force"}
    assert "other_handling" in r19["requests"] and "other_handling" not in r21["requests"]
    assert {"other_no_correction", "other_unpaid_fee", "other_misc"} <= set(r21["requests"])
    assert len(r19["requests"]) == 23 and len(r21["requests"]) == 25


def test_schema_rejects_unknown_keys_and_strings_in_cells():
    rec = schema.empty_record("2019")
    rec["requests"]["granted"]["total"] = "5"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(rec, schema.json_schema())
    rec = schema.empty_record("2019")
    rec["requests"]["granted"]["bogus"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(rec, schema.json_schema())


@pytest.mark.parametrize(("year", "template"), [(2019, "2019"), (2020, "2019"), (2021, "2021"),
                                                (2025, "2021"), (2018, None), (None, None)])
def test_template_for_year(year, template):
    assert schema.template_for_year(year) == template


def test_cell_paths_and_get_path_agree_with_empty_record():
    rec = schema.empty_record("2021")
    rec["review_litigation"]["review"]["total"] = 3
    paths = schema.cell_paths("2021")
    assert len(paths) == len(set(paths)) == 10 + 25 * 7 + 15
    assert schema.get_path(rec, "review_litigation.review.total") == 3
    assert schema.get_path(rec, "requests.nope.total") is None
