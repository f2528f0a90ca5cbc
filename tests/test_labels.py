from govreport.core import labels, schema


def test_label_counts_follow_the_schema():
    span = labels.span_labels()
    assert len(span) == len(set(span))
    fam = {f: sum(labels.family(s) == f for s in span) for f in labels.FAMILIES}
    assert fam == {"sections": 6, "table1": 29,  # 22 + 10 cells, 3 shared (the decisions columns)
            "table2": 26 * 7, "table3": 15, "entities": 12}
    assert len(labels.bio_labels()) == 1 + 2 * len(span)
    assert labels.id2label()[0] == "O"
    assert labels.label2id()["B-T2.granted.total"] % 2 == 1


def test_every_cell_path_has_a_label_and_back():
    for template in schema.TEMPLATES:
        for path in schema.cell_paths(template):
            label = labels.label_for_path(path)
            assert labels.is_span_label(label)
            assert labels.cell_path(label) == path
    assert labels.cell_path("AGENCY") is None


def test_template_of_label():
    assert labels.template_of_label("T1.art20_1.rules.new_made") == "2019"
    assert labels.template_of_label("T1.art20_8.administrative_fees.amount") == "2021"
    assert labels.template_of_label("T1.art20_6.administrative_penalty.decisions") is None
    assert labels.template_of_label("T2.other_handling.total") == "2019"
    assert labels.template_of_label("T3.review.total") is None
