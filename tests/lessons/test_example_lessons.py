"""Every example project teaches with a lesson, and every promise it makes is kept: each test
trains the variants a lesson's claims name, headless on the CPU, and checks what they measured."""

import pytest

from netdesigner.core.project import Project
from netdesigner.examples import CANON, list_examples
from netdesigner.lessons.runner import check_lesson

EXAMPLES = list_examples()
WITH_LESSONS = [e for e in EXAMPLES if Project.load(e.path).lesson is not None]


def test_the_gallery_examples_teach_the_canon():
    for example in WITH_LESSONS:
        lesson = Project.load(example.path).lesson
        assert lesson.topic and lesson.look_at and lesson.claims, example.path.name
        assert example.description, example.path.name
        assert lesson.topic in CANON, f"{example.path.name}: {lesson.topic!r} is not an idea of the canon"
    assert {Project.load(e.path).lesson.topic for e in WITH_LESSONS} == set(CANON), "every idea has an example"


@pytest.mark.parametrize("example", WITH_LESSONS, ids=[e.path.stem for e in WITH_LESSONS])
def test_the_lesson_keeps_its_promises(example):
    project = Project.load(example.path)
    report = check_lesson(project)
    failures = [r.describe() for r in report.results if not r.holds]
    failures += [f"{run.name} failed: {run.failure}" for run in report.runs.values() if not run.ok]
    assert not failures, "\n".join(failures)
