"""Validation speed: median time to validate one capacity needs assessment with 5 needs
(1,000 different documents), plus the time to load every form and vocabulary once."""

from __future__ import annotations

import copy
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_DOCUMENTS = 1_000
NEEDS_PER_DOCUMENT = 5


def _documents(n: int) -> list[dict]:
    from focalpoint import forms

    rng = random.Random(2017)
    aichi = forms.vocabulary("aichiTargets").identifiers()
    subjects = forms.vocabulary("cbdSubjects").identifiers()
    support = [t.identifier for t in forms.vocabulary("assistanceTypes") if not t.custom]
    countries = forms.vocabulary("countries").identifiers()
    base = forms.template("capacityNeedsAssessment", languages=["en", "fr", "es"])
    docs = []
    for i in range(n):
        doc = copy.deepcopy(base)
        doc["header"]["identifier"] = f"BENCH-NEEDS-{i:06d}"
        doc["government"] = {"identifier": rng.choice(countries)}
        need0 = doc["needs"][0]
        needs = []
        for k in range(NEEDS_PER_DOCUMENT):
            need = copy.deepcopy(need0)
            need["aichiTargets"] = [{"identifier": t} for t in rng.sample(aichi, rng.randint(1, 4))]
            need["cbdSubjects"] = [{"identifier": t} for t in rng.sample(subjects, rng.randint(1, 3))]
            need["actionPlanActivities"] = [{"identifier": f"CBD-CB-ACTION-PLAN-2017-{a}"}
                                            for a in rng.sample(range(1, 111), rng.randint(1, 5))]
            need["assistanceTypes"] = [{"identifier": t} for t in rng.sample(support, 2)]
            need["gap"] = {lang: f"Gap {k} " + "lorem ipsum " * rng.randint(10, 200) for lang in ("en", "fr", "es")}
            needs.append(need)
        doc["needs"] = needs
        docs.append(doc)
    return docs


def main(results: dict) -> None:
    from focalpoint import forms
    from focalpoint.forms import model, vocabularies

    model.clear_cache()
    vocabularies.clear_cache()
    t0 = time.perf_counter()
    for schema in forms.schemas():
        forms.load_form(schema)
    for name in vocabularies.vocabulary_names():
        forms.vocabulary(name)
    results["load_all_forms_and_vocabularies_ms"] = round((time.perf_counter() - t0) * 1000, 1)

    docs = _documents(N_DOCUMENTS)
    timings = []
    for doc in docs:
        start = time.perf_counter()
        errors = forms.validate(doc)
        timings.append(time.perf_counter() - start)
        assert not errors, errors[:3]
    timings.sort()
    results["validate_needs_assessment_5_needs_median_us"] = round(statistics.median(timings) * 1e6, 1)
    results["validate_needs_assessment_5_needs_p95_us"] = round(timings[int(len(timings) * 0.95)] * 1e6, 1)
    results["documents"] = N_DOCUMENTS

    refs = set()
    start = time.perf_counter()
    for doc in docs[:200]:
        forms.validate(doc, reference_exists=lambda uid: refs.add(uid) or True)
    results["validate_with_reference_check_mean_us"] = round((time.perf_counter() - start) / 200 * 1e6, 1)


if __name__ == "__main__":
    out: dict = {}
    main(out)
    print(out)
